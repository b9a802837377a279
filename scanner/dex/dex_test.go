package dex

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sdkvet/sdkvet/internal/fixture/dexfile"
)

// typeRec is one result of Types.
type typeRec struct {
	Name    string
	Defined bool
}

// strRec is one result of Strings.
type strRec struct {
	S   string
	Off int64
}

func collectStrings(t testing.TB, f *File) []strRec {
	t.Helper()
	var out []strRec
	if err := f.Strings(func(s string, off int64) bool {
		out = append(out, strRec{s, off})
		return true
	}); err != nil {
		t.Fatalf("Strings: %v", err)
	}
	return out
}

func collectTypes(t testing.TB, f *File) ([]typeRec, []int64) {
	t.Helper()
	var out []typeRec
	var offs []int64
	if err := f.Types(func(name string, defined bool, off int64) bool {
		out = append(out, typeRec{name, defined})
		offs = append(offs, off)
		return true
	}); err != nil {
		t.Fatalf("Types: %v", err)
	}
	return out, offs
}

func mustParse(t testing.TB, data []byte) *File {
	t.Helper()
	f, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// sampleSpec exercises ASCII and non-ASCII names, inner classes, arrays,
// primitives and MUTF-8 special cases.
var sampleSpec = dexfile.Spec{
	Classes:    []string{"com.foo.Bar", "com.foo.Bar$Inner", "a.B", "com.ünï.Code", "a.B"},
	Referenced: []string{"x.Y", "[Lq/R;", "[[Lcom/foo/Bar;", "I", "[J"},
	Strings:    []string{"hello", "héllo", "nul\x00x", "emoji 😀!", "\uffff", "", "ß€"},
}

// In string_ids order: sorted by UTF-16 code units.
var sampleStrings = []string{
	"",
	"I",
	"La/B;",
	"Lcom/foo/Bar$Inner;",
	"Lcom/foo/Bar;",
	"Lcom/ünï/Code;",
	"Ljava/lang/Object;",
	"Lx/Y;",
	"[J",
	"[Lq/R;",
	"[[Lcom/foo/Bar;",
	"emoji 😀!",
	"hello",
	"héllo",
	"nul\x00x",
	"ß€",
	"\uffff",
}

// In type_ids order (sorted by string index), primitives left out.
var sampleTypes = []typeRec{
	{"a.B", true},
	{"com.foo.Bar$Inner", true},
	{"com.foo.Bar", true},
	{"com.ünï.Code", true},
	{"java.lang.Object", false},
	{"x.Y", false},
	{"q.R", false},
	{"com.foo.Bar", false}, // [[Lcom/foo/Bar; is an array type, not defined
}

func TestVersions(t *testing.T) {
	for _, v := range []string{"035", "037", "038", "039", "040", "041"} {
		t.Run(v, func(t *testing.T) {
			spec := sampleSpec
			spec.Version = v
			data := dexfile.Build(spec)
			f := mustParse(t, data)
			if f.Version() != v {
				t.Errorf("Version() = %q, want %q", f.Version(), v)
			}
			if f.NumStrings() != len(sampleStrings) {
				t.Errorf("NumStrings() = %d, want %d", f.NumStrings(), len(sampleStrings))
			}
			if f.NumTypes() != 10 {
				t.Errorf("NumTypes() = %d, want 10", f.NumTypes())
			}
			strs := collectStrings(t, f)
			var got []string
			offOf := map[string]int64{}
			for _, r := range strs {
				got = append(got, r.S)
				offOf[r.S] = r.Off
				checkStringOff(t, data, r)
			}
			if !slices.Equal(got, sampleStrings) {
				t.Errorf("Strings:\n got %q\nwant %q", got, sampleStrings)
			}
			types, offs := collectTypes(t, f)
			if !slices.Equal(types, sampleTypes) {
				t.Errorf("Types:\n got %v\nwant %v", types, sampleTypes)
			}
			// Each type's offset is that of its descriptor string.
			wantDesc := []string{"La/B;", "Lcom/foo/Bar$Inner;", "Lcom/foo/Bar;", "Lcom/ünï/Code;",
				"Ljava/lang/Object;", "Lx/Y;", "[Lq/R;", "[[Lcom/foo/Bar;"}
			for i, d := range wantDesc {
				if i < len(offs) && offs[i] != offOf[d] {
					t.Errorf("type %s: off 0x%x, want 0x%x", d, offs[i], offOf[d])
				}
			}
		})
	}
}

// checkStringOff checks that r.Off is the offset of a string_data_item
// whose uleb128 length is the UTF-16 length of r.S.
func checkStringOff(t *testing.T, data []byte, r strRec) {
	t.Helper()
	if r.Off <= 0 || r.Off >= int64(len(data)) {
		t.Errorf("string %q: offset 0x%x out of range", r.S, r.Off)
		return
	}
	n, _ := binary.Uvarint(data[r.Off:])
	want := 0
	for _, c := range r.S {
		want++
		if c >= 0x10000 {
			want++
		}
	}
	if int(n) != want {
		t.Errorf("string %q at 0x%x: utf16_size %d, want %d", r.S, r.Off, n, want)
	}
}

func TestEmpty(t *testing.T) {
	f := mustParse(t, dexfile.Build(dexfile.Spec{}))
	types, _ := collectTypes(t, f)
	if want := []typeRec{{"java.lang.Object", false}}; !slices.Equal(types, want) {
		t.Errorf("Types = %v, want %v", types, want)
	}
}

func TestDefinesObject(t *testing.T) {
	f := mustParse(t, dexfile.Build(dexfile.Spec{Classes: []string{"java.lang.Object", "a.A"}}))
	types, _ := collectTypes(t, f)
	want := []typeRec{{"a.A", true}, {"java.lang.Object", true}}
	if !slices.Equal(types, want) {
		t.Errorf("Types = %v, want %v", types, want)
	}
}

func TestMUTF8(t *testing.T) {
	data := dexfile.Build(dexfile.Spec{Strings: []string{
		"\x00", "a\x00b", "\u0080", "\u07ff", "\u0800", "\uffff", "\U00010000", "\U0010ffff",
		"x😀y😀", "Grüße, 世界", "tab\tnl\n",
	}})
	f := mustParse(t, data)
	got := map[string]bool{}
	for _, r := range collectStrings(t, f) {
		got[r.S] = true
		checkStringOff(t, data, r)
	}
	for _, s := range []string{"\x00", "a\x00b", "\u0080", "\u07ff", "\u0800", "\uffff",
		"\U00010000", "\U0010ffff", "x😀y😀", "Grüße, 世界", "tab\tnl\n"} {
		if !got[s] {
			t.Errorf("string %q missing", s)
		}
	}
	// The NUL really is written as C0 80 and the supplementary
	// character as two 3-byte surrogates.
	off := stringOff(t, data, "a\x00b")
	if want := []byte{3, 'a', 0xc0, 0x80, 'b', 0}; !slices.Equal(data[off:off+6], want) {
		t.Errorf("a\\x00b encoded as % x, want % x", data[off:off+6], want)
	}
	off = stringOff(t, data, "\U00010000")
	if want := []byte{2, 0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80, 0}; !slices.Equal(data[off:off+8], want) {
		t.Errorf("U+10000 encoded as % x, want % x", data[off:off+8], want)
	}
}

// TestUnpairedSurrogates patches a three-byte character into surrogates
// that do not pair up; they must come out as U+FFFD.
func TestUnpairedSurrogates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		patch []byte // replaces "€€" (6 bytes, 2 units) in "a€€b"
		want  string
	}{
		{"lone high", []byte{0xed, 0xa0, 0x80, 0xe2, 0x82, 0xac}, "a\uFFFD€b"},
		{"lone low", []byte{0xed, 0xb0, 0x80, 0xe2, 0x82, 0xac}, "a\uFFFD€b"},
		{"low then high", []byte{0xed, 0xb0, 0x80, 0xed, 0xa0, 0x80}, "a\uFFFD\uFFFDb"},
		{"high then high", []byte{0xed, 0xa0, 0x80, 0xed, 0xa0, 0x81}, "a\uFFFD\uFFFDb"},
		{"pair", []byte{0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80}, "a😀b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := dexfile.Build(dexfile.Spec{Strings: []string{"a€€b"}})
			off := stringOff(t, data, "a€€b")
			copy(data[off+2:], tc.patch)
			f := mustParse(t, data)
			var got string
			_ = f.Strings(func(s string, o int64) bool {
				if o == int64(off) {
					got = s
				}
				return true
			})
			if got != tc.want || !utf8.ValidString(got) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// stringOff returns the offset of the string_data_item of s in data.
func stringOff(t testing.TB, data []byte, s string) int {
	t.Helper()
	off := -1
	f := mustParse(t, data)
	if err := f.Strings(func(x string, o int64) bool {
		if x == s {
			off = int(o)
			return false
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		t.Fatalf("string %q not found", s)
	}
	return off
}

func TestStop(t *testing.T) {
	f := mustParse(t, dexfile.Build(sampleSpec))
	n := 0
	if err := f.Strings(func(string, int64) bool { n++; return n < 3 }); err != nil || n != 3 {
		t.Errorf("Strings stopped after %d calls, err %v; want 3, nil", n, err)
	}
	n = 0
	if err := f.Types(func(string, bool, int64) bool { n++; return false }); err != nil || n != 1 {
		t.Errorf("Types stopped after %d calls, err %v; want 1, nil", n, err)
	}
}

func TestTrailingBytesIgnored(t *testing.T) {
	data := append(dexfile.Build(sampleSpec), "trailing junk"...)
	f := mustParse(t, data)
	if types, _ := collectTypes(t, f); !slices.Equal(types, sampleTypes) {
		t.Errorf("Types = %v", types)
	}
}

var (
	spec1 = dexfile.Spec{
		Classes:    []string{"com.first.A", "com.first.B$C"},
		Referenced: []string{"com.shared.Lib", "[I"},
		Strings:    []string{"first section", "é"},
	}
	spec2 = dexfile.Spec{
		Classes:    []string{"org.second.Z", "com.shared.Lib"},
		Referenced: []string{"[Lcom/first/A;"},
		Strings:    []string{"second section", "😀"},
	}
	containerTypes = []typeRec{
		{"com.first.A", true}, {"com.first.B$C", true}, {"com.shared.Lib", false}, {"java.lang.Object", false},
		{"com.shared.Lib", true}, {"java.lang.Object", false}, {"org.second.Z", true}, {"com.first.A", false},
	}
)

func TestContainer(t *testing.T) {
	data := dexfile.BuildContainer(spec1, spec2)
	f := mustParse(t, data)
	checkContainer(t, f, data)
	if got := f.sections[1].base; got != 0 {
		t.Errorf("section 1 read with base 0x%x, want 0 (container-relative)", got)
	}
}

func checkContainer(t *testing.T, f *File, data []byte) {
	t.Helper()
	if f.Version() != "041" {
		t.Errorf("Version() = %q", f.Version())
	}
	if len(f.sections) != 2 {
		t.Fatalf("%d sections, want 2", len(f.sections))
	}
	h2 := int64(f.sections[1].hdr)
	if h2 == 0 || string(data[h2:h2+8]) != "dex\n041\x00" {
		t.Fatalf("second header at 0x%x", h2)
	}
	types, _ := collectTypes(t, f)
	if !slices.Equal(types, containerTypes) {
		t.Errorf("Types:\n got %v\nwant %v", types, containerTypes)
	}
	strs := collectStrings(t, f)
	if len(strs) != f.NumStrings() {
		t.Errorf("%d strings, NumStrings() = %d", len(strs), f.NumStrings())
	}
	seen := map[string]int64{}
	for _, r := range strs {
		seen[r.S] = r.Off
		checkStringOff(t, data, r)
	}
	if off, ok := seen["first section"]; !ok || off >= h2 {
		t.Errorf("first section string at 0x%x (ok %v), want below 0x%x", off, ok, h2)
	}
	if off, ok := seen["second section"]; !ok || off < h2 {
		t.Errorf("second section string at 0x%x (ok %v), want at or above 0x%x", off, ok, h2)
	}
	if _, ok := seen["😀"]; !ok {
		t.Errorf("😀 missing")
	}
	if f.NumTypes() != 9 { // [I is counted but not reported
		t.Errorf("NumTypes() = %d, want 9", f.NumTypes())
	}
}

// TestContainerSectionRelative rewrites the second section of a container
// so its offsets are relative to its own header, the other reading of the
// 041 layout, and checks it is read the same.
func TestContainerSectionRelative(t *testing.T) {
	data := dexfile.BuildContainer(spec1, spec2)
	h := int(binary.LittleEndian.Uint32(data[0x20:])) // first file_size
	le := binary.LittleEndian
	sub := func(at int) { le.PutUint32(data[at:], le.Uint32(data[at:])-uint32(h)) }
	nStr := int(le.Uint32(data[h+offStringIDsSize:]))
	strIDs := int(le.Uint32(data[h+offStringIDsOff:]))
	mapOff := int(le.Uint32(data[h+offMapOff:]))
	for i := 0; i < nStr; i++ {
		sub(strIDs + 4*i)
	}
	n := int(le.Uint32(data[mapOff:]))
	for i := 0; i < n; i++ {
		sub(mapOff + 4 + 12*i + 8)
	}
	for _, o := range []int{offMapOff, offStringIDsOff, offTypeIDsOff, offClassDefsOff} {
		sub(h + o)
	}
	f := mustParse(t, data)
	checkContainer(t, f, data)
	if got := f.sections[1].base; got != uint64(h) {
		t.Errorf("section 1 read with base 0x%x, want 0x%x (section-relative)", got, h)
	}
}

func TestSingleSection041(t *testing.T) {
	data := dexfile.Build(dexfile.Spec{Version: "041", Classes: []string{"a.A"}})
	f := mustParse(t, data)
	if len(f.sections) != 1 {
		t.Fatalf("%d sections", len(f.sections))
	}
	types, _ := collectTypes(t, f)
	if want := []typeRec{{"a.A", true}, {"java.lang.Object", false}}; !slices.Equal(types, want) {
		t.Errorf("Types = %v, want %v", types, want)
	}
}

func put32(data []byte, at int, v uint32) { binary.LittleEndian.PutUint32(data[at:], v) }
func get32(data []byte, at int) int       { return int(binary.LittleEndian.Uint32(data[at:])) }

func TestMalformed(t *testing.T) {
	base := func() []byte { return dexfile.Build(sampleSpec) }
	// strAt returns the offset of the string_data_item of s.
	strAt := func(data []byte, s string) int { return stringOff(t, data, s) }

	cases := []struct {
		name   string
		data   func() []byte
		phase  string // where the error must appear: parse, strings, types
		is     error
		substr string
	}{
		{"empty", func() []byte { return nil }, "parse", ErrNotDex, "not a DEX"},
		{"not dex", func() []byte { return []byte("PK\x03\x04 a zip file, not a dex") }, "parse", ErrNotDex, "not a DEX"},
		{"magic only", func() []byte { return []byte("dex\n03") }, "parse", ErrFormat, "truncated header"},
		{"truncated header", func() []byte { return base()[:0x40] }, "parse", ErrFormat, "truncated header"},
		{"truncated v41 header", func() []byte {
			return dexfile.Build(dexfile.Spec{Version: "041"})[:0x74]
		}, "parse", ErrFormat, "truncated header"},
		{"version 036", func() []byte { d := base(); copy(d[4:], "036"); return d }, "parse", ErrUnsupported, "version 036"},
		{"version 042", func() []byte { d := base(); copy(d[4:], "042"); return d }, "parse", ErrUnsupported, "version 042"},
		{"version garbage", func() []byte { d := base(); copy(d[4:], "0x5"); return d }, "parse", ErrUnsupported, "version"},
		{"big-endian", func() []byte { d := base(); put32(d, offEndianTag, reverseEndianConstant); return d }, "parse", ErrUnsupported, "big-endian"},
		{"bad endian tag", func() []byte { d := base(); put32(d, offEndianTag, 0); return d }, "parse", ErrFormat, "endian_tag"},
		{"header_size", func() []byte { d := base(); put32(d, offHeaderSize, 0x78); return d }, "parse", ErrFormat, "header_size"},
		{"truncated file", func() []byte { d := base(); return d[:len(d)-9] }, "parse", ErrFormat, "file_size"},
		{"file_size too small", func() []byte { d := base(); put32(d, offFileSize, 0x20); return d }, "parse", ErrFormat, "file_size"},
		{"string_ids_off past end", func() []byte { d := base(); put32(d, offStringIDsOff, 0xFFFFFF00); return d }, "parse", ErrFormat, "string_ids"},
		{"string_ids_size huge", func() []byte { d := base(); put32(d, offStringIDsSize, 0xFFFFFFFF); return d }, "parse", ErrFormat, "string_ids (4294967295 items"},
		{"string_ids_off in header", func() []byte { d := base(); put32(d, offStringIDsOff, 0x10); return d }, "parse", ErrFormat, "string_ids_off 0x10 points into"},
		{"type_ids_size huge", func() []byte { d := base(); put32(d, offTypeIDsSize, 0xFFFFFFFF); return d }, "parse", ErrFormat, "type_ids_size"},
		{"type_ids past end", func() []byte { d := base(); put32(d, offTypeIDsSize, 60000); return d }, "parse", ErrFormat, "type_ids"},
		{"proto_ids past end", func() []byte {
			d := base()
			put32(d, offProtoIDsSize, 1)
			put32(d, offProtoIDsOff, uint32(len(d)-4))
			return d
		}, "parse", ErrFormat, "proto_ids"},
		{"field_ids past end", func() []byte {
			d := base()
			put32(d, offFieldIDsSize, 0xFFFFFFFF)
			put32(d, offFieldIDsOff, 0x70)
			return d
		}, "parse", ErrFormat, "field_ids"},
		{"method_ids past end", func() []byte {
			d := base()
			put32(d, offMethodIDsSize, 2)
			put32(d, offMethodIDsOff, 0xFFFFFFFF)
			return d
		}, "parse", ErrFormat, "method_ids"},
		{"class_defs past end", func() []byte { d := base(); put32(d, offClassDefsSize, 1000); return d }, "parse", ErrFormat, "class_defs"},
		{"link past end", func() []byte { d := base(); put32(d, offLinkSize, 16); put32(d, offLinkOff, uint32(len(d))); return d }, "parse", ErrFormat, "link"},
		{"data past end", func() []byte { d := base(); put32(d, offDataSize, 0xFFFFFFFF); return d }, "parse", ErrFormat, "data"},
		{"map_off zero", func() []byte { d := base(); put32(d, offMapOff, 0); return d }, "parse", ErrFormat, "map_off is 0"},
		{"map_off past end", func() []byte { d := base(); put32(d, offMapOff, 0xFFFFFFFE); return d }, "parse", ErrFormat, "map_off"},
		{"map_list size huge", func() []byte { d := base(); put32(d, get32(d, offMapOff), 0x7FFFFFFF); return d }, "parse", ErrFormat, "map_list"},
		{"map item offset", func() []byte { d := base(); put32(d, get32(d, offMapOff)+4+8, 0xFFFFFFF0); return d }, "parse", ErrFormat, "map_list item 0"},
		{"class_idx out of range", func() []byte {
			d := base()
			put32(d, get32(d, offClassDefsOff)+32, 999)
			return d
		}, "parse", ErrFormat, "class_def 1: class_idx 999 out of range"},
		{"descriptor_idx out of range", func() []byte {
			d := base()
			put32(d, get32(d, offTypeIDsOff)+8, 0xFFFF)
			return d
		}, "parse", ErrFormat, "type_id 2: descriptor_idx 65535 out of range"},
		{"string_data_off past end", func() []byte {
			d := base()
			put32(d, get32(d, offStringIDsOff)+4*5, 0xFFFFFFF0)
			return d
		}, "strings", ErrFormat, "string 5 at 0xfffffff0: string_data_off"},
		{"bad MUTF-8 byte", func() []byte { d := base(); d[strAt(d, "hello")+3] = 0xFF; return d }, "strings", ErrFormat, "invalid MUTF-8 byte 0xff"},
		{"bad MUTF-8 lead byte", func() []byte { d := base(); d[strAt(d, "hello")+1] = 0x85; return d }, "strings", ErrFormat, "invalid MUTF-8 byte 0x85"},
		{"bad MUTF-8 continuation", func() []byte {
			d := base()
			copy(d[strAt(d, "hello")+1:], []byte{0xC3, 'x'})
			return d
		}, "strings", ErrFormat, "bad MUTF-8 sequence"},
		{"bad MUTF-8 3-byte", func() []byte {
			d := base()
			copy(d[strAt(d, "hello")+1:], []byte{0xE2, 0x82, 'x'})
			return d
		}, "strings", ErrFormat, "bad MUTF-8 sequence"},
		{"overlong MUTF-8", func() []byte {
			d := base()
			copy(d[strAt(d, "hello")+1:], []byte{0xC1, 0x81})
			return d
		}, "strings", ErrFormat, "overlong"},
		{"overlong 3-byte MUTF-8", func() []byte {
			d := base()
			copy(d[strAt(d, "hello")+1:], []byte{0xE0, 0x81, 0x81})
			return d
		}, "strings", ErrFormat, "overlong"},
		{"NUL inside string", func() []byte { d := base(); d[strAt(d, "hello")+3] = 0; return d }, "strings", ErrFormat, "NUL at"},
		{"length too long", func() []byte { d := base(); d[strAt(d, "hello")] = 9; return d }, "strings", ErrFormat, "after 5 of 9 UTF-16 units"},
		{"length too short", func() []byte { d := base(); d[strAt(d, "hello")] = 3; return d }, "strings", ErrFormat, "not NUL-terminated"},
		{"bad uleb128", func() []byte {
			d := base()
			copy(d[strAt(d, "hello"):], []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01})
			return d
		}, "strings", ErrFormat, "uleb128"},
		{"truncated uleb128", func() []byte {
			d := append(base(), 0x80)
			put32(d, offFileSize, uint32(len(d)))
			put32(d, get32(d, offStringIDsOff)+4*3, uint32(len(d)-1))
			return d
		}, "strings", ErrFormat, "truncated uleb128"},
		{"string runs off the end", func() []byte {
			d := append(base(), 0x05, 'a', 'b')
			put32(d, offFileSize, uint32(len(d)))
			put32(d, get32(d, offStringIDsOff)+4*3, uint32(len(d)-3))
			return d
		}, "strings", ErrFormat, "truncated string data"},
		{"invalid class descriptor", func() []byte {
			d := base()
			d[strAt(d, "Lx/Y;")+5] = ':'
			return d
		}, "types", ErrFormat, `invalid type descriptor "Lx/Y:"`},
		{"empty name segment", func() []byte {
			d := base()
			copy(d[strAt(d, "La/B;")+1:], "L//B;")
			return d
		}, "types", ErrFormat, "empty name segment"},
		{"dot in descriptor", func() []byte {
			d := base()
			copy(d[strAt(d, "La/B;")+1:], "La.B;")
			return d
		}, "types", ErrFormat, "bad character"},
		{"array of void", func() []byte {
			d := base()
			copy(d[strAt(d, "[J")+1:], "[V")
			return d
		}, "types", ErrFormat, `invalid type descriptor "[V"`},
		{"bad descriptor string", func() []byte {
			d := base()
			d[strAt(d, "Lx/Y;")+2] = 0xFF
			return d
		}, "types", ErrFormat, "type 6 (string 7) at 0x"},
		{"type name string bad MUTF-8", func() []byte {
			d := base()
			d[strAt(d, "La/B;")+1] = 0xF5
			return d
		}, "types", ErrFormat, "invalid MUTF-8 byte 0xf5"},

		// 041 containers.
		{"v41 first header_offset", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			put32(d, offHeaderOffset, 8)
			return d
		}, "parse", ErrFormat, "header_offset of the first header"},
		{"v41 container_size past end", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			put32(d, offContainerSize, uint32(len(d)+1))
			return d
		}, "parse", ErrFormat, "container_size"},
		{"v41 truncated container", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			return d[:len(d)-1]
		}, "parse", ErrFormat, "container_size"},
		{"v41 file_size past container", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			put32(d, offFileSize, uint32(len(d)+100))
			return d
		}, "parse", ErrFormat, "file_size"},
		{"v41 file_size zero", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			put32(d, offFileSize, 0)
			return d
		}, "parse", ErrFormat, "file_size 0"},
		{"v41 second header_offset", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			put32(d, get32(d, offFileSize)+offHeaderOffset, 0)
			return d
		}, "parse", ErrFormat, "header_offset is 0x0"},
		{"v41 second container_size", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			put32(d, get32(d, offFileSize)+offContainerSize, 0x1000)
			return d
		}, "parse", ErrFormat, "differs from the first"},
		{"v41 second magic", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			copy(d[get32(d, offFileSize)+4:], "035")
			return d
		}, "parse", ErrFormat, "has magic"},
		{"v41 second big-endian", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			put32(d, get32(d, offFileSize)+offEndianTag, reverseEndianConstant)
			return d
		}, "parse", ErrUnsupported, "big-endian"},
		{"v41 second string_ids out of range", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			put32(d, get32(d, offFileSize)+offStringIDsOff, 0x10)
			return d
		}, "parse", ErrFormat, "string_ids_off 0x10 points into"},
		{"v41 second header truncated", func() []byte {
			d := append(dexfile.BuildContainer(spec1), make([]byte, 0x40)...)
			put32(d, offContainerSize, uint32(len(d)))
			return d
		}, "parse", ErrFormat, "truncated header of section at 0x"},
		{"v41 tables outside their section", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			h := get32(d, offFileSize)
			put32(d, offClassDefsOff, uint32(get32(d, h+offClassDefsOff)))
			return d
		}, "parse", ErrFormat, "extends past the end of its section"},
		{"v41 section string error names section", func() []byte {
			d := dexfile.BuildContainer(spec1, spec2)
			d[strAt(d, "second section")+1] = 0xFF
			return d
		}, "strings", ErrFormat, "section 1 (at 0x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data()
			f, err := Parse(data)
			if tc.phase != "parse" {
				if err != nil {
					t.Fatalf("Parse: unexpected error %v", err)
				}
				if tc.phase == "strings" {
					err = f.Strings(func(string, int64) bool { return true })
				} else {
					if err2 := f.Strings(func(string, int64) bool { return true }); tc.name != "bad descriptor string" &&
						tc.name != "type name string bad MUTF-8" && err2 != nil {
						t.Fatalf("Strings: unexpected error %v", err2)
					}
					err = f.Types(func(string, bool, int64) bool { return true })
				}
			} else if f != nil {
				t.Fatalf("Parse returned a File with error %v", err)
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.substr)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.substr) {
				t.Errorf("error %q does not contain %q", err, tc.substr)
			}
		})
	}
}

