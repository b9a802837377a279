package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sdkvet/sdkvet/internal/fixture/samples"
	"github.com/sdkvet/sdkvet/scanner/report"
)

// The end-to-end tests build the real binary once and run it on packages
// written by internal/fixture/samples.

var (
	binary  string
	fixDir  string
	aabPB   []byte
	schemaV *jsonschema.Schema
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "sdkvet-e2e")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "sdkvet")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("build sdkvet: " + err.Error() + "\n" + string(out))
	}
	fixDir = filepath.Join(dir, "fixtures")
	if err := os.Mkdir(fixDir, 0o755); err != nil {
		panic(err)
	}
	aabPB, err = os.ReadFile("../../scanner/aabproto/testdata/aapt2/AndroidManifest.xml.pb")
	if err != nil {
		panic(err)
	}
	for _, s := range samples.All(aabPB) {
		if err := os.WriteFile(filepath.Join(fixDir, s.Name), s.Data, 0o644); err != nil {
			panic(err)
		}
	}
	c := jsonschema.NewCompiler()
	var doc any
	if err := json.Unmarshal(report.JSONSchema, &doc); err != nil {
		panic(err)
	}
	if err := c.AddResource("report.schema.json", doc); err != nil {
		panic(err)
	}
	schemaV = c.MustCompile("report.schema.json")
	return m.Run()
}

type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func sdkvet(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run sdkvet: %v", err)
	}
	return r
}

// scanJSON runs a JSON scan, validates the output against the published
// schema and decodes it.
func scanJSON(t *testing.T, args ...string) (*report.Report, result) {
	t.Helper()
	r := sdkvet(t, append([]string{"scan", "--format", "json"}, args...)...)
	var doc any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON (exit %d, stderr %s): %v\n%s", r.code, r.stderr, err, r.stdout)
	}
	if err := schemaV.Validate(doc); err != nil {
		t.Fatalf("report does not match report.schema.json: %v", err)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	return &rep, r
}

func fx(name string) string { return filepath.Join(fixDir, name) }

func finding(t *testing.T, tg report.Target, rule string) report.Finding {
	t.Helper()
	for _, f := range tg.Findings {
		if f.Rule == rule {
			return f
		}
	}
	var rules []string
	for _, f := range tg.Findings {
		rules = append(rules, f.Rule)
	}
	t.Fatalf("no finding %s in %s; have %v", rule, tg.Path, rules)
	return report.Finding{}
}

