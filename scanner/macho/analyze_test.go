package macho

import (
	"bytes"
	"context"
	"crypto/sha256"
	dmacho "debug/macho"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/internal/fixture/machofile"
	"github.com/sdkvet/sdkvet/scanner/sandbox"
)

// testLimits are tight enough that a runaway child fails fast.
var testLimits = sandbox.Limits{Memory: 256 << 20, Timeout: 5 * time.Second, Output: 1 << 20}

func analyze(t *testing.T, b []byte) (*Facts, error) {
	t.Helper()
	return Analyze(sandbox.WithLimits(context.Background(), testLimits), b)
}

var wantDylibs = []Dylib{
	{"/usr/lib/libSystem.B.dylib", "load"},
	{"@rpath/BUAdSDK.framework/BUAdSDK", "weak"},
	{"/usr/lib/libz.1.dylib", "reexport"},
	{"@rpath/GDTMobSDK.framework/GDTMobSDK", "lazy"},
	{"/usr/lib/libc++.1.dylib", "upward"},
}

var wantClasses = []string{"BUNativeAd", "BUSplashAdView", "_TtC7BUAdSDK14BURewardedView"}

// stringRange is the merged range of __cstring and __objc_classname,
// which the builder writes back to back.
func stringRange(t *testing.T, b []byte, base int64) [][2]int64 {
	cstr := stdSection(t, b, "__TEXT", "__cstring")
	names := stdSection(t, b, "__TEXT", "__objc_classname")
	return [][2]int64{{base + int64(cstr.Offset), base + int64(names.Offset) + int64(names.Size)}}
}

func check(t *testing.T, name string, got, want Slice) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\ngot  %s\nwant %s", name, g, w)
	}
}

// TestAnalyzeExecutable reads a stripped, signed app executable: class
// names only in __objc_classlist, the signer's certificate in a CMS blob.
func TestAnalyzeExecutable(t *testing.T) {
	cert, key := fixture.SelfSigned("CN=sdkvet test signer")
	s := fullSpec("execute")
	s.Stripped = true
	s.CodeSig.Cert, s.CodeSig.Key = cert, key
	b := machofile.Build(s)
	f, err := analyze(t, b)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.Raw)
	check(t, "execute", f.Slices[0], Slice{
		Arch: "arm64", Offset: 0, Size: int64(len(b)), FileType: "execute",
		Dylibs:        wantDylibs,
		ObjCClasses:   wantClasses,
		ObjCProtocols: []string{"BUNativeAdDelegate"},
		SwiftModules:  []string{"BUAdSDK", "GDTMobSDK"},
		CodeSignature: &CodeSignature{
			Identifier: "com.example.app", TeamID: "ABCDE12345", Entitlements: "<plist><dict/></plist>",
			CertSubjects: []string{"CN=sdkvet test signer"}, CertSHA256: []string{hex.EncodeToString(sum[:])},
		},
		StringRanges: stringRange(t, b, 0),
	})
	if len(f.Slices) != 1 {
		t.Errorf("%d slices", len(f.Slices))
	}
}

// TestAnalyzeDylib reads an unstripped x86_64 dylib: classes and protocols
// from the metadata and from symbols agree; LC_ID_DYLIB is not a
// dependency.
func TestAnalyzeDylib(t *testing.T) {
	s := fullSpec("dylib")
	s.CPU = "x86_64"
	s.InstallName = "@rpath/BUAdSDK.framework/BUAdSDK"
	s.CodeSig = nil
	b := machofile.Build(s)
	f, err := analyze(t, b)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "dylib", f.Slices[0], Slice{
		Arch: "x86_64", Size: int64(len(b)), FileType: "dylib",
		Dylibs:        wantDylibs,
		ObjCClasses:   wantClasses,
		ObjCProtocols: []string{"BUNativeAdDelegate"},
		SwiftModules:  []string{"BUAdSDK", "GDTMobSDK"},
		StringRanges:  stringRange(t, b, 0),
	})
}

