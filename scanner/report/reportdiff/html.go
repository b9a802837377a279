package reportdiff

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/htmlreport"
)

//go:embed diff.css
var diffCSS string

//go:embed diff.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("diff").Funcs(template.FuncMap{
	"upper":   strings.ToUpper,
	"dash":    dash,
	"cspMeta": htmlreport.CSPMeta,
	"css":     func() template.CSS { return template.CSS(htmlreport.CSS() + "\n" + diffCSS) },
}).Parse(pageTemplate))

// htmlView is what the template reads.
type htmlView struct {
	D           *Diff
	Title       string
	Empty       bool
	SDKs, Apps  itemTable
	Endpoints   []endpointRow
	Permissions []valueRow
	Tool        *report.Tool       // of the new report, when known
	Policy      *report.PolicyInfo // of the new report, when known
}

type itemTable struct {
	Title string
	Rows  []itemRow
}

type itemRow struct {
	Change string
	It     Item
}

type endpointRow struct {
	Change string
	E      Endpoint
}

type valueRow struct {
	Change, Value string
}

// WriteHTML writes d as one self-contained HTML page in the style of the
// HTML report (whose stylesheet and Content-Security-Policy it shares):
// whether the update adds something the policy fails on at the top, then
// the two releases, and what changed in SDKs, apps, endpoints, permissions
// and identity. Every value is escaped by html/template.
func WriteHTML(w io.Writer, d *Diff) error {
	v := htmlView{D: d, Title: "sdkvet diff", Empty: d.Empty(),
		SDKs: itemTable{Title: "SDKs"}, Apps: itemTable{Title: "Apps and identifiers"}}
	if d.New.AppID != "" {
		v.Title += ": " + d.New.AppID
	}
	if d.new != nil {
		v.Tool, v.Policy = &d.new.Tool, &d.new.Policy
	}
	for _, it := range d.SDKsAdded {
		v.SDKs.Rows = append(v.SDKs.Rows, itemRow{"added", it})
	}
	for _, it := range d.SDKsRemoved {
		v.SDKs.Rows = append(v.SDKs.Rows, itemRow{"removed", it})
	}
	for _, it := range d.AppsAdded {
		v.Apps.Rows = append(v.Apps.Rows, itemRow{"added", it})
	}
	for _, it := range d.AppsRemoved {
		v.Apps.Rows = append(v.Apps.Rows, itemRow{"removed", it})
	}
	for _, e := range d.EndpointsAdded {
		v.Endpoints = append(v.Endpoints, endpointRow{"added", e})
	}
	for _, e := range d.EndpointsRemoved {
		v.Endpoints = append(v.Endpoints, endpointRow{"removed", e})
	}
	for _, p := range d.PermissionsAdded {
		v.Permissions = append(v.Permissions, valueRow{"added", p})
	}
	for _, p := range d.PermissionsRemoved {
		v.Permissions = append(v.Permissions, valueRow{"removed", p})
	}
	if err := tmpl.ExecuteTemplate(w, "page", v); err != nil {
		return fmt.Errorf("render html diff: %w", err)
	}
	return nil
}
