package tier

import "testing"

func TestCompute_Boundaries(t *testing.T) {
	th := DefaultThresholds()
	cases := []struct {
		name string
		h    History
		want string
	}{
		{"no record yet", History{}, "yellow"},
		{"all on time", History{CheckinsDue: 6, CheckinsOnTime: 6}, "green"},
		{"exactly 80% on time", History{CheckinsDue: 5, CheckinsOnTime: 4}, "green"},
		{"just under 80%", History{CheckinsDue: 6, CheckinsOnTime: 4}, "yellow"},
		{"exactly 50% on time", History{CheckinsDue: 6, CheckinsOnTime: 3}, "yellow"},
		{"under 50% on time", History{CheckinsDue: 6, CheckinsOnTime: 2}, "red"},
		{"one period missed of one", History{CheckinsDue: 1, CheckinsOnTime: 0}, "yellow"},
		{"one move", History{CheckinsDue: 6, CheckinsOnTime: 6, Moves: 1}, "green"},
		{"two moves", History{CheckinsDue: 6, CheckinsOnTime: 6, Moves: 2}, "yellow"},
		{"three moves", History{CheckinsDue: 6, CheckinsOnTime: 6, Moves: 3}, "yellow"},
		{"four moves", History{CheckinsDue: 6, CheckinsOnTime: 6, Moves: 4}, "red"},
		{"one overdue task", History{CheckinsDue: 6, CheckinsOnTime: 6, OverdueTasks: 1}, "yellow"},
		{"two overdue tasks", History{CheckinsDue: 6, CheckinsOnTime: 6, OverdueTasks: 2}, "red"},
	}
	for _, c := range cases {
		if got := Compute(c.h, th); got != c.want {
			t.Errorf("%s: %+v is %s, want %s", c.name, c.h, got, c.want)
		}
	}
}

func TestRank_WorstFirst(t *testing.T) {
	if !(Rank("red") < Rank("yellow") && Rank("yellow") < Rank("green")) {
		t.Fatal("tiers do not order worst first")
	}
}
