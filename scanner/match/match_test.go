package match_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/match"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/signatures"
)

const vendor = `schema: 1
vendor:
  id: examplecorp
  name: Example Corp
  country: XX
  domains:
    - source: https://example.org/about
      values: [examplecorp.example]
sdks:
  - id: examplecorp.ads
    name: Example Ads
    category: ads
    description: Test SDK.
    rules:
      - source: https://example.org/docs
        java_packages: [org.examplecorp.ads]
        manifest_components: [.exapi.ExEntryActivity]
        file_paths: [assets/exads/]
        hosts: [ads.examplecorp.example]
        ios_frameworks: [ExAdsSDK]
        objc_prefixes: [ExAds]
        objc_classes: [ExampleAdManager]
        url_schemes: [exads]
        queried_schemes: [examplecorp]
        strings: [exads-config-v1]
apps:
  - id: examplecorp.app
    name: Example App
    rules:
      - source: https://example.org/app
        ios_bundle_ids: [org.examplecorp.app]
        team_ids: [EXAMPLE123]
`

func compile(t *testing.T) *match.Matcher {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "examplecorp.yaml"), []byte(vendor), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := signatures.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return match.Compile(db)
}

func TestMatchKinds(t *testing.T) {
	m := compile(t)
	cases := []struct {
		kind  observation.Kind
		value string
		want  string // subject, or "" for none
	}{
		{observation.JavaClass, "org.examplecorp.ads.Banner$1", "examplecorp.ads"},
		{observation.JavaClass, "org.examplecorp.adsx.Banner", ""},
		{observation.Component, "gov.agency.app.exapi.ExEntryActivity", "examplecorp.ads"},
		{observation.Component, "gov.agency.app.exapi.ExEntryActivityX", ""},
		{observation.FilePath, "assets/exads/config.json", "examplecorp.ads"},
		{observation.FilePath, "assets/exadsx/config.json", ""},
		{observation.Domain, "ads.examplecorp.example", "examplecorp.ads"},
		{observation.Domain, "cdn.examplecorp.example", "examplecorp"},
		{observation.Domain, "examplecorp.example.evil.test", ""},
		{observation.IOSFramework, "ExAdsSDK", "examplecorp.ads"},
		{observation.Dylib, "@rpath/ExAdsSDK.framework/ExAdsSDK", "examplecorp.ads"},
		{observation.Dylib, "@rpath/Other.framework/Other", ""},
		{observation.ObjCClass, "ExAdsBannerView", "examplecorp.ads"},
		{observation.ObjCClass, "ExampleAdManager", "examplecorp.ads"},
		{observation.ObjCClass, "ExAd", ""},
		{observation.URLScheme, "EXADS12345", "examplecorp.ads"},
		{observation.URLScheme, "myexads", ""},
		{observation.QueriedScheme, "ExampleCorp", "examplecorp.ads"},
		{observation.StringMarker, `{"cfg":"exads-config-v1"}`, "examplecorp.ads"},
		{observation.BundleID, "org.examplecorp.app", "examplecorp.app"},
		{observation.BundleID, "org.examplecorp.app.widget", ""},
		{observation.TeamID, "EXAMPLE123", "examplecorp.app"},
	}
	for _, c := range cases {
		got := ""
		m.Match(observation.Observation{Kind: c.kind, Value: c.value}, func(h match.Hit) { got = h.Rule.Subject })
		if got != c.want {
			t.Errorf("%s %q: got %q want %q", c.kind, c.value, got, c.want)
		}
	}
	if !m.HasMarker("xx exads-config-v1 yy") || m.HasMarker("exads-config-v2") {
		t.Error("HasMarker")
	}
	long := strings.Repeat("z", 5000) + "exads-config-v1"
	if end, ok := m.FirstMarker(long); !ok || end != len(long) {
		t.Errorf("FirstMarker = %d, %v; want the end of the marker at %d", end, ok, len(long))
	}
}

func TestExplainSaysWhy(t *testing.T) {
	m := compile(t)
	hits := m.Explain("org.examplecorp.ads.Banner")
	if len(hits) == 0 {
		t.Fatal("no hit")
	}
	if why := match.Why(hits[0]); why != "inside package org.examplecorp.ads (prefix on a '.' or '$' boundary)" {
		t.Fatalf("why: %q", why)
	}
}
