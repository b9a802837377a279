package reportdiff_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/reportdiff"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

// pair returns the first sample target as the old release and an update
// that drops MMKV, adds Bugly and a host, a permission and a new version.
func pair() (*report.Report, *report.Report) {
	old := reporttest.Sample()
	old.Targets = old.Targets[:1]
	upd := reporttest.Sample()
	upd.Targets = upd.Targets[:1]
	t := &upd.Targets[0]
	v := "2.5.0"
	t.Identity.Version = &v
	t.Identity.Permissions = append(t.Identity.Permissions, "android.permission.ACCESS_FINE_LOCATION")
	var fs []report.Finding
	for _, f := range t.Findings {
		if f.Rule != "tencent.mmkv" {
			fs = append(fs, f)
		}
	}
	fs = append(fs, report.Finding{ID: "7777777777777777", Kind: "sdk", Rule: "tencent.bugly", SDK: "Bugly", Vendor: "Tencent",
		VendorID: "tencent", Category: "crash-reporting", Severity: "high", Confidence: "high", EvidenceCount: 1,
		Evidence: []report.Evidence{{Path: "a.apk!/classes.dex", Type: "domain", Value: "android.bugly.qq.com", Matched: "qq.com", Source: "x"}}})
	t.Findings = fs
	return old, upd
}

func TestCompute(t *testing.T) {
	old, upd := pair()
	d := reportdiff.Compute(old, upd, policy.High)
	if len(d.SDKsAdded) != 1 || d.SDKsAdded[0].Rule != "tencent.bugly" || len(d.SDKsRemoved) != 1 || d.SDKsRemoved[0].Rule != "tencent.mmkv" {
		t.Errorf("sdks +%v -%v", d.SDKsAdded, d.SDKsRemoved)
	}
	if len(d.EndpointsAdded) != 1 || d.EndpointsAdded[0] != (reportdiff.Endpoint{Host: "android.bugly.qq.com", Owner: "Tencent"}) || len(d.EndpointsRemoved) != 0 {
		t.Errorf("endpoints +%v -%v", d.EndpointsAdded, d.EndpointsRemoved)
	}
	if strings.Join(d.PermissionsAdded, ",") != "android.permission.ACCESS_FINE_LOCATION" || len(d.PermissionsRemoved) != 0 {
		t.Errorf("permissions +%v -%v", d.PermissionsAdded, d.PermissionsRemoved)
	}
	if len(d.Identity) != 1 || d.Identity[0] != (reportdiff.Change{Field: "version", Old: "2.4.1", New: "2.5.0"}) {
		t.Errorf("identity %v", d.Identity)
	}
	if len(d.Violations) != 1 || d.Violations[0].Rule != "tencent.bugly" {
		t.Errorf("violations %v", d.Violations)
	}
	// Below the threshold an added SDK is a change, not a violation.
	if d := reportdiff.Compute(old, upd, policy.Critical); len(d.Violations) != 0 {
		t.Errorf("violations at critical: %v", d.Violations)
	}
	// The reverse: the update removes Bugly, no violation.
	if d := reportdiff.Compute(upd, old, policy.High); len(d.Violations) != 0 || len(d.SDKsRemoved) != 1 || len(d.PermissionsRemoved) != 1 {
		t.Errorf("reverse diff %+v", d)
	}
}

func TestSuppressedAdditionIsNoViolation(t *testing.T) {
	old, upd := pair()
	f := &upd.Targets[0].Findings[len(upd.Targets[0].Findings)-1]
	f.Exception = &report.Exception{Reason: "accepted", Expires: "2099-01-01", Source: "baseline"}
	if d := reportdiff.Compute(old, upd, policy.High); len(d.Violations) != 0 || !d.SDKsAdded[0].Suppressed {
		t.Fatalf("suppressed addition: %+v", d)
	}
}

func TestSameReportIsEmpty(t *testing.T) {
	d := reportdiff.Compute(reporttest.Sample(), reporttest.Sample(), policy.High)
	if !d.Empty() || len(d.Violations) != 0 {
		t.Fatalf("diff of a report with itself: %+v", d)
	}
	var buf bytes.Buffer
	if err := reportdiff.WriteText(&buf, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "No change") {
		t.Errorf("text: %s", buf.String())
	}
}

func TestWriters(t *testing.T) {
	old, upd := pair()
	d := reportdiff.Compute(old, upd, policy.High)

	var txt bytes.Buffer
	if err := reportdiff.WriteText(&txt, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"The update adds 1 SDK(s) or app(s) at or above high", "+ high  Bugly", "- low   MMKV",
		"+ android.bugly.qq.com", "+ android.permission.ACCESS_FINE_LOCATION", "~ version", "2.4.1", "→ 2.5.0"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, txt.String())
		}
	}
	var js bytes.Buffer
	if err := reportdiff.WriteJSON(&js, d); err != nil {
		t.Fatal(err)
	}
	var back reportdiff.Diff
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.SDKsAdded) != 1 || back.SDKsAdded[0].Name != "Bugly" || back.FailOn != "high" || len(back.AppsAdded) != 0 {
		t.Errorf("json %s", js.String())
	}
	if !strings.Contains(js.String(), `"apps_added": []`) {
		t.Error("empty lists are not [] in JSON")
	}
	var md bytes.Buffer
	if err := reportdiff.WriteMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## ❌ sdkvet", "| added | Bugly (`tencent.bugly`) | Tencent | high |", "| removed | MMKV (`tencent.mmkv`) | Tencent | low |",
		"| added endpoint | `android.bugly.qq.com` |", "| changed version | `2.4.1` → `2.5.0` |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

func TestHostileMarkdownIsInert(t *testing.T) {
	old, upd := pair()
	h := reporttest.Hostile
	tg := &upd.Targets[0]
	tg.Identity.AppID, tg.Identity.Version, tg.Identity.Label = &h, &h, &h
	tg.Identity.Permissions = append(tg.Identity.Permissions, h)
	tg.Findings[len(tg.Findings)-1].Evidence[0].Value = "https://" + h
	tg.Findings[len(tg.Findings)-1].SDK = h
	d := reportdiff.Compute(old, upd, policy.High)
	var md bytes.Buffer
	if err := reportdiff.WriteMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	reporttest.AssertInertMarkdown(t, md.String())
	var txt bytes.Buffer
	if err := reportdiff.WriteText(&txt, d); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(txt.String(), '\u202e') {
		t.Error("bidirectional override reached the terminal text")
	}
}
