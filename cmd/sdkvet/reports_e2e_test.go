package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/pdfreport"
	"github.com/sdkvet/sdkvet/scanner/report/reportdiff"
	"github.com/sdkvet/sdkvet/scanner/report/sarifreport/sariftest"
)

// sdkvetIn runs the binary in dir (for the .sdkvet.yaml lookup).
func sdkvetIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run sdkvet: %v", err)
	}
	return r
}

func validSARIF(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not JSON: %v", path, err)
	}
	if err := sariftest.Schema(t).Validate(doc); err != nil {
		t.Fatalf("%s is not valid SARIF 2.1.0: %v", path, err)
	}
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return m
}

func TestEveryFormatInOneRun(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	r := sdkvet(t, "scan", "--format", "json",
		"--format", "sarif="+p("r.sarif"),
		"--format", "html", "-o", p("r.html"),
		"--format", "md", "-o", p("r.md"),
		"--format", "csv", "-o", p("r.csv"),
		"--format", "cyclonedx", "-o", p("r.cdx.json"),
		fx("wechat-share.apk"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (WeChat is banned): %s", r.code, r.stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Targets) != 1 {
		t.Fatalf("stdout is not the JSON report: %v", err)
	}
	s := validSARIF(t, p("r.sarif"))
	run := s["runs"].([]any)[0].(map[string]any)
	results := run["results"].([]any)
	if len(results) != len(rep.Targets[0].Findings) {
		t.Errorf("%d SARIF results for %d findings", len(results), len(rep.Targets[0].Findings))
	}
	for name, want := range map[string]string{"r.html": "WeChat OpenSDK", "r.md": "WeChat OpenSDK", "r.cdx.json": `"specVersion": "1.6"`} {
		data, err := os.ReadFile(p(name))
		if err != nil || !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q (%v)", name, want, err)
		}
	}
	f, _ := os.Open(p("r.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 1+len(rep.Targets[0].Findings) {
		t.Errorf("csv: %d rows (%v)", len(rows), err)
	}
}

func TestFormatPairingErrors(t *testing.T) {
	for _, args := range [][]string{
		{"scan", "--format", "json", "--format", "sarif", fx("clean.apk")},        // two to stdout
		{"scan", "--format", "json", "-o", "a", "-o", "b", fx("clean.apk")},       // extra --output
		{"scan", "--format", "sarif=", fx("clean.apk")},                           // empty file
		{"scan", "--format", "xml", fx("clean.apk")},                              // unknown
		{"scan", "--progress", "sometimes", fx("clean.apk")},                      // bad progress
		{"scan", "--config", filepath.Join(fixDir, "none.yaml"), fx("clean.apk")}, // missing baseline
	} {
		r := sdkvet(t, args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "sdkvet: ") {
			t.Errorf("%v: exit %d stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestFailOnVendor(t *testing.T) {
	if r := sdkvet(t, "scan", "--fail-on", "critical", "-o", os.DevNull, fx("wechat-share.apk")); r.code != 0 {
		t.Fatalf("--fail-on critical: exit %d", r.code)
	}
	r := sdkvet(t, "scan", "--fail-on", "critical", "--fail-on-vendor", "Tencent", "-o", os.DevNull, fx("wechat-share.apk"))
	if r.code != 1 || !strings.Contains(r.stderr, "findings of Tencent") {
		t.Fatalf("--fail-on-vendor Tencent: exit %d %q", r.code, r.stderr)
	}
	if r := sdkvet(t, "scan", "--fail-on", "critical", "--fail-on-vendor", "bytedance", "-o", os.DevNull, fx("wechat-share.apk")); r.code != 0 {
		t.Fatalf("--fail-on-vendor bytedance on a Tencent-only app: exit %d", r.code)
	}
}

func TestBaselineWorkflow(t *testing.T) {
	dir := t.TempDir()
	r := sdkvetIn(t, dir, "baseline", "--reason", "accepted for the pilot", "--expires", "2099-12-31", fx("wechat-share.apk"))
	if r.code != 0 {
		t.Fatalf("baseline: exit %d %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".sdkvet.yaml"))
	if err != nil || !strings.Contains(string(data), "reason: accepted for the pilot") {
		t.Fatalf("baseline file: %v\n%s", err, data)
	}
	if r := sdkvetIn(t, dir, "baseline", fx("wechat-share.apk")); r.code != 2 || !strings.Contains(r.stderr, "--force") {
		t.Errorf("overwrite without --force: exit %d %q", r.code, r.stderr)
	}

	// The baseline in the current directory suppresses every finding.
	r = sdkvetIn(t, dir, "scan", "--format", "json", fx("wechat-share.apk"))
	if r.code != 0 {
		t.Fatalf("scan with baseline: exit %d %s", r.code, r.stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(r.stdout))
	if err := schemaV.Validate(doc); err != nil {
		t.Fatalf("report with baseline does not match the schema: %v", err)
	}
	if rep.Verdict != "pass" || rep.Baseline == nil || rep.Baseline.Path != ".sdkvet.yaml" || rep.Baseline.Suppressed == 0 {
		t.Fatalf("verdict %s baseline %+v", rep.Verdict, rep.Baseline)
	}
	for _, f := range rep.Targets[0].Findings {
		if !f.Suppressed() || f.Exception.Source != "baseline" {
			t.Errorf("finding %s not suppressed by the baseline: %+v", f.Rule, f.Exception)
		}
	}
	// SARIF keeps them, as suppressed results.
	sarifPath := filepath.Join(dir, "r.sarif")
	if r := sdkvetIn(t, dir, "scan", "--format", "sarif", "-o", sarifPath, fx("wechat-share.apk")); r.code != 0 {
		t.Fatalf("sarif with baseline: exit %d", r.code)
	}
	s := validSARIF(t, sarifPath)
	results := s["runs"].([]any)[0].(map[string]any)["results"].([]any)
	if len(results) != len(rep.Targets[0].Findings) || len(results) == 0 {
		t.Errorf("%d SARIF results for %d suppressed findings", len(results), len(rep.Targets[0].Findings))
	}
	for _, res := range results {
		if sup, _ := res.(map[string]any)["suppressions"].([]any); len(sup) != 1 {
			t.Errorf("result without suppression: %v", res)
		}
	}
	// --no-baseline ignores it.
	if r := sdkvetIn(t, dir, "scan", "--no-baseline", "-o", os.DevNull, fx("wechat-share.apk")); r.code != 1 {
		t.Errorf("--no-baseline: exit %d", r.code)
	}

	// An expired baseline stops applying and the report says so.
	old := filepath.Join(dir, "old.yaml")
	if r := sdkvetIn(t, dir, "baseline", "-o", old, "--expires", "2001-01-01", fx("wechat-share.apk")); r.code != 0 {
		t.Fatalf("baseline: exit %d", r.code)
	}
	rep2, r2 := scanJSON(t, "--config", old, fx("wechat-share.apk"))
	if r2.code != 1 || len(rep2.Baseline.Expired) == 0 || rep2.Baseline.Suppressed != 0 {
		t.Fatalf("expired baseline: exit %d %+v", r2.code, rep2.Baseline)
	}
	for _, f := range rep2.Targets[0].Findings {
		if f.Exception == nil || !f.Exception.Expired {
			t.Errorf("%s: expired entry not reported: %+v", f.Rule, f.Exception)
		}
	}
	if txt := sdkvet(t, "scan", "--format", "md", "--config", old, fx("wechat-share.apk")); !strings.Contains(txt.stdout, "expired") {
		t.Errorf("markdown does not say the baseline expired:\n%s", txt.stdout)
	}
}

func TestDiff(t *testing.T) {
	r := sdkvet(t, "diff", fx("clean.apk"), fx("wechat-share.apk"))
	if r.code != 1 || !strings.Contains(r.stdout, "+ high") || !strings.Contains(r.stdout, "WeChat OpenSDK") || !strings.Contains(r.stdout, "~ app_id") {
		t.Fatalf("clean → wechat: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Removing the SDK is no violation; the old side can be a saved report.
	saved := filepath.Join(t.TempDir(), "old.json")
	if r := sdkvet(t, "scan", "--format", "json", "-o", saved, fx("wechat-share.apk")); r.code != 1 {
		t.Fatalf("save report: exit %d", r.code)
	}
	r = sdkvet(t, "diff", "--format", "json", saved, fx("clean.apk"))
	if r.code != 0 {
		t.Fatalf("wechat → clean: exit %d %s", r.code, r.stderr)
	}
	var d reportdiff.Diff
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.SDKsRemoved) == 0 || len(d.SDKsAdded) != 0 || d.Old.Targets[0] != fx("wechat-share.apk") {
		t.Fatalf("diff %+v", d)
	}
	// The scanner fills the identity's permissions: clean.apk asks for
	// INTERNET, wechat-share.apk for none.
	if strings.Join(d.PermissionsAdded, ",") != "android.permission.INTERNET" || len(d.PermissionsRemoved) != 0 {
		t.Errorf("permissions +%v -%v", d.PermissionsAdded, d.PermissionsRemoved)
	}
	if r := sdkvet(t, "diff", fx("clean.apk"), fx("wechat-share.apk")); !strings.Contains(r.stdout, "- android.permission.INTERNET") {
		t.Errorf("text diff does not show the removed permission:\n%s", r.stdout)
	}
	if r := sdkvet(t, "diff", "--format", "md", fx("wechat-share.apk"), fx("wechat-share.apk")); r.code != 0 || !strings.Contains(r.stdout, "No change") {
		t.Fatalf("same package: exit %d\n%s", r.code, r.stdout)
	}
	if r := sdkvet(t, "diff", fx("clean.apk")); r.code != 2 {
		t.Errorf("one argument: exit %d", r.code)
	}
}

func TestBatchUsesWorkersAndSummarises(t *testing.T) {
	rep, r := scanJSON(t, "--allow-incomplete", "--parser-timeout", "2s", "--progress", "plain", "--jobs", "2", fixDir)
	if len(rep.Targets) < 5 {
		t.Fatalf("%d targets", len(rep.Targets))
	}
	n := len(rep.Targets)
	lines := 0
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "[") && strings.Contains(l, "/") {
			lines++
		}
	}
	if lines != n {
		t.Errorf("%d progress lines for %d targets:\n%s", lines, n, r.stderr)
	}
	if !strings.Contains(r.stderr, "VERDICT") || !strings.Contains(r.stderr, "target(s):") {
		t.Errorf("no summary table:\n%s", r.stderr)
	}
	// The report lists targets in path order whatever the workers did.
	for i := 1; i < len(rep.Targets); i++ {
		if rep.Targets[i-1].Path > rep.Targets[i].Path {
			t.Errorf("targets out of order: %s before %s", rep.Targets[i-1].Path, rep.Targets[i].Path)
		}
	}
	// The malformed package is in the batch and did not stop it.
	found := false
	for _, tg := range rep.Targets {
		if strings.HasSuffix(tg.Path, "malformed.apk") && !tg.Complete {
			found = true
		}
	}
	if !found {
		t.Error("malformed.apk missing or complete")
	}
	// The same batch with one worker gives the same report.
	rep1, _ := scanJSON(t, "--allow-incomplete", "--parser-timeout", "2s", "--progress", "none", "--jobs", "1", fixDir)
	if len(rep1.Targets) != n || rep1.Verdict != rep.Verdict {
		t.Errorf("jobs 1: %d targets verdict %s; jobs 2: %d %s", len(rep1.Targets), rep1.Verdict, n, rep.Verdict)
	}
}

func TestPDFFormat(t *testing.T) {
	if _, err := pdfreport.FindChromium(); err != nil {
		r := sdkvet(t, "scan", "--format", "pdf", "-o", filepath.Join(t.TempDir(), "r.pdf"), fx("clean.apk"))
		if r.code != 2 || !strings.Contains(r.stderr, "Chromium") {
			t.Fatalf("pdf without Chromium: exit %d %q", r.code, r.stderr)
		}
		return
	}
	out := filepath.Join(t.TempDir(), "r.pdf")
	r := sdkvet(t, "scan", "--format", "pdf", "-o", out, fx("wechat-share.apk"))
	data, err := os.ReadFile(out)
	if r.code != 1 || err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("pdf: exit %d %v %q", r.code, err, r.stderr)
	}
}

// TestCIExamples runs the binary exactly as the documented GitHub Actions
// and GitLab CI jobs do, through scripts/ci-examples-test.sh, and validates
// the SARIF they would upload.
func TestCIExamples(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	keep := t.TempDir()
	cmd := exec.Command("bash", "../../scripts/ci-examples-test.sh", binary, fx("clean.apk"), fx("wechat-share.apk"), keep)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ci-examples-test.sh: %v\n%s", err, out)
	}
	for _, ex := range []string{"github-actions.yml", "gitlab-ci.yml"} {
		for _, c := range []string{"clean", "banned"} {
			s := validSARIF(t, filepath.Join(keep, ex+"-"+c+".sarif"))
			n := len(s["runs"].([]any)[0].(map[string]any)["results"].([]any))
			if (c == "clean") != (n == 0) {
				t.Errorf("%s %s: %d results", ex, c, n)
			}
		}
	}
}

func TestTextSaysBaselineExpired(t *testing.T) {
	dir := t.TempDir()
	if r := sdkvetIn(t, dir, "baseline", "--expires", "2001-01-01", fx("wechat-share.apk")); r.code != 0 {
		t.Fatalf("baseline: exit %d", r.code)
	}
	r := sdkvetIn(t, dir, "scan", fx("wechat-share.apk"))
	if r.code != 1 || !strings.Contains(r.stdout, "expired on 2001-01-01 and no longer applies") || !strings.Contains(r.stdout, "(exception expired)") {
		t.Fatalf("exit %d:\n%s", r.code, r.stdout)
	}
}

// TestViolationBeatsIncomplete: a batch with a banned SDK and a package
// that could not be read completely exits 1, not 2, and the other way
// round only the incomplete package is left (exit 2).
func TestViolationBeatsIncomplete(t *testing.T) {
	r := sdkvet(t, "scan", "--progress", "none", "-o", os.DevNull, fx("malformed.apk"), fx("wechat-share.apk"))
	if r.code != 1 {
		t.Fatalf("violation and incomplete: exit %d, want 1 (%s)", r.code, r.stderr)
	}
	r = sdkvet(t, "scan", "--progress", "none", "--fail-on", "critical", "-o", os.DevNull, fx("malformed.apk"), fx("wechat-share.apk"))
	if r.code != 2 || !strings.Contains(r.stderr, "malformed.apk") {
		t.Fatalf("incomplete only: exit %d %q", r.code, r.stderr)
	}
	r = sdkvet(t, "scan", "--progress", "none", "--fail-on", "critical", "--fail-on-vendor", "tencent", "-o", os.DevNull, fx("malformed.apk"), fx("wechat-share.apk"))
	if r.code != 1 {
		t.Fatalf("--fail-on-vendor and incomplete: exit %d", r.code)
	}
}

// TestSARIFOfSourceTreeFromItsRoot: run in the checkout as a CI job does,
// the SARIF names files relative to it (uriBaseId %SRCROOT%), with the
// checkout as the run's original base, and leaves out byte columns.
func TestSARIFOfSourceTreeFromItsRoot(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"settings.gradle":                          "include ':app'\n",
		"app/build.gradle":                         "dependencies {\n    implementation 'com.tencent.mm.opensdk:wechat-sdk-android:6.8.28'\n}\n",
		"app/src/main/java/org/example/Share.java": "package org.example;\n// é\nimport com.tencent.mm.opensdk.openapi.IWXAPI;\n",
	})
	out := filepath.Join(t.TempDir(), "r.sarif")
	if r := sdkvetIn(t, dir, "scan", "-f", "sarif", "-o", out, "."); r.code != 1 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	s := validSARIF(t, out)
	run := s["runs"].([]any)[0].(map[string]any)
	base := run["originalUriBaseIds"].(map[string]any)["%SRCROOT%"].(map[string]any)["uri"].(string)
	if abs, _ := filepath.EvalSymlinks(dir); base != "file://"+filepath.ToSlash(dir)+"/" && base != "file://"+filepath.ToSlash(abs)+"/" {
		t.Errorf("originalUriBaseIds uri %q, want the checkout %s", base, dir)
	}
	uris := map[string]bool{}
	for _, res := range run["results"].([]any) {
		m := res.(map[string]any)
		locs := append(m["locations"].([]any), m["relatedLocations"].([]any)...)
		for _, l := range locs {
			pl := l.(map[string]any)["physicalLocation"].(map[string]any)
			al := pl["artifactLocation"].(map[string]any)
			uris[al["uri"].(string)] = true
			if al["uriBaseId"] != "%SRCROOT%" {
				t.Errorf("artifact %v has no uriBaseId", al)
			}
			if _, ok := pl["region"].(map[string]any)["startColumn"]; ok && pl["region"].(map[string]any)["startColumn"].(float64) != 1 {
				t.Errorf("byte column written as a code-point column: %v", pl["region"])
			}
		}
	}
	for _, want := range []string{"app/build.gradle", "app/src/main/java/org/example/Share.java"} {
		if !uris[want] {
			t.Errorf("no location %s in %v", want, uris)
		}
	}
}

func TestDiffEveryFormat(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	r := sdkvet(t, "diff", "-f", "html="+p("d.html"), "-f", "csv="+p("d.csv"), "-f", "sarif="+p("d.sarif"), "-f", "json",
		fx("clean.apk"), fx("wechat-share.apk"))
	if r.code != 1 {
		t.Fatalf("clean → wechat: exit %d, want 1 (the update adds a banned SDK): %s", r.code, r.stderr)
	}
	var d reportdiff.Diff
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || len(d.Violations) == 0 {
		t.Fatalf("stdout is not the JSON diff with a violation: %v\n%s", err, r.stdout)
	}
	wechat := d.Violations[0]

	// SARIF: exactly the added SDK and app findings, valid against the schema.
	s := validSARIF(t, p("d.sarif"))
	run := s["runs"].([]any)[0].(map[string]any)
	results := run["results"].([]any)
	if len(results) != len(d.SDKsAdded)+len(d.AppsAdded) || len(results) == 0 {
		t.Errorf("%d SARIF results for %d added SDKs and %d added apps", len(results), len(d.SDKsAdded), len(d.AppsAdded))
	}
	found := false
	for _, res := range results {
		m := res.(map[string]any)
		if m["baselineState"] != "new" {
			t.Errorf("result %v: baselineState %v", m["ruleId"], m["baselineState"])
		}
		found = found || m["ruleId"] == wechat.Rule
	}
	if !found {
		t.Errorf("no SARIF result for %s", wechat.Rule)
	}

	// HTML: the failing banner and the SDK.
	page, err := os.ReadFile(p("d.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"verdict-fail", "The update adds <strong>", wechat.Name, "default-src 'none'"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("html lacks %q", want)
		}
	}

	// CSV: a row for the added SDK and one for the removed permission.
	f, _ := os.Open(p("d.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 3 {
		t.Fatalf("csv: %d rows (%v)", len(rows), err)
	}
	var sdkRow, permRow bool
	for _, row := range rows[1:] {
		sdkRow = sdkRow || row[0] == "added" && row[1] == "sdk" && row[3] == wechat.Name && row[2] == fx("wechat-share.apk")
		permRow = permRow || row[0] == "removed" && row[1] == "permission" && row[3] == "android.permission.INTERNET"
	}
	if !sdkRow || !permRow {
		t.Errorf("csv lacks the added SDK (%v) or the removed permission (%v): %q", sdkRow, permRow, rows)
	}

	// The reverse update removes the SDK: exit 0 and a SARIF log with no result.
	r = sdkvet(t, "diff", "-f", "sarif="+p("r.sarif"), "-f", "html="+p("r.html"), fx("wechat-share.apk"), fx("clean.apk"))
	if r.code != 0 {
		t.Fatalf("wechat → clean: exit %d %s", r.code, r.stderr)
	}
	if res := validSARIF(t, p("r.sarif"))["runs"].([]any)[0].(map[string]any)["results"].([]any); len(res) != 0 {
		t.Errorf("%d SARIF results for an update that adds nothing", len(res))
	}
	if page, _ := os.ReadFile(p("r.html")); !strings.Contains(string(page), "verdict-pass") {
		t.Error("html of a harmless update is not the passing page")
	}
}
