package reportdiff

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/csvreport"
)

// CSVHeader is the first row of WriteCSV.
var CSVHeader = []string{"change", "kind", "target", "name", "value", "vendor", "severity", "suppressed"}

// WriteCSV writes d with one row per change: an SDK, app, endpoint or
// permission added or removed, or an identity field whose old value is
// removed and new value added (a field that changes gives two rows). The
// kind column holds the finding kind (sdk, app, identifier), endpoint,
// permission or identity; target the package(s) of that side where the
// change is seen; name the SDK or app, host, permission or identity field;
// value the rule of an SDK or app, or the identity field's value.
//
// Every cell goes through csvreport.Cell, so that a value from a package
// cannot become a spreadsheet formula.
func WriteCSV(w io.Writer, d *Diff) error {
	cw := csv.NewWriter(w)
	row := func(cells ...string) {
		for i, c := range cells {
			cells[i] = csvreport.Cell(c)
		}
		_ = cw.Write(cells) // the error is kept by the writer and checked below
	}
	row(append([]string{}, CSVHeader...)...)
	items := func(change string, r *report.Report, s Side, list []Item) {
		for _, it := range list {
			tg := targetsWhere(r, s, func(t report.Target) bool {
				for _, f := range t.Findings {
					if f.Kind == it.Kind && f.Rule == it.Rule {
						return true
					}
				}
				return false
			})
			row(change, it.Kind, tg, it.Name, it.Rule, it.Vendor, it.Severity, strconv.FormatBool(it.Suppressed))
		}
	}
	items("added", d.new, d.New, d.SDKsAdded)
	items("added", d.new, d.New, d.AppsAdded)
	items("removed", d.old, d.Old, d.SDKsRemoved)
	items("removed", d.old, d.Old, d.AppsRemoved)
	hosts := func(change string, r *report.Report, s Side, list []Endpoint) {
		for _, e := range list {
			tg := targetsWhere(r, s, func(t report.Target) bool {
				for _, f := range t.Findings {
					for _, ev := range f.Evidence {
						if evidenceHost(ev) == e.Host {
							return true
						}
					}
				}
				return false
			})
			row(change, "endpoint", tg, e.Host, "", e.Owner, "", "")
		}
	}
	hosts("added", d.new, d.New, d.EndpointsAdded)
	hosts("removed", d.old, d.Old, d.EndpointsRemoved)
	perms := func(change string, r *report.Report, s Side, list []string) {
		for _, p := range list {
			tg := targetsWhere(r, s, func(t report.Target) bool {
				for _, q := range t.Identity.Permissions {
					if q == p {
						return true
					}
				}
				return false
			})
			row(change, "permission", tg, p, "", "", "", "")
		}
	}
	perms("added", d.new, d.New, d.PermissionsAdded)
	perms("removed", d.old, d.Old, d.PermissionsRemoved)
	// Identity is compared on the first target of each side.
	first := func(s Side) string {
		if len(s.Targets) == 0 {
			return ""
		}
		return s.Targets[0]
	}
	for _, c := range d.Identity {
		if c.Old != "" {
			row("removed", "identity", first(d.Old), c.Field, c.Old, "", "", "")
		}
		if c.New != "" {
			row("added", "identity", first(d.New), c.Field, c.New, "", "", "")
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv diff: %w", err)
	}
	return nil
}

// targetsWhere lists the paths of r's targets for which has is true, joined
// with "; ". Without r (a Diff decoded from JSON) it lists every target of
// the side.
func targetsWhere(r *report.Report, s Side, has func(report.Target) bool) string {
	if r == nil {
		return strings.Join(s.Targets, "; ")
	}
	var out []string
	for _, t := range r.Targets {
		if has(t) {
			out = append(out, t.Path)
		}
	}
	return strings.Join(out, "; ")
}