// TestAnalyzeObject reads a relocatable object as found in a static
// library: its metadata pointers are zero until link time, so classes come
// from _OBJC_CLASS_$_ symbols and __objc_classname, less the protocol
// names the latter also holds.
func TestAnalyzeObject(t *testing.T) {
	s := fullSpec("object")
	s.Dylibs, s.CodeSig = nil, nil
	s.Symbols = append(s.Symbols, "_$sSo8NSObjectC7BUAdSDKE4loadyyF")
	b := machofile.Build(s)
	f, err := analyze(t, b)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "object", f.Slices[0], Slice{
		Arch: "arm64", Size: int64(len(b)), FileType: "object",
		ObjCClasses:   wantClasses,
		ObjCProtocols: []string{"BUNativeAdDelegate"},
		SwiftModules:  []string{"BUAdSDK", "GDTMobSDK"},
		StringRanges:  stringRange(t, b, 0),
	})
}

// TestAnalyzeEncrypted reads an App Store binary still encrypted by
// FairPlay: what lies outside the encrypted range (load commands,
// symbols, code signature) is read; the ObjC metadata's names and the
// strings are not.
func TestAnalyzeEncrypted(t *testing.T) {
	s := fullSpec("execute")
	s.Encrypted = true
	b := machofile.Build(s)
	text := stdSection(t, b, "__TEXT", "__text")
	names := stdSection(t, b, "__TEXT", "__objc_classname")
	lo, hi := int64(text.Offset), int64(names.Offset)+int64(names.Size)
	f, err := analyze(t, b)
	if err != nil {
		t.Fatal(err)
	}
	want := Slice{
		Arch: "arm64", Size: int64(len(b)), FileType: "execute",
		Dylibs:        wantDylibs,
		ObjCClasses:   wantClasses, // from symbols
		ObjCProtocols: []string{"BUNativeAdDelegate"},
		SwiftModules:  []string{"BUAdSDK", "GDTMobSDK"},
		Encryption:    &Encryption{CryptOff: lo, CryptSize: hi - lo, CryptID: 1},
		CodeSignature: &CodeSignature{Identifier: "com.example.app", TeamID: "ABCDE12345", Entitlements: "<plist><dict/></plist>"},
		Errors:        []string{fmt.Sprintf("objc metadata: not read: bytes %#x-%#x of the slice are encrypted (cryptid 1); class names come from symbols only", lo, hi)},
	}
	check(t, "encrypted", f.Slices[0], want)

	// Stripped as well: no class names are left to read.
	s.Stripped = true
	b = machofile.Build(s)
	f, err = analyze(t, b)
	if err != nil {
		t.Fatal(err)
	}
	want.Size = int64(len(b))
	want.ObjCClasses, want.ObjCProtocols = nil, nil
	want.SwiftModules = []string{"BUAdSDK", "GDTMobSDK"} // from the Swift symbols, still there
	check(t, "encrypted and stripped", f.Slices[0], want)
}

