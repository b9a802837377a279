// Package blobs stores uploaded packages on disk by SHA-256 under
// DATA/blobs/ab/cdef…: no name from a request or a package ever becomes a
// path. An upload is streamed to a temporary file in DATA/tmp while it is
// hashed, then renamed into place.
package blobs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrTooLarge reports an upload over the size limit.
var ErrTooLarge = errors.New("upload exceeds the size limit")

// ErrBadHash reports a string that is not a lower-case hex SHA-256.
var ErrBadHash = errors.New("not a SHA-256")

// Dir is a blob directory.
type Dir struct {
	root, tmp string
}

// Open creates (if needed) DATA/blobs and DATA/tmp and removes temporary
// files left by a process that stopped mid-upload.
func Open(data string) (*Dir, error) {
	d := &Dir{root: filepath.Join(data, "blobs"), tmp: filepath.Join(data, "tmp")}
	for _, p := range []string{d.root, d.tmp} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, fmt.Errorf("blob dir: %w", err)
		}
	}
	entries, err := os.ReadDir(d.tmp)
	if err != nil {
		return nil, fmt.Errorf("blob dir: %w", err)
	}
	for _, e := range entries {
		os.Remove(filepath.Join(d.tmp, e.Name()))
	}
	return d, nil
}

// ValidHash reports whether s is a lower-case hex SHA-256.
func ValidHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Path returns the file of a blob.
func (d *Dir) Path(sha string) (string, error) {
	if !ValidHash(sha) {
		return "", ErrBadHash
	}
	return filepath.Join(d.root, sha[:2], sha[2:]), nil
}

// Put streams r to a blob, at most limit bytes, and returns its hash and
// size. An identical blob already stored is kept as it is.
func (d *Dir) Put(r io.Reader, limit int64) (sha string, size int64, err error) {
	st, err := d.Stage(r, limit)
	if err != nil {
		return "", st.Size, err
	}
	if err := st.Commit(); err != nil {
		return "", st.Size, err
	}
	return st.SHA256, st.Size, nil
}

// Staged is an upload written to a temporary file and hashed, not yet a
// blob: Commit moves it into place, Discard drops it.
type Staged struct {
	d      *Dir
	tmp    string
	SHA256 string
	Size   int64
}

// Stage streams r to a temporary file, at most limit bytes, hashing it on
// the way. The caller must Commit or Discard the result.
func (d *Dir) Stage(r io.Reader, limit int64) (st Staged, err error) {
	f, err := os.CreateTemp(d.tmp, "upload-*")
	if err != nil {
		return st, fmt.Errorf("store upload: %w", err)
	}
	st = Staged{d: d, tmp: f.Name()}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(st.tmp)
		}
	}()
	h := sha256.New()
	st.Size, err = io.Copy(io.MultiWriter(f, h), io.LimitReader(r, limit+1))
	if err != nil {
		return st, fmt.Errorf("store upload: %w", err)
	}
	if st.Size > limit {
		return st, ErrTooLarge
	}
	if err = f.Sync(); err != nil {
		return st, fmt.Errorf("store upload: %w", err)
	}
	if err = f.Close(); err != nil {
		return st, fmt.Errorf("store upload: %w", err)
	}
	st.SHA256 = hex.EncodeToString(h.Sum(nil))
	return st, nil
}

// Discard removes a staged upload.
func (st Staged) Discard() {
	os.Remove(st.tmp)
}

// Commit moves a staged upload into place as the blob of its hash (or
// drops it when that blob is already stored) and makes that durable.
func (st Staged) Commit() error {
	dst, err := st.d.Path(st.SHA256)
	if err != nil {
		st.Discard()
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		st.Discard()
		return fmt.Errorf("store upload: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		st.Discard()
		return nil
	}
	if err := os.Rename(st.tmp, dst); err != nil {
		st.Discard()
		return fmt.Errorf("store upload: %w", err)
	}
	// The scan row that names this blob is committed next: make the
	// rename durable first, so an accepted upload never loses its file.
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("store upload: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Remove deletes a blob; a missing blob is not an error.
func (d *Dir) Remove(sha string) error {
	p, err := d.Path(sha)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove blob: %w", err)
	}
	return nil
}
