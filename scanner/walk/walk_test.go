package walk_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/internal/fixture/dexfile"
	"github.com/sdkvet/sdkvet/internal/fixture/samples"
	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/walk"
)

func text(s string, n int) []byte {
	return []byte(strings.Repeat(s, n/len(s)+1)[:n])
}

// TestNested walks an APK inside an XAPK inside a plain zip: every entry is
// analyzed with its nested display path, container kind and exact content,
// and every archive is handed to the package analyzers with its kind.
func TestNested(t *testing.T) {
	dex := dexfile.Build(dexfile.Spec{Classes: []string{"com.tencent.mm.opensdk.openapi.WXAPIFactory"}})
	elf := fixture.ELF(fixture.ELFSpec{SOName: "libx.so"})
	apk := fixture.APK{
		Manifest: fixture.ManifestSpec{Package: "com.example.nested"},
		Dex:      [][]byte{dex},
		Native:   map[string][]byte{"lib/arm64-v8a/libx.so": elf},
	}.Bytes()
	xapk := fixture.Zip([]fixture.Entry{
		{Name: "manifest.json", Data: []byte(`{"package_name":"com.example.nested"}`)},
		{Name: "base.apk", Data: apk}, // deflated: inflated into memory
	})
	outer := fixture.Zip([]fixture.Entry{
		{Name: "readme.txt", Data: []byte("an outer zip holding an xapk\n")},
		{Name: "app.xapk", Data: xapk, Store: true}, // stored: read in place
	})
	r := &recorder{readAll: true}
	file, tgt, _ := walkData(t, "outer.zip", outer, testLimits(), r)
	if len(r.errs) != 0 {
		t.Fatalf("errors: %s", r.dumpErrs())
	}
	if tgt.Kind != filekind.Zip || tgt.Size != int64(len(outer)) {
		t.Errorf("target = %+v, want kind zip size %d", tgt, len(outer))
	}
	xp := file + "!/app.xapk"
	ap := xp + "!/base.apk"
	for _, want := range []struct {
		path      string
		kind      filekind.Kind
		container filekind.Kind
		name      string
		data      []byte
	}{
		{file + "!/readme.txt", filekind.Text, filekind.Zip, "readme.txt", []byte("an outer zip holding an xapk\n")},
		{xp + "!/manifest.json", filekind.Text, filekind.XAPK, "manifest.json", []byte(`{"package_name":"com.example.nested"}`)},
		{ap + "!/classes.dex", filekind.DEX, filekind.APK, "classes.dex", dex},
		{ap + "!/lib/arm64-v8a/libx.so", filekind.ELF, filekind.APK, "lib/arm64-v8a/libx.so", elf},
		{ap + "!/AndroidManifest.xml", filekind.AXML, filekind.APK, "AndroidManifest.xml", nil},
		{ap + "!/resources.arsc", filekind.ARSC, filekind.APK, "resources.arsc", nil},
	} {
		calls := r.callsFor(want.path)
		if len(calls) == 0 {
			t.Errorf("%s: not analyzed", want.path)
			continue
		}
		for _, c := range calls {
			if c.File.Kind != want.kind || c.File.Container != want.container || c.File.Name != want.name || c.File.Size != int64(len(c.Data)) {
				t.Errorf("%s (%s): file = %+v with %d bytes, want kind %s container %s name %s", want.path, c.Analyzer, c.File, len(c.Data), want.kind, want.container, want.name)
			}
			if want.data != nil && !bytes.Equal(c.Data, want.data) {
				t.Errorf("%s (%s): got %d bytes, want the %d bytes written", want.path, c.Analyzer, len(c.Data), len(want.data))
			}
		}
	}
	for _, want := range []struct {
		path string
		kind filekind.Kind
		size int
	}{{file, filekind.Zip, len(outer)}, {xp, filekind.XAPK, len(xapk)}, {ap, filekind.APK, len(apk)}} {
		p := r.pkg(want.path)
		if p == nil {
			t.Errorf("package %s not analyzed", want.path)
			continue
		}
		if p.Kind != want.kind || p.Size != int64(want.size) {
			t.Errorf("package %s: kind %s size %d, want %s %d", want.path, p.Kind, p.Size, want.kind, want.size)
		}
		if len(p.Failed) != 0 {
			t.Errorf("package %s: ReadFile failed: %v", want.path, p.Failed)
		}
	}
	if p := r.pkg(ap); p != nil && !bytes.Equal(p.Reads["classes.dex"], dex) {
		t.Errorf("ReadFile(classes.dex) in the nested APK did not return the DEX")
	}
	if len(r.pkgs) != 3 {
		t.Errorf("%d package calls, want 3", len(r.pkgs))
	}
}

