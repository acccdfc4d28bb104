package app_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"yaoju/app"
	"yaoju/config"
	"yaoju/model"
)

func TestDemo_SeedsOnceAcrossRestarts(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	counts := func(a *app.App) [4]int64 {
		var out [4]int64
		for i, m := range []any{&model.Area{}, &model.Account{}, &model.Unit{}, &model.Residence{}} {
			a.DB.Model(m).Count(&out[i])
		}
		return out
	}
	var first [4]int64
	for run := 0; run < 2; run++ {
		a, err := app.New(context.Background(), cfg, app.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		got := counts(a)
		a.Close()
		if run == 0 {
			first = got
			if got[0] != 7 || got[1] != 3 || got[2] == 0 || got[3] == 0 {
				t.Fatalf("demo data: areas, accounts, units, residences = %v", got)
			}
		} else if got != first {
			t.Fatalf("restart changed the demo data: %v -> %v", first, got)
		}
	}
}
