package reportdiff_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/net/html"

	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/reportdiff"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
	"github.com/sdkvet/sdkvet/scanner/report/sarifreport"
	"github.com/sdkvet/sdkvet/scanner/report/sarifreport/sariftest"
)

// hostilePair is pair() with attacker-controlled text in the added SDK's
// name, the new app id, a new permission and the new version.
func hostilePair() (*report.Report, *report.Report) {
	old, upd := pair()
	tg := &upd.Targets[0]
	id, ver := reporttest.HostileLabel, "=HYPERLINK(\"https://evil.example\")"
	tg.Identity.AppID, tg.Identity.Version = &id, &ver
	tg.Identity.Permissions = append(tg.Identity.Permissions, "+cmd|' /C calc'!A0")
	tg.Findings[len(tg.Findings)-1].SDK = reporttest.HostileLabel
	tg.Findings[len(tg.Findings)-1].Vendor = "@SUM(1+1)"
	return old, upd
}

// parseHTML returns the page's text (runs joined by a space) and a count
// of its elements by name.
func parseHTML(t *testing.T, doc string) (string, map[string]int) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]int{}
	var text []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			tags[n.Data]++
		}
		if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" && (n.Parent == nil || n.Parent.Data != "style") {
			text = append(text, strings.Join(strings.Fields(n.Data), " "))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return strings.Join(text, " "), tags
}

func TestHTML(t *testing.T) {
	old, upd := pair()
	d := reportdiff.Compute(old, upd, policy.High)
	var buf bytes.Buffer
	if err := reportdiff.WriteHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	text, tags := parseHTML(t, doc)
	for _, want := range []string{
		"The update adds 1 SDK(s) or app(s) at or above high",
		"added Bugly Tencent high tencent.bugly",
		"removed MMKV Tencent low (suppressed) tencent.mmkv",
		"added android.bugly.qq.com Tencent",
		"added android.permission.ACCESS_FINE_LOCATION",
		"version 2.4.1 2.5.0",
		"Signatures 2026.11.20",
		"Policy state-policy 7",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(doc, `class="verdict verdict-fail"`) {
		t.Error("the banner is not the failing one")
	}
	// Self-contained, with the HTML report's stylesheet and policy.
	if tags["script"]+tags["link"]+tags["img"]+tags["iframe"] != 0 {
		t.Errorf("unexpected elements: %v", tags)
	}
	if !strings.Contains(doc, `content="default-src 'none';`) || !strings.Contains(doc, ".sdkvet-report .sev-high") || !strings.Contains(doc, ".chg-added") {
		t.Error("no Content-Security-Policy, or not the report's stylesheet")
	}

	// Nothing changed: a passing page that says so.
	buf.Reset()
	if err := reportdiff.WriteHTML(&buf, reportdiff.Compute(reporttest.Sample(), reporttest.Sample(), policy.High)); err != nil {
		t.Fatal(err)
	}
	if text, _ := parseHTML(t, buf.String()); !strings.Contains(text, "The update adds nothing at or above high") ||
		!strings.Contains(text, "No change in SDKs") || strings.Contains(text, "Permissions") {
		t.Errorf("empty diff page: %s", text)
	}
}

func TestHostileHTMLIsEscaped(t *testing.T) {
	old, upd := hostilePair()
	var buf bytes.Buffer
	if err := reportdiff.WriteHTML(&buf, reportdiff.Compute(old, upd, policy.High)); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	text, tags := parseHTML(t, doc)
	if strings.Contains(doc, "<script>alert(1)</script>") || strings.Contains(doc, "<img src=x") || tags["script"]+tags["img"] != 0 {
		t.Fatalf("hostile value written as markup: %v", tags)
	}
	// Shown as text, in the title, the sides table and the SDK table.
	if n := strings.Count(text, reporttest.HostileLabel); n < 3 {
		t.Errorf("hostile value shown %d times as text, want >= 3", n)
	}
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, data)
	}
	return rows
}

