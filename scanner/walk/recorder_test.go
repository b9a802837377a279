package walk_test

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/walk"
)

// fileCall is one call of a recording file analyzer.
type fileCall struct {
	Analyzer string // "bytes" or "stream"
	File     analyze.File
	Data     []byte // what the analyzer received (for "stream": what it read)
	Err      error  // for "stream": the error that ended the read (nil at EOF)
}

// pkgCall is one call of the recording package analyzer.
type pkgCall struct {
	Path   string
	Kind   filekind.Kind
	Names  []string
	Size   int64             // from ReaderAt
	Sum    [32]byte          // SHA-256 of the raw bytes (hashRaw only)
	Reads  map[string][]byte // ReadFile results that succeeded (readAll only)
	Failed map[string]error  // ReadFile errors (readAll only)
}

type errRec struct {
	Path string
	Err  error
}

type strRec struct {
	Path, S string
	Off     int64
}

// recorder is an analyze.Out and the analyzers of a test registry: it
// records every call, observation, string and error.
type recorder struct {
	// readAll makes the package analyzer ReadFile every entry it lists.
	readAll bool
	// hashRaw makes the package analyzer hash the raw archive bytes.
	hashRaw bool

	mu    sync.Mutex
	files []fileCall
	pkgs  []pkgCall
	obs   []observation.Observation
	strs  []strRec
	errs  []errRec
}

func (r *recorder) Observe(o observation.Observation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o.Value, o.Detail = strings.Clone(o.Value), strings.Clone(o.Detail)
	r.obs = append(r.obs, o)
}

func (r *recorder) String(path, s string, off int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.strs = append(r.strs, strRec{path, strings.Clone(s), off}) // s may be transient
}

func (r *recorder) Error(path string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, errRec{path, err})
}

// bytesKinds go to the Bytes analyzer, streamKinds to the Stream analyzer
// (Text goes to both).
var (
	bytesKinds  = []filekind.Kind{filekind.DEX, filekind.ELF, filekind.AXML, filekind.ARSC, filekind.Text}
	streamKinds = []filekind.Kind{filekind.Text, filekind.Binary}
	archiveKind = []filekind.Kind{filekind.Zip, filekind.APK, filekind.AAB, filekind.XAPK, filekind.AAR, filekind.JAR, filekind.IPA}
)

func (r *recorder) registry() *analyze.Registry {
	return analyze.NewRegistry(
		[]analyze.FileAnalyzer{
			{Name: "rec-bytes", Kinds: bytesKinds, Bytes: func(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
				r.mu.Lock()
				defer r.mu.Unlock()
				r.files = append(r.files, fileCall{Analyzer: "bytes", File: *f, Data: append([]byte(nil), data...)})
				return nil
			}},
			{Name: "rec-stream", Kinds: streamKinds, Stream: func(ctx context.Context, f *analyze.File, rd io.Reader, out analyze.Out) error {
				data, err := io.ReadAll(rd)
				r.mu.Lock()
				defer r.mu.Unlock()
				r.files = append(r.files, fileCall{Analyzer: "stream", File: *f, Data: data, Err: err})
				return err
			}},
		},
		[]analyze.PackageAnalyzer{{Name: "rec-pkg", Kinds: archiveKind, Analyze: func(ctx context.Context, p analyze.Package, out analyze.Out) error {
			ra, size := p.ReaderAt()
			c := pkgCall{Path: p.Path(), Kind: p.Kind(), Names: append([]string(nil), p.Names()...), Size: size}
			if r.hashRaw {
				h := sha256.New()
				if _, err := io.Copy(h, io.NewSectionReader(ra, 0, size)); err != nil {
					return err
				}
				h.Sum(c.Sum[:0])
			}
			if r.readAll {
				c.Reads, c.Failed = map[string][]byte{}, map[string]error{}
				for _, n := range c.Names {
					data, err := p.ReadFile(n)
					if err != nil {
						c.Failed[n] = err
					} else {
						c.Reads[n] = data
					}
				}
				if _, err := p.ReadFile("\x00no such entry"); !errors.Is(err, fs.ErrNotExist) {
					c.Failed["\x00no such entry"] = fmt.Errorf("ReadFile of a missing entry: %v, want fs.ErrNotExist", err)
				}
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			r.pkgs = append(r.pkgs, c)
			return nil
		}}},
	)
}

// callsFor returns the file calls for path, in call order.
func (r *recorder) callsFor(path string) []fileCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []fileCall
	for _, c := range r.files {
		if c.File.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// errsFor returns the errors reported for path.
func (r *recorder) errsFor(path string) []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []error
	for _, e := range r.errs {
		if e.Path == path {
			out = append(out, e.Err)
		}
	}
	return out
}

// pkg returns the package call for path, or nil.
func (r *recorder) pkg(path string) *pkgCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.pkgs {
		if r.pkgs[i].Path == path {
			return &r.pkgs[i]
		}
	}
	return nil
}

