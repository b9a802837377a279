package scanner_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture/samples"
)

// TestMutatedPackagesAreContained flips bits in real packages and scans
// each: no panic, no hang, every unread part named. Unlike FuzzScan it runs
// many inputs in every `go test` (the Go fuzz engine makes slow progress on
// a target that starts child processes).
func TestMutatedPackagesAreContained(t *testing.T) {
	n := 600
	if testing.Short() {
		n = 100
	}
	sc := newScanner(t)
	dir := t.TempDir()
	seeds := [][]byte{samples.Clean().Data, samples.WeChat().Data, samples.Malformed().Data, samples.AAR().Data, samples.XAPK().Data}
	r := rand.New(rand.NewPCG(1, 2))
	errs := 0
	for i := 0; i < n; i++ {
		d := append([]byte(nil), seeds[i%len(seeds)]...)
		for k := 0; k < 1+r.IntN(8); k++ {
			d[r.IntN(len(d))] ^= byte(1 << r.IntN(8))
		}
		name := filepath.Join(dir, "t")
		if err := os.WriteFile(name, d, 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		var errCount int
		go func() {
			tg := sc.ScanFile(context.Background(), name)
			for _, e := range tg.Errors {
				if !strings.HasPrefix(e.Path, name) || e.Error == "" {
					t.Errorf("input %d: error outside the target: %+v", i, e)
				}
			}
			errCount = len(tg.Errors)
			close(done)
		}()
		select {
		case <-done:
			errs += errCount
		case <-time.After(30 * time.Second):
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			t.Fatalf("input %d did not finish", i)
		}
	}
	if errs == 0 {
		t.Fatal("no mutation was reported as damage: the test exercises nothing")
	}
	t.Logf("%d mutated packages, %d parts reported unreadable", n, errs)
}