// TestDexdump checks, when dexdump is installed, that it accepts the files
// the builder writes (so they are real DEX files, verified by ART's
// verifier) and lists the same classes as Types reports defined.
func TestDexdump(t *testing.T) {
	dexdump, err := exec.LookPath("dexdump")
	if err != nil {
		t.Skip("dexdump not on PATH (Debian package dexdump)")
	}
	re := regexp.MustCompile(`(?m)^\s*Class descriptor\s*:\s*'([^']*)'`)
	for _, v := range []string{"035", "037", "038", "039", "040", "041"} {
		t.Run(v, func(t *testing.T) {
			spec := sampleSpec
			spec.Version = v
			data := dexfile.Build(spec)
			path := filepath.Join(t.TempDir(), "classes.dex")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(dexdump, "-f", path).CombinedOutput()
			if err != nil {
				if strings.Contains(string(out), "Unrecognized version") && (v == "040" || v == "041") {
					t.Skipf("this dexdump does not know version %s", v)
				}
				t.Fatalf("dexdump -f: %v\n%s", err, out)
			}
			if strings.Contains(string(out), "Failure") {
				t.Fatalf("dexdump reported a failure:\n%s", out)
			}
			var dumped []string
			for _, m := range re.FindAllStringSubmatch(string(out), -1) {
				dumped = append(dumped, m[1])
			}
			var ours []string
			types, _ := collectTypes(t, mustParse(t, data))
			for _, tr := range types {
				if tr.Defined {
					ours = append(ours, "L"+strings.ReplaceAll(tr.Name, ".", "/")+";")
				}
			}
			slices.Sort(dumped)
			slices.Sort(ours)
			want := []string{"La/B;", "Lcom/foo/Bar$Inner;", "Lcom/foo/Bar;", "Lcom/ünï/Code;"}
			if !slices.Equal(dumped, want) {
				t.Errorf("dexdump classes %q, want %q\n%s", dumped, want, out)
			}
			if !slices.Equal(ours, want) {
				t.Errorf("Types defined %q, want %q", ours, want)
			}
		})
	}
}

