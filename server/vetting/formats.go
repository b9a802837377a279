package vetting

import (
	"io"
	"sort"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/csvreport"
	"github.com/sdkvet/sdkvet/scanner/report/cyclonedxreport"
	"github.com/sdkvet/sdkvet/scanner/report/htmlreport"
	"github.com/sdkvet/sdkvet/scanner/report/jsonreport"
	"github.com/sdkvet/sdkvet/scanner/report/mdreport"
	"github.com/sdkvet/sdkvet/scanner/report/pdfreport"
	"github.com/sdkvet/sdkvet/scanner/report/sarifreport"
	"github.com/sdkvet/sdkvet/scanner/report/textreport"
)

// Format is a report download format.
type Format struct {
	Name        string
	ContentType string
	Ext         string
	// Inline: the browser may show the response (plain data only). Every
	// other format is sent as an attachment, so an HTML report is saved,
	// never rendered on the service's origin.
	Inline bool
	Write  func(w io.Writer, r *report.Report) error
}

// Formats are the report formats the service serves, by name.
var Formats = map[string]Format{
	"json":      {"json", "application/json", "json", true, jsonreport.Write},
	"text":      {"text", "text/plain; charset=utf-8", "txt", true, func(w io.Writer, r *report.Report) error { return textreport.Write(w, r, textreport.Options{}) }},
	"sarif":     {"sarif", "application/sarif+json", "sarif", false, sarifreport.Write},
	"cyclonedx": {"cyclonedx", "application/vnd.cyclonedx+json", "cdx.json", false, cyclonedxreport.Write},
	"csv":       {"csv", "text/csv; charset=utf-8", "csv", false, csvreport.Write},
	"markdown":  {"markdown", "text/markdown; charset=utf-8", "md", false, mdreport.Write},
	"html":      {"html", "text/html; charset=utf-8", "html", false, htmlreport.Write},
	"pdf":       {"pdf", "application/pdf", "pdf", false, pdfreport.Write},
}

// FormatNames lists the format names in order.
func FormatNames() []string {
	var out []string
	for n := range Formats {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
