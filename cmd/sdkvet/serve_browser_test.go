package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sdkvet/sdkvet/internal/fixture/samples"
	"github.com/sdkvet/sdkvet/server/web/webtest"
)

// TestAlipayShopFlipsWithPack checks the sample the browser test relies on:
// it passes under the default policy and fails with the eo13971 pack on.
func TestAlipayShopFlipsWithPack(t *testing.T) {
	s := samples.AlipayShop()
	path := filepath.Join(t.TempDir(), s.Name)
	if err := os.WriteFile(path, s.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	off, r := scanJSON(t, path)
	if r.code != 0 || off.Verdict != "pass" || len(off.Targets[0].Findings) != 0 {
		t.Errorf("without the pack: exit %d, verdict %s, %d findings", r.code, off.Verdict, len(off.Targets[0].Findings))
	}
	on, r := scanJSON(t, "--pack", "eo13971", path)
	if r.code != 1 || on.Verdict != "fail" || len(on.Targets[0].Findings) != 1 || on.Targets[0].Findings[0].Rule != "antgroup.alipay-sdk" {
		t.Errorf("with eo13971: exit %d, verdict %s, findings %+v", r.code, on.Verdict, on.Targets[0].Findings)
	}
}

// TestServeInBrowser is the end-to-end test of the vetting service: a real
// `sdkvet serve` with a fresh data folder and an admin made by `sdkvet user
// add`, driven in headless Chromium. It signs in, uploads a package, waits
// for the verdict, opens the report, switches the eo13971 pack on and sees
// the package's verdict flip in the "what changed" view. Screenshots go to
// $SDKVET_ARTIFACTS (default testdata/artifacts).
func TestServeInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	if webtest.ChromiumPath() == "" {
		t.Skip("chromium not installed")
	}
	if out, err := exec.Command(binary, "serve", "--help").CombinedOutput(); err != nil {
		t.Skipf("this build has no `sdkvet serve`: %v\n%s", err, out)
	}
	data := t.TempDir()
	const password = "correct horse battery staple 7"
	add := exec.Command(binary, "user", "add", "admin", "--role", "admin", "--data", data)
	add.Stdin = strings.NewReader(password + "\n" + password + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("sdkvet user add: %v\n%s", err, out)
	}
	base := startServe(t, data)

	apk := samples.AlipayShop()
	file := filepath.Join(t.TempDir(), apk.Name)
	if err := os.WriteFile(file, apk.Data, 0o644); err != nil {
		t.Fatal(err)
	}

	b := webtest.New(t, 3*time.Minute)
	step := func(name string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.Ctx, timeout)
		defer cancel()
		if err := chromedp.Do(ctx, actions...); err != nil {
			b.Screenshot(t, "serve-failed-"+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	text := func(name, sel string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			b.Screenshot(t, "serve-failed-"+name)
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}

	// Sign in with the keyboard.
	step("sign in", 20*time.Second, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "admin"), chromedp.Focus(chromedp.CSS("#password")),
		chromedp.KeyEvent(password), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#upload-form")))
	b.Screenshot(t, "serve-upload")

	// Upload: the page's script posts to the API and opens the scan, which
	// reloads once the verdict is in.
	step("upload", 30*time.Second, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Focus(chromedp.CSS("#upload-button")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(".summary .verdict")))
	step("verdict", 90*time.Second, chromedp.WaitVisible(chromedp.CSS(".summary .badge-pass")))
	if got := text("report", ".sdkvet-report"); !strings.Contains(got, "com.example.shop") || !strings.Contains(got, "PASS") {
		t.Errorf("report before the pack:\n%s", got)
	}
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	links, err := chromedp.Run(ctx, webtest.Count(".downloads a[href*='/report?format=']"))
	cancel()
	if err != nil || links != 4 {
		t.Errorf("download links: %d (%v)", links, err)
	}
	b.Screenshot(t, "serve-report-pass")
	ctx, cancel = context.WithTimeout(b.Ctx, 10*time.Second)
	scanURL, err := chromedp.Run(ctx, chromedp.Location())
	cancel()
	if err != nil {
		t.Fatal(err)
	}

	// Switch eo13971 on: every stored package is re-judged, and the next
	// page lists the shop app, pass before, fail after.
	step("enable pack", 60*time.Second, chromedp.Navigate(base+"/policy"), chromedp.WaitVisible(chromedp.CSS("#pack-eo13971 button")),
		chromedp.Focus(chromedp.CSS("#pack-eo13971 button")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#flip-count")))
	if got := text("flip count", "#flip-count"); !strings.Contains(got, "1 package changed its verdict") {
		t.Errorf("flip count %q", got)
	}
	if row := text("flip row", "table.flips tbody tr"); !strings.Contains(row, apk.Name) || !strings.Contains(row, "Pass") || !strings.Contains(row, "Fail") {
		t.Errorf("flip row %q", row)
	}
	b.Screenshot(t, "serve-what-changed")

	// The report now fails, on Ant Group's Alipay SDK.
	step("report after", 20*time.Second, chromedp.Navigate(scanURL), chromedp.WaitVisible(chromedp.CSS(".summary .badge-fail")))
	if got := text("report after", ".sdkvet-report"); !strings.Contains(got, "Alipay SDK") || !strings.Contains(got, "FAIL") {
		t.Errorf("report after the pack:\n%s", got)
	}
	b.Screenshot(t, "serve-report-fail")
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser reported:\n%s", strings.Join(p, "\n"))
	}
}

// startServe starts `sdkvet serve` on a free loopback port and waits for
// /healthz; the server is stopped when the test ends. The pages are opened
// at http://localhost so that the session cookie's Secure attribute holds
// (browsers treat localhost as a secure context).
func startServe(t *testing.T, data string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var logs strings.Builder
	cmd := exec.Command(binary, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--data", data)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sdkvet serve: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("sdkvet serve output:\n%s", logs.String())
		}
	})
	base := fmt.Sprintf("http://localhost:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("sdkvet serve exited: %v\n%s", err, logs.String())
		default:
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("sdkvet serve not healthy after 30s: %v\n%s", err, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
