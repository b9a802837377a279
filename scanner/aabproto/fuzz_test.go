package aabproto

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/manifest"
)

func addFixtureSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		if b, err := os.ReadFile(filepath.Join("testdata", "aapt2", n)); err == nil {
			f.Add(b)
		}
	}
}

func FuzzDecodeXML(f *testing.F) {
	data, _ := sampleManifest()
	f.Add(data)
	f.Add(nested(20))
	f.Add(xNode(xElem("e", xCompiled("", "a", itPrim(primDimension, 0x1001))), 1))
	addFixtureSeeds(f, "AndroidManifest.xml.pb", "network_security_config.xml.pb", "prims.xml.pb")
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := DecodeXML(data)
		if err != nil {
			if root != nil {
				t.Fatal("tree returned with an error")
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
				t.Fatalf("error wraps neither ErrMalformed nor ErrLimit: %v", err)
			}
			return
		}
		if root == nil {
			t.Fatal("nil tree without error")
		}
		nodes := 0
		var walk func(e *manifest.Element, depth int)
		walk = func(e *manifest.Element, depth int) {
			nodes += 1 + len(e.Attrs)
			if depth > MaxDepth {
				t.Fatalf("depth %d", depth)
			}
			if e.Offset < 0 || e.Offset > int64(len(data)) {
				t.Fatalf("offset %d outside input of %d bytes", e.Offset, len(data))
			}
			for _, c := range e.Children {
				walk(c, depth+1)
			}
		}
		walk(root, 1)
		if nodes > MaxNodes {
			t.Fatalf("%d nodes", nodes)
		}
	})
}

func FuzzResourceStrings(f *testing.F) {
	data, _ := sampleTable()
	f.Add(data)
	addFixtureSeeds(f, "resources.pb")
	f.Fuzz(func(t *testing.T, data []byte) {
		total := 0
		err := ResourceStrings(data, func(s string) bool {
			if s == "" {
				t.Fatal("empty string reported")
			}
			total += len(s)
			return true
		})
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
			t.Fatalf("error wraps neither ErrMalformed nor ErrLimit: %v", err)
		}
		if total > len(data) {
			t.Fatalf("reported %d bytes of strings from %d bytes of input", total, len(data))
		}
	})
}
