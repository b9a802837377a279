package sarifreport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
	"github.com/sdkvet/sdkvet/scanner/report/sarifreport"
	"github.com/sdkvet/sdkvet/scanner/report/sarifreport/sariftest"
)

// sarifLog is the part of a SARIF log the tests read.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID                   string            `json:"id"`
					Help                 map[string]string `json:"help"`
					HelpURI              string            `json:"helpUri"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful        bool `json:"executionSuccessful"`
			ToolExecutionNotifications []struct {
				Message struct{ Text string } `json:"message"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID              string `json:"ruleId"`
			RuleIndex           int    `json:"ruleIndex"`
			Level               string `json:"level"`
			Message             struct{ Text string }
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          map[string]any    `json:"properties"`
			Locations           []location        `json:"locations"`
			RelatedLocations    []location        `json:"relatedLocations"`
			Suppressions        []struct {
				Kind          string `json:"kind"`
				Status        string `json:"status"`
				Justification string `json:"justification"`
			} `json:"suppressions"`
		} `json:"results"`
	} `json:"runs"`
}

type location struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine   int `json:"startLine"`
			StartColumn int `json:"startColumn"`
			ByteOffset  int `json:"byteOffset"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	} `json:"logicalLocations"`
}

func render(t *testing.T) (string, sarifLog) {
	t.Helper()
	var buf bytes.Buffer
	if err := sarifreport.Write(&buf, reporttest.Sample()); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := sariftest.Schema(t).Validate(doc); err != nil {
		t.Fatalf("output does not match the SARIF 2.1.0 schema: %v\n%s", err, buf.String())
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	return buf.String(), log
}

func TestSchemaRejectsBrokenLog(t *testing.T) {
	// The schema check is real: a log missing its version fails it.
	doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"runs": []}`))
	if err := sariftest.Schema(t).Validate(doc); err == nil {
		t.Fatal("a log without version passed the schema")
	}
}

func TestRulesAndResults(t *testing.T) {
	_, log := render(t)
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	// One rule per signature: Pangle appears in three targets but is one rule.
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	want := "bytedance.domains bytedance.pangle tencent.mmkv tencent.wechat-opensdk"
	if strings.Join(ids, " ") != want {
		t.Fatalf("rules %v, want %s", ids, want)
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.Help["text"] == "" || r.Help["markdown"] == "" {
			t.Errorf("rule %s has no help text", r.ID)
		}
		if r.ID == "tencent.wechat-opensdk" {
			if !strings.Contains(r.Help["text"], "owned by Tencent") || !strings.Contains(r.Help["text"], "state-policy") {
				t.Errorf("help does not say who owns the SDK and which policy: %q", r.Help["text"])
			}
			if r.HelpURI != "https://developers.weixin.qq.com/doc/oplatform/en/Mobile_App/Access_Guide/Android.html" {
				t.Errorf("helpUri %q", r.HelpURI)
			}
			if r.DefaultConfiguration.Level != "error" || r.Properties["security-severity"] != "8.0" {
				t.Errorf("level %q security-severity %v", r.DefaultConfiguration.Level, r.Properties["security-severity"])
			}
		}
		if r.ID == "tencent.mmkv" && (r.DefaultConfiguration.Level != "note" || r.Properties["security-severity"] != "3.0") {
			t.Errorf("mmkv: level %q security-severity %v", r.DefaultConfiguration.Level, r.Properties["security-severity"])
		}
	}
	if len(run.Results) != 6 {
		t.Fatalf("%d results, want 6 (one per finding)", len(run.Results))
	}
	seen := map[string]bool{}
	for _, res := range run.Results {
		fp := res.PartialFingerprints[sarifreport.FingerprintKey]
		if len(fp) != 16 || seen[fp] {
			t.Errorf("result %s: fingerprint %q missing or repeated", res.RuleID, fp)
		}
		seen[fp] = true
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s points at rule index %d", res.RuleID, res.RuleIndex)
		}
		if len(res.Locations) != 1 {
			t.Errorf("result %s has %d locations", res.RuleID, len(res.Locations))
		}
	}
	// The endpoint finding is medium: a warning.
	for _, res := range run.Results {
		if res.RuleID == "bytedance.domains" && (res.Level != "warning" || res.Properties["security-severity"] != "5.5") {
			t.Errorf("endpoint result level %q", res.Level)
		}
	}
	// Parts that could not be read are tool notifications; the run was not complete.
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 ||
		!strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "truncated ELF header") {
		t.Errorf("invocation %+v", inv)
	}
}

