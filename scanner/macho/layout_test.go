package macho

import (
	"bytes"
	dmacho "debug/macho"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/machofile"
)

// fullSpec uses every feature of the fixture builder.
func fullSpec(fileType string) machofile.Spec {
	return machofile.Spec{
		FileType: fileType,
		Dylibs: []machofile.Dylib{
			{Name: "/usr/lib/libSystem.B.dylib"},
			{Name: "@rpath/BUAdSDK.framework/BUAdSDK", Kind: "weak"},
			{Name: "/usr/lib/libz.1.dylib", Kind: "reexport"},
			{Name: "@rpath/GDTMobSDK.framework/GDTMobSDK", Kind: "lazy"},
			{Name: "/usr/lib/libc++.1.dylib", Kind: "upward"},
		},
		ObjCClasses:   []string{"BUNativeAd", "BUSplashAdView", "_TtC7BUAdSDK14BURewardedView"},
		ObjCProtocols: []string{"BUNativeAdDelegate"},
		Symbols:       []string{"_$s7BUAdSDK9BUAdLoaderC4loadyyF", "_$s9GDTMobSDK6BannerV4showyyF", "_main"},
		CStrings:      []string{"https://api-access.pangle.io/api/ad/union/sdk/get_ads/", "hello"},
		CodeSig:       &machofile.CodeSig{Identifier: "com.example.app", TeamID: "ABCDE12345", Entitlements: "<plist><dict/></plist>"},
	}
}

// stdSection returns a section as debug/macho, an independent reader,
// sees it.
func stdSection(t testing.TB, b []byte, seg, name string) *dmacho.Section {
	t.Helper()
	f, err := dmacho.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("debug/macho: %v", err)
	}
	for _, s := range f.Sections {
		if s.Seg == seg && s.Name == name {
			return s
		}
	}
	t.Fatalf("no section %s,%s", seg, name)
	return nil
}

// loadCmdOffset returns the file offset of the first load command cmd in a
// thin little-endian 64-bit image.
func loadCmdOffset(t testing.TB, b []byte, cmd uint32) int {
	t.Helper()
	le := binary.LittleEndian
	p := 32
	for range le.Uint32(b[16:]) {
		if le.Uint32(b[p:]) == cmd {
			return p
		}
		p += int(le.Uint32(b[p+4:]))
	}
	t.Fatalf("no load command %#x", cmd)
	return 0
}

func TestPreCheckAcceptsFixtures(t *testing.T) {
	for _, ft := range []string{"execute", "dylib", "object"} {
		for _, cpu := range []string{"arm64", "x86_64"} {
			s := fullSpec(ft)
			s.CPU = cpu
			for _, enc := range []bool{false, true} {
				s.Encrypted = enc
				b := machofile.Build(s)
				if err := PreCheck(b); err != nil {
					t.Errorf("%s %s encrypted=%v: %v", ft, cpu, enc, err)
				}
			}
		}
	}
	fat := machofile.Fat(machofile.Build(fullSpec("dylib")), machofile.Build(machofile.Spec{CPU: "x86_64", FileType: "dylib"}))
	if err := PreCheck(fat); err != nil {
		t.Errorf("fat: %v", err)
	}
}

