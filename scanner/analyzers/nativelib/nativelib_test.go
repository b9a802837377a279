package nativelib_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"debug/elf"
	"encoding/binary"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/analyzers/nativelib"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

type str struct {
	Path, S string
	Off     int64
}

// out records what an analyzer emits.
type out struct {
	mu   sync.Mutex
	obs  []observation.Observation
	strs []str
	errs []error
}

func (o *out) Observe(ob observation.Observation) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ob.Value, ob.Detail = strings.Clone(ob.Value), strings.Clone(ob.Detail)
	o.obs = append(o.obs, ob)
}

func (o *out) String(path, s string, off int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.strs = append(o.strs, str{path, strings.Clone(s), off}) // s may be transient
}

func (o *out) Error(path string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.errs = append(o.errs, err)
}

func run(t testing.TB, name string, data []byte) (*out, error) {
	o := &out{}
	f := &analyze.File{Path: "app.apk!/" + name, Name: name, Kind: filekind.ELF, Container: filekind.APK, Size: int64(len(data))}
	err := nativelib.ELF.Bytes(context.Background(), f, data, o)
	return o, err
}

type kvd struct {
	Kind          observation.Kind
	Value, Detail string
}

func triples(obs []observation.Observation) []kvd {
	var r []kvd
	for _, o := range obs {
		r = append(r, kvd{o.Kind, o.Value, o.Detail})
	}
	return r
}

// TestELF checks the observations of fixture shared objects on 64- and
// 32-bit machines: the file name with its ABI, the soname, the needed
// libraries in order, and .rodata strings with their offsets.
func TestELF(t *testing.T) {
	if !slices.Equal(nativelib.ELF.Kinds, []filekind.Kind{filekind.ELF}) || nativelib.ELF.Bytes == nil || nativelib.ELF.Stream != nil {
		t.Fatalf("analyzer = %+v", nativelib.ELF)
	}
	for _, m := range []elf.Machine{elf.EM_AARCH64, elf.EM_X86_64, elf.EM_ARM, elf.EM_386, elf.EM_MIPS} {
		t.Run(m.String(), func(t *testing.T) {
			data := fixture.ELF(fixture.ELFSpec{
				Machine: m,
				SOName:  "libfoo.so",
				Needed:  []string{"libc.so", "liblog.so", "libtobEmbedEncrypt.so"},
				Strings: []string{"https://x.example.com/a", "short", "pangle.sdk.config"},
				Symbols: []string{"JNI_OnLoad"},
			})
			o, err := run(t, "lib/arm64-v8a/libfoo.so", data)
			if err != nil {
				t.Fatal(err)
			}
			want := []kvd{
				{observation.NativeLib, "libfoo.so", "arm64-v8a"},
				{observation.NativeLib, "libfoo.so", "soname"},
				{observation.NeededLib, "libc.so", ""},
				{observation.NeededLib, "liblog.so", ""},
				{observation.NeededLib, "libtobEmbedEncrypt.so", ""},
			}
			if got := triples(o.obs); !slices.Equal(got, want) {
				t.Errorf("observations = %v, want %v", got, want)
			}
			for _, ob := range o.obs {
				if ob.Path != "app.apk!/lib/arm64-v8a/libfoo.so" || ob.Offset != -1 {
					t.Errorf("observation %+v: wrong path or offset", ob)
				}
			}
			found := map[string]bool{}
			for _, s := range o.strs {
				if s.Path != "app.apk!/lib/arm64-v8a/libfoo.so" {
					t.Errorf("string %q with path %q", s.S, s.Path)
				}
				if s.Off < 0 || int(s.Off)+len(s.S) > len(data) || string(data[s.Off:int(s.Off)+len(s.S)]) != s.S {
					t.Errorf("string %q at %d is not in the file there", s.S, s.Off)
				}
				found[s.S] = true
			}
			url := int64(bytes.Index(data, []byte("https://x.example.com/a\x00")))
			if !slices.Contains(o.strs, str{"app.apk!/lib/arm64-v8a/libfoo.so", "https://x.example.com/a", url}) {
				t.Errorf("the .rodata URL at %d did not reach Out.String: %+v", url, o.strs)
			}
			if !found["pangle.sdk.config"] || found["short"] {
				t.Errorf("strings = %v: want runs of 6 or more bytes only", found)
			}
		})
	}
}