// nest wraps inner in n levels of zip, each level also holding a text file
// named l<level>.txt; the innermost holds deep.txt.
func nest(levels int) []byte {
	z := fixture.Zip([]fixture.Entry{{Name: "deep.txt", Data: []byte("the deepest text file\n")}})
	for i := levels - 1; i >= 0; i-- {
		z = fixture.Zip([]fixture.Entry{
			{Name: fmt.Sprintf("l%d.txt", i), Data: []byte(fmt.Sprintf("text file at level %d\n", i))},
			{Name: fmt.Sprintf("l%d.zip", i+1), Data: z},
		})
	}
	return z
}

// TestMaxDepth nests archives one level deeper than MaxDepth: the deepest
// archive is refused with an error that names --max-depth, and every
// shallower entry is still analyzed. At exactly MaxDepth nothing is refused.
func TestMaxDepth(t *testing.T) {
	const maxDepth = 2
	lim := testLimits()
	lim.MaxDepth = maxDepth
	// The file is at depth 0; l1.zip at 1, l2.zip at 2, l3.zip at 3.
	r := &recorder{}
	file, _, _ := walkData(t, "deep.zip", nest(maxDepth+1), lim, r)
	refused := file + "!/l1.zip!/l2.zip!/l3.zip"
	errs := r.errsFor(refused)
	if len(errs) != 1 || !errors.Is(errs[0], walk.ErrLimit) || !strings.Contains(errs[0].Error(), "--max-depth") {
		t.Fatalf("errors for %s = %v, want one --max-depth limit error; all errors: %s", refused, errs, r.dumpErrs())
	}
	if len(r.errs) != 1 {
		t.Errorf("unexpected errors: %s", r.dumpErrs())
	}
	for _, p := range []string{file + "!/l0.txt", file + "!/l1.zip!/l1.txt", file + "!/l1.zip!/l2.zip!/l2.txt"} {
		if len(r.callsFor(p)) == 0 {
			t.Errorf("%s not analyzed", p)
		}
	}
	if c := r.callsFor(refused + "!/deep.txt"); len(c) != 0 {
		t.Errorf("an entry of the refused archive was analyzed")
	}
	if r.pkg(refused) != nil {
		t.Errorf("the refused archive was given to package analyzers")
	}

	r = &recorder{}
	file, _, _ = walkData(t, "limit.zip", nest(maxDepth), lim, r)
	if len(r.errs) != 0 {
		t.Errorf("at exactly --max-depth: %s", r.dumpErrs())
	}
	if len(r.callsFor(file+"!/l1.zip!/l2.zip!/deep.txt")) == 0 {
		t.Errorf("the deepest entry at exactly --max-depth was not analyzed")
	}
}

// TestMaxEntries refuses an archive with more entries than MaxEntries
// before reading any entry; at exactly the limit every entry is analyzed.
func TestMaxEntries(t *testing.T) {
	lim := testLimits()
	lim.MaxEntries = 10
	mk := func(n int) []byte {
		var es []fixture.Entry
		for i := range n {
			es = append(es, fixture.Entry{Name: fmt.Sprintf("f%02d.txt", i), Data: []byte(fmt.Sprintf("text entry %d\n", i))})
		}
		return fixture.Zip(es)
	}
	r := &recorder{}
	file, _, _ := walkData(t, "many.zip", mk(11), lim, r)
	errs := r.errsFor(file)
	if len(errs) != 1 || !errors.Is(errs[0], walk.ErrLimit) || !strings.Contains(errs[0].Error(), "11 entries") || !strings.Contains(errs[0].Error(), "--max-entries") {
		t.Fatalf("errors = %s, want one --max-entries error for the archive", r.dumpErrs())
	}
	if len(r.files) != 0 || len(r.pkgs) != 0 {
		t.Errorf("refused archive: %d file and %d package analyzer calls, want none", len(r.files), len(r.pkgs))
	}

	r = &recorder{}
	_, _, _ = walkData(t, "ten.zip", mk(10), lim, r)
	if len(r.errs) != 0 {
		t.Errorf("at exactly --max-entries: %s", r.dumpErrs())
	}
	if n := len(r.files); n != 20 { // each text entry goes to both analyzers
		t.Errorf("%d analyzer calls, want 20", n)
	}
}

