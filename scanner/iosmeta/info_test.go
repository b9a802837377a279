package iosmeta

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/iosfixture"
)

func fullInfo() map[string]any {
	return map[string]any{
		"CFBundleIdentifier":         "com.example.demo",
		"CFBundleName":               "Demo",
		"CFBundleDisplayName":        "Demo \u202eevil",
		"CFBundleExecutable":         "Demo",
		"CFBundleShortVersionString": "1.2.3",
		"CFBundleVersion":            "456",
		"MinimumOSVersion":           "13.0",
		"LSMinimumSystemVersion":     "10.15",
		"CFBundlePackageType":        "APPL",
		"CFBundleURLTypes": []any{
			map[string]any{"CFBundleURLName": "wechat", "CFBundleURLSchemes": []any{"wx1234567890abcdef"}},
			map[string]any{"CFBundleURLSchemes": []any{"tencent101", "QQ05FB8B52"}},
		},
		"LSApplicationQueriesSchemes": []any{"weixin", "mqq", "snssdk1128"},
		"NSAppTransportSecurity": map[string]any{
			"NSAllowsArbitraryLoads": true,
			"NSExceptionDomains": map[string]any{
				"Pangle.IO":     map[string]any{"NSIncludesSubdomains": true},
				"qq.com":        map[string]any{},
				"QQ.COM":        map[string]any{},
				"bytedance.NET": map[string]any{},
			},
		},
		"NSExtension": map[string]any{
			"NSExtensionPointIdentifier": "com.apple.widgetkit-extension",
		},
	}
}