// TestELFNames: the ABI comes only from lib/<abi>/<file>.
func TestELFNames(t *testing.T) {
	data := fixture.ELF(fixture.ELFSpec{})
	for name, want := range map[string]kvd{
		"lib/x86/libx.so":           {observation.NativeLib, "libx.so", "x86"},
		"assets/lib/arm64/liby.so":  {observation.NativeLib, "liby.so", ""},
		"libz.so":                   {observation.NativeLib, "libz.so", ""},
		"jni/armeabi-v7a/deep/l.so": {observation.NativeLib, "l.so", ""},
	} {
		o, err := run(t, name, data)
		if err != nil {
			t.Fatal(err)
		}
		if got := triples(o.obs); len(got) != 1 || got[0] != want {
			t.Errorf("%s: observations %v, want only %v", name, got, want)
		}
	}
}

// TestELFDamaged: a damaged ELF still yields its file name and its strings,
// and the damage is an error.
func TestELFDamaged(t *testing.T) {
	data := fixture.ELF(fixture.ELFSpec{SOName: "libd.so", Needed: []string{"libc.so"}, Strings: []string{"https://damaged.example.com/"}})
	for name, d := range map[string][]byte{
		"truncated header":  data[:40],
		"bad section count": append(append([]byte(nil), data[:0x3c]...), append([]byte{0xff, 0xff}, data[0x3e:]...)...),
		"garbage":           append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte("https://garbage.example.com/ "), 10)...),
	} {
		t.Run(name, func(t *testing.T) {
			o, err := run(t, "lib/arm64-v8a/libd.so", d)
			if err == nil {
				t.Errorf("no error")
			}
			if len(o.obs) == 0 || o.obs[0] != (observation.Observation{Kind: observation.NativeLib, Value: "libd.so", Detail: "arm64-v8a", Path: "app.apk!/lib/arm64-v8a/libd.so", Offset: -1}) {
				t.Errorf("observations = %+v", o.obs)
			}
			if name == "garbage" && (len(o.strs) == 0 || !strings.Contains(o.strs[0].S, "https://garbage.example.com/")) {
				t.Errorf("strings = %+v", o.strs)
			}
		})
	}
}

// TestELFCanceled: a canceled context stops the analyzer after the strings.
func TestELFCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := &out{}
	data := fixture.ELF(fixture.ELFSpec{SOName: "libc2.so"})
	err := nativelib.ELF.Bytes(ctx, &analyze.File{Path: "p", Name: "libc2.so", Kind: filekind.ELF}, data, o)
	if err != context.Canceled || len(o.obs) != 1 {
		t.Errorf("err = %v, observations %v", err, o.obs)
	}
}

// compressedDynamic returns a 64-bit fixture ELF whose .dynamic section is
// marked SHF_COMPRESSED (and not SHF_ALLOC, which debug/elf requires) and
// holds a zlib stream that inflates to size zero bytes.
func compressedDynamic(t testing.TB, size uint64) []byte {
	data := fixture.ELF(fixture.ELFSpec{SOName: "libbomb.so", Needed: []string{"libc.so"}})
	le := binary.LittleEndian
	shoff := le.Uint64(data[0x28:])
	const dynamicIndex = 6 // fixture.ELF's section order
	sh := data[shoff+dynamicIndex*64:]
	if elf.SectionType(le.Uint32(sh[4:])) != elf.SHT_DYNAMIC {
		t.Fatal("section 6 is not .dynamic")
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zero := make([]byte, 1<<20)
	for n := uint64(0); n < size; n += uint64(len(zero)) {
		zw.Write(zero[:min(uint64(len(zero)), size-n)])
	}
	zw.Close()
	var chdr [24]byte
	le.PutUint32(chdr[0:], uint32(elf.COMPRESS_ZLIB))
	le.PutUint64(chdr[8:], size)
	le.PutUint64(chdr[16:], 8)
	off := uint64(len(data))
	out := append(append(append([]byte(nil), data...), chdr[:]...), z.Bytes()...)
	sh = out[shoff+dynamicIndex*64:]
	le.PutUint64(sh[8:], uint64(elf.SHF_COMPRESSED|elf.SHF_WRITE))
	le.PutUint64(sh[24:], off)
	le.PutUint64(sh[32:], uint64(len(chdr)+z.Len()))
	return out
}

// TestELFCompressedDynamic: debug/elf inflates an SHF_COMPRESSED section to
// the size its header declares, so reading DT_NEEDED from a small file must
// not allocate what the file claims.
func TestELFCompressedDynamic(t *testing.T) {
	data := compressedDynamic(t, 256<<20)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	o, err := run(t, "lib/arm64-v8a/libbomb.so", data)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d-byte ELF: %d bytes allocated, err %v", len(data), alloc, err)
	if alloc > 64*uint64(len(data))+(8<<20) {
		t.Errorf("analyzing a %d-byte ELF allocated %d bytes", len(data), alloc)
	}
	if len(o.obs) == 0 || o.obs[0].Value != "libbomb.so" {
		t.Errorf("observations = %+v", o.obs)
	}
}