// TestMaxEntriesCountModulo has an end record that says 5 entries while
// the central directory holds 65536+5; archive/zip compares the two only
// modulo 65536, so the walker must count the entries it actually got.
func TestMaxEntriesCountModulo(t *testing.T) {
	lim := testLimits()
	lim.MaxEntries = 10
	r := &recorder{}
	file, _, _ := walkData(t, "wrapped.zip", emptyEntriesZip(65536+5, 5), lim, r)
	if !r.anyErr(file, "--max-entries") {
		t.Errorf("no --max-entries error; errors: %s", r.dumpErrs())
	}
	if len(r.pkgs) != 0 {
		t.Errorf("package analyzers saw %d names", len(r.pkgs[0].Names))
	}
}

// TestMaxEntrySize refuses an entry by its declared size before inflating
// it; an entry of exactly the limit is analyzed. A top-level file over the
// limit is refused to Bytes analyzers but still streamed.
func TestMaxEntrySize(t *testing.T) {
	lim := testLimits()
	lim.MaxEntrySize = 4096
	big, ok := text("big text entry ", 5000), text("ok text entry ", 4096)
	r := &recorder{}
	file, _, _ := walkData(t, "sizes.zip", fixture.Zip([]fixture.Entry{{Name: "big.txt", Data: big}, {Name: "ok.txt", Data: ok}}), lim, r)
	errs := r.errsFor(file + "!/big.txt")
	if len(errs) != 1 || !errors.Is(errs[0], walk.ErrLimit) || !strings.Contains(errs[0].Error(), "declares 5000 bytes") || !strings.Contains(errs[0].Error(), "--max-entry-size") {
		t.Errorf("errors for big.txt = %v, want one --max-entry-size error", errs)
	}
	if c := r.callsFor(file + "!/big.txt"); len(c) != 0 {
		t.Errorf("big.txt was analyzed %d times", len(c))
	}
	calls := r.callsFor(file + "!/ok.txt")
	if len(calls) != 2 {
		t.Fatalf("ok.txt: %d calls, want 2 (bytes and stream); errors: %s", len(calls), r.dumpErrs())
	}
	for _, c := range calls {
		if !bytes.Equal(c.Data, ok) || c.Err != nil {
			t.Errorf("ok.txt (%s): %d bytes, err %v", c.Analyzer, len(c.Data), c.Err)
		}
	}
	if len(r.errs) != 1 {
		t.Errorf("unexpected errors: %s", r.dumpErrs())
	}

	// A plain file on disk over the limit.
	r = &recorder{}
	file, _, _ = walkData(t, "big.txt", big, lim, r)
	if errs := r.errsFor(file); len(errs) != 1 || !errors.Is(errs[0], walk.ErrLimit) || !strings.Contains(errs[0].Error(), "--max-entry-size") {
		t.Errorf("file over the limit: errors = %v, want one --max-entry-size error", errs)
	}
	calls = r.callsFor(file)
	if len(calls) != 1 || calls[0].Analyzer != "stream" || !bytes.Equal(calls[0].Data, big) {
		t.Errorf("file over the limit: calls = %d, want only the stream analyzer with all %d bytes", len(calls), len(big))
	}
}