// TestAnalyzeFat reads a universal dylib with arm64 and x86_64 slices.
func TestAnalyzeFat(t *testing.T) {
	arm := fullSpec("dylib")
	arm.CodeSig = nil
	x86 := machofile.Spec{CPU: "x86_64", FileType: "dylib", Dylibs: []machofile.Dylib{{Name: "/usr/lib/libSystem.B.dylib"}},
		ObjCClasses: []string{"GDTSplashAd"}, CStrings: []string{"https://mi.gdt.qq.com/gdt_mview.fcg"}}
	ab, xb := machofile.Build(arm), machofile.Build(x86)
	b := machofile.Fat(ab, xb)
	ff, err := dmacho.NewFatFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	o0, o1 := int64(ff.Arches[0].Offset), int64(ff.Arches[1].Offset)
	f, err := analyze(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Slices) != 2 {
		t.Fatalf("%d slices", len(f.Slices))
	}
	check(t, "arm64 slice", f.Slices[0], Slice{
		Arch: "arm64", Offset: o0, Size: int64(len(ab)), FileType: "dylib",
		Dylibs: wantDylibs, ObjCClasses: wantClasses, ObjCProtocols: []string{"BUNativeAdDelegate"},
		SwiftModules: []string{"BUAdSDK", "GDTMobSDK"}, StringRanges: stringRange(t, ab, o0),
	})
	check(t, "x86_64 slice", f.Slices[1], Slice{
		Arch: "x86_64", Offset: o1, Size: int64(len(xb)), FileType: "dylib",
		Dylibs: []Dylib{{"/usr/lib/libSystem.B.dylib", "load"}}, ObjCClasses: []string{"GDTSplashAd"},
		StringRanges: stringRange(t, xb, o1),
	})
	r := f.Slices[1].StringRanges[0]
	if !bytes.HasPrefix(b[r[0]:r[1]], []byte("https://mi.gdt.qq.com/gdt_mview.fcg\x00")) {
		t.Errorf("x86_64 string range holds %q", b[r[0]:r[1]])
	}

	// A fat header that lists the same bytes twice: read once, reported
	// twice.
	dup := bytes.Clone(b)
	binary.BigEndian.PutUint32(dup[8+20+8:], uint32(o0))
	binary.BigEndian.PutUint32(dup[8+20+12:], uint32(len(ab)))
	f, err = analyze(t, dup)
	if err != nil || len(f.Slices) != 2 || !reflect.DeepEqual(f.Slices[0], f.Slices[1]) {
		t.Errorf("duplicate slices: %+v, %v", f, err)
	}
}

// TestParentDylibsMatchGoMacho checks the parent's own reading of the
// dylib commands, kept when a child dies, against go-macho's, including a
// dylib_use_command (macOS 15 linkers) whose flags make it weak.
func TestParentDylibsMatchGoMacho(t *testing.T) {
	use := machofile.Build(fullSpec("execute"))
	p := loadCmdOffset(t, use, lcLoadDylib)
	le := binary.LittleEndian
	le.PutUint32(use[p+8:], 28)              // name offset: after dylib_use_command
	le.PutUint32(use[p+12:], dylibUseMarker) // timestamp: the marker
	le.PutUint32(use[p+24:], dylibUseWeakLink)
	for name, b := range map[string][]byte{
		"execute":           machofile.Build(fullSpec("execute")),
		"dylib":             machofile.Build(fullSpec("dylib")),
		"dylib_use_command": use,
	} {
		fl, err := parseLayout(b)
		if err != nil {
			t.Fatal(err)
		}
		f, err := analyze(t, b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fl.slices[0].dylibs, f.Slices[0].Dylibs) {
			t.Errorf("%s: parent %v, go-macho %v", name, fl.slices[0].dylibs, f.Slices[0].Dylibs)
		}
	}
	fl, _ := parseLayout(use)
	if got := fl.slices[0].dylibs[0]; got != (Dylib{"/lib/libSystem.B.dylib", "weak"}) {
		t.Errorf("dylib_use_command: %+v", got)
	}
}

// preattached patches the first class_ro_t's baseMethods to addr|1: "has
// preattached categories", which makes go-macho read an entry_list_t at
// addr and allocate its count of entries, then take the last.
func preattached(t *testing.T, b []byte, addr uint64) []byte {
	b = bytes.Clone(b)
	ro := stdSection(t, b, "__DATA", "__objc_const")
	binary.LittleEndian.PutUint64(b[ro.Offset+32:], addr|1)
	return b
}

// TestAnalyzeGoMachoPanics: an entry_list_t count of 0 makes go-macho
// index a slice at -1. The child recovers, reports the part, and every
// other fact stands.
func TestAnalyzeGoMachoPanics(t *testing.T) {
	b := machofile.Build(fullSpec("execute"))
	zeros := stdSection(t, b, "__DATA", "__objc_data").Addr + 16 // the first class's cache: zero
	b = preattached(t, b, zeros)
	f, err := analyze(t, b)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Slices[0]
	if want := []string{"objc classes: go-macho panicked: runtime error: index out of range [-1]"}; !reflect.DeepEqual(s.Errors, want) {
		t.Errorf("errors %q, want %q", s.Errors, want)
	}
	if !reflect.DeepEqual(s.ObjCClasses, wantClasses) || !reflect.DeepEqual(s.Dylibs, wantDylibs) ||
		!reflect.DeepEqual(s.ObjCProtocols, []string{"BUNativeAdDelegate"}) || s.CodeSignature == nil {
		t.Errorf("facts lost: %+v", s)
	}
}

