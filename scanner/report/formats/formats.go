// Package formats lists the report formats by name, for the command line
// and the service alike: each with its writer, media type and file
// extension.
package formats

import (
	"io"
	"sort"
	"strings"

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

// Options tune the writers that take any.
type Options struct {
	// Color lets the text report use ANSI colours.
	Color bool
	// SourceRoot is the folder SARIF paths are made relative to.
	SourceRoot string
}

// Format is one report format.
type Format struct {
	Name        string
	ContentType string
	Ext         string // file extension, without the dot
	Binary      bool   // not for a terminal
	Write       func(w io.Writer, r *report.Report, o Options) error
}

func plain(f func(io.Writer, *report.Report) error) func(io.Writer, *report.Report, Options) error {
	return func(w io.Writer, r *report.Report, _ Options) error { return f(w, r) }
}

var all = map[string]Format{
	"text": {"text", "text/plain; charset=utf-8", "txt", false, func(w io.Writer, r *report.Report, o Options) error {
		return textreport.Write(w, r, textreport.Options{Color: o.Color})
	}},
	"json": {"json", "application/json", "json", false, plain(jsonreport.Write)},
	"sarif": {"sarif", "application/sarif+json", "sarif", false, func(w io.Writer, r *report.Report, o Options) error {
		return sarifreport.WriteWith(w, r, sarifreport.Options{Root: o.SourceRoot})
	}},
	"html":      {"html", "text/html; charset=utf-8", "html", false, plain(htmlreport.Write)},
	"md":        {"md", "text/markdown; charset=utf-8", "md", false, plain(mdreport.Write)},
	"cyclonedx": {"cyclonedx", "application/vnd.cyclonedx+json", "cdx.json", false, plain(cyclonedxreport.Write)},
	"csv":       {"csv", "text/csv; charset=utf-8", "csv", false, plain(csvreport.Write)},
	"pdf":       {"pdf", "application/pdf", "pdf", true, plain(pdfreport.Write)},
}

var aliases = map[string]string{"markdown": "md", "cdx": "cyclonedx", "txt": "text"}

// Lookup finds a format by name or alias (markdown, cdx, txt), ignoring
// case and surrounding space.
func Lookup(name string) (Format, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if a, ok := aliases[name]; ok {
		name = a
	}
	f, ok := all[name]
	return f, ok
}

// Names lists the format names in order.
func Names() []string {
	out := make([]string, 0, len(all))
	for n := range all {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
