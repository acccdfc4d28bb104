package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"yaoju/app/apptest"
)

// These tests drive the console in a real Chromium against the whole system
// on embedded stores. Each takes a screenshot of the pages it visits, to
// /tmp/console-*.png, for a person to look at.

func TestBrowser_LoginShowsChineseErrorThenWorklist(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	b := openBrowser(t, e)

	b.login("worker1", "wrong-password")
	b.waitText("#login-error", "用户名或密码错误")
	b.shot("login-error")
	if got := eval[string](b, `sessionStorage.getItem('yaoju.console.session') || ''`); got != "" {
		t.Fatalf("a failed login stored a session: %s", got)
	}

	b.fill("#login-password", demoPassword)
	b.click("#login-submit")
	b.waitText("#view h1", "工作台")
	b.waitText("#whoami", "综管员")
	// A worker has no admin pages in the menu.
	if nav := b.text("#mainnav"); strings.Contains(nav, "审计") || strings.Contains(nav, "账号") || !strings.Contains(nav, "居住人员") {
		t.Fatalf("worker's menu: %q", nav)
	}
	b.shot("worklist")

	// 退出 revokes the token on the server, not only in the page.
	token := eval[string](b, `JSON.parse(sessionStorage.getItem('yaoju.console.session')).token`)
	e.Must(200, "GET", "/api/v1/console/me", nil, token)
	b.logout()
	if r := e.Do("GET", "/api/v1/console/me", nil, token); r.Status != 401 {
		t.Fatalf("after 退出 the token still works: %d", r.Status)
	}
	b.waitText("#flash", "已退出登录")

	// After repeated wrong passwords the account is locked, and even the
	// right password is refused with the lock's own message (429).
	for range 5 {
		e.Do("POST", "/api/v1/console/login", map[string]string{"username": "police1", "password": "guess-guess"}, "")
	}
	b.fill("#login-username", "police1")
	b.fill("#login-password", demoPassword)
	b.click("#login-submit")
	b.waitText("#login-error", "账号已临时锁定")
	b.shot("login-locked")
}

func TestBrowser_ExpiredSessionGoesBackToLogin(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	b := openBrowser(t, e)
	b.loginAs("police1")
	// The token is revoked behind the page's back (another tab, an expiry).
	token := eval[string](b, `JSON.parse(sessionStorage.getItem('yaoju.console.session')).token`)
	e.Must(200, "POST", "/api/v1/logout", nil, token)
	// The worklist page may notice first and hide the menu; open a page by
	// its address either way.
	b.open("#/houses")
	b.run("back to the login form", chromedp.WaitVisible(chromedp.CSS("#login-username")))
	b.waitText("#flash", "请先登录")
}

