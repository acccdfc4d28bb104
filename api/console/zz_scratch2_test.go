package console_test

import (
	"fmt"
	"testing"

	"yaoju/app/apptest"
)

func TestScratch_PlatesEmpty(t *testing.T) {
	e := apptest.New(t)
	ids := areas(t, e)
	hid, _ := landlordHouse(t, e, "lan", "舜水南路88号2幢", ids[commShunshui])
	r := e.Do("GET", fmt.Sprintf("/api/v1/console/plates.pdf?house_id=%d", hid), nil, e.ConsoleLogin("police1"))
	t.Logf("%d %s %.200s", r.Status, r.Header.Get("Content-Type"), r.Body)
	r = e.Do("GET", fmt.Sprintf("/api/v1/console/plates.pdf?area_id=%d", ids["凤山社区"]), nil, e.ConsoleLogin("police1"))
	t.Logf("%d %s %.200s", r.Status, r.Header.Get("Content-Type"), r.Body)
	r = e.Do("GET", "/api/v1/console/houses", nil, e.ConsoleLogin("worker1"))
	t.Logf("%d %s", r.Status, r.Body)
}