// allPaths lists every path the recorder saw.
func (r *recorder) allPaths() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.files {
		out = append(out, c.File.Path)
	}
	for _, p := range r.pkgs {
		out = append(out, p.Path)
	}
	for _, e := range r.errs {
		out = append(out, e.Path)
	}
	for _, o := range r.obs {
		out = append(out, o.Path)
	}
	for _, s := range r.strs {
		out = append(out, s.Path)
	}
	return out
}

func (r *recorder) dumpErrs() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.errs {
		fmt.Fprintf(&b, "\n  %q: %v", e.Path, e.Err)
	}
	return b.String()
}

// anyErr reports whether some error for a path with the given prefix
// contains all of subs.
func (r *recorder) anyErr(pathPrefix string, subs ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
next:
	for _, e := range r.errs {
		if !strings.HasPrefix(e.Path, pathPrefix) {
			continue
		}
		for _, s := range subs {
			if !strings.Contains(e.Err.Error(), s) {
				continue next
			}
		}
		return true
	}
	return false
}

// safePath reports whether p is valid UTF-8 without control characters.
func safePath(p string) bool {
	if !utf8.ValidString(p) {
		return false
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// testLimits are generous limits with a wall-time cap that keeps a hung
// test from running for minutes.
func testLimits() walk.Limits {
	l := walk.DefaultLimits()
	l.MaxTime = 60 * time.Second
	return l
}

// walkData writes data to a fresh temp file called name and walks it.
func walkData(t testing.TB, name string, data []byte, lim walk.Limits, r *recorder) (string, walk.Target, time.Duration) {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	w := &walk.Walker{Limits: lim, Registry: r.registry(), Workers: 2}
	start := time.Now()
	tgt, err := w.Walk(context.Background(), file, r)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("Walk(%s): %v", name, err)
	}
	return file, tgt, elapsed
}

func deflate(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	fw, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipWriter writes ZIP structures by hand, for archives archive/zip will
// not write: shared local headers, lying counts.
type zipWriter struct {
	b bytes.Buffer
}

func (z *zipWriter) u16(v uint16) { binary.Write(&z.b, binary.LittleEndian, v) }
func (z *zipWriter) u32(v uint32) { binary.Write(&z.b, binary.LittleEndian, v) }

// local writes a local file header and its data; it returns the header's offset.
func (z *zipWriter) local(name string, method uint16, crc uint32, data []byte, usize uint32) uint32 {
	off := uint32(z.b.Len())
	z.u32(0x04034b50)
	z.u16(20) // version needed
	z.u16(0)  // flags
	z.u16(method)
	z.u16(0)    // time
	z.u16(0x21) // date: 1980-01-01
	z.u32(crc)
	z.u32(uint32(len(data)))
	z.u32(usize)
	z.u16(uint16(len(name)))
	z.u16(0) // extra
	z.b.WriteString(name)
	z.b.Write(data)
	return off
}

// central writes one central directory header.
func (z *zipWriter) central(name string, method uint16, crc, csize, usize, localOff uint32) {
	z.u32(0x02014b50)
	z.u16(20) // version made by
	z.u16(20) // version needed
	z.u16(0)  // flags
	z.u16(method)
	z.u16(0)
	z.u16(0x21)
	z.u32(crc)
	z.u32(csize)
	z.u32(usize)
	z.u16(uint16(len(name)))
	z.u16(0) // extra
	z.u16(0) // comment
	z.u16(0) // disk
	z.u16(0) // internal attributes
	z.u32(0) // external attributes
	z.u32(localOff)
	z.b.WriteString(name)
}

// end writes the end of central directory record.
func (z *zipWriter) end(count uint16, cdOff uint32) {
	cdSize := uint32(z.b.Len()) - cdOff
	z.u32(0x06054b50)
	z.u16(0)
	z.u16(0)
	z.u16(count)
	z.u16(count)
	z.u32(cdSize)
	z.u32(cdOff)
	z.u16(0)
}

// overlapZip is a non-recursive zip bomb: n central directory entries
// (f0000.bin, f0001.bin, …) that all point at the same local header and
// deflated payload.
func overlapZip(t testing.TB, n int, payload []byte) []byte {
	comp := deflate(t, payload)
	crc := crc32.ChecksumIEEE(payload)
	var z zipWriter
	off := z.local("kernel.bin", 8, crc, comp, uint32(len(payload)))
	cd := uint32(z.b.Len())
	for i := range n {
		z.central(fmt.Sprintf("f%04d.bin", i), 8, crc, uint32(len(comp)), uint32(len(payload)), off)
	}
	z.end(uint16(n), cd)
	return z.b.Bytes()
}

// emptyEntriesZip writes n stored empty entries e0, e1, … with count in the
// end record (which archive/zip compares only modulo 65536).
func emptyEntriesZip(n int, count uint16) []byte {
	var z zipWriter
	offs := make([]uint32, n)
	for i := range n {
		offs[i] = z.local(fmt.Sprintf("e%d", i), 0, 0, nil, 0)
	}
	cd := uint32(z.b.Len())
	for i := range n {
		z.central(fmt.Sprintf("e%d", i), 0, 0, 0, 0, offs[i])
	}
	z.end(count, cd)
	return z.b.Bytes()
}
