package report

import (
	"fmt"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/scanner/match"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/signatures"
)

func hitsFor(t *testing.T, m *match.Matcher, obs ...observation.Observation) []match.Hit {
	t.Helper()
	var hits []match.Hit
	for _, o := range obs {
		m.Match(o, func(h match.Hit) { hits = append(hits, h) })
	}
	return hits
}

func ob(kind observation.Kind, value, path string) observation.Observation {
	return observation.Observation{Kind: kind, Value: value, Path: path, Offset: 10}
}

func TestFindingsGroupAndGrade(t *testing.T) {
	db, err := signatures.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := match.Compile(db)
	var obs []observation.Observation
	for i := 0; i < 30; i++ {
		obs = append(obs, ob(observation.JavaClass, fmt.Sprintf("com.tencent.mm.opensdk.openapi.C%d", i), "a.apk!/classes.dex"))
	}
	obs = append(obs,
		ob(observation.Component, "com.example.wxapi.WXEntryActivity", "a.apk!/AndroidManifest.xml"),
		ob(observation.Domain, "x.snssdk.com", "a.apk!/assets/a.js"),
		ob(observation.Domain, "android.bugly.qq.com", "a.apk!/lib/arm64-v8a/libapp.so"),
		ob(observation.AppID, "com.zhiliaoapp.musically", "a.apk!/AndroidManifest.xml"),
	)
	fs, worst := Findings(hitsFor(t, m, obs...), db, policy.Default(), "com.zhiliaoapp.musically", time.Now())
	by := map[string]Finding{}
	for _, f := range fs {
		by[f.Rule] = f
	}
	w := by["tencent.wechat-opensdk"]
	if w.EvidenceCount != 31 || len(w.Evidence) != MaxEvidence || w.Confidence != "high" {
		t.Fatalf("wechat: count %d listed %d confidence %s", w.EvidenceCount, len(w.Evidence), w.Confidence)
	}
	if by["tencent.bugly"].Confidence != "low" || by["bytedance.domains"].Kind != "endpoint" || by["bytedance.domains"].Severity != "medium" {
		t.Fatalf("weak evidence: %+v / %+v", by["tencent.bugly"], by["bytedance.domains"])
	}
	if fs[0].Rule != "bytedance.tiktok" || fs[0].Severity != "critical" || worst != policy.Critical {
		t.Fatalf("worst first: %s %s, worst %s", fs[0].Rule, fs[0].Severity, worst)
	}
	// IDs are stable for the same rule and identity, and differ across identities.
	again, _ := Findings(hitsFor(t, m, obs...), db, policy.Default(), "com.zhiliaoapp.musically", time.Now())
	other, _ := Findings(hitsFor(t, m, obs...), db, policy.Default(), "com.example.other", time.Now())
	if again[0].ID != fs[0].ID || other[0].ID == fs[0].ID {
		t.Fatal("finding ids not stable per identity")
	}
}

func TestExceptedFindingDoesNotCount(t *testing.T) {
	db, err := signatures.Load()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse("p", []byte(`id: p
version: "1"
vendors:
  tencent: {status: banned, severity: high}
exceptions:
  - vendor: tencent
    reason: pilot
    owner: o
    expires: "2030-01-01"
`))
	if err != nil {
		t.Fatal(err)
	}
	hits := hitsFor(t, match.Compile(db), ob(observation.JavaClass, "com.tencent.bugly.crashreport.CrashReport", "x.dex"))
	fs, worst := Findings(hits, db, pol, "k", time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(fs) != 1 || fs[0].Exception == nil || fs[0].Exception.Expired || worst != policy.None {
		t.Fatalf("live exception: %+v worst %s", fs, worst)
	}
	fs, worst = Findings(hits, db, pol, "k", time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))
	if !fs[0].Exception.Expired || worst != policy.High {
		t.Fatalf("expired exception still counted as excepted: worst %s", worst)
	}
}
