//go:build unix

package scanner_test

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

// TestNamedPipeTarget checks that a named pipe given as a target is
// refused at once: opening one to read (to walk or to hash it) would
// otherwise wait for a writer forever.
func TestNamedPipeTarget(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "app.apk")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	db, err := signatures.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := scanner.New(scanner.Options{DB: db, Policy: policy.Default(), Limits: walk.DefaultLimits()})
	done := make(chan struct{})
	var tgt struct {
		complete bool
		errs     []string
	}
	go func() {
		defer close(done)
		r := s.ScanFile(context.Background(), fifo)
		tgt.complete = r.Complete
		for _, e := range r.Errors {
			tgt.errs = append(tgt.errs, e.Error)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("scanning a named pipe blocked")
	}
	if tgt.complete || len(tgt.errs) == 0 || !strings.Contains(strings.Join(tgt.errs, "\n"), "not a regular file") {
		t.Errorf("complete=%v errors=%q, want an incomplete target saying it is not a regular file", tgt.complete, tgt.errs)
	}
}