// TestMaxRatio refuses a large entry whose compression ratio is above
// MaxRatio; small entries (up to 1 MiB) are exempt, and a large entry with
// a low ratio is analyzed.
func TestMaxRatio(t *testing.T) {
	lim := testLimits()
	lim.MaxRatio = 100
	zeros := make([]byte, 2<<20)
	small := make([]byte, 1<<20) // exactly 1 MiB: exempt
	noise := make([]byte, 2<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	r := &recorder{}
	file, _, _ := walkData(t, "ratio.zip", fixture.Zip([]fixture.Entry{
		{Name: "zeros.bin", Data: zeros},
		{Name: "small.bin", Data: small},
		{Name: "noise.bin", Data: noise, Store: true},
	}), lim, r)
	errs := r.errsFor(file + "!/zeros.bin")
	if len(errs) != 1 || !errors.Is(errs[0], walk.ErrLimit) || !strings.Contains(errs[0].Error(), "--max-ratio") {
		t.Errorf("errors for zeros.bin = %v, want one --max-ratio error", errs)
	}
	if c := r.callsFor(file + "!/zeros.bin"); len(c) != 0 {
		t.Errorf("zeros.bin was analyzed")
	}
	for name, want := range map[string][]byte{"small.bin": small, "noise.bin": noise} {
		c := r.callsFor(file + "!/" + name)
		if len(c) != 1 || !bytes.Equal(c[0].Data, want) || c[0].Err != nil {
			t.Errorf("%s: %d calls, want one with all %d bytes", name, len(c), len(want))
		}
	}
	if len(r.errs) != 1 {
		t.Errorf("unexpected errors: %s", r.dumpErrs())
	}
}

// TestMaxTotal spreads more inflated bytes than MaxTotal over several
// entries: the entries read before the budget runs out are analyzed in
// full, the rest fail with a --max-total error, and no analyzer ever gets
// more bytes in total than the budget.
func TestMaxTotal(t *testing.T) {
	lim := testLimits()
	lim.MaxTotal = 64 << 10
	var es []fixture.Entry
	for i := range 6 {
		es = append(es, fixture.Entry{Name: fmt.Sprintf("t%d.txt", i), Data: text(fmt.Sprintf("entry %d of the budget test; ", i), 16<<10)})
	}
	r := &recorder{}
	file := filepath.Join(t.TempDir(), "total.zip")
	if err := os.WriteFile(file, fixture.Zip(es), 0o644); err != nil {
		t.Fatal(err)
	}
	w := &walk.Walker{Limits: lim, Registry: r.registry(), Workers: 1} // one worker: entries in order
	if _, err := w.Walk(context.Background(), file, r); err != nil {
		t.Fatal(err)
	}
	// t0: 512-byte sniff + 16 KiB (bytes) + 16 KiB (stream); t1 crosses 64 KiB.
	first := r.callsFor(file + "!/t0.txt")
	if len(first) != 2 {
		t.Fatalf("t0.txt: %d calls, want 2; errors: %s", len(first), r.dumpErrs())
	}
	for _, c := range first {
		if !bytes.Equal(c.Data, es[0].Data) || c.Err != nil {
			t.Errorf("t0.txt (%s): %d bytes, err %v", c.Analyzer, len(c.Data), c.Err)
		}
	}
	if !r.anyErr(file+"!/t5.txt", "--max-total") {
		t.Errorf("no --max-total error for the last entry; errors: %s", r.dumpErrs())
	}
	var delivered int
	for _, c := range r.files {
		if c.Err == nil {
			delivered += len(c.Data)
		}
		if c.Analyzer == "bytes" && int64(len(c.Data)) != c.File.Size {
			t.Errorf("%s: Bytes analyzer got %d of %d bytes", c.File.Path, len(c.Data), c.File.Size)
		}
	}
	if int64(delivered) > lim.MaxTotal {
		t.Errorf("analyzers received %d bytes, more than --max-total %d", delivered, lim.MaxTotal)
	}
	for _, e := range r.errs {
		if !errors.Is(e.Err, walk.ErrLimit) {
			t.Errorf("%s: %v is not a limit error", e.Path, e.Err)
		}
	}
}

// TestBomb walks the 10 GiB zip bombs, honest and lying about their size:
// each is refused at once, the error names assets/data.bin, nothing
// receives more than the declared size, and the DEX next to it is analyzed.
func TestBomb(t *testing.T) {
	for _, honest := range []bool{true, false} {
		t.Run(fmt.Sprintf("honest=%v", honest), func(t *testing.T) {
			s := samples.Bomb(honest)
			r := &recorder{readAll: true}
			lim := walk.DefaultLimits()
			file, _, elapsed := walkData(t, s.Name, s.Data, lim, r)
			if elapsed > 2*time.Second {
				t.Errorf("walk took %v", elapsed)
			}
			bomb := file + "!/assets/data.bin"
			errs := r.errsFor(bomb)
			if len(errs) == 0 {
				t.Fatalf("no error for %s; errors: %s", bomb, r.dumpErrs())
			}
			if honest && (!errors.Is(errs[0], walk.ErrLimit) || !strings.Contains(errs[0].Error(), "--max-entry-size")) {
				t.Errorf("honest bomb: %v, want a --max-entry-size limit error", errs)
			}
			for _, c := range r.callsFor(bomb) {
				if honest || len(c.Data) > 1<<20 || c.Err == nil {
					t.Errorf("bomb entry reached %s analyzer with %d bytes (err %v)", c.Analyzer, len(c.Data), c.Err)
				}
			}
			dex := r.callsFor(file + "!/classes.dex")
			if len(dex) != 1 || dex[0].File.Kind != filekind.DEX || dex[0].File.Container != filekind.APK {
				t.Errorf("classes.dex: calls %+v, want one DEX call in an APK", dex)
			}
			p := r.pkg(file)
			if p == nil {
				t.Fatal("package analyzer not called")
			}
			if p.Failed["assets/data.bin"] == nil {
				t.Errorf("ReadFile(assets/data.bin) returned %d bytes without error", len(p.Reads["assets/data.bin"]))
			}
			if len(p.Reads["classes.dex"]) == 0 {
				t.Errorf("ReadFile(classes.dex) failed: %v", p.Failed["classes.dex"])
			}
			for _, e := range r.errs {
				if !strings.HasSuffix(e.Path, "!/assets/data.bin") {
					t.Errorf("error for another entry: %s: %v", e.Path, e.Err)
				}
			}
		})
	}
}

// TestOverlappingBomb walks a zip whose 100 central directory entries all
// point at one local header and deflated megabyte: the first is read once,
// the 99 that share its data are refused as an overlapping bomb.
func TestOverlappingBomb(t *testing.T) {
	r := &recorder{readAll: true}
	data := overlapZip(t, 100, make([]byte, 1<<20))
	file, _, elapsed := walkData(t, "overlap.zip", data, walk.DefaultLimits(), r)
	if elapsed > 2*time.Second {
		t.Errorf("walk took %v", elapsed)
	}
	if !r.anyErr(file+"!/f", "overlapping") {
		t.Fatalf("no overlapping error for an entry; errors: %s", r.dumpErrs())
	}
	if len(r.errs) != 1 {
		t.Errorf("want exactly one error: %s", r.dumpErrs())
	}
	if !errors.Is(r.errs[0].Err, walk.ErrLimit) {
		t.Errorf("%v is not a limit error", r.errs[0].Err)
	}
	if len(r.files) != 1 {
		t.Errorf("%d file analyzer calls, want the first entry only", len(r.files))
	}
}

// recursiveStoredBomb nests levels archives, each holding fanout stored
// entries that all point at one local header whose data is the next
// archive; the innermost holds one text file. A walker that re-reads every
// entry visits fanout^levels text files from a few kilobytes.
func recursiveStoredBomb(levels, fanout int) []byte {
	inner := fixture.Zip([]fixture.Entry{{Name: "leaf.txt", Data: []byte("the leaf of a recursive bomb\n")}})
	for range levels {
		var z zipWriter
		crc := crc32.ChecksumIEEE(inner)
		off := z.local("n", 0, crc, inner, uint32(len(inner)))
		cd := uint32(z.b.Len())
		for i := range fanout {
			z.central(fmt.Sprintf("e%03d.zip", i), 0, crc, uint32(len(inner)), uint32(len(inner)), off)
		}
		z.end(uint16(fanout), cd)
		inner = z.b.Bytes()
	}
	return inner
}

// TestRecursiveStoredBomb: stored nested archives are read in place and
// their bytes are not charged to any budget, and the overlap check runs
// only when the declared sizes are huge, so archives whose entries share
// one stored inner archive multiply: 40^4 = 2.56M leaves from ~10 KB.
func TestRecursiveStoredBomb(t *testing.T) {
	data := recursiveStoredBomb(4, 40)
	lim := walk.DefaultLimits()
	lim.MaxTime = 10 * time.Second
	r := &recorder{}
	_, _, elapsed := walkData(t, "recursive.zip", data, lim, r)
	t.Logf("%d bytes: %v, %d analyzer calls, %d errors", len(data), elapsed, len(r.files), len(r.errs))
	if elapsed > 2*time.Second {
		t.Errorf("walk of a %d-byte file took %v", len(data), elapsed)
	}
	if len(r.files) > 10_000 {
		t.Errorf("%d analyzer calls for a %d-byte file", len(r.files), len(data))
	}
}

// TestStoredNestedInPlace checks that a stored APK inside a zip is read in
// place: walking it allocates far less than the 16 MiB entry it holds,
// the package analyzer's ReaderAt gives exactly the inner APK's bytes, and
// the entries of the inner APK are analyzed.
func TestStoredNestedInPlace(t *testing.T) {
	media := make([]byte, 16<<20)
	copy(media, "\x00\x00\x00\x18ftypmp42") // sniffed as media: nobody reads it
	dex := dexfile.Build(dexfile.Spec{Classes: []string{"com.example.Inner"}})
	apk := fixture.APK{
		Manifest:   fixture.ManifestSpec{Package: "com.example.inner"},
		Dex:        [][]byte{dex},
		StoreMedia: []fixture.Entry{{Name: "res/raw/video.mp4", Data: media}},
	}.Bytes()
	outer := fixture.Zip([]fixture.Entry{{Name: "inner.apk", Data: apk, Store: true}})
	file := filepath.Join(t.TempDir(), "outer.zip")
	if err := os.WriteFile(file, outer, 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{hashRaw: true}
	w := &walk.Walker{Limits: testLimits(), Registry: r.registry(), Workers: 1}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := w.Walk(context.Background(), file, r); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("walking a stored 16 MiB nested APK allocated %d bytes: was it inflated into memory?", alloc)
	}
	if len(r.errs) != 0 {
		t.Errorf("errors: %s", r.dumpErrs())
	}
	inner := file + "!/inner.apk"
	if c := r.callsFor(inner + "!/classes.dex"); len(c) != 1 || !bytes.Equal(c[0].Data, dex) {
		t.Errorf("the DEX in the stored APK was not analyzed")
	}
	p := r.pkg(inner)
	if p == nil || p.Kind != filekind.APK {
		t.Fatalf("inner APK package call = %+v", p)
	}
	if p.Size != int64(len(apk)) || p.Sum != sha256.Sum256(apk) {
		t.Errorf("the inner APK's ReaderAt gives %d bytes that differ from the %d-byte APK", p.Size, len(apk))
	}
}

// TestDuplicateNames reports a duplicate entry name and analyzes both;
// ReadFile returns the first, as the error says Android does.
func TestDuplicateNames(t *testing.T) {
	a, b := []byte("first config entry\n"), []byte("second config entry\n")
	r := &recorder{readAll: true}
	file, _, _ := walkData(t, "dup.zip", fixture.Zip([]fixture.Entry{
		{Name: "assets/config.txt", Data: a},
		{Name: "assets/other.txt", Data: []byte("another text file\n")},
		{Name: "assets/config.txt", Data: b},
	}), testLimits(), r)
	p := file + "!/assets/config.txt"
	errs := r.errsFor(p)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "duplicate") {
		t.Errorf("errors for %s = %v, want one duplicate-name error", p, errs)
	}
	var got [][]byte
	for _, c := range r.callsFor(p) {
		if c.Analyzer == "bytes" {
			got = append(got, c.Data)
		}
	}
	slices.SortFunc(got, bytes.Compare)
	if len(got) != 2 || !bytes.Equal(got[0], a) || !bytes.Equal(got[1], b) {
		t.Errorf("analyzed contents = %q, want both %q and %q", got, a, b)
	}
	pk := r.pkg(file)
	if pk == nil || !bytes.Equal(pk.Reads["assets/config.txt"], a) {
		t.Errorf("ReadFile(assets/config.txt) did not return the first entry")
	}
	if len(r.errs) != 1 {
		t.Errorf("unexpected errors: %s", r.dumpErrs())
	}
}

