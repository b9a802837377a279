package web

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sdkvet/sdkvet/internal/fixture/samples"
	"github.com/sdkvet/sdkvet/server/web/webtest"
)

// TestBrowserWithFakeBackend drives the pages in headless Chromium against
// the in-memory backend: sign in with the keyboard, upload a package with
// the progress script, wait for the verdict, read the report, switch a pack
// on and see the verdict flip. The page must raise no script error and no
// Content-Security-Policy violation, and hostile package values must not
// run as script.
func TestBrowserWithFakeBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	s := newFakeService(t)
	s.backend.scanDelay = 1500 * time.Millisecond
	hostileScan(s.backend)
	srv := httptest.NewServer(s.handler)
	defer srv.Close()
	b := webtest.New(t, 90*time.Second)
	ctx := b.Ctx

	var dialogs atomic.Int32
	dctx, stopDialogs := context.WithCancel(ctx)
	defer stopDialogs()
	events := chromedp.Events(dctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range events {
			if err != nil {
				return
			}
			dialogs.Add(1)
			// Close it so the page does not hang.
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()

	apk := samples.Clean()
	file := filepath.Join(t.TempDir(), apk.Name)
	if err := os.WriteFile(file, apk.Data, 0o644); err != nil {
		t.Fatal(err)
	}

	// Each step has its own time limit, so a missing element fails fast
	// with the step's name.
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			b.Screenshot(t, "fake-failed-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	run := func(name string, a chromedp.Action[string]) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(sctx, a)
		if err != nil {
			b.Screenshot(t, "fake-failed-"+name)
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, webtest.Count(sel))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}

	// Signed out, the start page sends the browser to the sign-in form,
	// whose user name field has the focus: type, Tab, type, Enter.
	step("open", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#username")))
	if loc := run("location", chromedp.Location()); !strings.Contains(loc, "/login?next=%2F") {
		t.Errorf("signed out start page went to %s", loc)
	}
	if got := run("focus", webtest.ActiveElement()); !strings.HasPrefix(got, "INPUT#username") {
		t.Errorf("focus on the sign-in page: %s", got)
	}
	step("sign in", chromedp.KeyEvent("admin"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("admin-pass"), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#upload-form")))

	// The first Tab reaches the skip link, and following it moves focus to
	// the main content.
	step("skip link", chromedp.KeyEvent(kb.Tab))
	if got := run("focus", webtest.ActiveElement()); got != `A "Skip to content"` {
		t.Errorf("first Tab focuses %s", got)
	}
	step("follow skip link", chromedp.KeyEvent(kb.Enter))
	if got := run("focus", webtest.ActiveElement()); !strings.HasPrefix(got, "MAIN#main") {
		t.Errorf("skip link moves focus to %s", got)
	}
	// Hostile values in the recent-scans table stay text.
	if n := count("img"); n != 0 {
		t.Errorf("%d img elements on the start page", n)
	}
	b.Screenshot(t, "fake-upload")

	// Upload with the keyboard: the script posts with the CSRF header (the
	// fake API refuses it otherwise) and opens the new scan.
	step("upload", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}), chromedp.Focus(chromedp.CSS("#upload-button")),
		chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#scan-pending")))
	if loc := run("location", chromedp.Location()); !strings.Contains(loc, "/scans/scan-") {
		t.Fatalf("after upload the page is %s", loc)
	}
	// The page polls and reloads once the verdict is in.
	step("verdict", chromedp.WaitVisible(chromedp.CSS(".summary .badge-pass")))
	if got := run("verdict", chromedp.Text(chromedp.CSS(".summary .verdict"))); !strings.Contains(got, "Pass") {
		t.Errorf("verdict line %q", got)
	}
	if n := count(".downloads a[href*='/report?format=']"); n != 4 {
		t.Errorf("%d download links, want 4", n)
	}
	if got := run("report", chromedp.Text(chromedp.CSS(".sdkvet-report"))); !strings.Contains(got, "clean.apk") || !strings.Contains(got, "No SDK, app or endpoint") {
		t.Errorf("report view: %q", got)
	}
	b.Screenshot(t, "fake-report")
	scanURL := run("location", chromedp.Location())

	// Switch eo13971 on with the keyboard; the next page lists the flip.
	step("policy", chromedp.Navigate(srv.URL+"/policy"), chromedp.WaitVisible(chromedp.CSS("#pack-eo13971 button")),
		chromedp.Focus(chromedp.CSS("#pack-eo13971 button")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#flip-count")))
	if got := run("flips", chromedp.Text(chromedp.CSS("#flip-count"))); !strings.Contains(got, "1 package changed its verdict") {
		t.Errorf("flip count %q", got)
	}
	row := run("flip row", chromedp.Text(chromedp.CSS("table.flips tbody tr")))
	if !strings.Contains(row, "clean.apk") || !strings.Contains(row, "Pass") || !strings.Contains(row, "Fail") {
		t.Errorf("flip row %q", row)
	}
	b.Screenshot(t, "fake-what-changed")
	step("report after", chromedp.Navigate(scanURL), chromedp.WaitVisible(chromedp.CSS(".summary .badge-fail")))

	// The hostile package's report: every value is text, nothing runs.
	step("hostile", chromedp.Navigate(srv.URL+"/scans/evil"), chromedp.WaitVisible(chromedp.CSS(".sdkvet-report")))
	if n := count("img"); n != 0 {
		t.Errorf("%d img elements in the hostile report", n)
	}
	if n := count("script"); n != 1 {
		t.Errorf("%d script elements in the hostile report", n)
	}
	label := run("label", chromedp.Text(chromedp.CSS(".summary .path")))
	if !strings.Contains(label, "<script>alert(1)</script>") {
		t.Errorf("hostile file name not shown as text: %q", label)
	}
	b.Screenshot(t, "fake-hostile")
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d script dialogs opened", n)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser reported:\n%s", strings.Join(p, "\n"))
	}
}