func TestBrowser_PoliceCreatesHouseAddsUnitAndApproves(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	ids := areas(t, e)
	pendingID, _ := landlordHouse(t, e, "lan", "舜水南路88号2幢", ids[commShunshui], "101")
	b := openBrowser(t, e)
	b.loginAs("police1")
	b.visit("houses", "房屋")

	// The landlord's house waits for approval.
	row := fmt.Sprintf(`#house-list tr[data-id="%d"]`, pendingID)
	b.waitText(row, "待审核")
	b.shot("houses")
	b.click(row + " .btn-approve")
	b.waitText("#flash", "已审核通过")
	b.waitText(row, "已通过")
	if b.text(row+" .btn-approve") != "" {
		t.Fatal("an approved house still offers 审核通过")
	}

	// Police register a house for a landlord who has no mini-program yet.
	b.click("#house-create-box summary")
	b.fill(`#house-create [name=address]`, "新建路12号")
	b.choose(`#house-create [name=area_id]`, fmt.Sprint(ids[commXinjian]))
	b.fill(`#house-create [name=landlord_name]`, "王建国")
	b.fill(`#house-create [name=landlord_phone]`, "13700001111")
	b.shot("house-create")
	b.click(`#house-create button[type=submit]`)
	b.waitText("#flash", "已为房东登记房屋")
	b.waitText("#house-list", "新建路12号")
	newID := eval[int](b, `Number([...document.querySelectorAll('#house-list tr[data-id]')].find(tr => tr.textContent.includes('新建路12号')).dataset.id)`)
	newRow := fmt.Sprintf(`#house-list tr[data-id="%d"]`, newID)
	if txt := b.text(newRow); !strings.Contains(txt, "已通过") || !strings.Contains(txt, "王建国") || !strings.Contains(txt, "137****1111") || !strings.Contains(txt, "新建社区") {
		t.Fatalf("the new house's row: %q", txt)
	}

	// A room is added through the dialog.
	b.click(newRow + " .btn-unit")
	b.fill(`dialog[open] [name=room_no]`, "502")
	b.fill(`dialog[open] [name=capacity]`, "3")
	b.shot("house-unit")
	b.click(`dialog[open] button[type=submit]`)
	b.waitText("#flash", "已添加房间 502")
	b.run("dialog closes", chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))

	// The landlord who later signs in with that phone number sees the
	// house and its room in the mini-program.
	landlord := e.WxLogin("wang")
	e.Must(200, "POST", "/api/v1/wx/phone", map[string]string{"code": "phone_13700001111"}, landlord)
	var houses []struct {
		Address string `json:"address"`
		Units   []struct {
			RoomNo   string `json:"room_no"`
			Capacity int    `json:"capacity"`
		} `json:"units"`
	}
	e.Must(200, "GET", "/api/v1/landlord/houses", nil, landlord).Data(t, &houses)
	if len(houses) != 1 || houses[0].Address != "新建路12号" || len(houses[0].Units) != 1 || houses[0].Units[0].RoomNo != "502" || houses[0].Units[0].Capacity != 3 {
		t.Fatalf("the landlord's houses: %+v", houses)
	}
}

func TestBrowser_PlatesLinkDownloadsPDF(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	ids := areas(t, e)
	approvedUnit(t, e, ids[commShunshui], "舜水北路6号")
	b := openBrowser(t, e)
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: b.downloads,
	}); err != nil {
		t.Fatal(err)
	}
	b.loginAs("police1")
	b.visit("houses", "房屋")
	b.waitText("#house-list", "舜水北路6号")

	// One house: the button fetches the PDF with the token and saves it.
	b.click(`#house-list tr[data-status="approved"] .btn-plates`)
	b.waitJS(`!!document.querySelector('#plate-output a.pdf-link')`, "the plate link")
	if typ := b.text("#plate-output"); !strings.Contains(typ, "门牌已生成") {
		t.Fatalf("plate output: %q", typ)
	}
	if typ := eval[string](b, `document.querySelector('#plate-output a.pdf-link').dataset.type`); !strings.HasPrefix(typ, "application/pdf") {
		t.Fatalf("the plates answer is %q, want application/pdf", typ)
	}
	pdf := waitDownload(t, b.downloads)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 1000 {
		t.Fatalf("the downloaded plates are not a PDF: %d bytes starting %q", len(pdf), pdf[:min(len(pdf), 16)])
	}

	// A whole community at once, from the area picker.
	b.choose(`#area-plates [name=area_id]`, fmt.Sprint(ids[commShunshui]))
	b.click(`#area-plates button[type=submit]`)
	b.waitText("#plate-output", "门牌-舜水社区.pdf")
	if typ := eval[string](b, `document.querySelector('#plate-output a.pdf-link').dataset.type`); !strings.HasPrefix(typ, "application/pdf") {
		t.Fatalf("the area's plates answer is %q", typ)
	}
	b.shot("plates")

	// The blob link opens the same document without another request.
	head := eval[string](b, `fetch(document.querySelector('#plate-output a.pdf-link').href).then(r => r.blob()).then(b => b.slice(0, 5).text())`)
	if head != "%PDF-" {
		t.Fatalf("the link holds %q, not a PDF", head)
	}
}

