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
	f, err := os.CreateTemp(d.tmp, "upload-*")
	if err != nil {
		return "", 0, fmt.Errorf("store upload: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, limit+1))
	if err != nil {
		return "", n, fmt.Errorf("store upload: %w", err)
	}
	if n > limit {
		return "", n, ErrTooLarge
	}
	if err = f.Sync(); err != nil {
		return "", n, fmt.Errorf("store upload: %w", err)
	}
	if err = f.Close(); err != nil {
		return "", n, fmt.Errorf("store upload: %w", err)
	}
	sha = hex.EncodeToString(h.Sum(nil))
	dst, _ := d.Path(sha)
	if err = os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", n, fmt.Errorf("store upload: %w", err)
	}
	if _, statErr := os.Stat(dst); statErr == nil {
		os.Remove(tmp)
		return sha, n, nil
	}
	if err = os.Rename(tmp, dst); err != nil {
		return "", n, fmt.Errorf("store upload: %w", err)
	}
	// The scan row that names this blob is committed next: make the
	// rename durable first, so an accepted upload never loses its file.
	if err = syncDir(filepath.Dir(dst)); err != nil {
		return "", n, fmt.Errorf("store upload: %w", err)
	}
	return sha, n, nil
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
