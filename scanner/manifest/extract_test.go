package manifest_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/scanner/manifest"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

type sink struct {
	mu  sync.Mutex
	obs []observation.Observation
}

func (s *sink) Observe(o observation.Observation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.obs = append(s.obs, o)
}

type kvd struct {
	Kind          observation.Kind
	Value, Detail string
}

func (k kvd) String() string { return fmt.Sprintf("%s %q (%q)", k.Kind, k.Value, k.Detail) }

func triples(obs []observation.Observation) []kvd {
	var out []kvd
	for _, o := range obs {
		out = append(out, kvd{o.Kind, o.Value, o.Detail})
	}
	return out
}

var spec = fixture.ManifestSpec{
	Package: "com.example.app", VersionName: "1.2.3", VersionCode: 123, MinSDK: 21, TargetSDK: 34,
	Label:       "Example & Co",
	Permissions: []string{"android.permission.INTERNET", "com.example.app.permission.C2D_MESSAGE"},
	Activities:  []string{".Main", "com.other.lib.Activity", "Bare"},
	Services:    []string{".push.PushService"},
	Receivers:   []string{"com.bytedance.Receiver"},
	Providers:   []string{".data.Provider"},
	Queries:     []string{"com.tencent.mm", "com.ss.android.ugc.aweme"},
	MetaData:    [][2]string{{"com.bytedance.APP_ID", "12345"}, {"UMENG_CHANNEL", "google & co"}},
	Schemes:     []string{"https", "wx1234"},
	Hosts:       []string{"Open.Example.COM", "*.wild.example.org", "*", "@string/deep_link_host"},
}

// want is what Extract emits for spec, in document order.
var want = []kvd{
	{observation.AppID, "com.example.app", ""},
	{observation.AppVersion, "1.2.3", "123"},
	{observation.SDKVersion, "21", "min"},
	{observation.SDKVersion, "34", "target"},
	{observation.Permission, "android.permission.INTERNET", "uses-permission"},
	{observation.Permission, "com.example.app.permission.C2D_MESSAGE", "uses-permission"},
	{observation.QueriedPackage, "com.tencent.mm", ""},
	{observation.QueriedPackage, "com.ss.android.ugc.aweme", ""},
	{observation.Component, "com.example.app.Main", "activity"},
	{observation.IntentScheme, "https", ""},
	{observation.IntentScheme, "wx1234", ""},
	{observation.IntentHost, "Open.Example.COM", ""},
	{observation.Domain, "open.example.com", "intent-filter host"},
	{observation.IntentHost, "*.wild.example.org", ""},
	{observation.Domain, "wild.example.org", "intent-filter host"},
	{observation.IntentHost, "*", ""},
	{observation.IntentHost, "@string/deep_link_host", ""},
	{observation.Component, "com.other.lib.Activity", "activity"},
	{observation.Component, "com.example.app.Bare", "activity"},
	{observation.Component, "com.example.app.push.PushService", "service"},
	{observation.Component, "com.bytedance.Receiver", "receiver"},
	{observation.Component, "com.example.app.data.Provider", "provider"},
	{observation.Component, "com.example.app.data.Provider", "provider .data.Provider.provider"},
	{observation.MetaData, "com.bytedance.APP_ID", "12345"},
	{observation.MetaData, "UMENG_CHANNEL", "google & co"},
}

var wantFacts = manifest.Facts{Package: "com.example.app", VersionName: "1.2.3", VersionCode: "123", MinSDK: "21", TargetSDK: "34", Label: "Example & Co"}

