package vetting

import (
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/signatures"
)

func TestCleanFilename(t *testing.T) {
	for in, want := range map[string]string{
		"app.apk":                     "app.apk",
		"../../../etc/passwd":         "passwd",
		`..\..\windows\evil.ipa`:      "evil.ipa",
		"..":                          "upload",
		"":                            "upload",
		"a\x00b\nc\x1b[31m.apk":       "abc[31m.apk",
		"/":                           "upload",
		strings.Repeat("é", 300):      strings.Repeat("é", 100),
		`"><svg onload=alert(1)>.apk`: `"><svg onload=alert(1)>.apk`,
	} {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidID(t *testing.T) {
	if !ValidID(strings.Repeat("0a", 16)) {
		t.Error("a hex id refused")
	}
	for _, bad := range []string{"", "../../x", strings.Repeat("A", 32), strings.Repeat("g", 32), strings.Repeat("a", 64)} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestAppendException(t *testing.T) {
	out, err := appendException(string(signatures.DefaultPolicy()), Exception{Key: "sdk", Value: "tencent.mmkv", Reason: "storage only: reviewed", Owner: "it@example.gov", Expires: "2030-01-31"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "# Exceptions: a finding that matches") {
		t.Error("comments of the policy lost")
	}
	p, err := policy.Parse("x", []byte(out))
	if err != nil {
		t.Fatalf("edited policy does not parse: %v\n%s", err, out)
	}
	if len(p.Exceptions) != 1 || p.Exceptions[0].SDK != "tencent.mmkv" || p.Exceptions[0].Reason != "storage only: reviewed" || p.Exceptions[0].Expires != "2030-01-31" {
		t.Errorf("exceptions = %+v", p.Exceptions)
	}
	twice, err := appendException(out, Exception{Key: "vendor", Value: "bytedance", Reason: "pilot", Owner: "it@example.gov", Expires: "2027-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := policy.Parse("x", []byte(twice)); err != nil || len(p.Exceptions) != 2 || p.Exceptions[1].Vendor != "bytedance" {
		t.Errorf("second exception: %+v, %v", p, err)
	}
	if _, err := appendException("- a list", Exception{Key: "sdk", Value: "x", Reason: "y"}); err == nil {
		t.Error("a policy that is not a mapping was edited")
	}
}
