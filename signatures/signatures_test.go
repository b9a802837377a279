package signatures_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/match"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/signatures"
)

func load(t *testing.T, dirs ...string) *signatures.DB {
	t.Helper()
	db, err := signatures.Load(dirs...)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return db
}

// TestEmbeddedSamples checks every SDK's positive samples are attributed to
// that SDK and its look-alike negatives to nothing at all.
func TestEmbeddedSamples(t *testing.T) {
	for _, msg := range match.CheckSamples(load(t)) {
		t.Error(msg)
	}
}

// TestEveryRuleHasASource is the repository rule: no fact without a source.
func TestEveryRuleHasASource(t *testing.T) {
	db := load(t)
	for _, s := range db.SDKs {
		for i, r := range s.Rules {
			if strings.TrimSpace(r.Source) == "" {
				t.Errorf("%s rule %d has no source", s.ID, i)
			}
		}
	}
	for _, v := range db.Vendors {
		for i, d := range v.Domains {
			if d.Source == "" {
				t.Errorf("%s domains %d has no source", v.ID, i)
			}
		}
	}
	if len(db.SDKs) < 8 || len(db.Apps) < 4 {
		t.Errorf("database too small: %d SDKs, %d apps", len(db.SDKs), len(db.Apps))
	}
}

// expectSubjects checks which rule each value, observed as kind, hits
// ("" for none).
func expectSubjects(t *testing.T, kind observation.Kind, cases map[string]string) {
	t.Helper()
	m := match.Compile(load(t))
	for value, want := range cases {
		got := ""
		m.Match(observation.Observation{Kind: kind, Value: value}, func(h match.Hit) { got = h.Rule.Subject })
		if got != want {
			t.Errorf("%s %s: got %q want %q", kind, value, got, want)
		}
	}
}

func TestAppIDsMatchExactly(t *testing.T) {
	cases := map[string]string{
		"com.tencent.mm":           "tencent.wechat",
		"com.zhiliaoapp.musically": "bytedance.tiktok",
		"com.tencent.mmkv":         "",
		"com.tencent.mm.opensdk":   "",
		"com.zhiliaoapp":           "",
	}
	expectSubjects(t, observation.AppID, cases)
}

func TestDomainsMatchOnLabelBoundaries(t *testing.T) {
	cases := map[string]string{
		"bugly.qq.com":           "tencent.bugly",
		"android.bugly.qq.com":   "tencent.bugly",
		"qq.com":                 "tencent",
		"x.qq.com":               "tencent",
		"notqq.com":              "",
		"qq.com.evil.example":    "",
		"open.weixin.qq.com":     "tencent.wechat-opensdk",
		"log.snssdk.com":         "bytedance",
		"snssdk.com.example.org": "",
	}
	expectSubjects(t, observation.Domain, cases)
}

func TestJavaMatchesOnPackageBoundaries(t *testing.T) {
	cases := map[string]string{
		"com.tencent.mm.opensdk.openapi.WXAPIFactory":  "tencent.wechat-opensdk",
		"com.tencent.mm.opensdk":                       "tencent.wechat-opensdk",
		"com.tencent.mm.opensdkx.Foo":                  "",
		"com.tencent.mmkv.MMKV":                        "tencent.mmkv",
		"com.bytedance.sdk.openadsdk.TTAdSdk$1":        "bytedance.pangle",
		"com.bytedance.sdk.openadsdkfoo.X":             "",
		"com.tencent.bugly.crashreport.CrashReport":    "tencent.bugly",
		"com.example.tencent.bugly.crashreport.Report": "",
	}
	expectSubjects(t, observation.JavaClass, cases)
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const extraVendor = `schema: 1
vendor:
  id: examplecorp
  name: Example Corp
  country: XX
  domains:
    - source: https://example.org/about
      values: [examplecorp.example]
sdks:
  - id: examplecorp.tracker
    name: Example Tracker
    category: analytics
    description: Sends device identifiers to examplecorp.
    rules:
      - source: https://example.org/docs
        java_packages: [org.examplecorp.tracker]
    samples:
      positive:
        - {type: java_class, value: org.examplecorp.tracker.Track}
`

// TestExtendWithoutCode is the promise to the IT department: one YAML file
// adds a vendor, with no Go code.
func TestExtendWithoutCode(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "examplecorp.yaml", extraVendor)
	db := load(t, dir)
	m := match.Compile(db)
	got := ""
	m.Match(observation.Observation{Kind: observation.JavaClass, Value: "org.examplecorp.tracker.Track"}, func(h match.Hit) { got = h.Rule.Subject })
	if got != "examplecorp.tracker" {
		t.Fatalf("extension vendor not matched: %q", got)
	}
	if db.Version == load(t).Version {
		t.Fatal("signature version does not change with content")
	}
}

func TestValidationErrorsNameFileLineField(t *testing.T) {
	cases := []struct{ body, want string }{
		{strings.Replace(extraVendor, "      - source: https://example.org/docs\n", "      - source: \"\"\n", 1), "bad.yaml:15: sdks[0].rules[0].source: required"},
		{strings.Replace(extraVendor, "org.examplecorp.tracker]", "org.examplecorp]", 1), "too short to be safe"},
		{strings.Replace(extraVendor, "category: analytics", "category: spying", 1), "sdks[0].category"},
		{strings.Replace(extraVendor, "country: XX", "country: XX\n  colour: red", 1), "field colour not found"},
		{strings.Replace(extraVendor, "values: [examplecorp.example]", "values: [www.examplecorp.example]", 1), "not a registrable domain"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		write(t, dir, "bad.yaml", c.body)
		_, err := signatures.Load(dir)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.yaml") {
			t.Errorf("want error containing %q, got %v", c.want, err)
		}
	}
}

func TestCollisionIsAnError(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "dup.yaml", strings.Replace(extraVendor, "org.examplecorp.tracker]", "com.tencent.mm.opensdk]", 1))
	_, err := signatures.Load(dir)
	if err == nil || !strings.Contains(err.Error(), "claimed by both") {
		t.Fatalf("collision accepted: %v", err)
	}
}

func TestOverrideReplacesVendor(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "tencent.yaml", strings.NewReplacer("examplecorp", "tencent", "Example Corp", "Tencent (site copy)").Replace(extraVendor))
	db := load(t, dir)
	for _, s := range db.SDKs {
		if s.ID == "tencent.wechat-opensdk" {
			t.Fatal("override did not replace the embedded tencent file")
		}
	}
	if db.VendorByID("tencent").Name != "Tencent (site copy)" {
		t.Fatal("override vendor not used")
	}
}
