// Command yaoju serves the yaoju backend: the mini-program and console API,
// and the background workers that send check-in reminders.
//
//	yaoju [-config file.yaml]                  serve (embedded mode without configuration)
//	yaoju [-config file.yaml] rebuild-schedule rebuild the Redis check-in schedule from the database
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Shanghai on machines without zoneinfo

	"yaoju/app"
	"yaoju/config"
)

func main() {
	configPath := flag.String("config", "", "optional YAML config file; YAOJU_* environment variables override it")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)

	cfg, err := config.Load(*configPath, os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, cfg, flag.Arg(0), log); err != nil {
		log.Error("yaoju stopped", "err", err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config.Config, command string, log *slog.Logger) error {
	if cfg.Embedded() {
		log.Info("embedded mode: SQLite, in-process Redis and the WeChat simulator", "data_dir", cfg.DataDir)
	}
	a, err := app.New(ctx, cfg, app.Options{Log: log})
	if err != nil {
		return err
	}
	defer a.Close()
	switch command {
	case "", "serve":
		return a.Serve(ctx)
	case "rebuild-schedule":
		n, err := a.Keeper.Rebuild(ctx)
		if err == nil {
			fmt.Printf("check-in schedule rebuilt: %d residences\n", n)
		}
		return err
	default:
		return fmt.Errorf("unknown command %q (want serve or rebuild-schedule)", command)
	}
}
