package pdfreport_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/report/pdfreport"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

func TestPDF(t *testing.T) {
	if _, err := pdfreport.FindChromium(); err != nil {
		t.Skip("no Chromium: ", err)
	}
	var buf bytes.Buffer
	if err := pdfreport.Write(&buf, reporttest.Sample()); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	dir := os.Getenv("SDKVET_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "htmlreport", "testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(dir, "report.pdf"), pdf, 0o644)
	}
	// With poppler-utils installed, read the text back.
	if _, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = bytes.NewReader(pdf)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Verdict: FAIL", "WeChat OpenSDK", "Pangle", "MMKV"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("PDF text lacks %q", want)
			}
		}
	}
}

func TestNoChromium(t *testing.T) {
	t.Setenv("SDKVET_CHROMIUM", filepath.Join(t.TempDir(), "no-such-browser"))
	err := pdfreport.Write(&bytes.Buffer{}, reporttest.Clean())
	if !errors.Is(err, pdfreport.ErrNoChromium) {
		t.Fatalf("error %v, want ErrNoChromium", err)
	}
	if !strings.Contains(err.Error(), "apt-get install chromium") {
		t.Errorf("error does not say how to get Chromium: %v", err)
	}
}
