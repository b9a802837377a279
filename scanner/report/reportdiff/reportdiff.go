// Package reportdiff compares two reports — an app's current release and
// its update — and says which SDKs, apps, endpoints, permissions and
// identity fields the update added or removed, and whether it adds
// something the policy fails on.
//
// Each report may hold several targets (an app split in parts, a folder);
// the findings of all targets of one side are taken together.
package reportdiff

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/mdreport"
)

// Item is one SDK, app or identifier finding on one side.
type Item struct {
	Rule       string `json:"rule"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Vendor     string `json:"vendor"`
	Severity   string `json:"severity"`
	Suppressed bool   `json:"suppressed"`
}

// Endpoint is a host seen in the evidence, with the vendor that owns it.
type Endpoint struct {
	Host  string `json:"host"`
	Owner string `json:"owner"`
}

// Change is an identity field whose value differs.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Side summarises one report.
type Side struct {
	Targets []string `json:"targets"`
	Verdict string   `json:"verdict"`
	AppID   string   `json:"app_id,omitempty"`
	Version string   `json:"version,omitempty"`
}

// Diff is the comparison. Lists are sorted and never nil.
type Diff struct {
	Old                Side       `json:"old"`
	New                Side       `json:"new"`
	FailOn             string     `json:"fail_on"`
	SDKsAdded          []Item     `json:"sdks_added"`
	SDKsRemoved        []Item     `json:"sdks_removed"`
	AppsAdded          []Item     `json:"apps_added"`
	AppsRemoved        []Item     `json:"apps_removed"`
	EndpointsAdded     []Endpoint `json:"endpoints_added"`
	EndpointsRemoved   []Endpoint `json:"endpoints_removed"`
	PermissionsAdded   []string   `json:"permissions_added"`
	PermissionsRemoved []string   `json:"permissions_removed"`
	Identity           []Change   `json:"identity_changes"`
	// Violations are added SDKs and apps at or above FailOn that no
	// exception covers: the update brings in something the policy bans.
	Violations []Item `json:"violations"`

	// The compared reports, for the writers that need more than the lists
	// (CSV targets, the SARIF log of added findings). Nil in a Diff decoded
	// from JSON.
	old, new *report.Report
}

// Compute compares old with new; failOn is the severity from which an
// added SDK or app is a violation.
func Compute(old, new *report.Report, failOn policy.Severity) *Diff {
	d := &Diff{Old: side(old), New: side(new), FailOn: failOn.String(), old: old, new: new}
	oi, ni := items(old), items(new)
	for k, it := range ni {
		if _, ok := oi[k]; ok {
			continue
		}
		if it.Kind == "sdk" {
			d.SDKsAdded = append(d.SDKsAdded, it)
		} else {
			d.AppsAdded = append(d.AppsAdded, it)
		}
		if s, err := policy.ParseSeverity(it.Severity); err == nil && s >= failOn && s > policy.None && !it.Suppressed {
			d.Violations = append(d.Violations, it)
		}
	}
	for k, it := range oi {
		if _, ok := ni[k]; ok {
			continue
		}
		if it.Kind == "sdk" {
			d.SDKsRemoved = append(d.SDKsRemoved, it)
		} else {
			d.AppsRemoved = append(d.AppsRemoved, it)
		}
	}
	oe, ne := endpoints(old), endpoints(new)
	for h, e := range ne {
		if _, ok := oe[h]; !ok {
			d.EndpointsAdded = append(d.EndpointsAdded, e)
		}
	}
	for h, e := range oe {
		if _, ok := ne[h]; !ok {
			d.EndpointsRemoved = append(d.EndpointsRemoved, e)
		}
	}
	op, np := permissions(old), permissions(new)
	d.PermissionsAdded, d.PermissionsRemoved = minus(np, op), minus(op, np)
	d.Identity = identityChanges(old, new)
	d.sort()
	return d
}

// Empty reports whether nothing changed.
func (d *Diff) Empty() bool {
	return len(d.SDKsAdded)+len(d.SDKsRemoved)+len(d.AppsAdded)+len(d.AppsRemoved)+
		len(d.EndpointsAdded)+len(d.EndpointsRemoved)+len(d.PermissionsAdded)+len(d.PermissionsRemoved)+len(d.Identity) == 0
}

func side(r *report.Report) Side {
	s := Side{Verdict: r.Verdict, Targets: []string{}}
	for _, t := range r.Targets {
		s.Targets = append(s.Targets, t.Path)
		if s.AppID == "" {
			s.AppID = firstOf(t.Identity.AppID, t.Identity.BundleID)
		}
		if s.Version == "" && t.Identity.Version != nil {
			s.Version = *t.Identity.Version
		}
	}
	return s
}

func items(r *report.Report) map[string]Item {
	out := map[string]Item{}
	for _, t := range r.Targets {
		for _, f := range t.Findings {
			if f.Kind == "endpoint" {
				continue
			}
			name := f.SDK
			if name == "" {
				name = f.App
			}
			it := Item{Rule: f.Rule, Kind: f.Kind, Name: name, Vendor: f.Vendor, Severity: f.Severity, Suppressed: f.Suppressed()}
			key := itemKey(f.Kind, f.Rule)
			if prev, ok := out[key]; ok {
				// The same SDK in several parts: it counts unless every part is suppressed.
				it.Suppressed = prev.Suppressed && it.Suppressed
			}
			out[key] = it
		}
	}
	return out
}

func endpoints(r *report.Report) map[string]Endpoint {
	out := map[string]Endpoint{}
	for _, t := range r.Targets {
		for _, f := range t.Findings {
			for _, e := range f.Evidence {
				if h := evidenceHost(e); h != "" {
					out[h] = Endpoint{Host: h, Owner: f.Vendor}
				}
			}
		}
	}
	return out
}

// itemKey identifies an SDK or app finding across reports.
func itemKey(kind, rule string) string { return kind + "\x00" + rule }

// evidenceHost returns the host a domain or URL evidence names, lower
// case without a final dot, or "".
func evidenceHost(e report.Evidence) string {
	h := ""
	switch e.Type {
	case "domain":
		h = e.Value
	case "url":
		if u, err := url.Parse(e.Value); err == nil {
			h = u.Hostname()
		}
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

func permissions(r *report.Report) map[string]bool {
	out := map[string]bool{}
	for _, t := range r.Targets {
		for _, p := range t.Identity.Permissions {
			out[p] = true
		}
	}
	return out
}

func minus(a, b map[string]bool) []string {
	out := []string{}
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func identityChanges(old, new *report.Report) []Change {
	get := func(r *report.Report) map[string]string {
		m := map[string]string{}
		if len(r.Targets) == 0 {
			return m
		}
		id := r.Targets[0].Identity
		put := func(k string, v *string) {
			if v != nil {
				m[k] = *v
			}
		}
		put("app_id", id.AppID)
		put("bundle_id", id.BundleID)
		put("label", id.Label)
		put("version", id.Version)
		put("version_code", id.VersionCode)
		put("min_sdk", id.MinSDK)
		put("target_sdk", id.TargetSDK)
		put("team_id", id.TeamID)
		var signers []string
		for _, s := range id.Signers {
			signers = append(signers, s.SHA256)
		}
		sort.Strings(signers)
		if len(signers) > 0 {
			m["signers"] = strings.Join(signers, ",")
		}
		return m
	}
	o, n := get(old), get(new)
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	out := []Change{}
	for k := range keys {
		if o[k] != n[k] {
			out = append(out, Change{Field: k, Old: o[k], New: n[k]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func (d *Diff) sort() {
	byRule := func(s []Item) []Item {
		if s == nil {
			return []Item{}
		}
		sort.Slice(s, func(i, j int) bool { return s[i].Rule < s[j].Rule })
		return s
	}
	byHost := func(s []Endpoint) []Endpoint {
		if s == nil {
			return []Endpoint{}
		}
		sort.Slice(s, func(i, j int) bool { return s[i].Host < s[j].Host })
		return s
	}
	d.SDKsAdded, d.SDKsRemoved = byRule(d.SDKsAdded), byRule(d.SDKsRemoved)
	d.AppsAdded, d.AppsRemoved, d.Violations = byRule(d.AppsAdded), byRule(d.AppsRemoved), byRule(d.Violations)
	d.EndpointsAdded, d.EndpointsRemoved = byHost(d.EndpointsAdded), byHost(d.EndpointsRemoved)
}

func firstOf(ps ...*string) string {
	for _, p := range ps {
		if p != nil && *p != "" {
			return *p
		}
	}
	return ""
}

// WriteJSON writes d as indented JSON.
func WriteJSON(w io.Writer, d *Diff) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// WriteText writes d for a terminal.
func WriteText(w io.Writer, d *Diff) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Old: %s (%s %s) verdict %s\n", report.Printable(strings.Join(d.Old.Targets, ", ")), report.Printable(d.Old.AppID), report.Printable(d.Old.Version), d.Old.Verdict)
	fmt.Fprintf(tw, "New: %s (%s %s) verdict %s\n", report.Printable(strings.Join(d.New.Targets, ", ")), report.Printable(d.New.AppID), report.Printable(d.New.Version), d.New.Verdict)
	if len(d.Violations) > 0 {
		fmt.Fprintf(tw, "\nThe update adds %d SDK(s) or app(s) at or above %s:\n", len(d.Violations), d.FailOn)
		for _, it := range d.Violations {
			fmt.Fprintf(tw, "  ! %s\t%s\t%s\t%s\n", it.Severity, report.Printable(it.Name), report.Printable(it.Vendor), it.Rule)
		}
	}
	if d.Empty() {
		fmt.Fprintf(tw, "\nNo change in SDKs, apps, endpoints, permissions or identity.\n")
		return tw.Flush()
	}
	section := func(title string, add, rem []Item) {
		if len(add)+len(rem) == 0 {
			return
		}
		fmt.Fprintf(tw, "\n%s:\n", title)
		for _, it := range add {
			fmt.Fprintf(tw, "  + %s\t%s\t%s\t%s%s\n", it.Severity, report.Printable(it.Name), report.Printable(it.Vendor), it.Rule, supp(it))
		}
		for _, it := range rem {
			fmt.Fprintf(tw, "  - %s\t%s\t%s\t%s\n", it.Severity, report.Printable(it.Name), report.Printable(it.Vendor), it.Rule)
		}
	}
	section("SDKs", d.SDKsAdded, d.SDKsRemoved)
	section("Apps and identifiers", d.AppsAdded, d.AppsRemoved)
	if len(d.EndpointsAdded)+len(d.EndpointsRemoved) > 0 {
		fmt.Fprintf(tw, "\nEndpoints:\n")
		for _, e := range d.EndpointsAdded {
			fmt.Fprintf(tw, "  + %s\t%s\n", report.Printable(e.Host), report.Printable(e.Owner))
		}
		for _, e := range d.EndpointsRemoved {
			fmt.Fprintf(tw, "  - %s\t%s\n", report.Printable(e.Host), report.Printable(e.Owner))
		}
	}
	if len(d.PermissionsAdded)+len(d.PermissionsRemoved) > 0 {
		fmt.Fprintf(tw, "\nPermissions:\n")
		for _, p := range d.PermissionsAdded {
			fmt.Fprintf(tw, "  + %s\n", report.Printable(p))
		}
		for _, p := range d.PermissionsRemoved {
			fmt.Fprintf(tw, "  - %s\n", report.Printable(p))
		}
	}
	if len(d.Identity) > 0 {
		fmt.Fprintf(tw, "\nIdentity:\n")
		for _, c := range d.Identity {
			fmt.Fprintf(tw, "  ~ %s\t%s\t→ %s\n", c.Field, dash(report.Printable(c.Old)), dash(report.Printable(c.New)))
		}
	}
	return tw.Flush()
}

// WriteMarkdown writes d as a pull-request comment.
func WriteMarkdown(w io.Writer, d *Diff) error {
	var b strings.Builder
	icon := "✅"
	if len(d.Violations) > 0 {
		icon = "❌"
	}
	fmt.Fprintf(&b, "## %s sdkvet: what the update changes\n\n", icon)
	fmt.Fprintf(&b, "`%s` %s → `%s` %s (verdict %s → %s)\n",
		mdreport.Code(d.Old.AppID), mdreport.Escape(d.Old.Version), mdreport.Code(d.New.AppID), mdreport.Escape(d.New.Version), d.Old.Verdict, d.New.Verdict)
	if len(d.Violations) > 0 {
		fmt.Fprintf(&b, "\n**The update adds %d SDK(s) or app(s) at or above %s.**\n", len(d.Violations), d.FailOn)
	}
	if d.Empty() {
		b.WriteString("\nNo change in SDKs, apps, endpoints, permissions or identity.\n")
	} else {
		b.WriteString("\n| Change | What | Vendor / owner | Severity |\n|---|---|---|---|\n")
		row := func(sign, what, who, sev string) {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", sign, what, mdreport.Escape(who), mdreport.Escape(sev))
		}
		for _, it := range append(append([]Item{}, d.SDKsAdded...), d.AppsAdded...) {
			row("added", mdreport.Escape(it.Name)+" (`"+mdreport.Code(it.Rule)+"`)"+supp(it), it.Vendor, it.Severity)
		}
		for _, it := range append(append([]Item{}, d.SDKsRemoved...), d.AppsRemoved...) {
			row("removed", mdreport.Escape(it.Name)+" (`"+mdreport.Code(it.Rule)+"`)", it.Vendor, it.Severity)
		}
		for _, e := range d.EndpointsAdded {
			row("added endpoint", "`"+mdreport.Code(e.Host)+"`", e.Owner, "")
		}
		for _, e := range d.EndpointsRemoved {
			row("removed endpoint", "`"+mdreport.Code(e.Host)+"`", e.Owner, "")
		}
		for _, p := range d.PermissionsAdded {
			row("added permission", "`"+mdreport.Code(p)+"`", "", "")
		}
		for _, p := range d.PermissionsRemoved {
			row("removed permission", "`"+mdreport.Code(p)+"`", "", "")
		}
		for _, c := range d.Identity {
			row("changed "+mdreport.Escape(c.Field), "`"+mdreport.Code(dash(c.Old))+"` → `"+mdreport.Code(dash(c.New))+"`", "", "")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func supp(it Item) string {
	if it.Suppressed {
		return " (suppressed)"
	}
	return ""
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