// waitDownload waits for Chromium to finish saving one file in dir.
func waitDownload(t *testing.T, dir string) []byte {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dir)
		for _, en := range entries {
			if strings.HasSuffix(en.Name(), ".pdf") {
				buf, err := os.ReadFile(filepath.Join(dir, en.Name()))
				if err == nil && len(buf) > 0 {
					return buf
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no PDF was downloaded into %s (found %v)", dir, entries)
	return nil
}

func TestBrowser_PhoneNavigationHasNoHorizontalOverflow(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	ids := areas(t, e)
	landlordHouse(t, e, "lan", "舜水南路88号2幢某某花园小区东门进去左转第三个单元", ids[commShunshui], "101")
	approvedUnit(t, e, ids[commXinjian], "新建路99号")
	b := openBrowser(t, e)
	b.run("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))

	b.open("#/login")
	b.run("wait for the login form", chromedp.WaitVisible(chromedp.CSS("#login-username")))
	b.noHorizontalOverflow("login")
	b.shot("phone-login")
	b.loginAs("admin") // admin has every page in the menu

	// Every menu entry is on screen and big enough to tap.
	var links []struct {
		Text                 string
		Left, Right          float64
		Width, Height, Inner float64
	}
	raw := eval[[]byte](b, `[...document.querySelectorAll('#mainnav a')].map(a => {
		const r = a.getBoundingClientRect();
		return { Text: a.textContent, Left: r.left, Right: r.right, Height: r.height, Width: r.width, Inner: window.innerWidth };
	})`)
	if err := json.Unmarshal(raw, &links); err != nil {
		t.Fatal(err)
	}
	if len(links) != 7 {
		t.Fatalf("admin's menu has %d entries, want 7", len(links))
	}
	for _, l := range links {
		if l.Left < 0 || l.Right > l.Inner || l.Height < 36 || l.Width < 60 {
			t.Errorf("menu entry %s is off screen or too small: %+v", l.Text, l)
		}
	}

	pages := []struct{ route, heading string }{
		{"tasks", "工作台"}, {"residences", "居住人员"}, {"houses", "房屋"}, {"stats", "统计"},
		{"notifications", "通知记录"}, {"audit", "审计"}, {"accounts", "账号"},
	}
	for _, p := range pages {
		b.visit(p.route, p.heading)
		b.waitJS(`!document.querySelector('#view .loading')`, p.route+" loaded")
		b.noHorizontalOverflow(p.route)
		b.shot("phone-" + p.route)
	}
	// The house list turns into cards that still carry every column's name.
	b.visit("houses", "房屋")
	b.waitText("#house-list", "舜水南路88号")
	if disp := eval[string](b, `getComputedStyle(document.querySelector('#house-list thead')).display`); disp != "none" {
		t.Fatalf("on a phone the table header shows (display %s)", disp)
	}
	b.click(`#house-list tr[data-status="pending"] .btn-unit`)
	b.run("dialog opens", chromedp.WaitVisible(chromedp.CSS("dialog[open] [name=room_no]")))
	b.noHorizontalOverflow("add unit dialog")
	b.shot("phone-dialog")
}

func TestBrowser_WorkerStartsAndClosesTask(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	worker := e.ConsoleLogin("worker1")
	ids := areas(t, e)
	u := approvedUnit(t, e, ids[commShunshui], "舜水南路20号")
	// Six days after moving in, both declarations are late: two
	// late_declaration tasks on worker1's worklist.
	zhang := declare(t, e, "zhang", u, "张晓明", idNumber("19900307", 12), 6)
	wu := declare(t, e, "wu", u, "吴小红", idNumber("19930415", 13), 5)

	b := openBrowser(t, e)
	b.loginAs("worker1")
	cardOf := func(residenceID uint64) string {
		id := eval[string](b, fmt.Sprintf(`(() => {
			const a = document.querySelector('#task-list .task a[href="#/residences/%d"]');
			return a ? a.closest('.task').dataset.id : '';
		})()`, residenceID))
		if id == "" {
			b.fail("no task for residence %d on the worklist", residenceID)
		}
		return fmt.Sprintf(`#task-list .task[data-id="%s"]`, id)
	}
	b.waitText("#task-list", "逾期申报")
	b.shot("worklist-task")
	card := cardOf(zhang)
	if txt := b.text(card); !strings.Contains(txt, "待处理") || !strings.Contains(txt, "舜水社区") {
		t.Fatalf("the task card: %q", txt)
	}

	b.click(card + " .btn-start")
	b.waitText(card, "处理中")
	b.waitText("#flash", "已开始处理")

	b.click(card + " .btn-close")
	b.run("the close dialog", chromedp.WaitVisible(chromedp.CSS(`dialog[open] input[value="still_living"]`)))
	// Without an outcome the dialog refuses to send.
	b.click(`dialog[open] button[type=submit]`)
	b.click(`dialog[open] input[value="still_living"]`)
	b.fill(`dialog[open] [name=note]`, "已上门核实，本人在住，已提醒按时签到")
	b.shot("task-close")
	b.click(`dialog[open] button[type=submit]`)
	b.run("dialog closes", chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	b.waitText(card, "已办结")
	b.waitText(card, "仍在住")
	b.waitText(card, "已上门核实")
	if b.text(card+" .btn-close") != "" {
		t.Fatal("a closed task still offers 办结")
	}
	b.shot("worklist-closed")

	// 已更正 carries the details corrected on the spot.
	card = cardOf(wu)
	b.click(card + " .btn-close")
	b.click(`dialog[open] input[value="corrected"]`)
	b.fill(`dialog[open] [name=workplace]`, "余姚市模具城")
	b.click(`dialog[open] button[type=submit]`)
	b.run("dialog closes", chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	b.waitText(card, "已更正")

	// The server agrees.
	var page struct {
		Items []struct {
			ResidenceID uint64 `json:"residence_id"`
			Outcome     string `json:"outcome"`
			Note        string `json:"note"`
		} `json:"items"`
	}
	e.Must(200, "GET", "/api/v1/console/tasks?status=closed", nil, worker).Data(t, &page)
	outcomes := map[uint64]string{}
	for _, it := range page.Items {
		outcomes[it.ResidenceID] = it.Outcome
	}
	if len(page.Items) != 2 || outcomes[zhang] != "still_living" || outcomes[wu] != "corrected" {
		t.Fatalf("closed tasks on the server: %+v", page.Items)
	}
	var res struct {
		Workplace string `json:"workplace"`
	}
	e.Must(200, "GET", fmt.Sprintf("/api/v1/console/residences/%d", wu), nil, worker).Data(t, &res)
	if res.Workplace != "余姚市模具城" {
		t.Fatalf("the corrected workplace is %q", res.Workplace)
	}
}

func TestBrowser_PoliceRevealsIDNumberAndAdminSeesAudit(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	ids := areas(t, e)
	u := approvedUnit(t, e, ids[commShunshui], "舜水南路30号")
	full := idNumber("19880512", 34)
	resID := declare(t, e, "li", u, "李四海", full, 1)

	b := openBrowser(t, e)
	b.loginAs("police1")
	b.visit("residences", "居住人员")
	b.fill(`#residence-filters [name=q]`, "李")
	b.click(`#residence-filters button[type=submit]`)
	b.waitText("#residence-list", "舜水南路30号")
	if list := b.text("#residence-list"); strings.Contains(list, full) || !strings.Contains(list, full[:6]) {
		t.Fatalf("the list shows the ID number unmasked or not at all: %q", list)
	}
	b.shot("residences")
	b.click(`#residence-list a[href="#/residences/` + fmt.Sprint(resID) + `"]`)
	b.waitText("#view h1", "李")
	if got := b.text("#id-number"); got == full || !strings.Contains(got, "*") {
		t.Fatalf("the detail shows %q before the reveal", got)
	}
	b.click("#reveal-id")
	b.waitText("#id-number", full)
	b.waitText("#flash", "审计日志")
	b.shot("residence-detail")

	b.logout()
	b.loginAs("admin")
	b.visit("audit", "审计")
	b.waitText("#audit-list", "police1")
	rows := b.text("#audit-list")
	if !strings.Contains(rows, "身份证") {
		t.Fatalf("the audit page does not name the ID number read: %q", rows)
	}
	if strings.Contains(rows, full) {
		t.Fatal("the audit page shows the full ID number")
	}
	b.shot("audit")
}

func TestBrowser_StatsShowsFiguresAndChart(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	ids := areas(t, e)
	u := approvedUnit(t, e, ids[commShunshui], "舜水南路40号")
	declare(t, e, "zhao", u, "赵六", idNumber("19950101", 56), 0)

	// Figures are kept a minute per scope: ask only after the declaration.
	police := e.ConsoleLogin("police1")
	b := openBrowser(t, e)
	b.loginAs("police1")
	b.visit("stats", "统计")
	b.waitJS(`!!document.querySelector('#stat-cards [data-key="active_residents"]')`, "the figures")
	var want struct {
		Active int `json:"active_residents"`
	}
	e.Must(200, "GET", "/api/v1/console/stats", nil, police).Data(t, &want)
	if v := b.text(`#stat-cards [data-key="active_residents"] .stat-value`); want.Active < 1 || v != fmt.Sprint(want.Active) {
		t.Fatalf("在住人数 shows %q, the API says %d", v, want.Active)
	}
	b.waitText("#stat-cards", "%") // the shares are shown as percentages
	b.waitJS(`!document.querySelector('#chart .loading')`, "the chart")
	if !eval[bool](b, `!!document.querySelector('#chart svg rect.bar') || !!document.querySelector('#chart .empty')`) {
		t.Fatal("no chart and no explanation")
	}
	b.shot("stats")
}

func TestBrowser_AdminCreatesAccountThatCanLogIn(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	ids := areas(t, e)
	b := openBrowser(t, e)
	b.loginAs("admin")
	b.visit("accounts", "账号")
	b.fill(`#account-form [name=username]`, "worker2")
	b.fill(`#account-form [name=password]`, "xinjian2026")
	b.choose(`#account-form [name=role]`, "worker")
	b.choose(`#account-form [name=area_id]`, fmt.Sprint(ids[commXinjian]))
	b.click(`#account-form button[type=submit]`)
	b.waitText("#account-created", "worker2")
	b.waitText("#account-created", "新建社区")
	b.shot("accounts")
	e.Must(200, "POST", "/api/v1/console/login", map[string]string{"username": "worker2", "password": "xinjian2026"}, "")
}

func TestBrowser_NotificationsShowTheLandlordsMoveNotice(t *testing.T) {
	requireChromium(t)
	e := apptest.New(t)
	ids := areas(t, e)
	first := approvedUnit(t, e, ids[commShunshui], "舜水南路50号")
	second := approvedUnit(t, e, ids[commXinjian], "新建路60号")
	id := idNumber("19920220", 78)
	oldRes := declare(t, e, "qian", first, "钱七", id, 0)
	declare(t, e, "qian", second, "钱七", id, 0) // moving tells the old landlord

	b := openBrowser(t, e)
	b.loginAs("police1")
	b.visit("notifications", "通知记录")
	row := `#notification-list tr[data-id]`
	b.waitText(row, "租客搬离通知")
	if txt := b.text(row); !strings.Contains(txt, fmt.Sprintf("#%d", oldRes)) {
		t.Fatalf("the notice does not name the old residence #%d: %q", oldRes, txt)
	}
	b.shot("notifications")

	// Filtering by another residence empties the list; by the old one, it is back.
	b.fill(`#notification-filters [name=residence_id]`, fmt.Sprint(oldRes+1000))
	b.click(`#notification-filters button[type=submit]`)
	b.waitText("#notification-list", "暂无通知记录")
	b.fill(`#notification-filters [name=residence_id]`, fmt.Sprint(oldRes))
	b.click(`#notification-filters button[type=submit]`)
	b.waitText(row, "租客搬离通知")
}
