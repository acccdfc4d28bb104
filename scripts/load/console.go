package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"yaoju/app"
	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/checkin"
	"yaoju/service/stats"
	"yaoju/service/tier"
	"yaoju/service/worklist"
)

// consoleLogin signs a demo account in through the API, as the console does.
func (e *env) consoleLogin(username string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": username, "password": app.DemoPassword})
	res, err := e.client.Post(e.base+"/api/v1/console/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct {
		Data struct{ Token string } `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("console login %s: status %d %v", username, res.StatusCode, err)
	}
	return out.Data.Token, nil
}

func (e *env) worker1Scope(ctx context.Context) (area.Scope, error) {
	return area.NewService(e.app.DB, time.Now).Subtree(ctx, e.areas.communities[0])
}

// runStats: GET /api/v1/console/stats as admin (the whole city) and as
// worker1 (one community), over n active residences (default 600,000) in the
// four demo communities with their check-in history and tasks.
func runStats(ctx context.Context, e *env) error {
	n := or(e.opt.n, 600_000)
	units, res, err := e.seedCity(ctx, n)
	if err != nil {
		return err
	}
	for _, who := range []string{"admin", "worker1"} {
		token, err := e.consoleLogin(who)
		if err != nil {
			return err
		}
		e.phases(ctx, func(clients int) phase {
			return phase{name: fmt.Sprintf("stats %s c=%d", who, clients), clients: clients, want: 200,
				next: func() (request, bool) {
					return request{method: "GET", path: "/api/v1/console/stats", token: token}, true
				}}
		})
	}
	if !e.opt.explain {
		return nil
	}
	worker1, err := e.worker1Scope(ctx)
	if err != nil {
		return err
	}
	if err := e.traceSummary(ctx, "", worker1); err != nil {
		return err
	}
	if err := e.profileCityCheckin(ctx, units, res); err != nil {
		return err
	}
	if !e.mysql() || !e.opt.suggest {
		return nil
	}
	// Candidate indexes, created in this run's own database only, to
	// measure what they would change.
	e.printf("\n# candidate indexes (this run's database only; the schema is not changed):\n")
	for _, ddl := range []string{
		"CREATE INDEX cand_checkins_source_at ON checkins (source, at, due_at, on_time)",
		"CREATE INDEX cand_res_declared ON residences (declared_at, area_id, source, late)",
		"CREATE INDEX cand_res_status_tier ON residences (status, tier)",
		"CREATE INDEX cand_tasks_type_status ON tasks (type, status, area_id)",
		"CREATE INDEX cand_tasks_status_closed ON tasks (status, closed_at, area_id)",
	} {
		start := time.Now()
		if err := e.seed.WithContext(ctx).Exec(ddl).Error; err != nil {
			return err
		}
		e.printf("  %s (%.1fs)\n", ddl, time.Since(start).Seconds())
	}
	return e.traceSummary(ctx, " with the candidate indexes", worker1)
}

// traceSummary runs stats.Summary once per scope, traced: each statement's
// time, rows and plan, and on MariaDB how many pages came from disk.
func (e *env) traceSummary(ctx context.Context, note string, worker1 area.Scope) error {
	for _, s := range []struct {
		name  string
		scope area.Scope
	}{{"admin", area.Everywhere()}, {"worker1", worker1}} {
		db, tr := traceDB(e.app.DB)
		svc := stats.NewService(db, area.NewService(e.app.DB, time.Now), time.Now)
		if _, err := svc.Compute(ctx, s.scope); err != nil { // warm
			return err
		}
		tr.take()
		reads := e.bufferPoolReads(ctx)
		start := time.Now()
		if _, err := svc.Compute(ctx, s.scope); err != nil {
			return err
		}
		total := time.Since(start)
		disk := ""
		if after := e.bufferPoolReads(ctx); reads[1] > 0 {
			disk = fmt.Sprintf("; InnoDB pages read %d, of them from disk %d", after[1]-reads[1], after[0]-reads[0])
		}
		stmts := tr.take()
		e.printf("\n# stats.Summary as %s%s, one call, single client: %s in %d statements%s\n", s.name, note, fmtDur(total), len(stmts), disk)
		for _, st := range stmts {
			e.printf("  %8s rows=%-6d %s\n", fmtDur(st.dur), st.rows, oneLine(st.text, 230))
			e.explain(ctx, "             ", st.sql, st.vars, false)
		}
	}
	return nil
}

// bufferPoolReads is MariaDB's Innodb_buffer_pool_reads (pages read from
// disk) and Innodb_buffer_pool_read_requests (pages read), server-wide.
func (e *env) bufferPoolReads(ctx context.Context) [2]int64 {
	var out [2]int64
	if !e.mysql() {
		return out
	}
	rows, err := e.seed.WithContext(ctx).Raw("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_reads', 'Innodb_buffer_pool_read_requests')").Rows()
	if err != nil {
		return out
	}
	defer rows.Close()
	for _, r := range scanAll(rows) {
		n, _ := strconv.ParseInt(r["Value"], 10, 64)
		if r["Variable_name"] == "Innodb_buffer_pool_reads" {
			out[0] = n
		} else {
			out[1] = n
		}
	}
	return out
}

// seedCity writes the stats scenario's city: n active residences spread over
// the four demo communities (tiers 70/20/10% green/yellow/red), declared
// over the last year, one in five by a worker; check-ins in each of the last
// -history periods on a 30-day cycle (green residents always on time,
// yellow ones late once, red ones always late); and tasks: 5% of
// residents overdue with an open task, 2% closed this month, 5% closed
// before, and a few hundred unregistered and expired cases.
func (e *env) seedCity(ctx context.Context, n int) (unitFixture, []seededResidence, error) {
	units, err := e.seedUnits(ctx, (n+3)/4, 8, 4, nil)
	if err != nil {
		return units, nil, err
	}
	now := time.Now().UTC()
	lastOf := func(i int) time.Time {
		return now.Add(-time.Duration(i%30)*24*time.Hour - time.Duration(i%24)*time.Hour)
	}
	res, err := e.seedResidences(ctx, residenceSeed{n: n, people: true, units: units, fill: func(i int, r *model.Residence) {
		last := lastOf(i)
		due := last.Add(period)
		if i%20 == 9 { // overdue: the period ran out without a check-in
			due = now.Add(-time.Duration(8+i%20) * 24 * time.Hour)
			last = due.Add(-period)
		}
		r.LastCheckinAt, r.NextCheckinDue, r.RenewedAt = &last, &due, last
		r.DeclaredAt = now.Add(-time.Duration(i%365)*24*time.Hour - time.Duration(i%17)*time.Hour)
		r.MoveInDate = r.DeclaredAt.Add(-time.Duration(i%5) * 24 * time.Hour)
		r.Late = i%5 == 4
		if i%5 == 0 {
			r.Source = model.SourceWorker
		}
	}})
	if err != nil {
		return units, nil, err
	}
	err = e.seedCheckins(ctx, res, e.opt.history, func(i, k int) (time.Time, bool) {
		if i%20 == 9 {
			return now.Add(-time.Duration(8+i%20)*24*time.Hour - time.Duration(k+1)*period), true
		}
		return lastOf(i).Add(-time.Duration(k) * period), true
	})
	if err != nil {
		return units, nil, err
	}
	return units, res, e.seedCityTasks(ctx, res, units, now)
}

// seedCityTasks writes the tasks of the stats city (see seedCity).
func (e *env) seedCityTasks(ctx context.Context, res []seededResidence, units unitFixture, now time.Time) error {
	type spec struct {
		kind, status string
		i            int // residence index
	}
	var specs []spec
	for i := range res {
		switch {
		case i%20 == 9:
			specs = append(specs, spec{model.TaskOverdueCheckin, model.TaskOpen, i})
		case i%50 == 3:
			specs = append(specs, spec{model.TaskOverdueCheckin, "closed_now", i})
		case i%20 == 5:
			specs = append(specs, spec{model.TaskOverdueCheckin, "closed_before", i})
		case i%1000 == 7:
			specs = append(specs, spec{model.TaskUnregistered, model.TaskOpen, i})
		case i%2000 == 11:
			specs = append(specs, spec{model.TaskExpired, model.TaskOpen, i})
		}
	}
	month := time.Date(now.In(model.Shanghai).Year(), now.In(model.Shanghai).Month(), 1, 0, 0, 0, 0, model.Shanghai)
	sinceMonth := now.Sub(month)
	return stream(ctx, e, "tasks", len(specs), func(j int, t *model.Task) {
		s := specs[j]
		r := res[s.i]
		key := fmt.Sprintf("load:%s:%d", s.kind, r.id)
		tr := tierOf(s.i)
		*t = model.Task{Type: s.kind, Status: s.status, AreaID: units.area[r.unit], Tier: tr, TierRank: tier.Rank(tr),
			OpenedAt: now.Add(-time.Duration(1+s.i%20) * 24 * time.Hour), ResidenceID: &r.id, DedupeKey: &key}
		if s.kind == model.TaskUnregistered {
			unit := units.units[r.unit].ID
			t.ResidenceID, t.UnitID = nil, &unit
		}
		if s.kind == model.TaskUnregistered || s.kind == model.TaskExpired {
			t.OpenedAt = now.Add(-time.Duration(s.i%40) * 24 * time.Hour)
		}
		switch s.status {
		case "closed_now", "closed_before":
			closed := now.Add(-time.Duration(s.i%int(max(sinceMonth, time.Hour)/time.Minute)) * time.Minute)
			if s.status == "closed_before" {
				closed = month.Add(-time.Duration(1+s.i%60) * 24 * time.Hour)
			}
			t.OpenedAt = closed.Add(-time.Duration(2+s.i%100) * time.Hour)
			t.Status, t.ClosedAt, t.Outcome, t.DedupeKey = model.TaskClosed, &closed, model.OutcomeStillLiving, nil
		}
	})
}

// runWorklist: GET /api/v1/console/tasks (the first page, 20 tasks) as
// worker1, whose community holds n open tasks (default 100,000) of mixed
// tiers; besides them the table holds 1,000 in-progress and 20,000 closed
// tasks of the same community and 30,000 open tasks of the other three.
// Then it traces worklist.Service.List: the COUNT(*) for the total and the
// page's SELECT, each timed and EXPLAINed, and times alternatives.
func runWorklist(ctx context.Context, e *env) error {
	n := or(e.opt.n, 100_000)
	if err := e.seedWorklist(ctx, n); err != nil {
		return err
	}
	token, err := e.consoleLogin("worker1")
	if err != nil {
		return err
	}
	e.phases(ctx, func(clients int) phase {
		return phase{name: fmt.Sprintf("worklist worker1 c=%d", clients), clients: clients, want: 200,
			next: func() (request, bool) {
				return request{method: "GET", path: "/api/v1/console/tasks", token: token}, true
			}}
	})
	if e.opt.explain {
		return e.analyzeWorklist(ctx)
	}
	return nil
}

func (e *env) seedWorklist(ctx context.Context, n int) error {
	now := time.Now().UTC()
	comm := e.areas.communities
	const inProgress, closed, others = 1_000, 20_000, 30_000
	// Each task is about a real residence (the page shows its address and
	// name), four residences to a unit.
	mine := n + inProgress + closed
	unitsMine, err := e.seedUnits(ctx, (mine+3)/4, 8, 4, comm[:1])
	if err != nil {
		return err
	}
	resMine, err := e.seedResidences(ctx, residenceSeed{n: mine, people: true, units: unitsMine})
	if err != nil {
		return err
	}
	unitsOther, err := e.seedUnits(ctx, (others+3)/4, 8, 4, comm[1:])
	if err != nil {
		return err
	}
	resOther, err := e.seedResidences(ctx, residenceSeed{n: others, people: true, units: unitsOther})
	if err != nil {
		return err
	}
	types := []string{model.TaskOverdueCheckin, model.TaskOverdueCheckin, model.TaskOverdueCheckin, model.TaskOverdueCheckin,
		model.TaskOverdueCheckin, model.TaskOverdueCheckin, model.TaskOverdueCheckin, model.TaskInfoChanged,
		model.TaskExpired, model.TaskUnregistered}
	return stream(ctx, e, "tasks", mine+others, func(i int, t *model.Task) {
		r, units := resMine, unitsMine
		k := i
		if i >= mine {
			r, units, k = resOther, unitsOther, i-mine
		}
		tr := tierOf(i * 7) // not in step with the type
		key := fmt.Sprintf("load:task:%d", i)
		*t = model.Task{Type: types[i%len(types)], Status: model.TaskOpen, AreaID: units.area[r[k].unit], Tier: tr,
			TierRank: tier.Rank(tr), OpenedAt: now.Add(-time.Duration(i%(90*24*60)) * time.Minute),
			ResidenceID: &r[k].id, DedupeKey: &key}
		if t.Type == model.TaskUnregistered {
			unit := units.units[r[k].unit].ID
			t.ResidenceID, t.UnitID = nil, &unit
		}
		switch {
		case i < n, i >= mine:
		case i < n+inProgress:
			started := t.OpenedAt.Add(time.Hour)
			t.Status, t.StartedAt = model.TaskInProgress, &started
		default:
			done := t.OpenedAt.Add(30 * time.Hour)
			t.Status, t.ClosedAt, t.Outcome, t.DedupeKey = model.TaskClosed, &done, model.OutcomeStillLiving, nil
		}
	})
}

func (e *env) analyzeWorklist(ctx context.Context) error {
	scope, err := e.worker1Scope(ctx)
	if err != nil {
		return err
	}
	db, tr := traceDB(e.app.DB)
	svc := worklist.NewService(worklist.Deps{DB: db, Now: time.Now})
	f := worklist.Filter{Scope: scope, Offset: 0, Limit: 20}
	if _, _, err := svc.List(ctx, f); err != nil {
		return err
	}
	tr.take()
	const runs = 50
	var total []time.Duration
	var per [][]time.Duration // by statement
	var stmts []traced
	for range runs {
		t0 := time.Now()
		list, n, err := svc.List(ctx, f)
		if err != nil {
			return err
		}
		total = append(total, time.Since(t0))
		stmts = tr.take()
		if len(list) != 20 || n == 0 {
			return fmt.Errorf("worklist: %d tasks of %d", len(list), n)
		}
		for k, st := range stmts {
			if k == len(per) {
				per = append(per, nil)
			}
			per[k] = append(per[k], st.dur)
		}
	}
	e.printf("\n# worklist.Service.List as worker1, first page of 20, %d calls, single client:\n", runs)
	e.printf("  whole List: median %s p90 %s, %d statements\n", fmtDur(medianOf(total)), fmtDur(pctOf(total, .9)), len(stmts))
	var sum time.Duration
	for _, ds := range per {
		sum += medianOf(ds)
	}
	for k, st := range stmts {
		e.printf("  statement %d: median %s p90 %s (%.0f%% of the statements' median sum)  %s\n", k+1, fmtDur(medianOf(per[k])),
			fmtDur(pctOf(per[k], .9)), float64(medianOf(per[k]))/float64(sum)*100, oneLine(st.text, 400))
		e.explain(ctx, "    ", st.sql, st.vars, k < 2)
	}

	// Alternatives, timed the same way (prepared, through the app's pool).
	ids := scope.IDs()
	order := " ORDER BY tier_rank, opened_at, id LIMIT 20"
	alts := []struct {
		name, query string
		vars        []any
	}{
		{"page, status = 'open' only (one equality: index order, no sort)",
			"SELECT * FROM tasks WHERE status = ? AND area_id IN ?" + order, []any{model.TaskOpen, ids}},
		{"page, UNION ALL of one ordered branch per status",
			"SELECT * FROM (SELECT * FROM tasks WHERE status = ? AND area_id IN ?" + order + ") a UNION ALL " +
				"SELECT * FROM (SELECT * FROM tasks WHERE status = ? AND area_id IN ?" + order + ") b" + order,
			[]any{model.TaskOpen, ids, model.TaskInProgress, ids}},
		{"count capped at 1,000 (answer \"1000+\")",
			"SELECT COUNT(*) FROM (SELECT 1 FROM tasks WHERE status IN ? AND area_id IN ? LIMIT 1000) t",
			[]any{[]string{model.TaskOpen, model.TaskInProgress}, ids}},
	}
	e.printf("\n# alternatives (%d runs each, single client):\n", runs)
	for _, a := range alts {
		med, p90, err := e.timeQuery(ctx, runs, a.query, a.vars...)
		if err != nil {
			e.printf("  %s: %v\n", a.name, err)
			continue
		}
		e.printf("  %-62s median %s p90 %s\n", a.name+":", fmtDur(med), fmtDur(p90))
		e.explain(ctx, "    ", a.query, a.vars, false)
	}
	return nil
}

// profileCityCheckin times check-ins statement by statement in the stats
// city, whose tables are full (check-in history, tens of thousands of
// overdue tasks): the check-in scenario starts with no task at all, and the
// tier's queries read the tasks table.
func (e *env) profileCityCheckin(ctx context.Context, units unitFixture, res []seededResidence) error {
	db, tr := traceDB(e.app.DB)
	svc := checkin.NewService(db, e.app.Keeper, tier.NewService(db, tier.DefaultThresholds(), time.Now),
		checkin.Rules{Period: e.cfg.CheckinPeriod, GreenPeriod: e.cfg.GreenCheckinPeriod}, time.Now)
	return e.profile(ctx, fmt.Sprintf("checkin.Service.Checkin in the stats city (%d residences)", len(res)), 30, tr, func(k int) error {
		// Residents checked in at least a day ago, spread over the city.
		i := (k*7919)%len(res) | 1
		r := res[i]
		_, err := svc.Checkin(ctx, r.userID, r.id, units.units[r.unit].Scene)
		return err
	})
}
