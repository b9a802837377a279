package blobs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPut(t *testing.T) {
	data := t.TempDir()
	d, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("PK\x03\x04 a package")
	sum := sha256.Sum256(body)
	want := hex.EncodeToString(sum[:])
	sha, n, err := d.Put(bytes.NewReader(body), 1<<20)
	if err != nil || sha != want || n != int64(len(body)) {
		t.Fatalf("Put = %s %d %v, want %s", sha, n, err, want)
	}
	p := filepath.Join(data, "blobs", want[:2], want[2:])
	if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("blob file %s: %q %v", p, got, err)
	}
	// The same content again: one file, no temporary left.
	if sha2, _, err := d.Put(bytes.NewReader(body), 1<<20); err != nil || sha2 != sha {
		t.Fatalf("second Put = %s %v", sha2, err)
	}
	if left, _ := os.ReadDir(filepath.Join(data, "tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestPutTooLarge(t *testing.T) {
	data := t.TempDir()
	d, _ := Open(data)
	if _, _, err := d.Put(strings.NewReader(strings.Repeat("x", 101)), 100); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if _, _, err := d.Put(strings.NewReader(strings.Repeat("x", 100)), 100); err != nil {
		t.Fatalf("exactly the limit: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(data, "tmp")); len(left) != 0 {
		t.Errorf("temporary files left after a rejected upload: %v", left)
	}
}

func TestPathRejectsNonHash(t *testing.T) {
	d, _ := Open(t.TempDir())
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63) + "/", strings.Repeat("a", 65)} {
		if _, err := d.Path(bad); !errors.Is(err, ErrBadHash) {
			t.Errorf("Path(%q) err = %v, want ErrBadHash", bad, err)
		}
		if err := d.Remove(bad); !errors.Is(err, ErrBadHash) {
			t.Errorf("Remove(%q) err = %v, want ErrBadHash", bad, err)
		}
	}
}

func TestOpenCleansTemp(t *testing.T) {
	data := t.TempDir()
	os.MkdirAll(filepath.Join(data, "tmp"), 0o700)
	os.WriteFile(filepath.Join(data, "tmp", "upload-123"), []byte("half"), 0o600)
	if _, err := Open(data); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(filepath.Join(data, "tmp")); len(left) != 0 {
		t.Errorf("stale upload not removed: %v", left)
	}
}

// TestStageCommitDiscard: a staged upload is no blob until committed; a
// discarded one leaves nothing; committing a blob that exists keeps it.
func TestStageCommitDiscard(t *testing.T) {
	data := t.TempDir()
	d, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("dex\n035\x00 staged")
	st, err := d.Stage(bytes.NewReader(body), 1<<20)
	if err != nil || st.Size != int64(len(body)) {
		t.Fatalf("Stage = %+v %v", st, err)
	}
	p, _ := d.Path(st.SHA256)
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("blob exists before Commit: %v", err)
	}
	st.Discard()
	if left, _ := os.ReadDir(filepath.Join(data, "tmp")); len(left) != 0 {
		t.Errorf("temporary files after Discard: %v", left)
	}
	for range 2 {
		st, err := d.Stage(bytes.NewReader(body), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, body) {
		t.Errorf("blob after two commits: %q %v", got, err)
	}
	if left, _ := os.ReadDir(filepath.Join(data, "tmp")); len(left) != 0 {
		t.Errorf("temporary files after Commit: %v", left)
	}
}
