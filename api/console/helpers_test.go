package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yaoju/app/apptest"
)

// chromium finds a Chromium or Chrome binary: $YAOJU_CHROMIUM, then the
// usual names on PATH.
func chromium() string {
	if p := os.Getenv("YAOJU_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireChromium skips the test, before any setup, on a machine without
// Chromium, so that go test ./... passes there.
func requireChromium(t *testing.T) string {
	t.Helper()
	path := chromium()
	if path == "" {
		t.Skip("no Chromium found: install it (apt-get install -y chromium) or set YAOJU_CHROMIUM to run the console's browser tests")
	}
	return path
}

// browser is one Chromium tab on the console of a running system.
type browser struct {
	t    *testing.T
	e    *apptest.Env
	base string // the server's URL
	ctx  context.Context
	// downloads is where Chromium saves downloaded files.
	downloads string

	mu       sync.Mutex
	problems []string // uncaught exceptions, console.error calls, failed console assets
}

// stepTimeout bounds each wait, so that a broken page fails in seconds.
const stepTimeout = 10 * time.Second

// openBrowser serves the system of e over HTTP and starts a headless
// Chromium with a fresh profile. It skips the test when there is no
// Chromium on the machine.
func openBrowser(t *testing.T, e *apptest.Env) *browser {
	t.Helper()
	path := requireChromium(t)
	srv := httptest.NewServer(e.App.Handler)
	t.Cleanup(srv.Close)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	b := &browser{t: t, e: e, base: srv.URL, ctx: ctx, downloads: t.TempDir()}
	if err := chromedp.Do(ctx); err != nil { // starts Chromium
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	b.watchConsole()
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, p := range b.problems {
			t.Errorf("browser console: %s", p)
		}
	})
	return b
}

// watchConsole records what a user never sees but a broken page shows:
// uncaught exceptions, console.error calls and console assets that failed
// to load. API errors (401, 422...) are expected in some tests and the page
// shows them itself.
func (b *browser) watchConsole() {
	messages := chromedp.Console(b.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch {
			case m.IsException():
			case m.Type == chromedp.ConsoleError && len(m.Args) > 0: // console.error
			case m.Type == chromedp.ConsoleError && strings.HasPrefix(m.URL, b.base+"/console/"): // a page asset
			default:
				continue
			}
			b.mu.Lock()
			b.problems = append(b.problems, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
			b.mu.Unlock()
		}
	}()
}

// run runs actions with a deadline and fails the test on error.
func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

// eval evaluates JavaScript (awaiting a promise) and decodes the result.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("evaluate %s: %v", js, err)
	}
	return v
}

// fail saves a screenshot and the page's text, then stops the test.
func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	name := "fail-" + strings.ReplaceAll(b.t.Name(), "/", "-")
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(os.TempDir(), "console-"+name+".png"), buf, 0o644)
	}
	b.t.Fatalf(format+"\n--- page ---\n%s", append(args, text)...)
}

// open loads the console at a hash route, as typing the address would.
func (b *browser) open(hash string) {
	b.t.Helper()
	b.run("open "+hash, chromedp.Navigate(b.base+"/console/"+hash))
}

// visit follows a link of the main navigation, as a user taps it.
func (b *browser) visit(route, heading string) {
	b.t.Helper()
	b.click(fmt.Sprintf(`#mainnav a[href="#/%s"]`, route))
	b.waitText("#view h1", heading)
}

func (b *browser) click(css string) {
	b.t.Helper()
	b.run("click "+css, chromedp.Click(chromedp.CSS(css)))
}

// fill types into a field after emptying it.
func (b *browser) fill(css, value string) {
	b.t.Helper()
	eval[chromedp.Void](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		if (el) el.value = '';
	})()`, jsString(css)))
	b.run("fill "+css, chromedp.SendKeys(chromedp.CSS(css), value))
}

// choose picks an option of a <select> and fires change, as a user's pick does.
func (b *browser) choose(css, value string) {
	b.t.Helper()
	eval[chromedp.Void](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		if (!el) throw new Error('no element ' + %[1]s);
		el.value = %s;
		if (el.value !== %[2]s) throw new Error('no option ' + %[2]s + ' in ' + %[1]s);
		el.dispatchEvent(new Event('change', { bubbles: true }));
	})()`, jsString(css), jsString(value)))
}

// waitText waits until the first element matching css contains want.
func (b *browser) waitText(css, want string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf(`(() => { const el = document.querySelector(%s); return !!el && el.textContent.includes(%s); })()`,
		jsString(css), jsString(want)), fmt.Sprintf("%q in %s", want, css))
}

// waitJS waits until a JavaScript expression is truthy.
func (b *browser) waitJS(expr, what string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(stepTimeout-time.Second))); err != nil {
		b.fail("wait for %s: %v", what, err)
	}
}

func (b *browser) text(css string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%s) || {}).textContent || ''`, jsString(css)))
}

// login signs in through the login form.
func (b *browser) login(username, password string) {
	b.t.Helper()
	b.open("#/login")
	b.run("wait for the login form", chromedp.WaitVisible(chromedp.CSS("#login-username")))
	b.fill("#login-username", username)
	b.fill("#login-password", password)
	b.click("#login-submit")
}

// loginAs signs in a demo account and waits for the worklist.
func (b *browser) loginAs(username string) {
	b.t.Helper()
	b.login(username, demoPassword)
	b.waitText("#view h1", "工作台")
	b.waitText("#whoami", username)
}

// logout presses 退出 and waits for the login form.
func (b *browser) logout() {
	b.t.Helper()
	b.click("#logout")
	b.run("wait for the login form", chromedp.WaitVisible(chromedp.CSS("#login-username")))
}

// shot saves a full-page screenshot as /tmp/console-<name>.png, for a
// person to look at.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(os.TempDir(), "console-"+name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// noHorizontalOverflow fails when the page is wider than the viewport.
func (b *browser) noHorizontalOverflow(page string) {
	b.t.Helper()
	var m struct {
		Scroll int `json:"scroll"`
		Inner  int `json:"inner"`
		Widest string
	}
	raw := eval[[]byte](b, `(() => {
		const inner = window.innerWidth;
		let widest = '';
		for (const el of document.querySelectorAll('body *')) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > inner + 1) { widest = el.tagName + '.' + el.className + ' right=' + Math.round(r.right); break; }
		}
		return { scroll: document.documentElement.scrollWidth, inner, Widest: widest };
	})()`)
	if err := json.Unmarshal(raw, &m); err != nil {
		b.t.Fatal(err)
	}
	if m.Scroll > m.Inner {
		b.fail("%s: page is %dpx wide in a %dpx viewport (first element past the edge: %s)", page, m.Scroll, m.Inner, m.Widest)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