// TestHostileNames walks entries named with .., absolute paths, control
// characters and invalid UTF-8: their display paths are printable (control
// characters escaped as in a Go string literal), they are analyzed, and
// nothing is written to disk.
func TestHostileNames(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	uniq := fmt.Sprintf("sdkvet-walk-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	names := []string{
		"../../../../../../../../tmp/" + uniq + ".txt",
		"/tmp/" + uniq + "-abs.txt",
		"..\\..\\" + uniq + "-win.txt",
		"dir/evil\x1b[2J\r\nname\x7f.txt",
		"bad-utf8-\xff\xfe.txt",
		"nul\x00byte.txt",
	}
	var es []fixture.Entry
	for i, n := range names {
		es = append(es, fixture.Entry{Name: n, Data: []byte(fmt.Sprintf("hostile name number %d\n", i))})
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "names.zip")
	if err := os.WriteFile(file, fixture.Zip(es), 0o644); err != nil {
		t.Fatal(err)
	}
	cwd, _ := os.Getwd()
	r := &recorder{}
	w := &walk.Walker{Limits: testLimits(), Registry: r.registry()}
	if _, err := w.Walk(context.Background(), file, r); err != nil {
		t.Fatal(err)
	}
	for _, p := range r.allPaths() {
		if !safePath(p) {
			t.Errorf("unsafe display path %q", p)
		}
	}
	for i, n := range names {
		q := strconv.Quote(n)
		want := file + "!/" + q[1:len(q)-1]
		if safePath(n) {
			want = file + "!/" + n
		}
		calls := r.callsFor(want)
		if len(calls) == 0 {
			t.Errorf("entry %q: no call with path %q", n, want)
		}
		for _, c := range calls {
			if c.File.Name != n || !bytes.Equal(c.Data, es[i].Data) {
				t.Errorf("entry %q: name %q, data %q", n, c.File.Name, c.Data)
			}
		}
		candidates := []string{filepath.Join(cwd, n), filepath.Join(dir, n), filepath.Join(tmp, n)}
		if filepath.IsAbs(n) {
			candidates = append(candidates, n)
		}
		for _, c := range candidates {
			if _, err := os.Lstat(c); err == nil {
				t.Errorf("%s exists after the walk", c)
			}
		}
	}
	if len(r.errs) != 0 {
		t.Errorf("errors: %s", r.dumpErrs())
	}
	for _, d := range []string{tmp, dir} {
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range ents {
			got = append(got, e.Name())
		}
		want := []string{}
		if d == dir {
			want = []string{"names.zip"}
		}
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s holds %q after the walk, want %q", d, got, want)
		}
	}
}

