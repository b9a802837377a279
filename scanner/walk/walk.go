package walk

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/sourcetree"
)

// Walker walks one target at a time.
type Walker struct {
	Limits   Limits
	Registry *analyze.Registry
	// Workers is how many entries are inflated and analyzed at once
	// (default: GOMAXPROCS).
	Workers int
}

// Target is what the walker learned about the top-level file.
type Target struct {
	Kind filekind.Kind
	Size int64
}

// Walk scans one file on disk. Errors for parts of the file go to out; the
// returned error means the file could not be opened at all.
func (w *Walker) Walk(ctx context.Context, name string, out analyze.Out) (Target, error) {
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		bundle := IsBundleDir(name)
		if !bundle && !IsSourceTree(name) {
			return Target{}, fmt.Errorf("%s: a directory that is not a bundle (.app, .framework, .xcframework, .appex) nor a source tree", name)
		}
		ctx, cancel := w.deadline(ctx)
		defer cancel()
		s := w.newSession(ctx, out)
		var kind filekind.Kind
		if bundle {
			kind = s.bundle(ctx, name)
		} else {
			kind = s.project(ctx, name)
		}
		s.reportStop(ctx, name)
		return Target{Kind: kind}, nil
	}
	f, err := OpenRegular(name)
	if err != nil {
		return Target{}, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Target{}, fmt.Errorf("stat %s: %w", name, err)
	}
	if !st.Mode().IsRegular() {
		return Target{}, fmt.Errorf("%s: not a regular file", name)
	}
	ctx, cancel := w.deadline(ctx)
	defer cancel()
	s := w.newSession(ctx, out)
	kind := s.node(ctx, name, path.Base(strings.ReplaceAll(name, `\`, "/")), f, st.Size(), 0, filekind.Unknown)
	s.reportStop(ctx, name)
	return Target{Kind: kind, Size: st.Size()}, nil
}

func (w *Walker) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if w.Limits.MaxTime > 0 {
		return context.WithTimeout(ctx, w.Limits.MaxTime)
	}
	return context.WithCancel(ctx)
}

func (w *Walker) newSession(ctx context.Context, out analyze.Out) *session {
	workers := w.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &session{ctx: ctx, w: w, out: out, budget: &budget{max: w.Limits.MaxTotal}, slots: make(chan struct{}, workers)}
}

// reportStop records why a walk ended early, if it did.
func (s *session) reportStop(ctx context.Context, name string) {
	switch err := ctx.Err(); {
	case errors.Is(err, context.DeadlineExceeded):
		s.out.Error(name, limitErr("scan stopped after %s (--max-time)", s.w.Limits.MaxTime))
	case err != nil:
		s.out.Error(name, fmt.Errorf("scan cancelled: %w", err))
	}
}

type session struct {
	ctx    context.Context // the target's deadline
	w      *Walker
	out    analyze.Out
	budget *budget
	slots  chan struct{} // bounds concurrent inflate+analyze work
}

// node handles one file: sniff, then either descend into an archive or run
// the analyzers that take its kind.
func (s *session) node(ctx context.Context, display, name string, r io.ReaderAt, size int64, depth int, container filekind.Kind) filekind.Kind {
	head := make([]byte, min(int64(filekind.HeadSize), size))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		s.out.Error(display, fmt.Errorf("read: %w", err))
		return filekind.Unknown
	}
	kind := filekind.Sniff(head)
	switch kind {
	case filekind.Zip:
		return s.archive(ctx, display, r, size, depth)
	case filekind.Ar:
		s.arArchive(ctx, display, r, size, depth)
		return kind
	}
	s.analyzeFile(ctx, &analyze.File{Path: display, Name: name, Kind: kind, Container: container, Size: size},
		func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(r, 0, size)), nil }, nil, size)
	return kind
}

// analyzeFile runs the analyzers that want f.Kind. open returns a fresh
// reader over the content; whole, when not nil, fills a buffer with the
// whole content in one call, faster than reading open's stream; want is
// the number of bytes either yields.
func (s *session) analyzeFile(ctx context.Context, f *analyze.File, open func() (io.ReadCloser, error), whole func([]byte) ([]byte, error), want int64) {
	as := s.w.Registry.For(f.Kind)
	if len(as) == 0 {
		return
	}
	var data []byte
	var pooled *[]byte
	defer func() {
		if pooled != nil {
			putBuffer(pooled)
		}
	}()
	for _, a := range as {
		if ctx.Err() != nil {
			return
		}
		var err error
		if a.Stream != nil {
			rc, oerr := open()
			if oerr != nil {
				s.out.Error(f.Path, oerr)
				return
			}
			err = safely(func() error { return a.Stream(ctx, f, rc, s.out) })
			rc.Close()
		} else {
			if data == nil {
				if want > s.w.Limits.MaxEntrySize {
					s.out.Error(f.Path, limitErr("%d bytes is more than the %d-byte entry limit (--max-entry-size)", want, s.w.Limits.MaxEntrySize))
					continue // Stream analyzers still run
				}
				pooled = getBuffer(want)
				if whole != nil {
					data, err = whole((*pooled)[:want])
				} else {
					rc, oerr := open()
					if oerr != nil {
						s.out.Error(f.Path, oerr)
						return
					}
					data, err = readInto(rc, (*pooled)[:want])
					rc.Close()
				}
				if err != nil {
					s.out.Error(f.Path, err)
					return
				}
			}
			// Analyzers must not keep data: the buffer is reused.
			err = safely(func() error { return a.Bytes(ctx, f, data, s.out) })
		}
		if err != nil {
			s.out.Error(f.Path, fmt.Errorf("%s: %w", a.Name, err))
		}
	}
}

// safely turns a panic in an analyzer into an error: one bad part must not
// stop the report of the rest.
func safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("analyzer panic: %v", r)
		}
	}()
	return fn()
}

// maxPooled is the largest buffer kept for reuse between entries.
const maxPooled = 64 << 20

var bufferPool sync.Pool // of *[]byte

// getBuffer returns a buffer of at least n bytes, reused when possible: a
// large app's DEX files and libraries would otherwise each cost a fresh,
// zeroed allocation.
func getBuffer(n int64) *[]byte {
	if bp, ok := bufferPool.Get().(*[]byte); ok && int64(cap(*bp)) >= n {
		*bp = (*bp)[:n]
		return bp
	} else if ok {
		bufferPool.Put(bp)
	}
	b := make([]byte, n)
	return &b
}

func putBuffer(bp *[]byte) {
	if cap(*bp) <= maxPooled {
		bufferPool.Put(bp)
	}
}

func readAllSized(r io.Reader, size int64) ([]byte, error) {
	return readInto(r, make([]byte, size))
}

// readInto fills buf from r and checks that r ends there.
func readInto(r io.Reader, buf []byte) ([]byte, error) {
	size := len(buf)
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return buf[:n], fmt.Errorf("truncated: read %d of %d bytes", n, size)
	}
	if err != nil {
		return buf[:n], err
	}
	// Drain to let archive/zip verify the CRC.
	var one [1]byte
	if m, err := r.Read(one[:]); m > 0 {
		return buf, errors.New("entry longer than its header says")
	} else if err != nil && err != io.EOF {
		return buf, err
	}
	return buf, nil
}

// flatePool recycles klauspost/compress inflaters, measurably faster than
// the standard library's on DEX and native libraries.
var flatePool sync.Pool

type pooledFlate struct{ io.ReadCloser }

func (p *pooledFlate) Close() error {
	fr := p.ReadCloser
	if fr == nil {
		return nil // closed already
	}
	p.ReadCloser = nil
	err := fr.Close()
	// Do not keep the source (possibly a large nested archive) alive
	// through the pool.
	if r, ok := fr.(flate.Resetter); ok && r.Reset(emptyReader, nil) == nil {
		flatePool.Put(fr)
	}
	return err
}

var emptyReader = bytes.NewReader(nil)

func newFlateReader(r io.Reader) io.ReadCloser {
	if fr, ok := flatePool.Get().(io.ReadCloser); ok {
		if err := fr.(flate.Resetter).Reset(r, nil); err == nil {
			return &pooledFlate{fr}
		}
	}
	return &pooledFlate{flate.NewReader(r)}
}

// archive walks a zip-based container.
func (s *session) archive(ctx context.Context, display string, r io.ReaderAt, size int64, depth int) filekind.Kind {
	if depth > s.w.Limits.MaxDepth {
		s.out.Error(display, limitErr("archive nested deeper than %d levels (--max-depth)", s.w.Limits.MaxDepth))
		return filekind.Zip
	}
	count, err := centralDirCount(r, size)
	if err != nil {
		s.out.Error(display, fmt.Errorf("read zip: %w", err))
		return filekind.Zip
	}
	if count > uint64(s.w.Limits.MaxEntries) {
		s.out.Error(display, limitErr("%d entries is more than the %d-entry limit (--max-entries)", count, s.w.Limits.MaxEntries))
		return filekind.Zip
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		s.out.Error(display, fmt.Errorf("read zip: %w", err))
		return filekind.Zip
	}
	if len(zr.File) > s.w.Limits.MaxEntries {
		// archive/zip checks the end record's count only modulo 65536.
		s.out.Error(display, limitErr("%d entries is more than the %d-entry limit (--max-entries)", len(zr.File), s.w.Limits.MaxEntries))
		return filekind.Zip
	}
	zr.RegisterDecompressor(zip.Deflate, newFlateReader)
	names := make([]string, 0, len(zr.File))
	byName := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		names = append(names, f.Name)
		if _, dup := byName[f.Name]; dup {
			s.out.Error(display+"!/"+printable(f.Name), errors.New("duplicate entry name: only the first is used by Android, both are analyzed"))
		} else {
			byName[f.Name] = f
		}
	}
	kind := filekind.ClassifyZip(names)
	// Entries whose data overlaps an earlier entry's are the trick behind
	// non-recursive zip bombs, and, stored, behind recursive fan-out: a
	// few kilobytes that nest forever. They are never read.
	shared, first := sharedData(zr.File)
	if len(shared) > 0 {
		s.out.Error(display+"!/"+printable(first.Name), limitErr("%d entries share compressed data with earlier entries (overlapping zip bomb); not read", len(shared)))
	}

	pkg := &zipPackage{s: s, display: display, kind: kind, r: r, size: size, zr: zr, names: names, byName: byName}
	for _, pa := range s.w.Registry.PackagesFor(kind) {
		if err := safely(func() error { return pa.Analyze(ctx, pkg, s.out) }); err != nil {
			s.out.Error(display, fmt.Errorf("%s: %w", pa.Name, err))
		}
	}

	members := make([]member, 0, len(zr.File))
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || shared[f] {
			continue
		}
		members = append(members, zipMember(display, f, r))
	}
	s.members(ctx, members, depth, kind)
	return kind
}

// member is one file inside a container: a zip entry, an ar member or a
// file of a bundle directory.
type member struct {
	name string
	// display is the member's nested display path.
	display string
	size    int64 // declared uncompressed size
	// compressed is the compressed size of a deflated entry, or -1 when the
	// content is stored as is.
	compressed int64
	// textAs, when set, is the kind given to the member if its content
	// sniffs as text (code, a build manifest or a document in a source tree).
	textAs filekind.Kind
	// bad, when set, is why the member cannot be read at all.
	bad error
	// open returns a fresh reader over the (uncompressed) content.
	open func() (io.ReadCloser, error)
	// inPlace, when set, gives the stored content without a copy.
	inPlace func() (io.ReaderAt, error)
	// zf and outer, for a deflated zip entry, let it be inflated whole.
	zf    *zip.File
	outer io.ReaderAt
}

// work estimates what reading the member costs: the bytes to inflate, or
// the stored size.
func (m member) work() int64 {
	if m.compressed >= 0 {
		return m.compressed
	}
	return m.size
}

func zipMember(display string, f *zip.File, outer io.ReaderAt) member {
	m := member{name: f.Name, display: display + "!/" + printable(f.Name), size: int64(f.UncompressedSize64), compressed: -1, open: f.Open}
	if f.UncompressedSize64 > 1<<62 {
		m.size = 1 << 62
	}
	switch f.Method {
	case zip.Store:
		if f.CompressedSize64 != f.UncompressedSize64 {
			// In-place reading would take bytes past the entry's data.
			m.bad = errors.New("stored entry whose compressed and uncompressed sizes differ")
			break
		}
		m.inPlace = func() (io.ReaderAt, error) {
			off, err := f.DataOffset()
			if err != nil {
				return nil, err
			}
			return io.NewSectionReader(outer, off, m.size), nil
		}
	case zip.Deflate:
		m.compressed = int64(min(f.CompressedSize64, 1<<62))
		m.zf, m.outer = f, outer
	default:
		m.bad = fmt.Errorf("unsupported compression method %d", f.Method)
	}
	return m
}

// members inflates and analyzes a container's members with a bounded pool.
// With more than one worker the members are handed out largest first, so
// that one big entry (an app's main executable) does not start last and
// leave the other workers idle while it is inflated.
func (s *session) members(ctx context.Context, ms []member, depth int, container filekind.Kind) {
	if cap(s.slots) > 1 {
		ms = slices.Clone(ms)
		slices.SortStableFunc(ms, func(a, b member) int { return cmp.Compare(b.work(), a.work()) })
	}
	ch := make(chan member)
	var wg sync.WaitGroup
	for i := 0; i < cap(s.slots); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range ch {
				s.entry(ctx, m, depth, container)
			}
		}()
	}
	for _, m := range ms {
		if ctx.Err() != nil {
			break
		}
		ch <- m
	}
	close(ch)
	wg.Wait()
}

// entry handles one member of a container.
func (s *session) entry(ctx context.Context, m member, depth int, container filekind.Kind) {
	p := m.display
	size := m.size
	if m.bad != nil {
		s.out.Error(p, m.bad)
		return
	}
	if size > s.w.Limits.MaxEntrySize {
		s.out.Error(p, limitErr("declares %d bytes, more than the %d-byte entry limit (--max-entry-size)", size, s.w.Limits.MaxEntrySize))
		return
	}
	if size > 1<<20 && m.compressed > 0 && size/m.compressed > s.w.Limits.MaxRatio {
		s.out.Error(p, limitErr("compression ratio %d:1 is above the %d:1 limit (--max-ratio); entry not inflated", size/m.compressed, s.w.Limits.MaxRatio))
		return
	}
	s.slots <- struct{}{}
	held := true
	release := func() {
		if held {
			<-s.slots
			held = false
		}
	}
	defer release()
	open := func() (io.ReadCloser, error) {
		rc, err := m.open()
		if err != nil {
			return nil, fmt.Errorf("open entry: %w", err)
		}
		return &limitedReader{rc: rc, s: s}, nil
	}
	var whole func([]byte) ([]byte, error)
	if m.zf != nil {
		whole = s.wholeDeflated(m.zf, m.outer)
	}
	rc, err := open()
	if err != nil {
		s.out.Error(p, err)
		return
	}
	head := make([]byte, min(int64(filekind.HeadSize), size))
	n, err := io.ReadFull(rc, head)
	rc.Close()
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		s.out.Error(p, fmt.Errorf("read entry: %w", err))
		return
	}
	kind := filekind.Sniff(head[:n])
	if kind == filekind.Text && m.textAs != "" {
		kind = m.textAs
	}
	if kind == filekind.Zip || kind == filekind.Ar {
		// A stored nested container is read in place; a compressed one is
		// inflated into memory (bounded by the entry limit).
		var inner io.ReaderAt
		if m.inPlace != nil {
			if inner, err = m.inPlace(); err != nil {
				s.out.Error(p, err)
				return
			}
		} else if whole != nil {
			data, err := whole(make([]byte, size))
			if err != nil {
				s.out.Error(p, err)
				return
			}
			inner = bytes.NewReader(data)
		} else {
			rc, err := open()
			if err != nil {
				s.out.Error(p, err)
				return
			}
			data, err := readAllSized(rc, size)
			rc.Close()
			if err != nil {
				s.out.Error(p, err)
				return
			}
			inner = bytes.NewReader(data)
		}
		release() // children take their own slots
		if kind == filekind.Ar {
			s.arArchive(ctx, p, inner, size, depth+1)
		} else {
			s.archive(ctx, p, inner, size, depth+1)
		}
		return
	}
	s.analyzeFile(ctx, &analyze.File{Path: p, Name: m.name, Kind: kind, Container: container, Size: size}, open, whole, size)
}

// limitedReader charges inflated bytes to the target's budget.
type limitedReader struct {
	rc io.ReadCloser
	s  *session
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if err := l.s.ctx.Err(); err != nil {
		return 0, err // --max-time also stops a long inflate
	}
	n, err := l.rc.Read(p)
	if n > 0 {
		if berr := l.s.budget.take(int64(n)); berr != nil {
			return 0, berr // drop the bytes: io.ReadFull ignores an error that comes with the last bytes it wants
		}
	}
	return n, err
}

func (l *limitedReader) Close() error { return l.rc.Close() }

// zipPackage gives package analyzers access to a whole archive.
type zipPackage struct {
	s       *session
	display string
	kind    filekind.Kind
	r       io.ReaderAt
	size    int64
	zr      *zip.Reader
	names   []string
	byName  map[string]*zip.File
}

func (z *zipPackage) Path() string                   { return z.display }
func (z *zipPackage) EntryPath(name string) string   { return z.display + "!/" + printable(name) }
func (z *zipPackage) Kind() filekind.Kind            { return z.kind }
func (z *zipPackage) Names() []string                { return z.names }
func (z *zipPackage) ReaderAt() (io.ReaderAt, int64) { return z.r, z.size }

func (z *zipPackage) ReadFile(name string) ([]byte, error) {
	f, ok := z.byName[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	if f.UncompressedSize64 > uint64(z.s.w.Limits.MaxEntrySize) {
		return nil, limitErr("%s declares %d bytes, more than the %d-byte entry limit", name, f.UncompressedSize64, z.s.w.Limits.MaxEntrySize)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer rc.Close()
	return readAllSized(&limitedReader{rc: rc, s: z.s}, int64(f.UncompressedSize64))
}

// printable makes an entry name safe to print: control characters and
// invalid UTF-8 are escaped (names are attacker-controlled).
func printable(name string) string {
	clean := true
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			clean = false
			break
		}
	}
	if !clean {
		q := fmt.Sprintf("%q", name)
		name = q[1 : len(q)-1]
	}
	// "!/" separates nesting levels in a display path; one inside a name
	// would make the path ambiguous.
	return strings.ReplaceAll(name, "!/", `!\/`)
}

// Files lists the targets under root (a file or a directory): regular files,
// iOS bundle directories (.app, .framework, ...) and app source trees, which
// are one target each; symbolic links inside root are not followed. Sorted
// by path. Unreadable subdirectories are reported in skipped and do not stop
// the listing.
//
// A folder is a source tree when it holds a build file (build.gradle,
// Podfile, package.json, ...), an Xcode project or src/main/AndroidManifest.xml.
// root itself is also one source tree when code or build manifests lie
// anywhere in it outside such project folders; otherwise (a folder of
// packages) every package is its own target.
func Files(root string) (files []string, skipped []error, err error) {
	st, err := os.Stat(root) // a symlink named on the command line is followed once
	if err != nil {
		return nil, nil, err
	}
	if st.Mode().IsRegular() || (st.IsDir() && (IsBundleDir(root) || sourcetree.IsProjectDir(root))) {
		return []string{root}, nil, nil
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("%s: not a regular file or directory", root)
	}
	looseSource := false
	err = fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			skipped = append(skipped, fmt.Errorf("%s: %w", path.Join(root, p), err))
			return nil
		}
		switch {
		case d.IsDir() && p != "." && IsBundleDir(p):
			files = append(files, path.Join(root, p)) // one package; not descended into
			return fs.SkipDir
		case d.IsDir() && p != "." && sourcetree.IsProjectDir(path.Join(root, p)):
			files = append(files, path.Join(root, p)) // one source tree
			return fs.SkipDir
		case d.Type().IsRegular():
			if sourcetree.IsSourceFile(p) {
				looseSource = true
			}
			files = append(files, path.Join(root, p))
		}
		return nil
	})
	if looseSource && err == nil {
		// Code outside any project folder: the folder is one source
		// tree, and its packages and projects are its members.
		return []string{root}, skipped, nil
	}
	sort.Strings(files)
	return files, skipped, err
}