// TestAnalyzeGoMachoDies feeds go-macho metadata it cannot survive, in
// files whose headers are sound (PreCheck accepts them):
//
//   - an entry_list_t count of 0xffffffff, which makes go-macho allocate
//     32 GiB: a fatal error that no recover catches;
//   - an objc_class whose isa points at itself, which go-macho follows
//     without end until the stack outgrows the memory cap.
//
// The ObjC child dies; the parent reports which part failed and keeps the
// facts the other child read.
func TestAnalyzeGoMachoDies(t *testing.T) {
	s := fullSpec("execute")
	s.CStrings = append([]string{"\xff\xff\xff\xff\xff\xff\xff\xff"}, s.CStrings...)
	plain := machofile.Build(s)
	oom := preattached(t, plain, stdSection(t, plain, "__TEXT", "__cstring").Addr)
	loop := bytes.Clone(plain)
	data := stdSection(t, loop, "__DATA", "__objc_data")
	binary.LittleEndian.PutUint64(loop[data.Offset:], data.Addr) // isa = the class itself
	for name, b := range map[string][]byte{"huge entry list": oom, "isa loop": loop} {
		if err := PreCheck(b); err != nil {
			t.Fatalf("%s: PreCheck: %v", name, err)
		}
		f, err := analyze(t, b)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if !errors.Is(err, sandbox.ErrContained) {
			t.Errorf("%s: error does not wrap ErrContained: %v", name, err)
		}
		const want = "macho: arm64 slice at 0x0: go-macho objc metadata: parser contained: macho-objc parser "
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %q\nwant  %q…", name, err, want)
		}
		if name == "huge entry list" && err.Error() != want+"exceeded its 256 MiB memory limit" {
			t.Errorf("%s: error %q", name, err)
		}
		sl := f.Slices[0]
		if len(sl.Errors) != 1 || !strings.HasPrefix(sl.Errors[0], "go-macho objc metadata: parser contained: macho-objc parser ") {
			t.Errorf("%s: slice errors %q", name, sl.Errors)
		}
		if !reflect.DeepEqual(sl.ObjCClasses, wantClasses) || !reflect.DeepEqual(sl.Dylibs, wantDylibs) || sl.CodeSignature == nil || len(sl.StringRanges) != 1 {
			t.Errorf("%s: facts lost: %+v", name, sl)
		}
	}
}

// TestChildContainment bypasses PreCheck: a section that claims 1 GiB in a
// file of a few kilobytes goes straight to the children, as if the parent
// had not checked it. The ObjC child allocates the claimed size and dies
// under its memory cap; the parent gets an error, not a crash.
func TestChildContainment(t *testing.T) {
	b := machofile.Build(machofile.Spec{FileType: "dylib", ObjCClasses: []string{"BUNativeAd"}})
	p := bytes.Index(b, []byte("__objc_classlist__DATA\x00")) // a 16-byte name has no NUL
	if p < 0 {
		t.Fatal("no __objc_classlist section header")
	}
	binary.LittleEndian.PutUint64(b[p+40:], 1<<30)
	err := PreCheck(b)
	if err == nil || !strings.Contains(err.Error(), "section __DATA,__objc_classlist") || !strings.Contains(err.Error(), "size 0x40000000 is past the end") {
		t.Fatalf("PreCheck: %v", err)
	}
	if f, aerr := analyze(t, b); f != nil || aerr == nil || aerr.Error() != err.Error() {
		t.Errorf("Analyze: %+v, %v", f, aerr)
	}

	ctx := context.Background()
	start := time.Now()
	_, err = sandbox.Run(ctx, handlerObjC, b, testLimits)
	if !errors.Is(err, sandbox.ErrContained) || !strings.Contains(err.Error(), "macho-objc parser exceeded its 256 MiB memory limit") {
		t.Errorf("ObjC child: %v", err)
	}
	if d := time.Since(start); d > testLimits.Timeout {
		t.Errorf("took %s", d)
	}
	// The facts child does not read sections: it survives and reads the
	// rest.
	out, err := sandbox.Run(ctx, handlerFacts, b, testLimits)
	var s Slice
	if err != nil || json.Unmarshal(out, &s) != nil || !reflect.DeepEqual(s.ObjCClasses, []string{"BUNativeAd"}) {
		t.Errorf("facts child: %s, %v", out, err)
	}
}

