package arsc_test

import (
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/scanner/arsc"
)

// FuzzStrings reads the string pool of arbitrary bytes. It must not panic,
// and every string it hands out must have its pool entry inside the input,
// at an offset past the file header, no longer than its encoding allows,
// with no more strings than offsets fit in the input, and returning false
// must stop the walk.
func FuzzStrings(f *testing.F) {
	table, _ := fixture.ARSC("com.example.app", []string{"hello", "https://x.example.com/a", "é€😀"})
	f.Add(table)
	empty, _ := fixture.ARSC("p", nil)
	f.Add(empty)
	f.Add(fixture.AXML(spec().Element()))
	f.Add(fixture.AXMLWith(spec().Element(), fixture.AXMLOptions{UTF8: true}))
	f.Add([]byte("\x02\x00\x0c\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		var stopAt = -1
		if len(data) > 0 && data[len(data)-1] == 0xee {
			stopAt = 2 // sometimes stop early
		}
		err := arsc.Strings(data, func(s string, off int64) bool {
			n++
			if off < 8 || off >= int64(len(data)) {
				t.Fatalf("string %d at offset %d outside the %d-byte input", n, off, len(data))
			}
			if n > arsc.MaxStrings {
				t.Fatalf("more than MaxStrings strings")
			}
			if len(s) > 3*len(data) {
				t.Fatalf("a %d-byte string from %d bytes", len(s), len(data))
			}
			return n != stopAt
		})
		if stopAt > 0 && n > stopAt {
			t.Fatalf("%d strings after fn returned false at %d", n, stopAt)
		}
		_ = err
		if n > len(data)/4 {
			t.Fatalf("%d strings from %d bytes: each needs a 4-byte offset", n, len(data))
		}
	})
}

func spec() fixture.ManifestSpec {
	return fixture.ManifestSpec{Package: "com.example.app", VersionName: "1.0", VersionCode: 1, MinSDK: 21,
		Activities: []string{".Main"}, MetaData: [][2]string{{"k", "https://meta.example.com/"}}, Hosts: []string{"h.example.com"}}
}