func TestPreCheckRejects(t *testing.T) {
	exe := machofile.Build(fullSpec("execute"))
	le := binary.LittleEndian
	be := binary.BigEndian
	patch := func(b []byte, f func(b []byte)) []byte {
		b = bytes.Clone(b)
		f(b)
		return b
	}
	cstring := stdSection(t, exe, "__TEXT", "__cstring")
	// The section_64 header of __cstring: found by its name in the
	// load commands.
	secHdr := bytes.Index(exe, []byte("__cstring\x00\x00\x00\x00\x00\x00\x00__TEXT"))
	if secHdr < 0 {
		t.Fatal("no __cstring section header")
	}
	fat := machofile.Fat(exe, machofile.Build(machofile.Spec{CPU: "x86_64"}))
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"empty", "too short", nil},
		{"truncated header", "truncated header: 20 of 32 bytes", exe[:20]},
		{"ncmds huge", "5000 load commands (at most 4096)", patch(exe, func(b []byte) { le.PutUint32(b[16:], 5000) })},
		{"sizeofcmds past EOF", "sizeofcmds 0xffff0000 is past the end of the file", patch(exe, func(b []byte) { le.PutUint32(b[20:], 0xffff0000) })},
		{"cmdsize 0", "load command 0 (0x19) at 0x20: cmdsize 0 is less than 8", patch(exe, func(b []byte) { le.PutUint32(b[36:], 0) })},
		{"cmdsize unaligned", "cmdsize 76 is not a multiple of 8", patch(exe, func(b []byte) { le.PutUint32(b[36:], 76) })},
		{"cmdsize past sizeofcmds", "is past sizeofcmds", patch(exe, func(b []byte) { le.PutUint32(b[36:], 0x100000) })},
		{"ncmds past sizeofcmds", "past sizeofcmds", patch(exe, func(b []byte) { le.PutUint32(b[16:], le.Uint32(b[16:])+1) })},
		{"section past EOF", fmt.Sprintf("section __TEXT,__cstring: offset %#x + size 0x40000000", cstring.Offset) + " is past the end of the slice",
			patch(exe, func(b []byte) { le.PutUint64(b[secHdr+40:], 1<<30) })},
		{"section size overflows", "section __TEXT,__cstring", patch(exe, func(b []byte) { le.PutUint64(b[secHdr+40:], ^uint64(0)) })},
		{"relocations past EOF", "__cstring relocations: 268435456 entries", patch(exe, func(b []byte) {
			le.PutUint32(b[secHdr+56:], 0x100)
			le.PutUint32(b[secHdr+60:], 1<<28)
		})},
		{"segment past EOF", "(LC_SEGMENT_64) __LINKEDIT: offset", patch(exe, func(b []byte) {
			p := bytes.Index(b, []byte("__LINKEDIT\x00"))
			le.PutUint64(b[p+40:], 1<<40) // filesize
		})},
		{"symbols past EOF", "LC_SYMTAB) symbols", patch(exe, func(b []byte) { le.PutUint32(b[loadCmdOffset(t, b, lcSymtab)+12:], 1<<28) })},
		{"strings past EOF", "LC_SYMTAB) string table", patch(exe, func(b []byte) { le.PutUint32(b[loadCmdOffset(t, b, lcSymtab)+20:], 1<<28) })},
		{"indirect symbols past EOF", "indirect symbols", patch(exe, func(b []byte) { le.PutUint32(b[loadCmdOffset(t, b, lcDysymtab)+60:], 1<<30) })},
		{"code signature past EOF", "LC_CODE_SIGNATURE data", patch(exe, func(b []byte) { le.PutUint32(b[loadCmdOffset(t, b, lcCodeSignature)+12:], 1<<30) })},
		{"dylib name outside", "name offset 4096 is outside the command", patch(exe, func(b []byte) { le.PutUint32(b[loadCmdOffset(t, b, lcLoadDylib)+8:], 4096) })},
		{"not Mach-O", "not a Mach-O file (magic 0x7f454c46)", []byte("\x7fELF\x02\x01\x01\x00")},
		{"fat arch past EOF", "fat architecture 1: offset 0x5000 + size 0x40000000 is past the end of the file", patch(fat, func(b []byte) { be.PutUint32(b[8+20+12:], 1<<30) })},
		{"fat offset past EOF", "fat architecture 0: offset 0xfffffff0", patch(fat, func(b []byte) { be.PutUint32(b[8+8:], 0xfffffff0) })},
		{"fat too many arches", "fat header lists 65 architectures (at most 64)", patch(fat, func(b []byte) { be.PutUint32(b[4:], 65) })},
		{"fat header past EOF", "fat header lists 64 architectures but the file ends", patch(fat[:100], func(b []byte) { be.PutUint32(b[4:], 64) })},
		{"fat no arches", "lists no architectures", patch(fat, func(b []byte) { be.PutUint32(b[4:], 0) })},
		{"fat slice malformed", "fat architecture 0 at 0x4000: malformed Mach-O: 5000 load commands", patch(fat, func(b []byte) { le.PutUint32(b[0x4000+16:], 5000) })},
	} {
		err := PreCheck(tc.data)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not say %q", tc.name, err, tc.want)
		}
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotMachO) {
			t.Errorf("%s: %v wraps neither ErrMalformed nor ErrNotMachO", tc.name, err)
		}
		if _, serr := StringRanges(tc.data); serr == nil || serr.Error() != err.Error() {
			t.Errorf("%s: StringRanges error %v, PreCheck error %v", tc.name, serr, err)
		}
	}
}