// TestTruncated cuts a zip in the middle of its central directory: the
// walker reports a read error for the archive and analyzes nothing.
func TestTruncated(t *testing.T) {
	apk := fixture.APK{
		Manifest: fixture.ManifestSpec{Package: "com.example.cut"},
		Dex:      [][]byte{dexfile.Build(dexfile.Spec{Classes: []string{"com.example.Cut"}})},
		Assets:   map[string][]byte{"assets/a.txt": []byte("some text asset\n"), "assets/b.txt": []byte("another text asset\n")},
	}.Bytes()
	cd := bytes.Index(apk, []byte("PK\x01\x02"))
	eocd := bytes.LastIndex(apk, []byte("PK\x05\x06"))
	if cd < 0 || eocd < cd {
		t.Fatal("no central directory in the fixture")
	}
	mid := cd + (eocd-cd)/2

	t.Run("cut", func(t *testing.T) {
		r := &recorder{}
		file, tgt, _ := walkData(t, "cut.apk", apk[:mid], testLimits(), r)
		errs := r.errsFor(file)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "read zip") || !strings.Contains(errs[0].Error(), "end of central directory") {
			t.Errorf("errors = %s, want one read-zip error about the end of central directory", r.dumpErrs())
		}
		if tgt.Kind != filekind.Zip {
			t.Errorf("target kind %s, want zip", tgt.Kind)
		}
		if len(r.files) != 0 || len(r.pkgs) != 0 {
			t.Errorf("%d file and %d package calls on a truncated zip", len(r.files), len(r.pkgs))
		}
	})
	t.Run("hole", func(t *testing.T) {
		// The end record survives, the second half of the directory does not.
		holed := append(append([]byte(nil), apk[:mid]...), apk[eocd:]...)
		r := &recorder{}
		file, _, _ := walkData(t, "hole.apk", holed, testLimits(), r)
		errs := r.errsFor(file)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "read zip") {
			t.Errorf("errors = %s, want one read-zip error", r.dumpErrs())
		}
		if len(r.files) != 0 {
			t.Errorf("%d file calls on a broken zip", len(r.files))
		}
	})
}

