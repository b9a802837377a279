package htmlreport_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sdkvet/sdkvet/scanner/report/htmlreport"
	"github.com/sdkvet/sdkvet/scanner/report/pdfreport"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

// artifactDir is where browser screenshots are kept: $SDKVET_ARTIFACTS, or
// testdata/artifacts (git-ignored).
func artifactDir(t *testing.T) string {
	dir := os.Getenv("SDKVET_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestInChromium renders the report in a real headless Chromium and reads
// what a person would see.
func TestInChromium(t *testing.T) {
	path, err := pdfreport.FindChromium()
	if err != nil {
		t.Skip("no Chromium: ", err)
	}
	r := reporttest.Sample()
	// A label that would change the title if any markup in it ran.
	label := `Feed<script>document.title='pwned'</script>"><img src=x onerror="document.title='pwned'">`
	r.Targets[0].Identity.Label = &label
	var page bytes.Buffer
	if err := htmlreport.Write(&page, r); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(pdfreport.AllocatorOptions(path), chromedp.WindowSize(1200, 900))...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx, pdfreport.LoadHTML(page.String())); err != nil {
		t.Fatalf("load page in %s: %v", path, err)
	}

	text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Verdict: FAIL") {
		t.Errorf("verdict not rendered; page text:\n%s", text)
	}
	if !strings.Contains(text, label) {
		t.Errorf("hostile label not shown as text")
	}
	title, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.title`))
	if err != nil {
		t.Fatal(err)
	}
	if title == "pwned" || !strings.HasPrefix(title, "sdkvet report") {
		t.Errorf("markup in the label ran: title %q", title)
	}
	n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('script, img').length`))
	if err != nil || n != 0 {
		t.Errorf("script or img elements in the DOM: %d (%v)", n, err)
	}

	// The verdict is visible at the top of the first screen.
	top, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`(() => {
		const r = document.getElementById('verdict').getBoundingClientRect();
		return r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
	})()`))
	if err != nil || !top {
		t.Errorf("verdict not visible on the first screen (%v)", err)
	}
	// Every SDK name is rendered, with a non-empty box.
	visible, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.sdk-name'))
		.filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; })
		.map(e => e.innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(visible, "|")
	for _, tg := range r.Targets {
		for _, f := range tg.Findings {
			if f.Kind == "sdk" && !strings.Contains(got, f.SDK) {
				t.Errorf("SDK %s not visible (visible: %s)", f.SDK, got)
			}
		}
	}

	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatal("screenshot is not a PNG")
	}
	out := filepath.Join(artifactDir(t), "html-report.png")
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", out, len(png))
}