func TestLocations(t *testing.T) {
	_, log := render(t)
	byFP := map[string]int{}
	for i, res := range log.Runs[0].Results {
		byFP[res.PartialFingerprints[sarifreport.FingerprintKey]] = i
	}
	res := func(id string) int { return byFP[id] }
	run := log.Runs[0]

	// A binary: the package file is the artifact; the nested entry and the
	// class are logical locations.
	wx := run.Results[res("1111111111111111")]
	loc := wx.Locations[0]
	if loc.PhysicalLocation.ArtifactLocation.URI != "apps/feed.apk" || loc.PhysicalLocation.Region.StartLine != 1 {
		t.Errorf("binary location %+v", loc.PhysicalLocation)
	}
	var kinds []string
	for _, l := range loc.LogicalLocations {
		kinds = append(kinds, l.Kind+"="+l.FullyQualifiedName)
	}
	if strings.Join(kinds, ",") != "module=apps/feed.apk!/classes2.dex,type=com.tencent.mm.opensdk.openapi.WXAPIFactory" {
		t.Errorf("logical locations %v", kinds)
	}
	if len(wx.RelatedLocations) != 1 {
		t.Errorf("related locations %d, want 1 (the second piece of evidence)", len(wx.RelatedLocations))
	}

	// A source tree: file and line.
	src := run.Results[res("6666666666666666")]
	pl := src.Locations[0].PhysicalLocation
	if pl.ArtifactLocation.URI != "src/mobile-app/app/build.gradle" || pl.Region.StartLine != 42 {
		t.Errorf("source location %+v", pl)
	}
	if pl.ArtifactLocation.URIBaseID != sarifreport.SourceRootID {
		t.Errorf("relative source path without uriBaseId: %+v", pl.ArtifactLocation)
	}
	// The evidence column counts bytes, SARIF's here code points: the
	// column is left out and the byte offset given instead.
	if rl := src.RelatedLocations[0].PhysicalLocation; rl.ArtifactLocation.URI != "src/mobile-app/app/src/main/java/gov/example/Ads.kt" ||
		rl.Region.StartLine != 7 || rl.Region.StartColumn != 0 || rl.Region.ByteOffset != 131 {
		t.Errorf("related source location %+v", rl)
	}
}

