package walk

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/sourcetree"
)

// project walks an app's source tree as one target. Code and build
// manifests go to the source analyzers (after sniffing: a binary file named
// like source is handled as what it is), vendored binaries (jar, aar, so,
// frameworks, static libraries) go through the same path as members of a
// package, and other text (docs, configuration) is not read. Folders of
// generated output are skipped unless Limits.IncludeGenerated is set.
//
// The tree is opened with os.Root: a symbolic link is followed only when it
// names a regular file inside the tree; links that leave the tree, loop or
// name folders are not followed.
func (s *session) project(ctx context.Context, root string) filekind.Kind {
	display := strings.TrimSuffix(root, "/")
	if display == "" {
		display = "/"
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		s.out.Error(display, fmt.Errorf("open source tree: %w", err))
		return filekind.Source
	}
	defer r.Close()
	fsys := r.FS()
	var ms []member
	var bundles []string
	over := false
	add := func(p string, size int64) {
		ms = append(ms, s.projectMember(r, display, p, size))
	}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return fs.SkipAll
		}
		if err != nil {
			s.out.Error(display+"/"+printable(p), fmt.Errorf("read: %w", err))
			return nil
		}
		if p == "." {
			return nil
		}
		switch t := d.Type(); {
		case d.IsDir():
			if !s.w.Limits.IncludeGenerated && sourcetree.IsGeneratedDir(p) {
				return fs.SkipDir
			}
			if IsBundleDir(p) {
				bundles = append(bundles, p)
				return fs.SkipDir
			}
			return nil
		case t&fs.ModeSymlink != 0:
			// os.Root refuses a link that leaves the tree and reports a
			// loop as an error: neither is part of this target.
			st, err := r.Stat(p)
			if err != nil || !st.Mode().IsRegular() {
				return nil
			}
			if !s.w.Limits.IncludeGenerated && sourcetree.InDependencies(p) && !sourcetree.KeepDependencyFile(p) {
				return nil
			}
			if len(ms) >= s.w.Limits.MaxEntries {
				over = true
				return fs.SkipAll
			}
			add(p, st.Size())
			return nil
		case t.IsRegular():
			if !s.w.Limits.IncludeGenerated && sourcetree.InDependencies(p) && !sourcetree.KeepDependencyFile(p) {
				return nil // another package's code: its manifest and binaries stand for it
			}
			if len(ms) >= s.w.Limits.MaxEntries {
				over = true
				return fs.SkipAll
			}
			info, err := d.Info()
			if err != nil {
				s.out.Error(display+"/"+printable(p), fmt.Errorf("stat: %w", err))
				return nil
			}
			add(p, info.Size())
		}
		return nil
	})
	if err != nil {
		s.out.Error(display, fmt.Errorf("read source tree: %w", err))
	}
	if over {
		s.out.Error(display, limitErr("more than %d files (--max-entries)", s.w.Limits.MaxEntries))
	}
	s.members(ctx, ms, 0, filekind.Source)
	for _, b := range bundles {
		if ctx.Err() != nil {
			break
		}
		s.bundle(ctx, filepath.Join(root, filepath.FromSlash(b)))
	}
	return filekind.Source
}

// projectMember makes a member of a source tree. Text is handed on as code
// or a build manifest when its name says so, else as a document that no
// analyzer reads.
func (s *session) projectMember(r *os.Root, display, p string, size int64) member {
	textAs := filekind.Document
	if sourcetree.ManifestOf(p) != sourcetree.NoManifest {
		textAs = filekind.BuildManifest
	} else if sourcetree.LanguageOf(p) != sourcetree.NoLanguage {
		textAs = filekind.SourceCode
	}
	return member{
		name: p, display: display + "/" + printable(p), size: size, compressed: -1, textAs: textAs,
		open: func() (io.ReadCloser, error) {
			f, err := openRegular(r, p)
			if err != nil {
				return nil, err
			}
			// The file may have changed since it was listed; never read
			// more than the size the limits were checked against.
			return struct {
				io.Reader
				io.Closer
			}{io.LimitReader(f, size), f}, nil
		},
	}
}

// IsSourceTree reports whether the folder dir is scanned as an app source
// tree: a project folder (see sourcetree.IsProjectDir), or a folder that
// holds code or build manifests outside bundles and generated output.
func IsSourceTree(dir string) bool {
	if sourcetree.IsProjectDir(dir) {
		return true
	}
	found := false
	_ = fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return nil
		}
		if d.IsDir() {
			if sourcetree.IsGeneratedDir(p) || IsBundleDir(p) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && sourcetree.IsSourceFile(p) {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// openRegular opens the file p of the tree for reading, without blocking
// and only if it is (still) a regular file: one replaced by a named pipe or
// a device after the listing would otherwise hang the scan or never end.
func openRegular(r *os.Root, p string) (*os.File, error) {
	f, err := r.OpenFile(p, os.O_RDONLY|openNoBlock, 0)
	if err != nil {
		return nil, err
	}
	return checkRegular(f)
}

// OpenRegular opens a file named by the user for reading without ever
// blocking (a named pipe or a device is refused, not waited on).
func OpenRegular(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|openNoBlock, 0)
	if err != nil {
		return nil, err
	}
	return checkRegular(f)
}

func checkRegular(f *os.File) (*os.File, error) {
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	return f, nil
}
