package mdreport_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/mdreport"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

func hostileReport() *report.Report {
	r := reporttest.Sample()
	h := reporttest.Hostile
	t0 := &r.Targets[0]
	t0.Path = "apps/" + h + ".apk"
	t0.Identity.Label = &h
	t0.Identity.Version = &h
	t0.Identity.AppID = &h
	t0.Errors = append(t0.Errors, report.Error{Path: t0.Path + "!/lib/" + h + ".so", Error: "open " + h + ": truncated"})
	for i := range t0.Findings {
		f := &t0.Findings[i]
		for j := range f.Evidence {
			f.Evidence[j].Path = t0.Path + "!/" + h
			f.Evidence[j].Value = h
		}
		if f.Exception != nil {
			f.Exception.Reason = h
			f.Exception.Expires = h
		}
	}
	r.Baseline = &report.BaselineInfo{Path: h, Entries: 1, Expired: []report.BaselineEntry{{Match: "path:" + h, Reason: h, Expires: h}}}
	return r
}

func TestHostileReportRendersInert(t *testing.T) {
	var buf bytes.Buffer
	if err := mdreport.Write(&buf, hostileReport()); err != nil {
		t.Fatal(err)
	}
	reporttest.AssertInertMarkdown(t, buf.String())
	// The renderer check is real: the raw text does make links and HTML.
	h := reporttest.MarkdownToHTML(t, reporttest.Hostile)
	for _, want := range []string{`<a href="https://evil.example/a">`, "<img", `<a href="http://www.evil.example">`} {
		if !strings.Contains(h, want) {
			t.Errorf("renderer did not turn the raw text into %s:\n%s", want, h)
		}
	}
}

func TestEscapeAndCodeRenderInert(t *testing.T) {
	var md strings.Builder
	md.WriteString("| a | b |\n|---|---|\n")
	md.WriteString("| " + mdreport.Escape(reporttest.Hostile) + " | `" + mdreport.Code(reporttest.Hostile) + "` |\n")
	md.WriteString("\nText " + mdreport.Escape(reporttest.Hostile) + " and `" + mdreport.Code("") + "` then " + mdreport.Escape("x") + "\n")
	reporttest.AssertInertMarkdown(t, md.String())
	h := reporttest.MarkdownToHTML(t, md.String())
	if strings.Count(h, "<td>") != 2 {
		t.Errorf("a hostile cell split the table row:\n%s", h)
	}
	// An empty value must not open a double-backtick span that swallows
	// the rest of the line.
	if !strings.Contains(h, "<code>-</code> then x") {
		t.Errorf("empty code span:\n%s", h)
	}
}