// thin32 hand-writes a 32-bit image (the builder writes 64-bit ones): a
// header, an LC_SEGMENT __TEXT with __text and __cstring and pad bytes
// more, and an LC_ENCRYPTION_INFO over __text and half of __cstring.
func thin32(bo binary.ByteOrder, cpu, sub, cryptid, pad uint32) []byte {
	segSize := 56 + 2*68 + pad
	const (
		hdr      = 28
		encSize  = 20
		textOff  = 0x100
		textSize = 0x10
		cstrOff  = 0x110
		cstrSize = 0x20
	)
	b := make([]byte, 0x200)
	bo.PutUint32(b[0:], 0xfeedface)
	bo.PutUint32(b[4:], cpu)
	bo.PutUint32(b[8:], sub)
	bo.PutUint32(b[12:], 2) // MH_EXECUTE
	bo.PutUint32(b[16:], 2)
	bo.PutUint32(b[20:], segSize+encSize)
	p := uint32(hdr)
	bo.PutUint32(b[p:], lcSegment)
	bo.PutUint32(b[p+4:], segSize)
	copy(b[p+8:], "__TEXT")
	bo.PutUint32(b[p+32:], 0)     // fileoff
	bo.PutUint32(b[p+36:], 0x200) // filesize
	bo.PutUint32(b[p+48:], 2)     // nsects
	for i, s := range []struct {
		name      string
		off, size uint32
	}{{"__text", textOff, textSize}, {"__cstring", cstrOff, cstrSize}} {
		q := p + 56 + 68*uint32(i)
		copy(b[q:], s.name)
		copy(b[q+16:], "__TEXT")
		bo.PutUint32(b[q+32:], 0x1000+s.off) // addr
		bo.PutUint32(b[q+36:], s.size)
		bo.PutUint32(b[q+40:], s.off)
	}
	p += segSize
	bo.PutUint32(b[p:], lcEncryptionInfo)
	bo.PutUint32(b[p+4:], encSize)
	bo.PutUint32(b[p+8:], textOff)
	bo.PutUint32(b[p+12:], textSize+cstrSize/2) // half of __cstring
	bo.PutUint32(b[p+16:], cryptid)
	copy(b[cstrOff:], "https://example.com/\x00")
	return b
}

func TestThin32BothByteOrders(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bo        binary.ByteOrder
		cpu, sub  uint32
		arch      string
		cryptid   uint32
		wantRange [][2]int64
	}{
		{"armv7 encrypted", binary.LittleEndian, 12, 9, "armv7", 1, [][2]int64{{0x120, 0x130}}},
		{"armv7s decrypted", binary.LittleEndian, 12, 11, "armv7s", 0, [][2]int64{{0x110, 0x130}}},
		{"ppc big-endian", binary.BigEndian, 18, 0, "ppc", 1, [][2]int64{{0x120, 0x130}}},
		{"i386", binary.LittleEndian, 7, 3, "i386", 0, [][2]int64{{0x110, 0x130}}},
	} {
		b := thin32(tc.bo, tc.cpu, tc.sub, tc.cryptid, 0)
		fl, err := parseLayout(b)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		sl := fl.slices[0]
		if got := archName(sl.cpu, sl.sub); got != tc.arch {
			t.Errorf("%s: arch %q", tc.name, got)
		}
		if sl.is64 || fileTypeName(sl.fileType) != "execute" {
			t.Errorf("%s: is64=%v filetype %q", tc.name, sl.is64, fileTypeName(sl.fileType))
		}
		if want := (&Encryption{CryptOff: 0x100, CryptSize: 0x20, CryptID: tc.cryptid}); !reflect.DeepEqual(sl.crypt, want) {
			t.Errorf("%s: encryption %+v", tc.name, sl.crypt)
		}
		got, err := StringRanges(b)
		if err != nil || !reflect.DeepEqual(got, tc.wantRange) {
			t.Errorf("%s: StringRanges = %v, %v; want %v", tc.name, got, err, tc.wantRange)
		}
		// A 32-bit command size need only be a multiple of 4.
		if err := PreCheck(thin32(tc.bo, tc.cpu, tc.sub, tc.cryptid, 4)); err != nil {
			t.Errorf("%s: cmdsize 196: %v", tc.name, err)
		}
		if err := PreCheck(thin32(tc.bo, tc.cpu, tc.sub, tc.cryptid, 2)); err == nil || !strings.Contains(err.Error(), "cmdsize 194 is not a multiple of 4") {
			t.Errorf("%s: cmdsize 194: %v", tc.name, err)
		}
	}
}

