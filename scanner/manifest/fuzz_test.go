package manifest_test

import (
	"testing"
	"unicode/utf8"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/scanner/manifest"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

var knownKinds = map[observation.Kind]bool{
	observation.AppID: true, observation.AppVersion: true, observation.SDKVersion: true, observation.Permission: true,
	observation.Component: true, observation.MetaData: true, observation.IntentScheme: true, observation.IntentHost: true,
	observation.Domain: true, observation.QueriedPackage: true,
}

// FuzzManifestXML parses arbitrary bytes as a plain-text manifest and
// extracts its observations. Neither may panic; a tree comes back unless
// there is an error, is at most MaxDepth deep, and every observation has a
// value, the given path, a manifest kind and an offset inside the input.
func FuzzManifestXML(f *testing.F) {
	f.Add(spec.XML())
	f.Add(fixture.ManifestSpec{Package: "p"}.XML())
	f.Add(fixture.ManifestSpec{Package: "com.x", Activities: []string{".A"}, Hosts: []string{"*.Example.org"}, Queries: []string{"q"}}.XML())
	f.Add(nested(20))
	f.Add([]byte(`<!DOCTYPE m [<!ENTITY e SYSTEM "file:///etc/passwd">]><manifest package="&e;"/>`))
	f.Add([]byte("<manifest><application><activity android:name=\".\x00\"/></application></manifest>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := manifest.ParseXML(data)
		if err == nil && root == nil {
			t.Fatal("no error and no root")
		}
		if root != nil {
			var depth func(e *manifest.Element, d int)
			depth = func(e *manifest.Element, d int) {
				if d > manifest.MaxDepth {
					t.Fatalf("tree deeper than %d", manifest.MaxDepth)
				}
				if e.Offset < 0 || e.Offset >= int64(len(data)) || e.Line < 1 {
					t.Fatalf("element %q at offset %d line %d in %d bytes", e.Name, e.Offset, e.Line, len(data))
				}
				for _, c := range e.Children {
					depth(c, d+1)
				}
			}
			depth(root, 1)
		}
		var s sink
		facts := manifest.Extract(root, "fuzz!/AndroidManifest.xml", &s)
		if root == nil || root.Name != "manifest" {
			if len(s.obs) != 0 || facts != (manifest.Facts{}) {
				t.Fatalf("observations from a non-manifest: %v", s.obs)
			}
			return
		}
		if p, _ := root.Attr("", "package"); facts.Package != p {
			t.Fatalf("facts.Package %q, package attribute %q", facts.Package, p)
		}
		for _, o := range s.obs {
			if o.Value == "" || !knownKinds[o.Kind] || o.Path != "fuzz!/AndroidManifest.xml" {
				t.Fatalf("bad observation %+v", o)
			}
			if o.Offset < 0 || o.Offset >= int64(len(data)) || o.Line < 1 {
				t.Fatalf("observation %+v outside the %d-byte input", o, len(data))
			}
			if !utf8.ValidString(o.Value) {
				t.Fatalf("observation value %q is not UTF-8", o.Value)
			}
		}
	})
}
