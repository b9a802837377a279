//go:build unix

package walk

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenRegularPipe: a file listed as regular but replaced by a named
// pipe before it is read is refused at once; opening a pipe for reading
// would otherwise wait for a writer forever.
func TestOpenRegularPipe(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "Main.kt"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Ok.kt"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan error, 1)
	go func() {
		f, err := openRegular(r, "Main.kt")
		if err == nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("openRegular(pipe) = %v, want a not-a-regular-file error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("openRegular blocked on a named pipe")
	}
	f, err := openRegular(r, "Ok.kt")
	if err != nil {
		t.Fatalf("openRegular(regular file) = %v", err)
	}
	f.Close()
}