// TestExtractXML parses the plain-text manifest of spec and checks every
// observation Extract emits, with the place it was found.
func TestExtractXML(t *testing.T) {
	data := spec.XML()
	root, err := manifest.ParseXML(data)
	if err != nil {
		t.Fatal(err)
	}
	var s sink
	facts := manifest.Extract(root, "app.aar!/AndroidManifest.xml", &s)
	if facts != wantFacts {
		t.Errorf("facts = %+v, want %+v", facts, wantFacts)
	}
	if got := triples(s.obs); !slices.Equal(got, want) {
		t.Errorf("observations:\n%v\nwant:\n%v", got, want)
	}
	lines := strings.Split(string(data), "\n")
	for _, o := range s.obs {
		if o.Path != "app.aar!/AndroidManifest.xml" {
			t.Errorf("%s: path %q", o.Value, o.Path)
		}
		if o.Offset < 0 || o.Offset >= int64(len(data)) || data[o.Offset] != '<' {
			t.Errorf("%s %q: offset %d is not the start of an element", o.Kind, o.Value, o.Offset)
			continue
		}
		if line := 1 + bytes.Count(data[:o.Offset], []byte("\n")); o.Line != line {
			t.Errorf("%s %q: line %d, the offset is on line %d", o.Kind, o.Value, o.Line, line)
		}
		// The element's line holds the raw value (for a domain, the host).
		raw := o.Value
		switch o.Kind {
		case observation.Domain, observation.Component:
			continue
		case observation.AppVersion, observation.SDKVersion, observation.AppID:
			raw = `"` + o.Value + `"`
		case observation.MetaData:
			raw = `"` + o.Value + `"`
		}
		if !strings.Contains(lines[o.Line-1], raw) {
			t.Errorf("%s %q: line %d is %q", o.Kind, o.Value, o.Line, lines[o.Line-1])
		}
	}
}

// TestExtractTree runs Extract on the element tree directly (as the AXML
// and protobuf decoders hand it over): the same observations, with the
// tree's offsets.
func TestExtractTree(t *testing.T) {
	var s sink
	facts := manifest.Extract(spec.Element(), "app.apk!/AndroidManifest.xml", &s)
	if facts != wantFacts {
		t.Errorf("facts = %+v, want %+v", facts, wantFacts)
	}
	if got := triples(s.obs); !slices.Equal(got, want) {
		t.Errorf("observations:\n%v\nwant:\n%v", got, want)
	}
	for _, o := range s.obs {
		if o.Offset != -1 || o.Line != 0 {
			t.Errorf("%s: offset %d line %d, want -1 and 0", o.Value, o.Offset, o.Line)
		}
	}
}

