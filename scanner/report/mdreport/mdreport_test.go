package mdreport_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/report/mdreport"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

func render(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	if err := mdreport.Write(&buf, reporttest.Sample()); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestSummary(t *testing.T) {
	out := render(t)
	for _, want := range []string{
		"## ❌ sdkvet: FAIL",
		"3 target(s), 4 finding(s), 2 suppressed, **incomplete scan**",
		"Policy `state-policy` 7 (fail on high)",
		"### ❌ `apps/feed.apk`",
		"| high | sdk | WeChat OpenSDK | Tencent | social | high | 3: java\\_class `com.tencent.mm.opensdk.openapi.WXAPIFactory` in `apps/feed.apk!/classes2.dex` |",
		"| ~~low~~ suppressed | sdk | MMKV |",
		"- MMKV (`tencent.mmkv`): reviewed: storage only, until 2099\\-01\\-31",
		"`src/mobile-app/app/build.gradle:42`",
		"<details><summary>1 part(s) could not be analysed</summary>",
		"- `apps/feed.apk!/lib/x86/libbroken.so`: truncated ELF header",
	} {
		// Escape turns ':' and '.' into escaped forms in plain text; compare
		// after removing the escapes where the literal above has none.
		if !strings.Contains(out, want) && !strings.Contains(unescape(out), unescape(want)) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	// Every table row has the same number of cells.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 8 {
			t.Errorf("table row with a stray pipe: %s", line)
		}
	}
}

func unescape(s string) string { return strings.NewReplacer(`\`, "").Replace(s) }

func TestHostileValuesAreInert(t *testing.T) {
	out := render(t)
	// The label goes into a code span: no HTML tag can open there, and the
	// raw label must not appear outside one.
	if strings.Contains(out, "<script>") && !strings.Contains(out, "`"+reporttest.HostileLabel+"`") {
		t.Errorf("label not contained in a code span:\n%s", out)
	}
	for _, s := range []string{"a|b", "line\nbreak", "`tick`", "[x](http://evil)", "<img src=x>", "@team"} {
		e := mdreport.Escape(s)
		if strings.ContainsAny(e, "\n<>") || strings.Contains(strings.ReplaceAll(e, `\]`, ""), "](") || strings.Contains(e, "|") && !strings.Contains(e, `\|`) {
			t.Errorf("Escape(%q) = %q", s, e)
		}
		c := mdreport.Code(s)
		if strings.ContainsAny(c, "`|\n") {
			t.Errorf("Code(%q) = %q", s, c)
		}
	}
	if mdreport.Escape("@team") != `\@team` {
		t.Errorf("mention not escaped: %q", mdreport.Escape("@team"))
	}
}

func TestClean(t *testing.T) {
	var buf bytes.Buffer
	if err := mdreport.Write(&buf, reporttest.Clean()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "## ✅ sdkvet: PASS") || !strings.Contains(out, "No findings.") || strings.Contains(out, "incomplete") {
		t.Fatalf("clean report:\n%s", out)
	}
}