// TestTimeBudget: once the file's budget is spent, no more children run.
func TestTimeBudget(t *testing.T) {
	a := &analysis{ctx: context.Background(), lim: testLimits, deadline: time.Now().Add(-time.Second)}
	s := a.slice(machofile.Build(machofile.Spec{ObjCClasses: []string{"A"}}), &sliceLayout{cpu: 0x0100000c, fileType: 2,
		sections: []sectionLayout{{seg: "__DATA", name: "__objc_classlist"}}})
	if len(a.errs) != 2 || !strings.Contains(a.errs[0].Error(), "go-macho: parser contained: not run: the file's time budget of 10s is spent") {
		t.Errorf("errors %v", a.errs)
	}
	if len(s.Errors) != 2 {
		t.Errorf("slice errors %q", s.Errors)
	}
}

func TestSymbolNames(t *testing.T) {
	n := newSymbolNames()
	for _, sym := range []struct {
		name    string
		defined bool
	}{
		{"_OBJC_CLASS_$_BUNativeAd", true},
		{"_OBJC_METACLASS_$_BUSplash", true},
		{"_OBJC_CLASS_$_UIViewController", false}, // imported
		{"__OBJC_PROTOCOL_$_BUAdDelegate", true},
		{"__OBJC_LABEL_PROTOCOL_$_BUAdDelegate", true},
		{"l_OBJC_PROTOCOL_$_GDTDelegate", true},
		{"__OBJC_$_CATEGORY_NSString_$_BUAdditions", true},
		{"__OBJC_$_CATEGORY_INSTANCE_METHODS_NSString_$_BUAdditions", true},
		{"_$s7BUAdSDK5ThingV", false}, // imported Swift: still a module used
		{"_$s9GDTMobSDK5ThingV", true},
		{"_OBJC_CLASS_$_", true},
	} {
		n.add(sym.name, sym.defined)
	}
	for what, got := range map[string][]string{
		"classes": n.classes.sorted(), "protocols": n.protocols.sorted(),
		"categories": n.categories.sorted(), "swift": n.swift.sorted(),
	} {
		want := map[string][]string{
			"classes": {"BUNativeAd", "BUSplash"}, "protocols": {"BUAdDelegate", "GDTDelegate"},
			"categories": {"BUAdditions"}, "swift": {"BUAdSDK", "GDTMobSDK"},
		}[what]
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
	}
	if got := cstrings([]byte("\x00A\x00\x00BC\x00D")); !reflect.DeepEqual(got, []string{"A", "BC", "D"}) {
		t.Errorf("cstrings: %q", got)
	}
}

// codeDirectory returns the file offsets of the embedded signature and of
// its first CodeDirectory.
func codeDirectory(t *testing.T, b []byte) (sig, cd int) {
	t.Helper()
	p := loadCmdOffset(t, b, lcCodeSignature)
	sig = int(binary.LittleEndian.Uint32(b[p+8:]))
	return sig, sig + int(binary.BigEndian.Uint32(b[sig+16:])) // index entry 0: the CodeDirectory
}

