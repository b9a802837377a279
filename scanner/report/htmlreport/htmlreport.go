// Package htmlreport renders the report as one self-contained HTML page
// for a procurement file: the verdict at the top, each package's identity,
// the policy, a card per SDK with its evidence, endpoints grouped by owner,
// what could not be analysed and the scan metadata. The page has inline CSS
// only, fetches nothing (its Content-Security-Policy forbids it), and
// prints cleanly to PDF.
//
// Every value is escaped by html/template: app labels, class names and
// paths come from the package and are attacker-controlled.
//
// A service that shows the report inside its own pages uses WriteBody and
// CSS: the body is one <div class="sdkvet-report"> element and every CSS
// rule is scoped under that class.
package htmlreport

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/report"
)

//go:embed report.css
var css string

//go:embed report.html.tmpl
var pageTemplate string

// ContentSecurityPolicy is the policy a self-contained page declares: no
// fetch, no script, no frame; only the inline stylesheet and data: images.
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

// CSPMeta returns the <meta> element that applies ContentSecurityPolicy,
// for the <head> of a self-contained page built with html/template.
func CSPMeta() template.HTML {
	return template.HTML(`<meta http-equiv="Content-Security-Policy" content="` + ContentSecurityPolicy + `">`)
}

// CSS returns the stylesheet of the report, every rule scoped under
// .sdkvet-report.
func CSS() string { return css }

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"upper":   strings.ToUpper,
	"css":     func() template.CSS { return template.CSS(css) },
	"cspMeta": CSPMeta,
}).Parse(pageTemplate))

// Write renders r as a complete HTML document.
func Write(w io.Writer, r *report.Report) error {
	if err := tmpl.ExecuteTemplate(w, "page", view(r)); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	return nil
}

// WriteBody renders r as an HTML fragment (one <div class="sdkvet-report">)
// to embed in another page, which must also include CSS().
func WriteBody(w io.Writer, r *report.Report) error {
	if err := tmpl.ExecuteTemplate(w, "body", view(r)); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	return nil
}

// pageView is what the template reads.
type pageView struct {
	R          *report.Report
	Title      string
	Targets    []targetView
	Findings   int
	Suppressed int
	Incomplete int
}

type targetView struct {
	T         report.Target
	Name      string
	Identity  [][2]string
	Apps      []cardView // the package is itself an app, or declares it talks to one
	SDKs      []cardView
	Endpoints []endpointGroup
}

type cardView struct {
	F          report.Finding
	Name       string
	Suppressed bool
	Expired    bool
	Evidence   []evidenceView
	More       int
	Sources    []sourceView
}

type evidenceView struct {
	Type, Value, Where string
}

type sourceView struct {
	Text string
	URL  string // set only for http(s) sources: rendered as a link
}

type endpointGroup struct {
	Card  cardView
	Hosts []string
}

func view(r *report.Report) pageView {
	v := pageView{R: r, Title: "sdkvet report"}
	if len(r.Targets) == 1 {
		v.Title = "sdkvet report: " + targetName(r.Targets[0])
	}
	for _, t := range r.Targets {
		tv := targetView{T: t, Name: targetName(t), Identity: identityRows(t)}
		if !t.Complete {
			v.Incomplete++
		}
		for _, f := range t.Findings {
			c := card(f)
			if c.Suppressed {
				v.Suppressed++
			} else {
				v.Findings++
			}
			switch f.Kind {
			case "sdk":
				tv.SDKs = append(tv.SDKs, c)
			case "endpoint":
				tv.Endpoints = append(tv.Endpoints, endpointGroup{Card: c, Hosts: f.Hosts()})
			default:
				tv.Apps = append(tv.Apps, c)
			}
		}
		sort.SliceStable(tv.Endpoints, func(i, j int) bool { return tv.Endpoints[i].Card.F.Vendor < tv.Endpoints[j].Card.F.Vendor })
		v.Targets = append(v.Targets, tv)
	}
	return v
}

func card(f report.Finding) cardView {
	c := cardView{F: f, Name: f.Title(), Suppressed: f.Suppressed(), Expired: f.Exception != nil && f.Exception.Expired}
	seen := map[string]bool{}
	for _, e := range f.Evidence {
		where := e.Path
		if e.Line != nil {
			where += fmt.Sprintf(":%d", *e.Line)
		} else if e.Offset != nil {
			where += fmt.Sprintf(" @%d", *e.Offset)
		}
		c.Evidence = append(c.Evidence, evidenceView{Type: e.Type, Value: e.Value, Where: where})
		if e.Source != "" && !seen[e.Source] {
			seen[e.Source] = true
			s := sourceView{Text: e.Source}
			if u, err := url.Parse(e.Source); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
				s.URL = u.String()
			}
			c.Sources = append(c.Sources, s)
		}
	}
	c.More = f.EvidenceCount - len(f.Evidence)
	return c
}

func identityRows(t report.Target) [][2]string {
	id := t.Identity
	var rows [][2]string
	add := func(k string, v *string) {
		if v != nil && *v != "" {
			rows = append(rows, [2]string{k, *v})
		}
	}
	add("Name", id.Label)
	add("App id", id.AppID)
	add("Bundle id", id.BundleID)
	ver := id.Version
	if ver != nil && id.VersionCode != nil {
		s := *ver + " (" + *id.VersionCode + ")"
		ver = &s
	}
	add("Version", ver)
	add("Team id", id.TeamID)
	for _, s := range id.Signers {
		rows = append(rows, [2]string{"Signer", s.Subject + " — sha256 " + s.SHA256 + schemes(s.Schemes)})
	}
	rows = append(rows, [2]string{"File", t.Path + " (" + t.Kind + ")"})
	if t.SHA256 != "" {
		rows = append(rows, [2]string{"SHA-256", t.SHA256})
	}
	if t.Size > 0 {
		rows = append(rows, [2]string{"Size", humanSize(t.Size)})
	}
	if len(id.Frameworks) > 0 {
		rows = append(rows, [2]string{"Frameworks", strings.Join(id.Frameworks, ", ")})
	}
	return rows
}

func schemes(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return " (" + strings.Join(s, ", ") + ")"
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB (%d bytes)", float64(n)/(1<<30), n)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB (%d bytes)", float64(n)/(1<<10), n)
	}
	return fmt.Sprintf("%d bytes", n)
}

func targetName(t report.Target) string {
	id := t.Identity
	for _, p := range []*string{id.Label, id.AppID, id.BundleID} {
		if p != nil && *p != "" {
			return *p
		}
	}
	return t.Path
}
