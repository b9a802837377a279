package csvreport_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/report/csvreport"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

func read(t *testing.T, data []byte) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	if len(rows) == 0 || len(rows[0]) != len(csvreport.Header) {
		t.Fatalf("header %v", rows)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		if len(r) != len(csvreport.Header) {
			t.Fatalf("row has %d cells: %v", len(r), r)
		}
		m := map[string]string{}
		for i, h := range csvreport.Header {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func TestOneRowPerFinding(t *testing.T) {
	var buf bytes.Buffer
	if err := csvreport.Write(&buf, reporttest.Sample()); err != nil {
		t.Fatal(err)
	}
	rows := read(t, buf.Bytes())
	if len(rows) != 6 {
		t.Fatalf("%d rows, want 6 findings", len(rows))
	}
	wx := rows[0]
	if wx["rule"] != "tencent.wechat-opensdk" || wx["name"] != "WeChat OpenSDK" || wx["vendor"] != "Tencent" ||
		wx["severity"] != "high" || wx["evidence_count"] != "3" || wx["app_id"] != "com.example.feed" ||
		wx["first_evidence"] != "java_class com.tencent.mm.opensdk.openapi.WXAPIFactory" || wx["suppressed"] != "false" {
		t.Errorf("first row %v", wx)
	}
	if rows[2]["rule"] != "tencent.mmkv" || rows[2]["suppressed"] != "true" || rows[2]["suppression_reason"] != "reviewed: storage only" {
		t.Errorf("suppressed row %v", rows[2])
	}
	if rows[5]["first_evidence_path"] != "src/mobile-app/app/build.gradle:42" {
		t.Errorf("source evidence path %q", rows[5]["first_evidence_path"])
	}
}

func TestCleanTargetStillListed(t *testing.T) {
	var buf bytes.Buffer
	if err := csvreport.Write(&buf, reporttest.Clean()); err != nil {
		t.Fatal(err)
	}
	rows := read(t, buf.Bytes())
	if len(rows) != 1 || rows[0]["target"] != "clean.apk" || rows[0]["target_verdict"] != "pass" || rows[0]["rule"] != "" {
		t.Fatalf("rows %v", rows)
	}
}

func TestFormulaInjection(t *testing.T) {
	r := reporttest.Sample()
	for _, label := range []string{"=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\n=1", "\uFF1DSUM(A1)", "\uFF0B1", "\uFF20A1"} {
		l := label
		r.Targets[0].Identity.Label = &l
		var buf bytes.Buffer
		if err := csvreport.Write(&buf, r); err != nil {
			t.Fatal(err)
		}
		rows := read(t, buf.Bytes())
		if got := rows[0]["label"]; got != "'"+label {
			t.Errorf("label %q written as %q", label, got)
		}
	}
	// Every cell goes through the check, not only the label.
	r = reporttest.Sample()
	r.Targets[0].Path = "=cmd|' /C calc'!A0"
	r.Targets[0].Findings[0].Evidence[0].Path = "-2+3"
	var buf bytes.Buffer
	if err := csvreport.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	rows := read(t, buf.Bytes())
	if rows[0]["target"] != "'=cmd|' /C calc'!A0" || rows[0]["first_evidence_path"] != "'-2+3" {
		t.Errorf("target %q evidence path %q", rows[0]["target"], rows[0]["first_evidence_path"])
	}
	if csvreport.Cell("Feed") != "Feed" || csvreport.Cell("") != "" || csvreport.Cell("a=b") != "a=b" {
		t.Error("plain cells changed")
	}
}
