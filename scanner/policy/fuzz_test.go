package policy_test

import (
	"testing"

	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/signatures"
)

// FuzzParse feeds arbitrary YAML to the policy parser (the service takes
// policies from its admins over HTTP): a policy or an error, never a panic,
// and an accepted policy judges every severity.
func FuzzParse(f *testing.F) {
	f.Add(signatures.DefaultPolicy())
	f.Add([]byte("id: x\nversion: '1'\nfail_on: high\nexceptions:\n  - {sdk: tencent.bugly, reason: r, owner: o, expires: 2030-01-01}\n"))
	f.Add([]byte("vendors: {tencent: {status: banned, severity: critical}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := policy.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		for s := policy.None; s <= policy.Critical; s++ {
			_ = p.Verdict(s)
		}
	})
}