func evidenceTypes(f report.Finding) []string {
	set := map[string]bool{}
	for _, e := range f.Evidence {
		set[e.Type] = true
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestCleanAppPasses(t *testing.T) {
	rep, r := scanJSON(t, fx("clean.apk"))
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	tg := rep.Targets[0]
	if rep.Verdict != "pass" || tg.Verdict != "pass" || len(tg.Findings) != 0 || !tg.Complete {
		t.Fatalf("clean app: verdict %s, findings %+v, errors %+v", rep.Verdict, tg.Findings, tg.Errors)
	}
	if tg.Kind != "apk" || *tg.Identity.AppID != "com.example.notes" || *tg.Identity.Version != "1.4.2" ||
		*tg.Identity.Label != "Example Notes" || *tg.Identity.MinSDK != "24" || *tg.Identity.TargetSDK != "34" {
		t.Fatalf("identity %+v", tg.Identity)
	}
	if len(tg.Identity.Signers) != 1 || tg.Identity.Signers[0].Subject != "CN=Example Agency Release" || tg.Identity.Signers[0].Schemes[0] != "v1" {
		t.Fatalf("signers %+v", tg.Identity.Signers)
	}
	if len(tg.SHA256) != 64 || tg.Size == 0 {
		t.Fatalf("hash/size %q %d", tg.SHA256, tg.Size)
	}
}

func TestWeChatOpenSDK(t *testing.T) {
	rep, r := scanJSON(t, fx("wechat-share.apk"))
	if r.code != 1 || rep.Verdict != "fail" {
		t.Fatalf("exit %d verdict %s", r.code, rep.Verdict)
	}
	f := finding(t, rep.Targets[0], "tencent.wechat-opensdk")
	if f.Kind != "sdk" || f.Vendor != "Tencent Holdings Ltd." || f.Severity != "high" || f.Confidence != "high" {
		t.Fatalf("finding %+v", f)
	}
	got := strings.Join(evidenceTypes(f), ",")
	for _, want := range []string{"java_class", "manifest_component", "domain"} {
		if !strings.Contains(got, want) {
			t.Errorf("evidence types %s lack %s", got, want)
		}
	}
	for _, e := range f.Evidence {
		if e.Type == "java_class" && (e.Offset == nil || !strings.HasSuffix(e.Path, "wechat-share.apk!/classes.dex")) {
			t.Errorf("class evidence without DEX path/offset: %+v", e)
		}
		if e.Source == "" || e.Matched == "" {
			t.Errorf("evidence without rule source: %+v", e)
		}
	}
	// The <queries> entry for WeChat is its own, low-severity identifier.
	if q := finding(t, rep.Targets[0], "tencent.wechat"); q.Kind != "identifier" || q.Severity != "low" {
		t.Fatalf("identifier %+v", q)
	}
	// One finding per SDK, however many classes.
	n := 0
	for _, f := range rep.Targets[0].Findings {
		if f.Rule == "tencent.wechat-opensdk" {
			n++
		}
	}
	if n != 1 || f.EvidenceCount < 4 {
		t.Fatalf("%d WeChat findings, %d evidence", n, f.EvidenceCount)
	}
}

func TestObfuscatedPangleFoundByManifestAndNativeLib(t *testing.T) {
	rep, r := scanJSON(t, fx("pangle-obfuscated.apk"))
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	f := finding(t, rep.Targets[0], "bytedance.pangle")
	if got := strings.Join(evidenceTypes(f), ","); got != "manifest_component,native_lib" {
		t.Fatalf("evidence types %s", got)
	}
	if f.Confidence != "high" || f.Category != "ads" {
		t.Fatalf("finding %+v", f)
	}
}

func TestBannedAppID(t *testing.T) {
	rep, r := scanJSON(t, fx("tiktok.apk"))
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	f := finding(t, rep.Targets[0], "bytedance.tiktok")
	if f.Kind != "app" || f.Severity != "critical" || f.App != "TikTok" || f.Evidence[0].Value != "com.zhiliaoapp.musically" {
		t.Fatalf("finding %+v", f)
	}
}

func TestAAB(t *testing.T) {
	rep, r := scanJSON(t, fx("bundle.aab"))
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	tg := rep.Targets[0]
	if tg.Kind != "aab" || tg.Identity.AppID == nil || *tg.Identity.AppID != "com.example.app" || *tg.Identity.Version != "1.2" {
		t.Fatalf("aab identity %+v kind %s", tg.Identity, tg.Kind)
	}
	f := finding(t, tg, "tencent.wechat-opensdk")
	var paths []string
	for _, e := range f.Evidence {
		paths = append(paths, e.Path)
	}
	joined := strings.Join(paths, " ")
	if !strings.Contains(joined, "bundle.aab!/base/dex/classes.dex") || !strings.Contains(joined, "bundle.aab!/base/manifest/AndroidManifest.xml") {
		t.Fatalf("AAB evidence paths %v", paths)
	}
}

func TestXAPKScansEverySplit(t *testing.T) {
	rep, r := scanJSON(t, fx("share.xapk"))
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	tg := rep.Targets[0]
	if tg.Kind != "xapk" {
		t.Fatalf("kind %s", tg.Kind)
	}
	w := finding(t, tg, "tencent.wechat-opensdk")
	p := finding(t, tg, "bytedance.pangle")
	if !strings.Contains(w.Evidence[0].Path, "share.xapk!/base.apk!/") || !strings.Contains(p.Evidence[0].Path, "share.xapk!/config.arm64_v8a.apk!/lib/arm64-v8a/") {
		t.Fatalf("nested paths: %s / %s", w.Evidence[0].Path, p.Evidence[0].Path)
	}
}

func TestMalformedAPKReportsTheRest(t *testing.T) {
	rep, r := scanJSON(t, "--fail-on", "critical", fx("malformed.apk"))
	tg := rep.Targets[0]
	if r.code != 2 || tg.Complete || rep.Complete {
		t.Fatalf("malformed: exit %d complete %v", r.code, tg.Complete)
	}
	finding(t, tg, "tencent.bugly") // the intact DEX is still read
	errs := map[string]string{}
	for _, e := range tg.Errors {
		errs[filepath.Base(strings.ReplaceAll(e.Path, "!/", "/"))] = e.Error
	}
	for _, part := range []string{"AndroidManifest.xml", "classes2.dex", "libx.so"} {
		if errs[part] == "" {
			t.Errorf("no error for %s; errors %v", part, tg.Errors)
		}
	}
	if !strings.Contains(r.stderr, "incomplete scan") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("stderr should be one clear line: %q", r.stderr)
	}
	if r2 := sdkvet(t, "scan", "--fail-on", "critical", "--allow-incomplete", "-o", os.DevNull, fx("malformed.apk")); r2.code != 0 {
		t.Errorf("--allow-incomplete: exit %d", r2.code)
	}
}

func TestZipBombsAreRefusedQuickly(t *testing.T) {
	for _, honest := range []bool{true, false} {
		s := samples.Bomb(honest)
		path := filepath.Join(t.TempDir(), s.Name)
		if err := os.WriteFile(path, s.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		rep, r := scanJSON(t, path)
		tg := rep.Targets[0]
		if r.elapsed > 3*time.Second {
			t.Errorf("%s took %s", s.Name, r.elapsed)
		}
		if tg.Complete || len(tg.Errors) == 0 || !strings.HasSuffix(tg.Errors[0].Path, "!/assets/data.bin") {
			t.Fatalf("%s: errors %+v", s.Name, tg.Errors)
		}
		finding(t, tg, "tencent.wechat-opensdk") // the rest is still reported
		if r.code != 1 {
			t.Errorf("%s: exit %d", s.Name, r.code)
		}
		t.Logf("%s (%d bytes): %s in %s", s.Name, len(s.Data), tg.Errors[0].Error, r.elapsed)
	}
}

func TestHostileResourceTableIsContained(t *testing.T) {
	cases := map[string]string{"hostile-table.apk": "did not finish", "greedy-table.apk": "memory limit"}
	for name, want := range cases {
		rep, r := scanJSON(t, "--parser-timeout", "2s", "--parser-memory", "268435456", fx(name))
		tg := rep.Targets[0]
		if r.code != 1 {
			t.Errorf("%s: exit %d", name, r.code)
		}
		finding(t, tg, "bytedance.tiktok") // the manifest survived the table
		if len(tg.Errors) != 1 || !strings.HasSuffix(tg.Errors[0].Path, "!/resources.arsc") || !strings.Contains(tg.Errors[0].Error, want) {
			t.Errorf("%s: errors %+v", name, tg.Errors)
		}
		if r.elapsed > 10*time.Second {
			t.Errorf("%s took %s", name, r.elapsed)
		}
	}
}

func TestFolderOfPackages(t *testing.T) {
	rep, r := scanJSON(t, "--allow-incomplete", "--parser-timeout", "2s", fixDir)
	if r.code != 1 || len(rep.Targets) != len(samples.All(aabPB)) {
		t.Fatalf("exit %d, %d targets", r.code, len(rep.Targets))
	}
	verdicts := map[string]string{}
	for _, tg := range rep.Targets {
		verdicts[filepath.Base(tg.Path)] = tg.Verdict
	}
	if verdicts["clean.apk"] != "pass" || verdicts["tiktok.apk"] != "fail" {
		t.Fatalf("verdicts %v", verdicts)
	}
}

func TestTextOutput(t *testing.T) {
	r := sdkvet(t, "scan", fx("wechat-share.apk"))
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	first := strings.SplitN(r.stdout, "\n", 2)[0]
	if first != "Verdict: FAIL" {
		t.Fatalf("first line %q", first)
	}
	for _, want := range []string{"WeChat OpenSDK", "Tencent Holdings Ltd.", "login-share", "app id com.example.share", "signed by CN=Example Agency Release"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour codes when piped")
	}
}

func TestOutputFileAndLogs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	r := sdkvet(t, "scan", "-v", "--log-format", "json", "--format", "json", "-o", out, fx("clean.apk"))
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d stdout %q", r.code, r.stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil || !json.Valid(data) {
		t.Fatalf("output file: %v", err)
	}
	line := strings.SplitN(strings.TrimSpace(r.stderr), "\n", 2)[0]
	var entry map[string]any
	if err := json.Unmarshal([]byte(line), &entry); err != nil || entry["level"] != "info" {
		t.Fatalf("log line is not logrus JSON: %q", line)
	}
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	cases := [][]string{
		{"scan"},
		{"scan", "--format", "yaml", fx("clean.apk")},
		{"scan", "--fail-on", "severe", fx("clean.apk")},
		{"scan", "--no-such-flag", fx("clean.apk")},
		{"scan", filepath.Join(fixDir, "does-not-exist.apk")},
		{"scan", "--policy", filepath.Join(fixDir, "clean.apk"), fx("clean.apk")},
	}
	for _, args := range cases {
		r := sdkvet(t, args...)
		msg := strings.TrimSpace(r.stderr)
		if r.code != 2 || !strings.HasPrefix(msg, "sdkvet: ") || strings.Contains(msg, "\n") || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", args, r.code, r.stderr, r.stdout)
		}
	}
}