// TestExtractEdges covers the short "android" namespace, application
// classes, activity aliases, meta-data resources, empty values and a root that is not a manifest.
func TestExtractEdges(t *testing.T) {
	doc := `<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.ex">
  <uses-permission-sdk-23 android:name="android.permission.CAMERA"/>
  <permission android:name="com.ex.permission.OWN"/>
  <uses-permission android:name=""/>
  <application android:name=".App" android:label="@0x7f010000">
    <activity-alias android:name=".Alias" android:targetActivity=".Main"/>
    <meta-data android:name="com.tencent.KEY" android:resource="@0x7f020001"/>
    <meta-data android:name="EMPTY"/>
    <provider android:name="com.x.P"/>
    <activity><intent-filter><data android:host="@0x7f030000" android:scheme=""/></intent-filter></activity>
  </application>
</manifest>`
	root, err := manifest.ParseXML([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var s sink
	facts := manifest.Extract(root, "p", &s)
	if facts.Package != "com.ex" || facts.Label != "@0x7f010000" {
		t.Errorf("facts = %+v", facts)
	}
	wantEdges := []kvd{
		{observation.AppID, "com.ex", ""},
		{observation.Permission, "android.permission.CAMERA", "uses-permission-sdk-23"},
		{observation.Permission, "com.ex.permission.OWN", "permission"},
		{observation.Component, "com.ex.App", "application"},
		{observation.Component, "com.ex.Alias", "activity-alias"},
		{observation.Component, "com.ex.Main", "activity-alias-target"},
		{observation.MetaData, "com.tencent.KEY", "@0x7f020001"},
		{observation.MetaData, "EMPTY", ""},
		{observation.Component, "com.x.P", "provider"},
		{observation.IntentHost, "@0x7f030000", ""},
	}
	if got := triples(s.obs); !slices.Equal(got, wantEdges) {
		t.Errorf("observations:\n%v\nwant:\n%v", got, wantEdges)
	}

	// The "android" prefix as a namespace (as some decoders leave it).
	e := &manifest.Element{Name: "manifest", Attrs: []manifest.Attr{{Name: "package", Value: "a.b"}, {Namespace: "android", Name: "versionName", Value: "9"}}}
	s = sink{}
	if f := manifest.Extract(e, "p", &s); f.VersionName != "9" {
		t.Errorf("versionName with the android prefix: %+v", f)
	}

	for _, root := range []*manifest.Element{nil, {Name: "resources"}} {
		s = sink{}
		if f := manifest.Extract(root, "p", &s); f != (manifest.Facts{}) || len(s.obs) != 0 {
			t.Errorf("Extract(%v) = %+v, %v", root, f, s.obs)
		}
	}
}

// nested returns a document of depth elements nested in each other.
func nested(depth int) []byte {
	return []byte(`<manifest package="a.b">` + strings.Repeat("<x>", depth-1) + strings.Repeat("</x>", depth-1) + `</manifest>`)
}

// TestParseXMLLimits: documents nested deeper than MaxDepth or holding more
// than MaxElements elements are errors; at the limits they parse.
func TestParseXMLLimits(t *testing.T) {
	if _, err := manifest.ParseXML(nested(300)); err == nil || !strings.Contains(err.Error(), "nested deeper than 256") {
		t.Errorf("300 deep: err = %v", err)
	}
	if _, err := manifest.ParseXML(nested(manifest.MaxDepth + 1)); err == nil {
		t.Errorf("MaxDepth+1 deep: no error")
	}
	root, err := manifest.ParseXML(nested(manifest.MaxDepth))
	if err != nil {
		t.Fatalf("MaxDepth deep: %v", err)
	}
	depth := 0
	for e := root; e != nil; depth++ {
		if len(e.Children) == 0 {
			e = nil
		} else {
			e = e.Children[0]
		}
	}
	if depth != manifest.MaxDepth {
		t.Errorf("tree depth %d, want %d", depth, manifest.MaxDepth)
	}

	if testing.Short() {
		t.Skip("MaxElements document is large")
	}
	var b bytes.Buffer
	b.WriteString("<manifest>")
	for range manifest.MaxElements {
		b.WriteString("<a/>")
	}
	b.WriteString("</manifest>")
	if _, err := manifest.ParseXML(b.Bytes()); err == nil || !strings.Contains(err.Error(), "more than 1000000 elements") {
		t.Errorf("MaxElements+1 elements: err = %v", err)
	}
}

// TestParseXMLHostile: no entity is resolved from outside the document, no
// internal entity is expanded, and bad documents are errors.
func TestParseXMLHostile(t *testing.T) {
	doc := `<?xml version="1.0"?>
<!DOCTYPE manifest [
  <!ENTITY lol "lollollollollollollollollollol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<manifest package="&xxe;" label="&lol2;" amp="a&amp;b&nbsp;c"/>`
	root, err := manifest.ParseXML([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	pkg, _ := root.Attr("", "package")
	label, _ := root.Attr("", "label")
	amp, _ := root.Attr("", "amp")
	if strings.Contains(pkg, "root:") || len(label) > 100 {
		t.Errorf("entities resolved: package %q label %q", pkg, label)
	}
	if amp != "a&b\u00a0c" {
		t.Errorf("amp = %q, want predefined and HTML entities decoded", amp)
	}
	for _, bad := range []string{"", "   ", "not xml", "<?xml version=\"1.0\"?>", "<!-- only a comment -->"} {
		if root, err := manifest.ParseXML([]byte(bad)); err == nil || root != nil {
			t.Errorf("ParseXML(%q) = %v, %v; want nil and an error", bad, root, err)
		}
	}
	// Two roots: the first is the manifest.
	root, err = manifest.ParseXML([]byte(`<manifest package="first"/><manifest package="second"><x/></manifest>`))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := root.Attr("", "package"); p != "first" || len(root.Children) != 0 {
		t.Errorf("two roots: package %q, %d children", p, len(root.Children))
	}
}
