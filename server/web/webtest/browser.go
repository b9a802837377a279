// Package webtest drives a real headless Chromium for the browser tests of
// the vetting service's pages: it finds the browser (tests skip when there
// is none), records script exceptions, console errors and
// Content-Security-Policy violations, and saves screenshots as test
// artifacts.
package webtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath returns the browser to drive: $SDKVET_CHROMIUM, else
// Debian's chromium binary, else the first of chromium, chromium-browser
// and google-chrome on PATH; "" when there is none.
func ChromiumPath() string {
	if p := os.Getenv("SDKVET_CHROMIUM"); p != "" {
		return p
	}
	// Debian's /usr/bin/chromium is a shell wrapper; the binary itself
	// starts faster and takes the flags as given.
	if _, err := os.Stat("/usr/lib/chromium/chromium"); err == nil {
		return "/usr/lib/chromium/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless Chromium tab.
type Browser struct {
	// Ctx runs chromedp actions in the tab.
	Ctx context.Context

	mu       sync.Mutex
	problems []string
}

// New starts Chromium for t, or skips t when no browser is installed. The
// browser is closed when t ends; timeout bounds the whole test's use of it.
func New(t testing.TB, timeout time.Duration) *Browser {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		t.Skip("chromium not installed (apt-get install chromium, or set SDKVET_CHROMIUM)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first run starts the browser; it must not carry the timeout,
	// which would stop the browser with it.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelTimeout)
	b := &Browser{Ctx: tctx}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			b.record(m)
		}
	}()
	t.Cleanup(func() {
		cancelTab()
		<-done
	})
	return b
}

func (b *Browser) record(m chromedp.ConsoleMessage) {
	if m.Type != chromedp.ConsoleError && !m.IsException() {
		return
	}
	msg := m.String()
	if m.Source != "" {
		msg = m.Source + " " + msg
	}
	if m.URL != "" {
		msg += " (" + m.URL + ")"
	}
	if strings.Contains(msg, "favicon.ico") {
		return
	}
	b.mu.Lock()
	b.problems = append(b.problems, msg)
	b.mu.Unlock()
}

// Problems returns the script exceptions, console errors and log errors
// (CSP violations among them) seen so far, and forgets them.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

// Expect returns the problems seen so far that match none of allowed, and
// forgets all of them: for a step that provokes a known error (a 403 page
// logs "Failed to load resource").
func (b *Browser) Expect(allowed ...string) []string {
	var out []string
	for _, p := range b.Problems() {
		ok := false
		for _, a := range allowed {
			ok = ok || strings.Contains(p, a)
		}
		if !ok {
			out = append(out, p)
		}
	}
	return out
}

// ArtifactsDir is where screenshots go: $SDKVET_ARTIFACTS, else the
// git-ignored testdata/artifacts of the repository.
func ArtifactsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SDKVET_ARTIFACTS")
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			t.Fatalf("artifacts: %v", err)
		}
		dir = filepath.Join(root, "testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	return dir
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Screenshot saves the whole page as ArtifactsDir/name.png.
func (b *Browser) Screenshot(t testing.TB, name string) {
	t.Helper()
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(ArtifactsDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot %s", path)
}

// ActiveElement describes the focused element: its tag, id and text, e.g.
// `A "Skip to content"`.
func ActiveElement() chromedp.Action[string] {
	return chromedp.Evaluate[string](`(function(){var e=document.activeElement;if(!e)return "";` +
		`return e.tagName+(e.id?"#"+e.id:"")+" "+JSON.stringify((e.textContent||e.value||"").trim().slice(0,60));})()`)
}

// Count reports how many elements match a CSS selector right now.
func Count(sel string) chromedp.Action[int] {
	return chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel))
}
