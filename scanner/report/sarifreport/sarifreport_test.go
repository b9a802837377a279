package sarifreport_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
	"github.com/sdkvet/sdkvet/scanner/report/sarifreport"
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
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine   int `json:"startLine"`
			StartColumn int `json:"startColumn"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	} `json:"logicalLocations"`
}

func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	return c.MustCompile("sarif-schema-2.1.0.json")
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
	if err := schema(t).Validate(doc); err != nil {
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
	if err := schema(t).Validate(doc); err == nil {
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
	if rl := src.RelatedLocations[0].PhysicalLocation; rl.ArtifactLocation.URI != "src/mobile-app/app/src/main/java/gov/example/Ads.kt" || rl.Region.StartLine != 7 || rl.Region.StartColumn != 8 {
		t.Errorf("related source location %+v", rl)
	}
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
	if err := schema(t).Validate(doc); err != nil {
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
