package walk

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/filekind"
)

// bundleExts are directory suffixes that make a folder one package (an
// unpacked iOS app, framework or extension) rather than a folder of
// packages.
var bundleExts = []string{".app", ".framework", ".xcframework", ".appex"}

// IsBundleDir reports whether a directory name marks an iOS bundle.
func IsBundleDir(name string) bool {
	for _, e := range bundleExts {
		if strings.HasSuffix(strings.TrimSuffix(name, "/"), e) {
			return true
		}
	}
	return false
}

// bundle walks a bundle directory as one package: its regular files (never
// following a symbolic link) are its members.
func (s *session) bundle(ctx context.Context, root string) filekind.Kind {
	var names []string
	over := false
	sizes := map[string]int64{}
	fsys := os.DirFS(root)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			s.out.Error(filepath.Join(root, p), fmt.Errorf("read: %w", err))
			return nil
		}
		if d.Type().IsRegular() {
			if len(names) >= s.w.Limits.MaxEntries {
				over = true
				return fs.SkipAll
			}
			info, err := d.Info()
			if err != nil {
				s.out.Error(filepath.Join(root, p), err)
				return nil
			}
			names = append(names, p)
			sizes[p] = info.Size()
		}
		return nil
	})
	if err != nil {
		s.out.Error(root, fmt.Errorf("read bundle: %w", err))
	}
	if over {
		s.out.Error(root, limitErr("more than %d files (--max-entries)", s.w.Limits.MaxEntries))
	}
	sort.Strings(names)
	display := strings.TrimSuffix(root, "/")
	pkg := &dirPackage{s: s, display: display, fsys: fsys, names: names, sizes: sizes}
	for _, pa := range s.w.Registry.PackagesFor(filekind.Bundle) {
		if err := safely(func() error { return pa.Analyze(ctx, pkg, s.out) }); err != nil {
			s.out.Error(display, fmt.Errorf("%s: %w", pa.Name, err))
		}
	}
	ms := make([]member, 0, len(names))
	for _, n := range names {
		n := n
		ms = append(ms, member{
			name: n, display: display + "/" + printable(n), size: sizes[n], compressed: -1,
			open: func() (io.ReadCloser, error) { return fsys.Open(n) },
		})
	}
	s.members(ctx, ms, 0, filekind.Bundle)
	return filekind.Bundle
}

// dirPackage gives package analyzers access to a bundle directory.
type dirPackage struct {
	s       *session
	display string
	fsys    fs.FS
	names   []string
	sizes   map[string]int64
}

func (d *dirPackage) Path() string                   { return d.display }
func (d *dirPackage) Kind() filekind.Kind            { return filekind.Bundle }
func (d *dirPackage) Names() []string                { return d.names }
func (d *dirPackage) ReaderAt() (io.ReaderAt, int64) { return nil, 0 }

func (d *dirPackage) EntryPath(name string) string { return d.display + "/" + printable(name) }

func (d *dirPackage) ReadFile(name string) ([]byte, error) {
	size, ok := d.sizes[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	if size > d.s.w.Limits.MaxEntrySize {
		return nil, limitErr("%s has %d bytes, more than the %d-byte entry limit", name, size, d.s.w.Limits.MaxEntrySize)
	}
	f, err := d.fsys.Open(path.Clean(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAllSized(&limitedReader{rc: f, s: d.s}, size)
}