func TestCSV(t *testing.T) {
	old, upd := pair()
	var buf bytes.Buffer
	if err := reportdiff.WriteCSV(&buf, reportdiff.Compute(old, upd, policy.High)); err != nil {
		t.Fatal(err)
	}
	got := readCSV(t, buf.Bytes())
	want := [][]string{
		{"change", "kind", "target", "name", "value", "vendor", "severity", "suppressed"},
		{"added", "sdk", "apps/feed.apk", "Bugly", "tencent.bugly", "Tencent", "high", "false"},
		{"removed", "sdk", "apps/feed.apk", "MMKV", "tencent.mmkv", "Tencent", "low", "true"},
		{"added", "endpoint", "apps/feed.apk", "android.bugly.qq.com", "", "Tencent", "", ""},
		{"added", "permission", "apps/feed.apk", "android.permission.ACCESS_FINE_LOCATION", "", "", "", ""},
		{"removed", "identity", "apps/feed.apk", "version", "2.4.1", "", "", ""},
		{"added", "identity", "apps/feed.apk", "version", "2.5.0", "", "", ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %q\nwant %q", got, want)
	}
}

func TestCSVTargetIsWhereTheChangeIs(t *testing.T) {
	// Two packages on the new side; only the second brings Bugly.
	old, upd := pair()
	upd.Targets = append([]report.Target{old.Targets[0]}, upd.Targets[0])
	upd.Targets[1].Path = "apps/feed-2.apk"
	var buf bytes.Buffer
	if err := reportdiff.WriteCSV(&buf, reportdiff.Compute(old, upd, policy.High)); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	if rows[1][3] != "Bugly" || rows[1][2] != "apps/feed-2.apk" {
		t.Errorf("added row %q, want target apps/feed-2.apk", rows[1])
	}
	// WeChat is in both packages of the new side and in the old one: no row.
	if strings.Contains(buf.String(), "WeChat") {
		t.Errorf("unchanged SDK listed:\n%s", buf.String())
	}
}

func TestHostileCSVCellsAreNotFormulas(t *testing.T) {
	old, upd := hostilePair()
	var buf bytes.Buffer
	if err := reportdiff.WriteCSV(&buf, reportdiff.Compute(old, upd, policy.High)); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	seen := map[string]bool{}
	for _, r := range rows {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("cell %q starts a formula", c)
			}
			seen[c] = true
		}
	}
	for _, want := range []string{`'=HYPERLINK("https://evil.example")`, "'+cmd|' /C calc'!A0", "'@SUM(1+1)", reporttest.HostileLabel} {
		if !seen[want] {
			t.Errorf("no cell %q in\n%s", want, buf.String())
		}
	}
}

type sarifLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID              string            `json:"ruleId"`
			BaselineState       string            `json:"baselineState"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []any             `json:"locations"`
			RelatedLocations    []any             `json:"relatedLocations"`
		} `json:"results"`
		Properties map[string]any `json:"properties"`
	} `json:"runs"`
}

func writeSARIF(t *testing.T, d *reportdiff.Diff) sarifLog {
	t.Helper()
	var buf bytes.Buffer
	if err := reportdiff.WriteSARIF(&buf, d, sarifreport.Options{}); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sariftest.Schema(t).Validate(doc); err != nil {
		t.Fatalf("not valid SARIF 2.1.0: %v\n%s", err, buf.String())
	}
	var l sarifLog
	if err := json.Unmarshal(buf.Bytes(), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Runs) != 1 {
		t.Fatalf("%d runs", len(l.Runs))
	}
	return l
}

func TestSARIFHoldsOnlyWhatTheUpdateAdds(t *testing.T) {
	old, upd := pair()
	// The update also adds a host to the ByteDance endpoint finding the
	// old release already had.
	var ep *report.Finding
	for i := range upd.Targets[0].Findings {
		if f := &upd.Targets[0].Findings[i]; f.Kind == "endpoint" {
			ep = f
		}
	}
	if ep == nil {
		t.Fatal("sample changed: no endpoint finding")
	}
	ep.Evidence = append(append([]report.Evidence{}, ep.Evidence...), report.Evidence{Path: "apps/feed.apk!/classes3.dex", Type: "domain", Value: "new.snssdk.com", Source: "x"})
	ep.EvidenceCount = 3
	l := writeSARIF(t, reportdiff.Compute(old, upd, policy.High))
	run := l.Runs[0]
	var rules []string
	for _, r := range run.Tool.Driver.Rules {
		rules = append(rules, r.ID)
	}
	if strings.Join(rules, ",") != "bytedance.domains,tencent.bugly" {
		t.Errorf("rules %v, want the added SDK and the endpoint rule only", rules)
	}
	if len(run.Results) != 2 {
		t.Fatalf("%d results, want 2", len(run.Results))
	}
	for _, r := range run.Results {
		if r.BaselineState != "new" {
			t.Errorf("%s: baselineState %q", r.RuleID, r.BaselineState)
		}
		switch r.RuleID {
		case "tencent.bugly":
			if r.PartialFingerprints[sarifreport.FingerprintKey] != "7777777777777777" {
				t.Errorf("bugly fingerprint %v: not the finding's id", r.PartialFingerprints)
			}
		case "bytedance.domains":
			// Only the new host: one location, no related ones.
			if len(r.Locations) != 1 || len(r.RelatedLocations) != 0 {
				t.Errorf("endpoint result has %d+%d locations, want the new host only", len(r.Locations), len(r.RelatedLocations))
			}
		default:
			t.Errorf("unexpected result for %s", r.RuleID)
		}
	}
	if got := run.Properties["diff_old_targets"]; !reflect.DeepEqual(got, []any{"apps/feed.apk"}) || run.Properties["diff_violations"] != 1.0 {
		t.Errorf("run properties %v", run.Properties)
	}
	// The compared report is left as it was.
	if len(ep.Evidence) != 3 || len(upd.Targets[0].Findings) != 4 {
		t.Error("WriteSARIF modified the new report")
	}
}

func TestSARIFOfNoChangeIsEmptyAndValid(t *testing.T) {
	l := writeSARIF(t, reportdiff.Compute(reporttest.Sample(), reporttest.Sample(), policy.High))
	if len(l.Runs[0].Results) != 0 || len(l.Runs[0].Tool.Driver.Rules) != 0 {
		t.Errorf("%d results, %d rules for an unchanged report", len(l.Runs[0].Results), len(l.Runs[0].Tool.Driver.Rules))
	}
	// From a clean release to the sample: every non-endpoint finding of
	// the sample is new, and so is every endpoint host.
	l = writeSARIF(t, reportdiff.Compute(reporttest.Clean(), reporttest.Sample(), policy.High))
	n := 0
	for _, tg := range reporttest.Sample().Targets {
		n += len(tg.Findings)
	}
	if len(l.Runs[0].Results) != n {
		t.Errorf("%d results, want every finding of the sample (%d)", len(l.Runs[0].Results), n)
	}
}

func TestDecodedDiffHasNoSARIF(t *testing.T) {
	old, upd := pair()
	var js bytes.Buffer
	if err := reportdiff.WriteJSON(&js, reportdiff.Compute(old, upd, policy.High)); err != nil {
		t.Fatal(err)
	}
	var d reportdiff.Diff
	if err := json.Unmarshal(js.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if err := reportdiff.WriteSARIF(&bytes.Buffer{}, &d, sarifreport.Options{}); err == nil {
		t.Error("SARIF written without the compared reports")
	}
	// CSV still works, naming the side's packages.
	var buf bytes.Buffer
	if err := reportdiff.WriteCSV(&buf, &d); err != nil {
		t.Fatal(err)
	}
	if rows := readCSV(t, buf.Bytes()); len(rows) != 7 || rows[1][2] != "apps/feed.apk" {
		t.Errorf("csv of a decoded diff: %q", rows)
	}
}
