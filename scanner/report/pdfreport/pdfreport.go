// Package pdfreport prints the HTML report to PDF with a headless Chromium
// (driven over the DevTools protocol by chromedp), so the PDF is exactly
// the page a reviewer sees, with its print stylesheet. Chromium is not
// bundled: the package finds chromium, chromium-browser, google-chrome or
// the binary named by $SDKVET_CHROMIUM, and returns ErrNoChromium when
// there is none.
//
// The page is loaded with Page.setDocumentContent into about:blank (never
// written to disk) and its Content-Security-Policy forbids every fetch.
package pdfreport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/htmlreport"
)

// ErrNoChromium means no Chromium or Chrome binary was found.
var ErrNoChromium = errors.New("PDF output needs Chromium or Google Chrome: install it (Debian/Ubuntu: apt-get install chromium) or set SDKVET_CHROMIUM to its path")

// Timeout bounds one rendering, browser start included.
var Timeout = 2 * time.Minute

// FindChromium returns the path of a Chromium-family browser.
func FindChromium() (string, error) {
	if p := os.Getenv("SDKVET_CHROMIUM"); p != "" {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
		return "", fmt.Errorf("SDKVET_CHROMIUM=%s: not an executable: %w", p, ErrNoChromium)
	}
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}
	switch runtime.GOOS {
	case "darwin":
		names = append(names, "/Applications/Chromium.app/Contents/MacOS/Chromium",
			"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
	case "windows":
		names = append(names, "chrome.exe", "msedge.exe",
			`C:\Program Files\Google\Chrome\Application\chrome.exe`,
			`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`)
	}
	for _, n := range names {
		if path, err := exec.LookPath(n); err == nil {
			return path, nil
		}
	}
	return "", ErrNoChromium
}

// AllocatorOptions are the browser flags sdkvet uses: headless, no GPU, no
// background networking, no sandbox when running as root (containers, CI).
func AllocatorOptions(execPath string) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts,
		chromedp.ExecPath(execPath),
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-proxy-server", true),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to start its sandbox as root.
		opts = append(opts, chromedp.NoSandbox)
	}
	return opts
}

// LoadHTML replaces the blank page of the tab with html.
func LoadHTML(html string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate("about:blank"),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
			if err != nil {
				return err
			}
			_, err = cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: html})
			return err
		}),
		chromedp.WaitReady("body"),
	)
}

// Render prints an HTML document to PDF (A4, backgrounds on).
func Render(ctx context.Context, html []byte) ([]byte, error) {
	path, err := FindChromium()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, AllocatorOptions(path)...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx, LoadHTML(string(html))); err != nil {
		return nil, fmt.Errorf("load report into %s: %w", path, err)
	}
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPrintBackground(),
		chromedp.PDFPreferCSSPageSize(),
	))
	if err != nil {
		return nil, fmt.Errorf("print to pdf with %s: %w", path, err)
	}
	return pdf, nil
}

// Write renders r as HTML and prints it to PDF.
func Write(w io.Writer, r *report.Report) error {
	return WriteContext(context.Background(), w, r)
}

// WriteContext is Write with a context that can cancel the rendering.
func WriteContext(ctx context.Context, w io.Writer, r *report.Report) error {
	var html bytes.Buffer
	if err := htmlreport.Write(&html, r); err != nil {
		return err
	}
	pdf, err := Render(ctx, html.Bytes())
	if err != nil {
		return err
	}
	if _, err := w.Write(pdf); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}