// TestMaxTime: an analyzer that waits for its context makes the walk
// return soon after MaxTime with a --max-time error.
func TestMaxTime(t *testing.T) {
	lim := testLimits()
	lim.MaxTime = 300 * time.Millisecond
	var es []fixture.Entry
	for i := range 8 {
		es = append(es, fixture.Entry{Name: fmt.Sprintf("t%d.txt", i), Data: []byte(fmt.Sprintf("a text entry, number %d\n", i))})
	}
	file := filepath.Join(t.TempDir(), "slow.zip")
	if err := os.WriteFile(file, fixture.Zip(es), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	started := make(chan struct{}, len(es))
	reg := analyze.NewRegistry([]analyze.FileAnalyzer{{Name: "block", Kinds: []filekind.Kind{filekind.Text},
		Bytes: func(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
			started <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}}}, nil)
	w := &walk.Walker{Limits: lim, Registry: reg, Workers: 2}
	start := time.Now()
	if _, err := w.Walk(context.Background(), file, r); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if elapsed < lim.MaxTime || elapsed > lim.MaxTime+2*time.Second {
		t.Errorf("walk returned after %v, want soon after %v", elapsed, lim.MaxTime)
	}
	errs := r.errsFor(file)
	if len(errs) != 1 || !errors.Is(errs[0], walk.ErrLimit) || !strings.Contains(errs[0].Error(), "--max-time") {
		t.Errorf("errors for the target = %v, want one --max-time error; all: %s", errs, r.dumpErrs())
	}
	if n := len(started); n == 0 || n > 2 {
		t.Errorf("%d analyzer calls started, want 1 or 2 (the workers) and none after the deadline", n)
	}
}

// TestFiles lists a tree with a symlink loop and symlinks out of the tree:
// neither is followed, every regular file is listed, sorted. A symlink to
// a directory named as the root is followed once.
func TestFiles(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	mk := func(p string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk(filepath.Join(root, "b.apk"))
	mk(filepath.Join(root, "a", "z.apk"))
	mk(filepath.Join(root, "a", "b", "c.xapk"))
	mk(filepath.Join(outside, "secret.apk"))
	for link, target := range map[string]string{
		filepath.Join(root, "loop"):            root,
		filepath.Join(root, "a", "b", "up"):    "..",
		filepath.Join(root, "a", "self"):       "self",
		filepath.Join(root, "out"):             outside,
		filepath.Join(root, "secret.apk"):      filepath.Join(outside, "secret.apk"),
		filepath.Join(root, "a", "dangling"):   filepath.Join(outside, "missing"),
		filepath.Join(root, "a", "b", "z.apk"): "../z.apk",
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		filepath.Join(root, "a", "b", "c.xapk"),
		filepath.Join(root, "a", "z.apk"),
		filepath.Join(root, "b.apk"),
	}
	done := make(chan struct{})
	var files []string
	var skipped []error
	var err error
	go func() {
		defer close(done)
		files, skipped, err = walk.Files(root)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Files did not return: a symlink loop was followed")
	}
	if err != nil || len(skipped) != 0 {
		t.Fatalf("Files: %v, skipped %v", err, skipped)
	}
	if !slices.Equal(files, want) {
		t.Errorf("Files = %q, want %q", files, want)
	}

	// The root itself named through a symlink.
	link := filepath.Join(t.TempDir(), "rootlink")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	files, _, err = walk.Files(link)
	if err != nil || len(files) != 3 || files[2] != filepath.Join(link, "b.apk") {
		t.Errorf("Files(symlink to root) = %q, %v", files, err)
	}
	// A regular file is listed as itself; a symlink to one is followed.
	if files, _, err := walk.Files(filepath.Join(root, "secret.apk")); err != nil || !slices.Equal(files, []string{filepath.Join(root, "secret.apk")}) {
		t.Errorf("Files(file symlink) = %q, %v", files, err)
	}
	if _, _, err := walk.Files(filepath.Join(root, "a", "dangling")); err == nil {
		t.Errorf("Files(dangling symlink): no error")
	}
}

// TestWalkNotRegular refuses a plain directory (not an iOS bundle) and a
// missing file with an error.
func TestWalkNotRegular(t *testing.T) {
	r := &recorder{}
	w := &walk.Walker{Limits: testLimits(), Registry: r.registry()}
	if _, err := w.Walk(context.Background(), t.TempDir(), r); err == nil || !strings.Contains(err.Error(), "not a bundle") {
		t.Errorf("Walk(dir) = %v", err)
	}
	if _, err := w.Walk(context.Background(), filepath.Join(t.TempDir(), "missing"), r); err == nil {
		t.Errorf("Walk(missing): no error")
	}
}

// TestAnalyzerPanic: a panicking analyzer becomes an error for its entry
// and the other entries are still analyzed.
func TestAnalyzerPanic(t *testing.T) {
	r := &recorder{}
	reg := analyze.NewRegistry([]analyze.FileAnalyzer{{Name: "boom", Kinds: []filekind.Kind{filekind.Text},
		Bytes: func(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
			if strings.Contains(f.Name, "panic") {
				panic("kaboom")
			}
			out.String(f.Path, string(data), 0)
			return nil
		}}}, nil)
	file := filepath.Join(t.TempDir(), "p.zip")
	os.WriteFile(file, fixture.Zip([]fixture.Entry{{Name: "panic.txt", Data: []byte("this one panics\n")}, {Name: "ok.txt", Data: []byte("this one is fine\n")}}), 0o644)
	w := &walk.Walker{Limits: testLimits(), Registry: reg}
	if _, err := w.Walk(context.Background(), file, r); err != nil {
		t.Fatal(err)
	}
	if errs := r.errsFor(file + "!/panic.txt"); len(errs) != 1 || !strings.Contains(errs[0].Error(), "kaboom") {
		t.Errorf("errors = %s", r.dumpErrs())
	}
	if len(r.strs) != 1 || r.strs[0].Path != file+"!/ok.txt" {
		t.Errorf("strings = %+v", r.strs)
	}
}