func TestParseInfo(t *testing.T) {
	want := &Info{
		BundleID:            "com.example.demo",
		Name:                "Demo",
		DisplayName:         "Demo \u202eevil",
		Executable:          "Demo",
		Version:             "1.2.3",
		Build:               "456",
		MinOS:               "13.0",
		PackageType:         "APPL",
		URLSchemes:          []string{"wx1234567890abcdef", "tencent101", "QQ05FB8B52"},
		QueriedSchemes:      []string{"weixin", "mqq", "snssdk1128"},
		ATSExceptionDomains: []string{"bytedance.net", "pangle.io", "qq.com"},
		ExtensionPoint:      "com.apple.widgetkit-extension",
	}
	for _, binary := range []bool{false, true} {
		t.Run(fmt.Sprint("binary=", binary), func(t *testing.T) {
			data := iosfixture.Plist(fullInfo(), binary)
			if got := bytes.HasPrefix(data, []byte("bplist00")); got != binary {
				t.Fatalf("fixture binary = %v", got)
			}
			got, err := ParseInfo(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseInfoMinOSFallback(t *testing.T) {
	got, err := ParseInfo(iosfixture.Plist(map[string]any{"LSMinimumSystemVersion": "11.0", "MinimumOSVersion": 13}, true))
	if err != nil {
		t.Fatal(err)
	}
	if got.MinOS != "11.0" {
		t.Errorf("MinOS %q, want the macOS key", got.MinOS)
	}
}

func TestParseInfoBOMAndWhitespace(t *testing.T) {
	data := append([]byte("\xef\xbb\xbf \n"), iosfixture.Plist(map[string]any{"CFBundleIdentifier": "a.b"}, false)...)
	got, err := ParseInfo(data)
	if err != nil || got.BundleID != "a.b" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestParseInfoWrongTypes(t *testing.T) {
	m := map[string]any{
		"CFBundleIdentifier":         42,
		"CFBundleName":               []any{"Demo"},
		"CFBundleDisplayName":        map[string]any{"a": "b"},
		"CFBundleExecutable":         true,
		"CFBundleShortVersionString": 1.5,
		"CFBundleVersion":            []byte("456"),
		"MinimumOSVersion":           13,
		"LSMinimumSystemVersion":     false,
		"CFBundlePackageType":        []any{},
		"CFBundleURLTypes": []any{
			"not a dict",
			map[string]any{"CFBundleURLSchemes": "not an array"},
			map[string]any{"CFBundleURLSchemes": []any{1, "ok", map[string]any{}, "ok2"}},
			42,
		},
		"LSApplicationQueriesSchemes": []any{true, "a", []any{"b"}},
		"NSAppTransportSecurity":      map[string]any{"NSExceptionDomains": []any{"x.com"}},
		"NSExtension":                 "com.apple.share-services",
	}
	want := &Info{URLSchemes: []string{"ok", "ok2"}, QueriedSchemes: []string{"a"}}
	for _, binary := range []bool{false, true} {
		got, err := ParseInfo(iosfixture.Plist(m, binary))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("binary=%v: got %+v\nwant %+v", binary, got, want)
		}
	}
	// Whole sections of the wrong type.
	got, err := ParseInfo(iosfixture.Plist(map[string]any{
		"CFBundleURLTypes":            map[string]any{"CFBundleURLSchemes": []any{"x"}},
		"LSApplicationQueriesSchemes": "weixin",
		"NSAppTransportSecurity":      "yes",
		"NSExtension":                 []any{"x"},
	}, false))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, &Info{}) {
		t.Errorf("got %+v, want nothing", got)
	}
}

func TestParseInfoRawStrings(t *testing.T) {
	// Control characters survive in binary property lists, whose ASCII
	// strings are raw bytes; invalid UTF-8 needs a hand-made one.
	got, err := ParseInfo(iosfixture.Plist(map[string]any{"CFBundleName": "\x1b[31mred\x00"}, true))
	if err != nil || got.Name != "\x1b[31mred\x00" {
		t.Fatalf("got %+v, %v", got, err)
	}
	data := rawBplist([]bpObject{
		bpDic(1, []int{1, 3}, []int{2, 4}),
		bpString("CFBundleName"), bpString("\xff\xfeA"),
		bpString("NSAppTransportSecurity"), bpDic(1, []int{5}, []int{6}),
		bpString("NSExceptionDomains"), bpDic(1, []int{7, 8}, []int{9, 9}),
		bpString("\xffEXAMPLE.com"), bpString("Example.COM"), bpTrue,
	}, 1, 0)
	got, err = ParseInfo(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "\xff\xfeA" {
		t.Errorf("Name %q", got.Name)
	}
	if want := []string{"example.com", "\xffexample.com"}; !reflect.DeepEqual(got.ATSExceptionDomains, want) {
		t.Errorf("ATSExceptionDomains %q, want %q", got.ATSExceptionDomains, want)
	}
}

func TestParseInfoCaps(t *testing.T) {
	many := func(prefix string, n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%05d", prefix, i)
		}
		return out
	}
	domains := map[string]any{}
	for i := range MaxListItems + 50 {
		domains[fmt.Sprintf("D%05d.example", i)] = map[string]any{}
	}
	long := strings.Repeat("x", 3*MaxStringLen)
	// A two-byte rune across the cut.
	split := strings.Repeat("a", MaxStringLen-1) + "é" + "tail"
	m := map[string]any{
		"CFBundleIdentifier":          long,
		"CFBundleName":                split,
		"LSApplicationQueriesSchemes": many("q", MaxListItems+100),
		"CFBundleURLTypes": []any{
			map[string]any{"CFBundleURLSchemes": many("a", MaxListItems-1)},
			map[string]any{"CFBundleURLSchemes": many("b", 5)},
		},
		"NSAppTransportSecurity": map[string]any{"NSExceptionDomains": domains},
	}
	for _, binary := range []bool{false, true} {
		got, err := ParseInfo(iosfixture.Plist(m, binary))
		if err != nil {
			t.Fatal(err)
		}
		if got.BundleID != long[:MaxStringLen] {
			t.Errorf("BundleID of %d bytes", len(got.BundleID))
		}
		if got.Name != split[:MaxStringLen-1] {
			t.Errorf("Name of %d bytes ends %q", len(got.Name), got.Name[len(got.Name)-4:])
		}
		if len(got.QueriedSchemes) != MaxListItems || got.QueriedSchemes[MaxListItems-1] != "q09999" {
			t.Errorf("%d queried schemes", len(got.QueriedSchemes))
		}
		if len(got.URLSchemes) != MaxListItems || got.URLSchemes[MaxListItems-1] != "b00000" {
			t.Errorf("%d URL schemes, last %q", len(got.URLSchemes), got.URLSchemes[len(got.URLSchemes)-1])
		}
		if len(got.ATSExceptionDomains) != MaxListItems || got.ATSExceptionDomains[0] != "d00000.example" ||
			got.ATSExceptionDomains[MaxListItems-1] != "d09999.example" {
			t.Errorf("%d ATS domains", len(got.ATSExceptionDomains))
		}
	}
}

func TestCapString(t *testing.T) {
	a := strings.Repeat("a", MaxStringLen)
	for _, tt := range []struct{ in, want string }{
		{"short", "short"},
		{a, a},
		{a + "b", a},
		{a[:MaxStringLen-1] + "é", a[:MaxStringLen-1]},             // 2-byte rune split
		{a[:MaxStringLen-2] + "€x", a[:MaxStringLen-2]},            // 3-byte rune split after 2
		{a[:MaxStringLen-1] + "€", a[:MaxStringLen-1]},             // 3-byte rune split after 1
		{a[:MaxStringLen-3] + "😀", a[:MaxStringLen-3]},             // 4-byte rune split after 3
		{a[:MaxStringLen-2] + "é" + "x", a[:MaxStringLen-2] + "é"}, // rune ends at the cut
		{a[:MaxStringLen-1] + "\xff\xff", a[:MaxStringLen-1] + "\xff"},
		{a[:MaxStringLen-1] + "\xc3\xc3", a[:MaxStringLen-1] + "\xc3"}, // invalid: cut as is
	} {
		if got := capString(tt.in); got != tt.want {
			t.Errorf("capString(...%q) = ...%q (%d bytes)", tt.in[len(tt.in)-6:], got[max(0, len(got)-6):], len(got))
		}
	}
}

func TestParseInfoMalformed(t *testing.T) {
	xmlArray := iosfixture.Plist([]any{"a"}, false)
	binString := iosfixture.Plist("just a string", true)
	valid := iosfixture.Plist(fullInfo(), true)
	tests := []struct {
		name     string
		data     []byte
		sentinel error
		msg      string
	}{
		{"empty", nil, ErrMalformed, "empty"},
		{"garbage", []byte("hello, world"), ErrMalformed, "neither an XML nor a binary"},
		{"OpenStep", []byte(`{ CFBundleIdentifier = "com.example"; }`), ErrMalformed, "neither"},
		{"GNUstep", []byte(`<*I5>`), ErrMalformed, ""},
		{"XML array", xmlArray, ErrMalformed, "not a dictionary"},
		{"binary string", binString, ErrMalformed, "not a dictionary"},
		{"truncated XML", xmlArray[:len(xmlArray)/2], ErrMalformed, "XML"},
		{"HTML", []byte("<html><body>hi</body></html>"), ErrMalformed, ""},
		{"truncated binary", valid[:len(valid)-1], ErrMalformed, "binary property list"},
		{"short binary", []byte("bplist00\x00"), ErrMalformed, "too short"},
		{"too large", append([]byte("<plist>"), make([]byte, MaxPlistSize)...), ErrLimit, "more than"},
		{"unknown element", []byte("<plist><dict><key>a</key><foo/></dict></plist>"), ErrMalformed, ""},
		{"dict without value", []byte("<plist><dict><key>a</key></dict></plist>"), ErrMalformed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseInfo(tt.data)
			wantErr(t, err, tt.sentinel, tt.msg)
			if got != nil {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestXMLLimits(t *testing.T) {
	deep := func(n int) []byte {
		return []byte("<plist><dict><key>k</key>" + strings.Repeat("<array>", n) + strings.Repeat("</array>", n) + "</dict></plist>")
	}
	if _, err := ParseInfo(deep(maxPlistDepth - 3)); err != nil {
		t.Fatalf("nesting under the limit: %v", err)
	}
	quick(t, func() {
		_, err := ParseInfo(deep(maxPlistDepth))
		wantErr(t, err, ErrLimit, "nested deeper")
	})
	// A million levels: howett.net/plist alone would recurse a million times.
	quick(t, func() {
		_, err := ParseInfo([]byte("<plist>" + strings.Repeat("<array>", 1<<20)))
		wantErr(t, err, ErrLimit, "nested deeper")
	})
	// Each <dict/> costs howett.net/plist about a kilobyte.
	quick(t, func() {
		_, err := ParseInfo([]byte("<plist><array>" + strings.Repeat("<dict/>", maxPlistContainers) + "</array></plist>"))
		wantErr(t, err, ErrLimit, "arrays and dictionaries")
	})
	quick(t, func() {
		_, err := ParseInfo([]byte("<plist><array>" + strings.Repeat("<true/>", maxPlistValues) + "</array></plist>"))
		wantErr(t, err, ErrLimit, "elements")
	})
}

func TestBinaryLimits(t *testing.T) {
	// bomb: a dictionary whose value is an array of 16 references to the
	// next array, 40 levels down: 16^40 values once expanded.
	bomb := func(levels, width int) []byte {
		objs := []bpObject{bpDic(1, []int{1}, []int{2}), bpString("k")}
		for i := range levels {
			next := 3 + i
			refs := make([]int, width)
			for j := range refs {
				refs[j] = next
			}
			objs = append(objs, bpArr(1, refs...))
		}
		return rawBplist(append(objs, bpTrue), 1, 0)
	}
	if got, err := ParseInfo(bomb(3, 16)); err != nil || got == nil {
		t.Fatalf("small shared tree: %v", err)
	}
	quick(t, func() {
		_, err := ParseInfo(bomb(40, 16))
		wantErr(t, err, ErrLimit, "more than 1048576 values")
	})
	quick(t, func() {
		// Fewer values, but a dictionary in every slot.
		objs := []bpObject{bpDic(1, []int{1}, []int{2}), bpString("k")}
		objs = append(objs, bpArr(1, repeatRef(3, 300)...), bpArr(1, repeatRef(4, 300)...), bpDic(1, nil, nil))
		_, err := ParseInfo(rawBplist(objs, 1, 0))
		wantErr(t, err, ErrLimit, "arrays and dictionaries")
	})
	quick(t, func() {
		objs := []bpObject{bpDic(2, []int{1}, []int{2}), bpString("k")}
		for i := range 200 {
			objs = append(objs, bpArr(2, 3+i))
		}
		_, err := ParseInfo(rawBplist(append(objs, bpTrue), 2, 0))
		wantErr(t, err, ErrLimit, "nested deeper")
	})

	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"cycle", rawBplist([]bpObject{bpDic(1, []int{1}, []int{2}), bpString("k"), bpArr(1, 2)}, 1, 0), "contains itself"},
		{"self dict", rawBplist([]bpObject{bpDic(1, []int{1}, []int{0}), bpString("k")}, 1, 0), "contains itself"},
		{"dangling reference", rawBplist([]bpObject{bpDic(1, []int{1}, []int{9}), bpString("k")}, 1, 0), "reference to object 9"},
		{"reference size 0", rawBplist([]bpObject{append(bpCount(0xa0, 1<<30), 0)}, 0, 0), "reference size 0"},
		{"huge array", rawBplist([]bpObject{append(bpCount(0xa0, 1<<30), 0)}, 1, 0), "runs into the offset table"},
		{"huge string", rawBplist([]bpObject{append(bpCount(0x60, 1<<31), 'a')}, 1, 0), "runs into the offset table"},
		{"16-byte count", rawBplist([]bpObject{{0xaf, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}, 1, 0), "runs into"},
		{"32-byte count", rawBplist([]bpObject{{0xaf, 0x15}}, 1, 0), "32-byte count"},
		{"null object", rawBplist([]bpObject{{0x00}}, 1, 0), "unsupported object"},
		{"set object", rawBplist([]bpObject{{0xc0}}, 1, 0), "unsupported object"},
		{"top out of range", func() []byte {
			b := rawBplist([]bpObject{bpTrue}, 1, 0)
			b[len(b)-9] = 5
			return b
		}(), "top object"},
		{"object count mismatch", func() []byte {
			b := rawBplist([]bpObject{bpTrue}, 1, 0)
			b[len(b)-17] = 2
			return b
		}(), "offset table does not end"},
		{"object count huge", func() []byte {
			b := rawBplist([]bpObject{bpTrue}, 1, 0)
			b[len(b)-24] = 0xff
			return b
		}(), "objects"},
		{"offset outside", func() []byte {
			b := rawBplist([]bpObject{bpTrue}, 1, 0)
			b[len(b)-33] = 0xff
			return b
		}(), "outside the object area"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseInfo(tt.data)
			wantErr(t, err, ErrMalformed, tt.msg)
			if got != nil {
				t.Errorf("got %+v", got)
			}
		})
	}
}

// repeatRef returns n copies of ref.
func repeatRef(ref, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = ref
	}
	return out
}