func TestStringRanges(t *testing.T) {
	exe := machofile.Build(fullSpec("execute"))
	cstr := stdSection(t, exe, "__TEXT", "__cstring")
	names := stdSection(t, exe, "__TEXT", "__objc_classname")
	if uint64(cstr.Offset)+cstr.Size != uint64(names.Offset) {
		t.Fatalf("fixture layout changed: __cstring %#x+%#x, __objc_classname at %#x", cstr.Offset, cstr.Size, names.Offset)
	}
	want := [][2]int64{{int64(cstr.Offset), int64(names.Offset) + int64(names.Size)}} // adjacent: merged
	if got, err := StringRanges(exe); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("execute: %v, %v; want %v", got, err, want)
	}

	// Encrypted over all of __TEXT's sections: no strings to read.
	s := fullSpec("execute")
	s.Encrypted = true
	enc := machofile.Build(s)
	if got, err := StringRanges(enc); err != nil || got != nil {
		t.Errorf("encrypted: %v, %v; want none", got, err)
	}

	// Encrypted over part of __cstring: the rest of it remains, and all
	// of __objc_classname.
	cstr = stdSection(t, enc, "__TEXT", "__cstring")
	names = stdSection(t, enc, "__TEXT", "__objc_classname")
	part := bytes.Clone(enc)
	p := loadCmdOffset(t, part, lcEncryptionInfo64)
	le := binary.LittleEndian
	le.PutUint32(part[p+8:], cstr.Offset+4)
	le.PutUint32(part[p+12:], 8)
	want = [][2]int64{{int64(cstr.Offset), int64(cstr.Offset) + 4}, {int64(cstr.Offset) + 12, int64(names.Offset) + int64(names.Size)}}
	if got, err := StringRanges(part); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("partly encrypted: %v, %v; want %v", got, err, want)
	}
	// cryptid 0: a decrypted dump; nothing is left out.
	le.PutUint32(part[p+16:], 0)
	want = [][2]int64{{int64(cstr.Offset), int64(names.Offset) + int64(names.Size)}}
	if got, err := StringRanges(part); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("cryptid 0: %v, %v; want %v", got, err, want)
	}

	// Fat: absolute offsets in every slice.
	cstr = stdSection(t, exe, "__TEXT", "__cstring")
	names = stdSection(t, exe, "__TEXT", "__objc_classname")
	x86 := machofile.Build(machofile.Spec{CPU: "x86_64", CStrings: []string{"http://x86.example.com/"}})
	fat := machofile.Fat(exe, x86)
	ff, err := dmacho.NewFatFile(bytes.NewReader(fat))
	if err != nil {
		t.Fatal(err)
	}
	x86cstr := stdSection(t, x86, "__TEXT", "__cstring")
	o0, o1 := int64(ff.Arches[0].Offset), int64(ff.Arches[1].Offset)
	want = [][2]int64{
		{o0 + int64(cstr.Offset), o0 + int64(names.Offset) + int64(names.Size)},
		{o1 + int64(x86cstr.Offset), o1 + int64(x86cstr.Offset) + int64(x86cstr.Size)},
	}
	if got, err := StringRanges(fat); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("fat: %v, %v; want %v", got, err, want)
	}
	if string(fat[want[1][0]:want[1][1]]) != "http://x86.example.com/\x00" {
		t.Errorf("fat: x86_64 range holds %q", fat[want[1][0]:want[1][1]])
	}
}

func TestMergeRanges(t *testing.T) {
	got := mergeRanges([][2]int64{{10, 20}, {0, 5}, {5, 7}, {15, 30}, {40, 41}})
	want := [][2]int64{{0, 7}, {10, 30}, {40, 41}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%v, want %v", got, want)
	}
}

func TestSwiftNames(t *testing.T) {
	for _, tc := range []struct{ sym, want string }{
		{"_$s7BUAdSDK9BUAdLoaderC4loadyyF", "BUAdSDK"},
		{"$s9GDTMobSDK6BannerV4showyyF", "GDTMobSDK"},
		{"_$S7BUAdSDK1AV", "BUAdSDK"},  // Swift 4.2
		{"__T07BUAdSDK1AV", "BUAdSDK"}, // Swift 4.0
		{"_$sSo8NSObjectC", ""},        // imported Objective-C
		{"_$ss5printyyF", ""},          // standard library substitution
		{"_$s07BUAdSDK", ""},           // leading zero
		{"_$s99BUAdSDK", ""},           // longer than the symbol
		{"_$s3A-B", ""},                // not an identifier
		{"_$s31X", ""},                 // digit-led identifier is not a module
		{"_OBJC_CLASS_$_Foo", ""},
		{"", ""},
	} {
		got, ok := swiftSymbolModule(tc.sym)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("swiftSymbolModule(%q) = %q, %v; want %q", tc.sym, got, ok, tc.want)
		}
	}
	for _, tc := range []struct{ name, want string }{
		{"_TtC7BUAdSDK14BURewardedView", "BUAdSDK"},
		{"_TtCC9GDTMobSDK5Outer5Inner", "GDTMobSDK"},
		{"_TtP7BUAdSDK8Delegate_", "BUAdSDK"},
		{"_TtCs12_SwiftObject", ""},
		{"BUNativeAd", ""},
		{"_Tt7BUAdSDK", ""},
	} {
		got, ok := swiftClassModule(tc.name)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("swiftClassModule(%q) = %q, %v; want %q", tc.name, got, ok, tc.want)
		}
	}
}
