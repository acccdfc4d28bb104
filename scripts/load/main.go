// Command load drives yaoju's hot paths over real HTTP and prints requests
// per second and latency percentiles. It starts the whole system (app.New)
// on a loopback listener, seeds what the scenario needs straight into the
// database, then runs -c keep-alive clients for -d.
//
//	go run ./scripts/load -scenario=checkin \
//	    -mysql='yaoju_test:yaoju_test@tcp(127.0.0.1:3306)/' -redis=127.0.0.1:6379 -c=64 -d=20s
//
// With -mysql and -redis empty it runs on embedded stores (SQLite and the
// in-process Redis) in a temporary directory. Against MariaDB it creates a
// database with a random name and drops it at the end; against Redis it uses
// its own key prefix and deletes its keys at the end, also after Ctrl-C.
//
// Scenarios: checkin, scan, declare, stats, worklist, sweep (see
// scripts/README.md for what each measures).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata"
)

type options struct {
	scenario  string
	mysql     string
	redis     string
	clients   int
	duration  time.Duration
	warmup    time.Duration
	n         int
	scheduled int
	history   int
	workers   bool
	explain   bool
	suggest   bool
	logMode   string
}

var scenarios = map[string]func(context.Context, *env) error{
	"checkin":  runCheckin,
	"scan":     runScan,
	"declare":  runDeclare,
	"stats":    runStats,
	"worklist": runWorklist,
	"sweep":    runSweep,
}

func main() {
	var o options
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	sort.Strings(names)
	flag.StringVar(&o.scenario, "scenario", "checkin", "one of: "+strings.Join(names, ", "))
	flag.StringVar(&o.mysql, "mysql", "", "MariaDB/MySQL server DSN without a database, e.g. 'yaoju_test:yaoju_test@tcp(127.0.0.1:3306)/'; empty = embedded SQLite")
	flag.StringVar(&o.redis, "redis", "", "Redis address, e.g. 127.0.0.1:6379; empty = in-process Redis")
	flag.IntVar(&o.clients, "c", 64, "concurrent HTTP clients")
	flag.DurationVar(&o.duration, "d", 20*time.Second, "measured duration of each phase")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up before each phase (same clients, same requests)")
	flag.IntVar(&o.n, "n", 0, "scenario size, 0 = default: checkin 200000 residences, scan 50000, declare 50000 users, stats 600000 residences, worklist 100000 open tasks, sweep 100000 due")
	flag.IntVar(&o.scheduled, "scheduled", 0, "sweep: residences on the schedule in all, due or not (0 = -n)")
	flag.IntVar(&o.history, "history", 3, "checkin/stats: past monthly check-ins seeded per residence")
	flag.BoolVar(&o.workers, "workers", false, "also run the background workers (sweeper, sender, comparer) during the load")
	flag.BoolVar(&o.explain, "explain", true, "stats/worklist: trace the SQL of one request, time each statement and EXPLAIN it")
	flag.BoolVar(&o.suggest, "suggest", true, "stats on MariaDB: afterwards create candidate indexes in the run's own database and trace again")
	flag.StringVar(&o.logMode, "log", "discard", "request logs: discard (JSON-encoded, then dropped) or stderr; warnings always go to stderr")
	flag.Parse()

	run, ok := scenarios[o.scenario]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown scenario %q (want one of %s)\n", o.scenario, strings.Join(names, ", "))
		os.Exit(2)
	}
	if o.clients < 1 || o.duration <= 0 {
		fmt.Fprintln(os.Stderr, "-c must be at least 1 and -d positive")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := 0
	if err := start(ctx, o, run); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		code = 1
	}
	stop()
	os.Exit(code)
}

// start builds the environment, runs the scenario and always cleans up.
func start(ctx context.Context, o options, run func(context.Context, *env) error) error {
	e, err := newEnv(ctx, o)
	if e != nil {
		defer e.close()
	}
	if err != nil {
		return err
	}
	e.printf("# yaoju load: scenario=%s stores=%s clients=%d duration=%s warmup=%s workers=%v go=%s\n",
		o.scenario, e.stores(), o.clients, o.duration, o.warmup, o.workers, goVersion())
	e.printf("# machine: %d CPUs, load average %s (before seeding)\n", numCPU(), loadAvg())
	return run(ctx, e)
}
