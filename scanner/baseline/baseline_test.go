package baseline_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/scanner/baseline"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

var now = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

func parse(t *testing.T, s string) *baseline.File {
	t.Helper()
	f, err := baseline.Parse("test.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// unsuppressed returns the report without the sample's own exceptions.
func unsuppressed() *report.Report {
	r := reporttest.Sample()
	for ti := range r.Targets {
		for fi := range r.Targets[ti].Findings {
			r.Targets[ti].Findings[fi].Exception = nil
		}
	}
	return r
}

func find(r *report.Report, id string) *report.Finding {
	for ti := range r.Targets {
		for fi := range r.Targets[ti].Findings {
			if r.Targets[ti].Findings[fi].ID == id {
				return &r.Targets[ti].Findings[fi]
			}
		}
	}
	return nil
}

func TestEntriesByIDSDKVendorPath(t *testing.T) {
	f := parse(t, `
schema: 1
exceptions:
  - id: "1111111111111111"
    reason: login kept until the migration
    owner: mobile-team@example.gov
    expires: 2026-12-31
  - sdk: tencent.mmkv
    reason: storage only
    expires: 2026-06-15
  - path: "src/mobile-app/**"
    reason: legacy tree
    expires: 2027-01-01
`)
	r := unsuppressed()
	baseline.Apply(r, f, ".sdkvet.yaml", policy.Default(), now)

	wx := find(r, "1111111111111111")
	if !wx.Suppressed() || wx.Exception.Source != "baseline" || wx.Exception.Match != "id:1111111111111111" || wx.Exception.Owner != "mobile-team@example.gov" {
		t.Errorf("by id: %+v", wx.Exception)
	}
	// The last day an entry applies is its expiry date.
	if mm := find(r, "3333333333333333"); !mm.Suppressed() || mm.Exception.Match != "sdk:tencent.mmkv" {
		t.Errorf("by sdk on its last day: %+v", mm.Exception)
	}
	if src := find(r, "6666666666666666"); !src.Suppressed() {
		t.Errorf("by path: %+v", src.Exception)
	}
	// Pangle in the APK is not covered by the path, nor by anything else.
	if p := find(r, "2222222222222222"); p.Exception != nil {
		t.Errorf("uncovered finding got %+v", p.Exception)
	}
	if r.Baseline == nil || r.Baseline.Suppressed != 3 || r.Baseline.Entries != 3 || len(r.Baseline.Expired) != 0 {
		t.Fatalf("baseline info %+v", r.Baseline)
	}
	// Verdicts are judged again: the source tree has nothing left.
	if r.Targets[2].Verdict != report.Pass || r.Targets[0].Verdict != report.Fail || r.Verdict != report.Fail {
		t.Errorf("verdicts %s %s %s / %s", r.Targets[0].Verdict, r.Targets[1].Verdict, r.Targets[2].Verdict, r.Verdict)
	}
}

func TestVendorEntryClearsTheVerdict(t *testing.T) {
	f := parse(t, `
exceptions:
  - vendor: ByteDance
    reason: reviewed
    expires: 2030-01-01
  - vendor: tencent
    reason: reviewed
    expires: 2030-01-01
`)
	r := unsuppressed()
	baseline.Apply(r, f, "b.yaml", policy.Default(), now)
	if r.Verdict != report.Pass || r.Baseline.Suppressed != 6 {
		t.Fatalf("verdict %s, %d suppressed", r.Verdict, r.Baseline.Suppressed)
	}
}

func TestExpiredEntryStopsApplying(t *testing.T) {
	f := parse(t, `
exceptions:
  - rule: bytedance.pangle
    reason: was accepted for the pilot
    expires: 2026-06-14
`)
	r := unsuppressed()
	baseline.Apply(r, f, ".sdkvet.yaml", policy.Default(), now)
	p := find(r, "2222222222222222")
	if p.Suppressed() || p.Exception == nil || !p.Exception.Expired || p.Exception.Match != "rule:bytedance.pangle" {
		t.Fatalf("expired entry: %+v", p.Exception)
	}
	if len(r.Baseline.Expired) != 1 || r.Baseline.Expired[0].Match != "rule:bytedance.pangle" || r.Baseline.Suppressed != 0 {
		t.Fatalf("baseline info %+v", r.Baseline)
	}
	if r.Targets[1].Verdict != report.Fail {
		t.Error("expired entry still changed the verdict")
	}
}

func TestPolicyExceptionKept(t *testing.T) {
	// A finding the policy already excepts keeps that exception.
	f := parse(t, "exceptions:\n  - sdk: tencent.mmkv\n    reason: x\n    expires: 2030-01-01\n")
	r := reporttest.Sample()
	baseline.Apply(r, f, "b.yaml", policy.Default(), now)
	if mm := find(r, "3333333333333333"); mm.Exception.Source != "policy" {
		t.Fatalf("policy exception replaced: %+v", mm.Exception)
	}
}

func TestInvalidFiles(t *testing.T) {
	for name, src := range map[string]string{
		"two keys":     "exceptions:\n  - id: a\n    sdk: b\n    reason: r\n    expires: 2030-01-01\n",
		"no key":       "exceptions:\n  - reason: r\n    expires: 2030-01-01\n",
		"no reason":    "exceptions:\n  - id: a\n    expires: 2030-01-01\n",
		"bad date":     "exceptions:\n  - id: a\n    reason: r\n    expires: next year\n",
		"unknown":      "exceptions:\n  - id: a\n    reason: r\n    expires: 2030-01-01\n    typo: 1\n",
		"bad glob":     "exceptions:\n  - path: \"a/[\"\n    reason: r\n    expires: 2030-01-01\n",
		"schema":       "schema: 9\n",
		"not a list":   "exceptions: 3\n",
		"not yaml map": "- 1\n",
	} {
		if _, err := baseline.Parse("x.yaml", []byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "x.yaml") {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
	}
	if f, err := baseline.Parse("empty.yaml", nil); err != nil || len(f.Exceptions) != 0 {
		t.Errorf("empty file: %v", err)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	r := reporttest.Sample()
	f, notes := baseline.FromReport(r, "accepted at adoption", "2027-01-31")
	// Suppressed findings are not written again.
	if len(f.Exceptions) != 4 || len(notes) != 4 {
		t.Fatalf("%d entries, want 4", len(f.Exceptions))
	}
	var buf bytes.Buffer
	if err := baseline.Write(&buf, f, notes); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "# sdk WeChat OpenSDK (Tencent, high) in apps/feed.apk\n  - id: \"1111111111111111\"") {
		t.Errorf("written file:\n%s", buf.String())
	}
	back, err := baseline.Parse("round.yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("written baseline does not parse: %v\n%s", err, buf.String())
	}
	r2 := reporttest.Sample()
	baseline.Apply(r2, back, "round.yaml", policy.Default(), now)
	if r2.Verdict != report.Pass {
		t.Fatalf("a baseline written from a scan does not accept that scan: %s", r2.Verdict)
	}
}

// A file name from a batch goes into a comment of the written file; no
// line break YAML knows (LF, CR, NEL, LS, PS) may end that comment early
// and add an entry.
func TestHostilePathCannotAddEntries(t *testing.T) {
	for _, br := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		r := reporttest.Sample()
		r.Targets[0].Path = "apps/x" + br + "  - vendor: tencent" + br + "    reason: injected" + br + "    expires: \"2099-01-01\"" + br + "#"
		f, notes := baseline.FromReport(r, "accepted", "2027-01-31")
		var buf bytes.Buffer
		if err := baseline.Write(&buf, f, notes); err != nil {
			t.Fatal(err)
		}
		back, err := baseline.Parse("hostile.yaml", buf.Bytes())
		if err != nil {
			t.Fatalf("%q: %v\n%s", br, err, buf.String())
		}
		if len(back.Exceptions) != len(f.Exceptions) {
			t.Errorf("%q: %d entries read back, %d written:\n%s", br, len(back.Exceptions), len(f.Exceptions), buf.String())
		}
		for _, e := range back.Exceptions {
			if e.Vendor != "" {
				t.Errorf("%q: injected entry %+v", br, e)
			}
		}
	}
}
