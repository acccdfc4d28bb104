package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuSnapshot is the machine's busy CPU time and that of the processes the
// figures depend on, from /proc (Linux). Comparing two snapshots says how
// much of the CPUs other work took during a phase: the load average lags by
// a minute and counts this program too.
type cpuSnapshot struct {
	at      time.Time
	busy    float64            // seconds, all CPUs
	process map[string]float64 // seconds: "load" (this process, server and clients), "mariadbd", "redis"
}

const clockTicks = 100 // USER_HZ on Linux

func takeCPU() cpuSnapshot {
	s := cpuSnapshot{at: time.Now(), process: map[string]float64{}}
	if raw, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(raw), "\n")
		f := strings.Fields(line)
		// cpu user nice system idle iowait irq softirq steal ...
		for i, v := range f[1:] {
			if i == 3 || i == 4 { // idle, iowait
				continue
			}
			if i > 7 { // guest time is already counted in user
				break
			}
			n, _ := strconv.ParseFloat(v, 64)
			s.busy += n / clockTicks
		}
	}
	s.process["load"] = procCPU("/proc/self/stat")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(d + "/comm")
		if err != nil {
			continue
		}
		switch strings.TrimSpace(string(comm)) {
		case "mariadbd", "mysqld":
			s.process["mariadbd"] += procCPU(d + "/stat")
		case "redis-server":
			s.process["redis"] += procCPU(d + "/stat")
		}
	}
	return s
}

// procCPU is a process's user and system time in seconds.
func procCPU(path string) float64 {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	// The command may hold spaces: fields start after the last ')'.
	s := string(raw)
	f := strings.Fields(s[strings.LastIndex(s, ")")+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / clockTicks
}

// cpuUse renders what each took between two snapshots, in cores (2.00 =
// both CPUs of this machine busy the whole time).
func cpuUse(a, b cpuSnapshot) string {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 || b.busy == 0 {
		return "cpu: unknown"
	}
	total := (b.busy - a.busy) / wall
	own := 0.0
	parts := []string{}
	for _, k := range []string{"load", "mariadbd", "redis"} {
		v := (b.process[k] - a.process[k]) / wall
		own += v
		parts = append(parts, fmt.Sprintf("%s %.2f", k, v))
	}
	return fmt.Sprintf("cpu cores busy %.2f of %d: %s, other %.2f", total, numCPU(), strings.Join(parts, ", "), max(0, total-own))
}