// TestCodeSignatureHostile damages the signature, which PreCheck does not
// look into: the child checks what go-macho's codesign parser would trust,
// and a bad signature costs only the CodeSignature field.
func TestCodeSignatureHostile(t *testing.T) {
	base := machofile.Build(fullSpec("dylib"))
	be := binary.BigEndian
	for _, tc := range []struct {
		name  string
		patch func(b []byte, sig, cd int)
		want  string
	}{
		{"index count", func(b []byte, sig, cd int) { be.PutUint32(b[sig+8:], 0x10000000) },
			"code signature: SuperBlob index of 268435456 entries does not fit"},
		{"zero hash size", func(b []byte, sig, cd int) { b[cd+36] = 0 },
			"code signature: CodeDirectory 0: 5 special and 1 code slots of 0 bytes at 0x113 do not fit in 307 bytes"},
		{"code slots past the end", func(b []byte, sig, cd int) { be.PutUint32(b[cd+28:], 0x7fffffff) },
			"code signature: CodeDirectory 0: 5 special and 2147483647 code slots of 32 bytes"},
		{"linkage past the end", func(b []byte, sig, cd int) {
			be.PutUint32(b[cd+8:], 0x20600)
			be.PutUint32(b[cd+100:], 0x10)
			be.PutUint32(b[cd+104:], 0xffffffff)
		}, "code signature: CodeDirectory 0: linkage data at 0x10+0xffffffff is past its end"},
		{"not a SuperBlob", func(b []byte, sig, cd int) { be.PutUint32(b[sig:], 0xfade0c02) },
			"code signature: not an embedded signature (magic 0xfade0c02)"},
	} {
		b := bytes.Clone(base)
		sig, cd := codeDirectory(t, b)
		tc.patch(b, sig, cd)
		f, err := analyze(t, b)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		s := f.Slices[0]
		if s.CodeSignature != nil || len(s.Errors) != 1 || !strings.HasPrefix(s.Errors[0], tc.want) {
			t.Errorf("%s: signature %+v, errors %q; want %q", tc.name, s.CodeSignature, s.Errors, tc.want)
		}
		if !reflect.DeepEqual(s.ObjCClasses, wantClasses) || !reflect.DeepEqual(s.Dylibs, wantDylibs) {
			t.Errorf("%s: facts lost: %+v", tc.name, s)
		}
	}

	// A CodeDirectory version older than go-macho supports: it prints a
	// complaint on standard output, where the child writes its JSON, and
	// reads what the old format has (no team ID).
	b := bytes.Clone(base)
	_, cd := codeDirectory(t, b)
	be.PutUint32(b[cd+8:], 0x10000)
	f, err := analyze(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if cs := f.Slices[0].CodeSignature; cs == nil || cs.Identifier != "com.example.app" || cs.TeamID != "" || len(f.Slices[0].Errors) != 0 {
		t.Errorf("old CodeDirectory: %+v, errors %q", cs, f.Slices[0].Errors)
	}
}

// TestAnalyzeGoMachoRefuses: headers PreCheck accepts but go-macho
// refuses (LC_DYSYMTAB with no LC_SYMTAB before it). The parent keeps
// what it read from the headers and reports go-macho's error.
func TestAnalyzeGoMachoRefuses(t *testing.T) {
	b := machofile.Build(fullSpec("execute"))
	strs := stringRange(t, b, 0)
	binary.LittleEndian.PutUint32(b[loadCmdOffset(t, b, lcSymtab):], 0x7f) // an unknown command now
	f, err := analyze(t, b)
	want := "macho: arm64 slice at 0x0: go-macho: open: dynamic symbol table seen before any ordinary symbol table"
	if err == nil || !strings.HasPrefix(err.Error(), want) || errors.Is(err, sandbox.ErrContained) {
		t.Fatalf("error %v\nwant  %s…", err, want)
	}
	check(t, "refused", f.Slices[0], Slice{
		Arch: "arm64", Size: int64(len(b)), FileType: "execute",
		Dylibs:       wantDylibs, // the parent's own reading
		StringRanges: strs,
		Errors:       []string{strings.TrimPrefix(err.Error(), "macho: arm64 slice at 0x0: ")},
	})
}
