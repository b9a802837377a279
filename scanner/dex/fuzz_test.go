package dex

import (
	"testing"
	"unicode/utf8"

	"github.com/sdkvet/sdkvet/internal/fixture/dexfile"
)

// FuzzParse checks that no input makes Parse, Strings or Types panic, and
// that whatever they return is consistent: valid UTF-8, offsets inside the
// data, and no more strings or types than the File counts.
func FuzzParse(f *testing.F) {
	for _, v := range []string{"035", "037", "038", "039", "040", "041"} {
		s := sampleSpec
		s.Version = v
		f.Add(dexfile.Build(s))
	}
	f.Add(dexfile.Build(dexfile.Spec{}))
	f.Add(dexfile.Build(dexfile.Spec{Strings: []string{"\x00", "😀", "\uffff", "é"}}))
	f.Add(dexfile.BuildContainer(spec1, spec2))
	f.Add(dexfile.BuildContainer(spec1, spec2, dexfile.Spec{Classes: []string{"x.Y"}}))
	f.Add([]byte("dex\n035\x00"))
	f.Add([]byte("dex\n041\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		df, err := Parse(data)
		if err != nil {
			if df != nil {
				t.Fatalf("Parse returned a File and error %v", err)
			}
			return
		}
		n := 0
		_ = df.Strings(func(s string, off int64) bool {
			n++
			if !utf8.ValidString(s) {
				t.Fatalf("string %q is not valid UTF-8", s)
			}
			if off < 0 || off >= int64(len(data)) {
				t.Fatalf("string offset 0x%x outside data (%d bytes)", off, len(data))
			}
			return true
		})
		if n > df.NumStrings() {
			t.Fatalf("%d strings, NumStrings() = %d", n, df.NumStrings())
		}
		n = 0
		_ = df.Types(func(name string, defined bool, off int64) bool {
			n++
			if name == "" || !utf8.ValidString(name) {
				t.Fatalf("bad type name %q", name)
			}
			if off < 0 || off >= int64(len(data)) {
				t.Fatalf("type offset 0x%x outside data (%d bytes)", off, len(data))
			}
			return true
		})
		if n > df.NumTypes() {
			t.Fatalf("%d types, NumTypes() = %d", n, df.NumTypes())
		}
	})
}
