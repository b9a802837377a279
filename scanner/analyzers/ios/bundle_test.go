package ios

import (
	"strings"
	"testing"
	"time"
)

func TestFindBundles(t *testing.T) {
	names := []string{
		"Payload/Demo.app/Info.plist",
		"Payload/Demo.app/Frameworks/BUAdSDK.framework/BUAdSDK",
		"Payload/Demo.app/Frameworks/BUAdSDK.framework/Info.plist",
		"Payload/Demo.app/PlugIns/Share.appex/Info.plist",
		"Payload/Demo.app/BUAdSDK.bundle/close.png",
		"Payload/Demo.app/Watch/W.app/Info.plist",
	}
	got := map[string]string{}
	for _, b := range findBundles(names, "") {
		got[b.prefix] = b.kind
	}
	want := map[string]string{
		"Payload/Demo.app/": "app",
		"Payload/Demo.app/Frameworks/BUAdSDK.framework/": "framework",
		"Payload/Demo.app/PlugIns/Share.appex/":          "extension",
		"Payload/Demo.app/BUAdSDK.bundle/":               "resources",
		"Payload/Demo.app/Watch/W.app/":                  "app",
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q want %q", k, got[k], v)
		}
	}
	// A folder target is itself the root bundle.
	if bs := findBundles([]string{"Info.plist"}, "/tmp/x/Demo.app"); len(bs) != 1 || bs[0].prefix != "" || bs[0].kind != "app" {
		t.Fatalf("root bundle: %+v", bs)
	}
}

// TestFindBundlesHostileNames: a name made of thousands of nested bundle
// folders costs linear time and yields at most maxBundleDepth bundles.
func TestFindBundlesHostileNames(t *testing.T) {
	name := strings.Repeat("a.app/", 20000) + "x"
	start := time.Now()
	bs := findBundles([]string{name, name + "y"}, "")
	if len(bs) != maxBundleDepth {
		t.Fatalf("%d bundles, want %d", len(bs), maxBundleDepth)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %s", d)
	}
}
