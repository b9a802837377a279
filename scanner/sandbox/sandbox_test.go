package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func init() {
	Register("test-echo", func(in []byte) ([]byte, error) { return append([]byte("echo:"), in...), nil })
	Register("test-error", func(in []byte) ([]byte, error) { return nil, errors.New("bad input at 0x10") })
	Register("test-hang", func(in []byte) ([]byte, error) {
		for {
			time.Sleep(time.Millisecond)
		}
	})
	Register("test-oom", func(in []byte) ([]byte, error) {
		// What a parser does when it trusts a size field: keep growing.
		var keep [][]byte
		for {
			keep = append(keep, make([]byte, 64<<20))
			for i := range keep[len(keep)-1] {
				keep[len(keep)-1][i] = 1
			}
		}
	})
	Register("test-panic", func(in []byte) ([]byte, error) {
		var m map[string]int
		m["x"] = 1
		return nil, nil
	})
}

func TestMain(m *testing.M) {
	MainIfWorker()
	os.Exit(m.Run())
}

func TestRun(t *testing.T) {
	lim := Limits{Memory: 256 << 20, Timeout: 5 * time.Second, Output: 1 << 20}
	ctx := context.Background()

	out, err := Run(ctx, "test-echo", []byte("abc"), lim)
	if err != nil || string(out) != "echo:abc" {
		t.Fatalf("echo: %q %v", out, err)
	}

	_, err = Run(ctx, "test-error", nil, lim)
	if err == nil || err.Error() != "bad input at 0x10" || errors.Is(err, ErrContained) {
		t.Fatalf("handler error not passed through: %v", err)
	}

	start := time.Now()
	_, err = Run(ctx, "test-hang", nil, Limits{Memory: 256 << 20, Timeout: 500 * time.Millisecond, Output: 1 << 20})
	if !errors.Is(err, ErrContained) || !strings.Contains(err.Error(), "did not finish within 500ms") {
		t.Fatalf("hang: %v", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("hang took %s to stop", d)
	}

	_, err = Run(ctx, "test-oom", nil, lim)
	if !errors.Is(err, ErrContained) || !strings.Contains(err.Error(), "memory limit") {
		t.Fatalf("oom: %v", err)
	}

	_, err = Run(ctx, "test-panic", nil, lim)
	if !errors.Is(err, ErrContained) || !strings.Contains(err.Error(), "crashed") {
		t.Fatalf("panic: %v", err)
	}

	if _, err := Run(ctx, "nope", nil, lim); err == nil {
		t.Fatal("unknown handler accepted")
	}
}

// TestPoolReusesAndRecovers: children serve many calls, run side by side,
// and a child lost to a crash is replaced, not reused.
func TestPoolReusesAndRecovers(t *testing.T) {
	lim := Limits{Memory: 256 << 20, Timeout: 5 * time.Second, Output: 1 << 20}
	ctx := context.Background()
	before := started.Load()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				in := []byte(strings.Repeat("x", i) + string(rune('a'+g)))
				out, err := Run(ctx, "test-echo", in, lim)
				if err != nil || string(out) != "echo:"+string(in) {
					errs <- fmt.Errorf("call %d/%d: %q %v", g, i, out, err)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := started.Load() - before; n > 4 {
		t.Errorf("%d children started for 200 calls", n)
	}
	if _, err := Run(ctx, "test-panic", nil, lim); !errors.Is(err, ErrContained) || !strings.Contains(err.Error(), "assignment to entry in nil map") {
		t.Fatalf("panic: %v", err)
	}
	if out, err := Run(ctx, "test-echo", []byte("after"), lim); err != nil || string(out) != "echo:after" {
		t.Fatalf("after a crash: %q %v", out, err)
	}
	big := bytes.Repeat([]byte("y"), 3<<20)
	if _, err := Run(ctx, "test-echo", big, lim); !errors.Is(err, ErrContained) || !strings.Contains(err.Error(), "wrote more than") {
		t.Fatalf("output limit: %v", err)
	}
}
