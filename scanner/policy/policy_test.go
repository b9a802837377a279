package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/signatures"
)

func TestDefaultPolicySeverities(t *testing.T) {
	p := Default()
	cases := []struct {
		s    Subject
		want Severity
	}{
		{Subject{Kind: "sdk", Vendor: "tencent", SDK: "tencent.gdt", Category: "ads"}, High},
		{Subject{Kind: "sdk", Vendor: "tencent", SDK: "tencent.mmkv", Category: "storage"}, Low},
		{Subject{Kind: "sdk", Vendor: "bytedance", SDK: "bytedance.bytehook", Category: "utility"}, Info},
		{Subject{Kind: "app", Vendor: "bytedance", App: "bytedance.tiktok"}, Critical},
		{Subject{Kind: "endpoint", Vendor: "tencent"}, Medium},
		{Subject{Kind: "identifier", Vendor: "tencent"}, Low},
		{Subject{Kind: "sdk", Vendor: "examplecorp", Category: "ads"}, None},
	}
	for _, c := range cases {
		if got := p.Severity(c.s); got != c.want {
			t.Errorf("%+v: got %s want %s", c.s, got, c.want)
		}
	}
	if p.Verdict(High) != "fail" || p.Verdict(Medium) != "warn" || p.Verdict(Info) != "pass" || p.Verdict(None) != "pass" {
		t.Error("verdict thresholds")
	}
}

const base = `id: t
version: "1"
vendors:
  tencent: {status: watch, severity: high}
`

func TestWatchCapsSeverity(t *testing.T) {
	p, err := Parse("t", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Severity(Subject{Kind: "sdk", Vendor: "tencent", Category: "ads"}); got != Low {
		t.Fatalf("watched vendor: %s", got)
	}
}

func TestExceptionExpiry(t *testing.T) {
	p, err := Parse("t", []byte(base+`exceptions:
  - sdk: tencent.bugly
    reason: crash reports stay in-house
    owner: sec@example.gov
    expires: "2026-06-30"
`))
	if err != nil {
		t.Fatal(err)
	}
	s := Subject{Kind: "sdk", Vendor: "tencent", SDK: "tencent.bugly"}
	day := func(d string) time.Time { t, _ := time.Parse("2006-01-02 15:04", d); return t }
	if e, expired := p.ExceptionFor(s, day("2026-06-30 23:59")); e == nil || expired {
		t.Fatal("exception should apply through its last day")
	}
	if _, expired := p.ExceptionFor(s, day("2026-07-01 00:01")); !expired {
		t.Fatal("exception should have expired")
	}
	if e, _ := p.ExceptionFor(Subject{SDK: "tencent.gdt", Vendor: "tencent"}, day("2026-01-01 00:00")); e != nil {
		t.Fatal("exception applied to another SDK")
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		base + "colour: red\n":                                                   "field colour not found",
		"id: t\nversion: \"1\"\nfail_on: severe\n":                               "unknown severity",
		"id: t\nversion: \"1\"\nvendors:\n  x: {status: maybe, severity: low}\n": "not banned, watch or allowed",
		base + "exceptions:\n  - sdk: a\n    vendor: b\n    reason: r\n    owner: o\n    expires: \"2030-01-01\"\n": "exactly one of",
		base + "exceptions:\n  - sdk: a\n    reason: r\n    owner: o\n    expires: soon\n":                          "not YYYY-MM-DD",
		base + "exceptions:\n  - sdk: a\n    expires: \"2030-01-01\"\n":                                             "reason and owner are required",
		"version: \"1\"\n": "id and version are required",
	}
	for body, want := range cases {
		if _, err := Parse("p.yaml", []byte(body)); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "p.yaml") {
			t.Errorf("want %q, got %v", want, err)
		}
	}
}

func TestApplyPacksDoesNotOverridePolicy(t *testing.T) {
	p, err := Parse("t", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	packs := []signatures.Pack{{ID: "x", Policy: signatures.PackPolicy{Vendors: map[string]signatures.PackVendorPolicy{
		"tencent":     {Status: "banned", Severity: "critical"},
		"examplecorp": {Status: "banned", Severity: "medium"},
	}}}}
	if err := p.ApplyPacks(packs); err != nil {
		t.Fatal(err)
	}
	if p.Vendors["tencent"].Status != Watch || p.Vendors["examplecorp"].Severity != Medium {
		t.Fatalf("vendors after packs: %+v", p.Vendors)
	}
	bad := []signatures.Pack{{ID: "y", Policy: signatures.PackPolicy{Vendors: map[string]signatures.PackVendorPolicy{"z": {Status: "banned", Severity: "awful"}}}}}
	if err := p.ApplyPacks(bad); err == nil {
		t.Fatal("bad pack severity accepted")
	}
}
