// Package analyze defines what an analyzer is: a small, independent function
// that takes one kind of file (or one kind of package) and emits
// observations. Analyzers know nothing of vendors or signatures. The walker
// asks the registry which analyzers want a file before it reads the file, so
// an entry nobody wants costs nothing.
package analyze

import (
	"context"
	"io"

	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

// File describes one file handed to a file analyzer.
type File struct {
	// Path is the nested display path, e.g. app.xapk!/base.apk!/classes2.dex.
	Path string
	// Name is the entry name inside its container (or the base name of a
	// file on disk), e.g. lib/arm64-v8a/libfoo.so.
	Name string
	// Kind is the content kind found by sniffing.
	Kind filekind.Kind
	// Container is the kind of the enclosing package (apk, aab, ...), or
	// Unknown for a file on disk.
	Container filekind.Kind
	// Size is the uncompressed size.
	Size int64
}

// Out receives what analyzers find. It is safe for concurrent use.
// Implementations copy the strings they keep: analyzers may pass strings
// that are valid only for the duration of the call.
type Out interface {
	// Observe records a fact.
	Observe(o observation.Observation)
	// String hands a string found at path (byte offset off, -1 if unknown)
	// to the shared string scanners: URLs, hosts and marker substrings.
	String(path, s string, off int64)
	// Error records a part of the target that could not be read completely.
	Error(path string, err error)
}

// FileAnalyzer reads one kind of file. Exactly one of Bytes and Stream is set.
type FileAnalyzer struct {
	Name string
	// Kinds are the sniffed content kinds this analyzer takes.
	Kinds []filekind.Kind
	// Bytes analyzes a file read completely into memory (bounded by the
	// walker's per-entry limit).
	Bytes func(ctx context.Context, f *File, data []byte, out Out) error
	// Stream analyzes a file as a stream, for files that may be large.
	Stream func(ctx context.Context, f *File, r io.Reader, out Out) error
}

// Package is an archive (APK, AAB, AAR, ...) seen as a whole, for analyzers
// that need several entries together or the archive's raw bytes.
type Package interface {
	// Path is the nested display path of the archive itself.
	Path() string
	// Kind is the archive's kind.
	Kind() filekind.Kind
	// EntryPath is the display path of an entry: the package path, the
	// separator ("!/" in an archive, "/" in a folder) and the name with
	// control characters escaped (names are attacker-controlled).
	EntryPath(name string) string
	// Names lists the entry names in central-directory order.
	Names() []string
	// ReadFile returns an entry's content, bounded by the walker's limits.
	// It returns an error wrapping fs.ErrNotExist when there is no such entry.
	ReadFile(name string) ([]byte, error)
	// ReaderAt gives the raw archive bytes (for signing blocks).
	ReaderAt() (io.ReaderAt, int64)
}

// PackageAnalyzer reads a whole package of the given kinds.
type PackageAnalyzer struct {
	Name    string
	Kinds   []filekind.Kind
	Analyze func(ctx context.Context, p Package, out Out) error
}

// Registry holds the analyzers in use.
type Registry struct {
	files    []FileAnalyzer
	packages []PackageAnalyzer
	byKind   map[filekind.Kind][]*FileAnalyzer
}

// NewRegistry returns a registry holding the given analyzers.
func NewRegistry(files []FileAnalyzer, packages []PackageAnalyzer) *Registry {
	r := &Registry{files: files, packages: packages, byKind: map[filekind.Kind][]*FileAnalyzer{}}
	for i := range r.files {
		a := &r.files[i]
		for _, k := range a.Kinds {
			r.byKind[k] = append(r.byKind[k], a)
		}
	}
	return r
}

// For returns the file analyzers that take kind k.
func (r *Registry) For(k filekind.Kind) []*FileAnalyzer { return r.byKind[k] }

// Wants reports whether any file analyzer takes kind k.
func (r *Registry) Wants(k filekind.Kind) bool { return len(r.byKind[k]) > 0 }

// PackagesFor returns the package analyzers that take kind k.
func (r *Registry) PackagesFor(k filekind.Kind) []*PackageAnalyzer {
	var out []*PackageAnalyzer
	for i := range r.packages {
		for _, pk := range r.packages[i].Kinds {
			if pk == k {
				out = append(out, &r.packages[i])
				break
			}
		}
	}
	return out
}
