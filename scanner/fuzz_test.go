package scanner_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture/samples"
	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/sandbox"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

func newScanner(t testing.TB) *scanner.Scanner {
	db, err := signatures.Load()
	if err != nil {
		t.Fatal(err)
	}
	lim := walk.DefaultLimits()
	lim.MaxTime, lim.MaxTotal = 3*time.Second, 256<<20
	return scanner.New(scanner.Options{DB: db, Policy: policy.Default(), Limits: lim,
		Sandbox: sandbox.Limits{Memory: 256 << 20, Timeout: time.Second, Output: 8 << 20}})
}

// FuzzScan runs the whole pipeline, contained parsers included, on mutated
// packages: it must never panic, must finish, and must describe every part
// it could not read with a path inside the target.
func FuzzScan(f *testing.F) {
	for _, s := range []samples.Sample{samples.Clean(), samples.WeChat(), samples.PangleObfuscated(), samples.Malformed(), samples.AAR(), samples.BareDEX()} {
		f.Add(s.Data)
	}
	sc := newScanner(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		name := filepath.Join(dir, "target")
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		tg := sc.ScanFile(context.Background(), name)
		if d := time.Since(start); d > 20*time.Second {
			t.Fatalf("scan took %s", d)
		}
		if tg.Size != int64(len(data)) || tg.Kind == "" {
			t.Fatalf("target %+v", tg)
		}
		for _, e := range tg.Errors {
			if !strings.HasPrefix(e.Path, name) || e.Error == "" {
				t.Fatalf("error outside the target: %+v", e)
			}
		}
		for _, fd := range tg.Findings {
			if fd.EvidenceCount == 0 || len(fd.Evidence) == 0 {
				t.Fatalf("finding without evidence: %+v", fd)
			}
		}
		if tg.Complete != (len(tg.Errors) == 0) {
			t.Fatalf("complete=%v with %d errors", tg.Complete, len(tg.Errors))
		}
	})
}
