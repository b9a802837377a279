package walk_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/internal/fixture/dexfile"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/walk"
)

// fuzzLimits are small limits that keep one fuzz input cheap.
func fuzzLimits() walk.Limits {
	return walk.Limits{
		MaxDepth:     3,
		MaxEntries:   1000,
		MaxEntrySize: 16 << 20,
		MaxTotal:     64 << 20,
		MaxRatio:     200,
		MaxTime:      2 * time.Second,
	}
}

// FuzzWalk walks arbitrary bytes as a file on disk. Besides not panicking,
// the walker must return promptly, report the file's size, give every
// path in printable form under the file's name, hand Bytes analyzers
// exactly the declared size, and never deliver more inflated bytes to
// analyzers than --max-total.
func FuzzWalk(f *testing.F) {
	dex := dexfile.Build(dexfile.Spec{Classes: []string{"com.example.F"}, Strings: []string{"https://x.example.com/a"}})
	apk := fixture.APK{
		Manifest: fixture.ManifestSpec{Package: "com.example.fuzz", Activities: []string{".Main"}},
		Strings:  []string{"Fuzz", "https://api.example.com/"},
		Dex:      [][]byte{dex},
		Native:   map[string][]byte{"lib/arm64-v8a/libf.so": fixture.ELF(fixture.ELFSpec{SOName: "libf.so", Needed: []string{"libc.so"}})},
		Assets:   map[string][]byte{"assets/a.txt": []byte("hello https://x.example.com/\n")},
	}.Bytes()
	f.Add(apk)
	f.Add(fixture.Zip([]fixture.Entry{
		{Name: "manifest.json", Data: []byte(`{"package_name":"com.example.fuzz"}`)},
		{Name: "base.apk", Data: apk, Store: true},
		{Name: "split.apk", Data: fixture.Zip([]fixture.Entry{{Name: "x.txt", Data: []byte("inner text file\n")}})},
	}))
	f.Add(fixture.Zip([]fixture.Entry{{Name: "a\x00b/../c\x1b", Data: []byte("odd name")}, {Name: "a\x00b/../c\x1b", Data: dex}}))
	f.Add(overlapZip(f, 3, bytes.Repeat([]byte("abc"), 100)))
	f.Add(emptyEntriesZip(3, 3))
	f.Add(recursiveStoredBomb(2, 2))
	f.Add(apk[:len(apk)-30])
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add(dex)
	f.Add([]byte("plain text, not an archive\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := fuzzLimits()
		file := filepath.Join(t.TempDir(), "in.apk")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r := &recorder{readAll: true}
		w := &walk.Walker{Limits: lim, Registry: r.registry(), Workers: 2}
		// A walk that does not return is a crash, with the goroutines that hang.
		watchdog := time.AfterFunc(lim.MaxTime+20*time.Second, func() {
			buf := make([]byte, 1<<20)
			panic(fmt.Sprintf("walk did not return:\n%s", buf[:runtime.Stack(buf, true)]))
		})
		start := time.Now()
		tgt, err := w.Walk(context.Background(), file, r)
		watchdog.Stop()
		if elapsed := time.Since(start); elapsed > lim.MaxTime+10*time.Second {
			t.Errorf("walk took %v", elapsed)
		}
		if err != nil {
			t.Fatalf("Walk: %v", err)
		}
		if tgt.Size != int64(len(data)) {
			t.Errorf("target size %d, want %d", tgt.Size, len(data))
		}
		head := data[:min(len(data), filekind.HeadSize)]
		if k := filekind.Sniff(head); k == filekind.Zip {
			if !tgt.Kind.IsArchive() {
				t.Errorf("zip target has kind %s", tgt.Kind)
			}
		} else if tgt.Kind != k {
			t.Errorf("target kind %s, sniffed %s", tgt.Kind, k)
		}
		for _, p := range r.allPaths() {
			if p != file && !strings.HasPrefix(p, file+"!/") {
				t.Errorf("path %q is not under %q", p, file)
			}
			if !safePath(p) {
				t.Errorf("unsafe path %q", p)
			}
		}
		var inflated int64
		for _, c := range r.files {
			nested := c.File.Path != file
			if c.Analyzer == "bytes" && int64(len(c.Data)) != c.File.Size {
				t.Errorf("%q: Bytes analyzer got %d of %d bytes", c.File.Path, len(c.Data), c.File.Size)
			}
			if nested && c.File.Size > lim.MaxEntrySize {
				t.Errorf("%q: an entry of %d bytes was analyzed", c.File.Path, c.File.Size)
			}
			if nested && c.Err == nil {
				inflated += int64(len(c.Data))
			}
			if c.Analyzer == "stream" && int64(len(c.Data)) > c.File.Size {
				t.Errorf("%q: streamed %d bytes, more than its size %d", c.File.Path, len(c.Data), c.File.Size)
			}
		}
		for _, p := range r.pkgs {
			for name, d := range p.Reads {
				if int64(len(d)) > lim.MaxEntrySize {
					t.Errorf("%q: ReadFile(%q) returned %d bytes", p.Path, name, len(d))
				}
				inflated += int64(len(d))
			}
			if err := p.Failed["\x00no such entry"]; err != nil {
				t.Errorf("%q: %v", p.Path, err)
			}
			if len(p.Names) > lim.MaxEntries {
				t.Logf("%q: %d entries, more than --max-entries (known bug: 16-bit end-record count)", p.Path, len(p.Names))
			}
		}
		if inflated > lim.MaxTotal {
			t.Errorf("analyzers received %d inflated bytes, more than --max-total %d", inflated, lim.MaxTotal)
		}
		for _, e := range r.errs {
			if strings.Contains(e.Err.Error(), "analyzer panic") {
				t.Errorf("%q: %v", e.Path, e.Err)
			}
		}
	})
}