func TestFailOnThreshold(t *testing.T) {
	// WeChat OpenSDK is high: below a critical threshold it does not fail the gate.
	if r := sdkvet(t, "scan", "--fail-on", "critical", "-o", os.DevNull, fx("wechat-share.apk")); r.code != 0 {
		t.Fatalf("--fail-on critical: exit %d", r.code)
	}
	if r := sdkvet(t, "scan", "--fail-on", "low", "-o", os.DevNull, fx("wechat-share.apk")); r.code != 1 {
		t.Fatalf("--fail-on low: exit %d", r.code)
	}
}

func TestPolicyExceptionAndExpiry(t *testing.T) {
	dir := t.TempDir()
	pol := func(expires string) string {
		p := filepath.Join(dir, expires+".yaml")
		body := `id: test-policy
version: "7"
fail_on: high
vendors:
  tencent: {status: banned, severity: high}
apps: {severity: critical}
endpoints: {severity: medium}
identifiers: {severity: low}
exceptions:
  - sdk: tencent.wechat-opensdk
    reason: login only, reviewed
    owner: vetting@example.gov
    expires: "` + expires + `"
`
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rep, r := scanJSON(t, "--policy", pol("2999-01-01"), fx("wechat-share.apk"))
	f := finding(t, rep.Targets[0], "tencent.wechat-opensdk")
	if r.code != 0 || f.Exception == nil || f.Exception.Expired || rep.Policy.ID != "test-policy" {
		t.Fatalf("live exception: exit %d, %+v", r.code, f.Exception)
	}
	rep, r = scanJSON(t, "--policy", pol("2020-01-01"), fx("wechat-share.apk"))
	f = finding(t, rep.Targets[0], "tencent.wechat-opensdk")
	if r.code != 1 || f.Exception == nil || !f.Exception.Expired {
		t.Fatalf("expired exception: exit %d, %+v", r.code, f.Exception)
	}
}

func TestVersion(t *testing.T) {
	r := sdkvet(t, "version")
	if r.code != 0 || !strings.Contains(r.stdout, "signatures 2026.") || !strings.Contains(r.stdout, "policy sdkvet-default") {
		t.Fatalf("version: %d %q", r.code, r.stdout)
	}
}

func TestCrossPlatformEndpointsAndFrameworks(t *testing.T) {
	rep, _ := scanJSON(t, fx("crossplatform.apk"))
	tg := rep.Targets[0]
	if got := strings.Join(tg.Identity.Frameworks, ","); got != "flutter,react-native" {
		t.Fatalf("frameworks %q", got)
	}
	ep := finding(t, tg, "bytedance.domains")
	hosts := map[string]string{}
	for _, e := range ep.Evidence {
		hosts[e.Value] = e.Path
	}
	if !strings.HasSuffix(hosts["api16-normal-c-useast1a.tiktokv.com"], "!/assets/index.android.bundle") || hosts["log.snssdk.com"] == "" {
		t.Fatalf("JS bundle endpoints: %v", hosts)
	}
	b := finding(t, tg, "tencent.bugly")
	if b.Evidence[0].Value != "android.bugly.qq.com" || !strings.HasSuffix(b.Evidence[0].Path, "!/lib/arm64-v8a/libapp.so") || b.Confidence != "low" {
		t.Fatalf("Flutter libapp.so host: %+v", b)
	}
}

func TestLibraryAndBareInputs(t *testing.T) {
	cases := []struct{ file, kind, rule, evidence string }{
		{"library.aar", "aar", "tencent.bugly", "library.aar!/classes.jar!/com/tencent/bugly/crashreport/CrashReport.class"},
		{"classes.dex", "dex", "tencent.tbs-x5", "classes.dex"},
		{"libnative.bin", "elf", "tencent.bugly", "libnative.bin"},
	}
	for _, c := range cases {
		rep, r := scanJSON(t, fx(c.file))
		tg := rep.Targets[0]
		if r.code != 1 || tg.Kind != c.kind {
			t.Errorf("%s: exit %d kind %s", c.file, r.code, tg.Kind)
			continue
		}
		f := finding(t, tg, c.rule)
		if !strings.HasSuffix(f.Evidence[0].Path, c.evidence) {
			t.Errorf("%s: evidence path %s", c.file, f.Evidence[0].Path)
		}
	}
	// The AAR's text manifest gives the library's package and line numbers.
	rep, _ := scanJSON(t, fx("library.aar"))
	if id := rep.Targets[0].Identity.AppID; id == nil || *id != "com.example.lib" {
		t.Fatalf("aar identity %+v", rep.Targets[0].Identity)
	}
}

func TestSignaturesCommands(t *testing.T) {
	r := sdkvet(t, "signatures", "explain", "com.tencent.mm.opensdk.openapi.WXAPIFactory")
	if r.code != 0 || !strings.Contains(r.stdout, "tencent.wechat-opensdk") || !strings.Contains(r.stdout, "source: https://") ||
		!strings.Contains(r.stdout, "boundary") {
		t.Fatalf("explain class: %d %s", r.code, r.stdout)
	}
	r = sdkvet(t, "signatures", "explain", "com.tencent.mm.opensdkx.Foo")
	if r.code != 0 || !strings.Contains(r.stdout, "matches no rule") {
		t.Fatalf("explain look-alike: %s", r.stdout)
	}
	r = sdkvet(t, "signatures", "explain", "Android.Bugly.QQ.com")
	if !strings.Contains(r.stdout, "tencent.bugly") || !strings.Contains(r.stdout, "subdomain of bugly.qq.com") {
		t.Fatalf("explain host: %s", r.stdout)
	}
	r = sdkvet(t, "signatures", "test")
	if r.code != 0 || !strings.Contains(r.stdout, " passed, 0 failed") {
		t.Fatalf("signatures test: %d %s", r.code, r.stdout)
	}
	r = sdkvet(t, "signatures", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "tencent.wechat-opensdk") || !strings.Contains(r.stdout, "bytedance.tiktok") {
		t.Fatalf("signatures list: %s", r.stdout)
	}
	r = sdkvet(t, "signatures", "show", "tencent.bugly")
	if r.code != 0 || !strings.Contains(r.stdout, "source:") || !strings.Contains(r.stdout, "com.tencent.bugly") {
		t.Fatalf("signatures show: %s", r.stdout)
	}
	if r = sdkvet(t, "signatures", "show", "nope.nothing"); r.code != 2 {
		t.Fatalf("show unknown: exit %d", r.code)
	}
}

func TestSignaturesValidate(t *testing.T) {
	dir := t.TempDir()
	good := `schema: 1
vendor:
  id: examplecorp
  name: Example Corp
  country: XX
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
	if err := os.WriteFile(filepath.Join(dir, "examplecorp.yaml"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	r := sdkvet(t, "signatures", "validate", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "ok: 3 vendors") {
		t.Fatalf("validate good: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// The same file now extends the scan: a class of the new vendor is found.
	bad := strings.Replace(good, "      - source: https://example.org/docs\n", "      - source: \"\"\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "examplecorp.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r = sdkvet(t, "signatures", "validate", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "examplecorp.yaml:12: sdks[0].rules[0].source: required") {
		t.Fatalf("validate bad: %d %q", r.code, r.stderr)
	}
}

func TestSigningBlockSigners(t *testing.T) {
	rep, _ := scanJSON(t, fx("douyin-v2v3.apk"))
	tg := rep.Targets[0]
	schemes := map[string]string{}
	for _, s := range tg.Identity.Signers {
		schemes[s.Subject] = strings.Join(s.Schemes, "+")
	}
	if schemes["CN=Douyin Release"] != "v1+v2" || schemes["CN=Douyin Release 2"] != "v3" {
		t.Fatalf("signers %+v", tg.Identity.Signers)
	}
	finding(t, tg, "bytedance.douyin")
}

func TestHermesBundleStrings(t *testing.T) {
	rep, _ := scanJSON(t, fx("hermes.apk"))
	tg := rep.Targets[0]
	f := finding(t, tg, "bytedance.domains")
	e := f.Evidence[0]
	if e.Value != "mon.isnssdk.com" || !strings.HasSuffix(e.Path, "!/assets/index.android.bundle") || e.Offset == nil || *e.Offset < 132 {
		t.Fatalf("hermes evidence %+v", e)
	}
	if got := strings.Join(tg.Identity.Frameworks, ","); got != "hermes,react-native" {
		t.Fatalf("frameworks %s", got)
	}
}