// renderReport writes r with o, checks it against the schema and decodes it.
func renderReport(t *testing.T, r *report.Report, o sarifreport.Options) (string, sarifLog) {
	t.Helper()
	var buf bytes.Buffer
	if err := sarifreport.WriteWith(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := sariftest.Schema(t).Validate(doc); err != nil {
		t.Fatalf("output does not match the SARIF 2.1.0 schema: %v\n%s", err, buf.String())
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	return buf.String(), log
}

func TestColumnOnlyWhereBytesAndCodePointsAgree(t *testing.T) {
	r := reporttest.Sample()
	ev := &r.Targets[2].Findings[0].Evidence[1]
	ev.Column = 1
	_, log := renderReport(t, r, sarifreport.Options{})
	for _, res := range log.Runs[0].Results {
		if res.PartialFingerprints[sarifreport.FingerprintKey] == "6666666666666666" {
			if reg := res.RelatedLocations[0].PhysicalLocation.Region; reg.StartColumn != 1 || reg.StartLine != 7 {
				t.Errorf("column 1 is the same in bytes and code points, want it kept: %+v", reg)
			}
			if reg := res.Locations[0].PhysicalLocation.Region; reg.StartColumn != 0 || reg.ByteOffset != -1 {
				t.Errorf("evidence without column or offset: %+v", reg)
			}
			return
		}
	}
	t.Fatal("source result missing")
}

func TestArtifactLocationsAgainstRoot(t *testing.T) {
	r := reporttest.Sample()
	src := &r.Targets[2]
	src.Path = "/ci/checkout/src/mobile-app"
	for i := range src.Findings[0].Evidence {
		e := &src.Findings[0].Evidence[i]
		e.Path = "/ci/checkout/" + e.Path
	}
	r.Targets[0].Path = "/tmp/outside/feed.apk"
	r.Targets[0].Errors[0].Path = "/tmp/outside/feed.apk!/lib/x86/libbroken.so"
	for i := range r.Targets[0].Findings {
		for j := range r.Targets[0].Findings[i].Evidence {
			e := &r.Targets[0].Findings[i].Evidence[j]
			e.Path = strings.Replace(e.Path, "apps/feed.apk", "/tmp/outside/feed.apk", 1)
		}
	}
	r.Targets[1].Path = "../builds/Reader.ipa"
	for i := range r.Targets[1].Findings {
		for j := range r.Targets[1].Findings[i].Evidence {
			e := &r.Targets[1].Findings[i].Evidence[j]
			e.Path = strings.Replace(e.Path, "apps/Reader.ipa", "../builds/Reader.ipa", 1)
		}
	}
	out, log := renderReport(t, r, sarifreport.Options{Root: "/ci/checkout/"})
	var raw struct {
		Runs []struct {
			OriginalURIBaseIDs map[string]struct {
				URI string `json:"uri"`
			} `json:"originalUriBaseIds"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	if got := raw.Runs[0].OriginalURIBaseIDs[sarifreport.SourceRootID].URI; got != "file:///ci/checkout/" {
		t.Errorf("originalUriBaseIds %v", raw.Runs[0].OriginalURIBaseIDs)
	}
	want := map[string][2]string{
		"6666666666666666": {"src/mobile-app/app/build.gradle", sarifreport.SourceRootID},
		"1111111111111111": {"file:///tmp/outside/feed.apk", ""},
		"5555555555555555": {"file:///ci/builds/Reader.ipa", ""},
	}
	seen := 0
	for _, res := range log.Runs[0].Results {
		w, ok := want[res.PartialFingerprints[sarifreport.FingerprintKey]]
		if !ok {
			continue
		}
		seen++
		al := res.Locations[0].PhysicalLocation.ArtifactLocation
		if al.URI != w[0] || al.URIBaseID != w[1] {
			t.Errorf("%s: artifact %+v, want %v", res.RuleID, al, w)
		}
	}
	if seen != len(want) {
		t.Fatalf("saw %d of %d results", seen, len(want))
	}
}

func TestFingerprintsIgnoreEvidenceOrder(t *testing.T) {
	first, log1 := renderReport(t, reporttest.Sample(), sarifreport.Options{})
	again, _ := renderReport(t, reporttest.Sample(), sarifreport.Options{})
	if first != again {
		t.Fatal("two renderings of one report differ")
	}
	r := reporttest.Sample()
	for ti := range r.Targets {
		for fi := range r.Targets[ti].Findings {
			ev := r.Targets[ti].Findings[fi].Evidence
			for i, j := 0, len(ev)-1; i < j; i, j = i+1, j-1 {
				ev[i], ev[j] = ev[j], ev[i]
			}
		}
	}
	_, log2 := renderReport(t, r, sarifreport.Options{})
	fps := func(l sarifLog) map[string]string {
		m := map[string]string{}
		for _, res := range l.Runs[0].Results {
			m[res.PartialFingerprints[sarifreport.FingerprintKey]] = res.RuleID
		}
		return m
	}
	a, b := fps(log1), fps(log2)
	if len(a) != 6 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("fingerprints changed with the evidence order:\n%v\n%v", a, b)
	}
}

func TestMessagesCannotEmbedLinks(t *testing.T) {
	r := reporttest.Sample()
	r.Targets[0].Path = "apps/[x](https://evil.example)\\.apk"
	ev := &r.Targets[0].Findings[0].Evidence[0]
	ev.Value = "com.tencent.mm.[click](https://evil.example/p)"
	out, log := renderReport(t, r, sarifreport.Options{})
	// Messages ("text") are where viewers render embedded links; data
	// fields (properties, logical names) keep the value as it is.
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, `"text":`) && (strings.Contains(line, "[click](") || strings.Contains(line, "[x](")) {
			t.Errorf("an unescaped embedded link reached a message: %s", line)
		}
	}
	for _, res := range log.Runs[0].Results {
		if res.PartialFingerprints[sarifreport.FingerprintKey] == "1111111111111111" {
			if !strings.Contains(res.Message.Text, `apps/\[x\](https://evil.example)\.apk embeds`) ||
				!strings.Contains(res.Message.Text, `com.tencent.mm.\[click\](https://evil.example/p)`) {
				t.Errorf("message %q", res.Message.Text)
			}
			return
		}
	}
	t.Fatal("result missing")
}

func TestSuppressions(t *testing.T) {
	_, log := render(t)
	n := 0
	for _, res := range log.Runs[0].Results {
		fp := res.PartialFingerprints[sarifreport.FingerprintKey]
		switch fp {
		case "3333333333333333":
			if len(res.Suppressions) != 1 || res.Suppressions[0].Kind != "external" || res.Suppressions[0].Status != "accepted" ||
				!strings.Contains(res.Suppressions[0].Justification, "reviewed: storage only") {
				t.Errorf("policy exception not a suppression: %+v", res.Suppressions)
			}
			n++
		case "6666666666666666":
			if len(res.Suppressions) != 1 || !strings.Contains(res.Suppressions[0].Justification, "ads removed") {
				t.Errorf("baseline entry not a suppression: %+v", res.Suppressions)
			}
			n++
		default:
			if len(res.Suppressions) != 0 {
				t.Errorf("%s suppressed: %+v", fp, res.Suppressions)
			}
		}
	}
	if n != 2 {
		t.Fatalf("saw %d suppressed results, want 2", n)
	}
}

func TestExpiredExceptionIsNotASuppression(t *testing.T) {
	r := reporttest.Sample()
	r.Targets[0].Findings[2].Exception.Expired = true
	var buf bytes.Buffer
	if err := sarifreport.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	for _, res := range log.Runs[0].Results {
		if res.PartialFingerprints[sarifreport.FingerprintKey] == "3333333333333333" {
			if len(res.Suppressions) != 0 || res.Properties["exception_expired"] != "2099-01-31" {
				t.Fatalf("expired exception: suppressions %+v, properties %v", res.Suppressions, res.Properties)
			}
			return
		}
	}
	t.Fatal("mmkv result missing")
}

func TestCleanReportIsValid(t *testing.T) {
	var buf bytes.Buffer
	if err := sarifreport.Write(&buf, reporttest.Clean()); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sariftest.Schema(t).Validate(doc); err != nil {
		t.Fatal(err)
	}
	// GitHub needs "results" present even when empty.
	if !strings.Contains(buf.String(), `"results": []`) {
		t.Errorf("no empty results array:\n%s", buf.String())
	}
}

func TestURI(t *testing.T) {
	for in, want := range map[string]string{
		"apps/feed.apk":        "apps/feed.apk",
		"./apps/my app.apk":    "apps/my%20app.apk",
		"/tmp/x#1.ipa":         "file:///tmp/x%231.ipa",
		`C:\builds\app.apk`:    "file:///C:/builds/app.apk",
		"weird/%41/100%.apk":   "weird/%2541/100%25.apk",
		"dir/with?query=1.apk": "dir/with%3Fquery=1.apk",
	} {
		if got := sarifreport.URI(in); got != want {
			t.Errorf("URI(%q) = %q, want %q", in, got, want)
		}
	}
}
