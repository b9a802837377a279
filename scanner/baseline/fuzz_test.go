package baseline_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/scanner/baseline"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

// FuzzParse: any file either fails to parse with an error or parses into
// a baseline that applies to a report, writes, and parses again.
func FuzzParse(f *testing.F) {
	f.Add([]byte("schema: 1\nexceptions:\n  - id: \"1111111111111111\"\n    reason: r\n    expires: 2030-01-01\n"))
	f.Add([]byte("exceptions:\n  - path: \"src/**\"\n    reason: r\n    expires: 2020-01-01\n"))
	f.Add([]byte("exceptions:\n  - vendor: tencent\n    reason: r\n    owner: o\n    expires: 2030-02-29\n"))
	f.Add([]byte("{exceptions: [{sdk: a, reason: b, expires: 2030-01-01}]}"))
	pol := policy.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := baseline.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		r := reporttest.Sample()
		baseline.Apply(r, b, "fuzz.yaml", pol, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if r.Baseline == nil || r.Baseline.Entries != len(b.Exceptions) {
			t.Fatalf("baseline info %+v", r.Baseline)
		}
		var buf bytes.Buffer
		if err := baseline.Write(&buf, b, nil); err != nil {
			t.Fatal(err)
		}
		back, err := baseline.Parse("again.yaml", buf.Bytes())
		if err != nil {
			t.Fatalf("rewritten baseline does not parse: %v\n%s", err, buf.String())
		}
		if len(back.Exceptions) != len(b.Exceptions) {
			t.Fatalf("%d entries became %d", len(b.Exceptions), len(back.Exceptions))
		}
	})
}
