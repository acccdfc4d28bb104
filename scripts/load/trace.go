package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// tracer is a GORM logger that records every statement a service runs, with
// its parameters and its time, so that the statements of one request can be
// timed one by one and EXPLAINed.
type tracer struct {
	mu    sync.Mutex
	stmts []traced
	// last holds the parameterized SQL of the statement being traced:
	// ParamsFilter is called from inside Trace's callback.
	lastSQL  string
	lastVars []any
}

type traced struct {
	sql  string // parameterized
	vars []any
	text string // with the parameters written in, for reading
	dur  time.Duration
	rows int64
	err  error
}

func (t *tracer) LogMode(logger.LogLevel) logger.Interface { return t }
func (t *tracer) Info(context.Context, string, ...any)     {}
func (t *tracer) Warn(context.Context, string, ...any)     {}
func (t *tracer) Error(context.Context, string, ...any)    {}

func (t *tracer) ParamsFilter(_ context.Context, sql string, params ...any) (string, []any) {
	t.lastSQL, t.lastVars = sql, append([]any(nil), params...)
	return sql, params
}

func (t *tracer) Trace(_ context.Context, begin time.Time, fc func() (string, int64), err error) {
	dur := time.Since(begin)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastSQL, t.lastVars = "", nil
	text, rows := fc()
	st := traced{sql: t.lastSQL, vars: t.lastVars, text: text, dur: dur, rows: rows, err: err}
	if st.sql == "" {
		// Scan records through its own logger and hands over only the
		// text with the parameters written in; times in it are written in
		// their own zone, not the connection's UTC, which moves a range by
		// hours but not the plan.
		st.sql = text
	}
	t.stmts = append(t.stmts, st)
}

// take returns the statements recorded since the last take.
func (t *tracer) take() []traced {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.stmts
	t.stmts = nil
	return out
}

// traceDB is the app's database with the tracer as its logger. Use it from
// one goroutine at a time.
func traceDB(db *gorm.DB) (*gorm.DB, *tracer) {
	t := &tracer{}
	return db.Session(&gorm.Session{Logger: t}), t
}

// explain prints the plan of a statement: EXPLAIN and MariaDB's ANALYZE
// (which runs it and adds the rows actually read, r_rows) on MariaDB,
// EXPLAIN QUERY PLAN on SQLite.
func (e *env) explain(ctx context.Context, indent string, query string, vars []any, analyze bool) {
	if !e.mysql() {
		rows, err := e.app.DB.WithContext(ctx).Raw("EXPLAIN QUERY PLAN "+query, vars...).Rows()
		if err != nil {
			e.printf("%sEXPLAIN failed: %v\n", indent, err)
			return
		}
		defer rows.Close()
		for _, r := range scanAll(rows) {
			e.printf("%splan: %s\n", indent, r["detail"])
		}
		return
	}
	kinds := []string{"EXPLAIN"}
	if analyze {
		kinds = append(kinds, "ANALYZE")
	}
	for _, kind := range kinds {
		rows, err := e.seed.WithContext(ctx).Raw(kind+" "+query, vars...).Rows()
		if err != nil {
			e.printf("%s%s failed: %v\n", indent, kind, err)
			continue
		}
		for _, r := range scanAll(rows) {
			var parts []string
			for _, col := range []string{"table", "type", "possible_keys", "key", "key_len", "ref", "rows", "r_rows", "filtered", "r_filtered", "Extra"} {
				if v, ok := r[col]; ok && v != "" {
					parts = append(parts, col+"="+v)
				}
			}
			e.printf("%s%-7s %s\n", indent, kind+":", strings.Join(parts, " "))
		}
		rows.Close()
	}
}

// scanAll reads every row as column name -> text.
func scanAll(rows *sql.Rows) []map[string]string {
	cols, _ := rows.Columns()
	var out []map[string]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			continue
		}
		m := map[string]string{}
		for i, c := range cols {
			if vals[i].Valid {
				m[c] = vals[i].String
			}
		}
		out = append(out, m)
	}
	return out
}

// timeQuery runs a statement n times through the app's own database handle
// (prepared, as the services run it) and returns its median and p90.
func (e *env) timeQuery(ctx context.Context, n int, query string, vars ...any) (median, p90 time.Duration, err error) {
	ds := make([]time.Duration, 0, n)
	for range n {
		t0 := time.Now()
		rows, err := e.app.DB.WithContext(ctx).Raw(query, vars...).Rows()
		if err != nil {
			return 0, 0, err
		}
		for rows.Next() {
		}
		rows.Close()
		ds = append(ds, time.Since(t0))
	}
	return medianOf(ds), pctOf(ds, .9), nil
}

func medianOf(ds []time.Duration) time.Duration { return pctOf(ds, .5) }

func pctOf(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func oneLine(s string, n int) string {
	return trim(strings.Join(strings.Fields(s), " "), n)
}

func fmtDur(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// profile calls fn runs times from one client, each time recording the
// statements it runs through the tracer, and prints the median time of the
// whole call and of each statement (grouped by their SQL), what is left
// (BEGIN/COMMIT round trips, Redis, Go), and each statement's plan.
func (e *env) profile(ctx context.Context, title string, runs int, tr *tracer, fn func(i int) error) error {
	type group struct {
		first traced
		durs  []time.Duration
		count int
	}
	var order []string
	groups := map[string]*group{}
	var totals, outside []time.Duration
	tr.take()
	for i := range runs {
		t0 := time.Now()
		if err := fn(i); errors.Is(err, errExhausted) {
			if i == 0 {
				e.printf("\n# %s: not profiled, the seeded pool is used up (raise -n)\n", title)
				return nil
			}
			runs = i
			break
		} else if err != nil {
			return fmt.Errorf("%s: %w", title, err)
		}
		total := time.Since(t0)
		var inStmts time.Duration
		for _, st := range tr.take() {
			key := shape(st.text)
			g := groups[key]
			if g == nil {
				g = &group{first: st}
				groups[key] = g
				order = append(order, key)
			}
			g.durs = append(g.durs, st.dur)
			g.count++
			inStmts += st.dur
		}
		totals = append(totals, total)
		outside = append(outside, total-inStmts)
	}
	e.printf("\n# %s: %d calls from one client, median %s per call (p90 %s)\n", title, runs, fmtDur(medianOf(totals)), fmtDur(pctOf(totals, .9)))
	for _, key := range order {
		g := groups[key]
		e.printf("  %8s x%.1f  %s\n", fmtDur(medianOf(g.durs)), float64(g.count)/float64(runs), oneLine(g.first.text, 220))
		if strings.HasPrefix(strings.TrimSpace(strings.ToUpper(key)), "SELECT") {
			e.explain(ctx, "             ", g.first.sql, g.first.vars, false)
		}
	}
	e.printf("  %8s      outside the traced statements: BEGIN/COMMIT/SAVEPOINT round trips, Redis, Go\n", fmtDur(medianOf(outside)))
	return nil
}

var literals = regexp.MustCompile(`\bsp\d+\b|\b(true|false)\b|"[^"]*"|'[^']*'|\b\d+(\.\d+)?\b`)

// shape is a statement's text with its literal values blanked, to group the
// same statement across calls.
func shape(text string) string { return literals.ReplaceAllString(text, "?") }