// TestSharedStringData checks that pointing many entries at one long
// string stops with an error instead of costing quadratic time.
func TestSharedStringData(t *testing.T) {
	long := strings.Repeat("x", 20000)
	spec := dexfile.Spec{Strings: []string{long}, Referenced: []string{"a." + long}}
	for i := range 300 {
		spec.Strings = append(spec.Strings, fmt.Sprint("s", i))
		spec.Referenced = append(spec.Referenced, fmt.Sprint("r.T", i))
	}

	t.Run("strings", func(t *testing.T) {
		data := dexfile.Build(spec)
		off := stringOff(t, data, long)
		so, n := get32(data, offStringIDsOff), get32(data, offStringIDsSize)
		for i := range n {
			put32(data, so+4*i, uint32(off))
		}
		calls := 0
		err := mustParse(t, data).Strings(func(string, int64) bool { calls++; return true })
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "shared or overlapping") {
			t.Fatalf("err = %v, want shared string data error", err)
		}
		if max := len(data) / len(long); calls > max {
			t.Errorf("%d strings returned, want at most %d", calls, max)
		}
	})
	t.Run("types", func(t *testing.T) {
		data := dexfile.Build(spec)
		off := stringOff(t, data, "La/"+long+";")
		so, ns := get32(data, offStringIDsOff), get32(data, offStringIDsSize)
		idx := -1
		for i := range ns {
			if get32(data, so+4*i) == off {
				idx = i
			}
		}
		to, nt := get32(data, offTypeIDsOff), get32(data, offTypeIDsSize)
		for i := range nt {
			put32(data, to+4*i, uint32(idx))
		}
		err := mustParse(t, data).Types(func(string, bool, int64) bool { return true })
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "shared or overlapping") {
			t.Fatalf("err = %v, want shared string data error", err)
		}
	})
}
