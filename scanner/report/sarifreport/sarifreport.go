// Package sarifreport writes the report as SARIF 2.1.0 for code-scanning
// systems (GitHub code scanning, GitLab, Azure DevOps, IDE viewers).
//
// One SARIF rule per signature that produced a finding, with help text that
// says what the SDK is, who owns it and why it matters; one result per
// finding with its locations, partial fingerprints that keep an alert the
// same across runs, a level and a security-severity from the policy's
// severity, and suppressions for findings covered by a policy exception or
// a baseline entry.
package sarifreport

import (
	"fmt"
	"io"
	"math"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sdkvet/sdkvet/scanner/report"
)

// InformationURI is the tool's home page written into every run.
const InformationURI = "https://github.com/sdkvet/sdkvet"

// FingerprintKey is the partialFingerprints key holding a finding's stable id.
const FingerprintKey = "sdkvetFindingId/v1"

// SourceRootID is the uriBaseId of every relative artifact location: the
// directory sdkvet ran in, which in CI is the repository checkout. Code
// scanning resolves such URIs against the repository root.
const SourceRootID = "%SRCROOT%"

// Options say where the log is written from.
type Options struct {
	// Root is the absolute directory sdkvet ran in (empty if unknown).
	// Paths under it become relative URIs, and it is written as the run's
	// originalUriBaseIds entry for SourceRootID.
	Root string
}

// Write renders r as an indented SARIF 2.1.0 log with one run, with no
// known root directory.
func Write(w io.Writer, r *report.Report) error { return WriteWith(w, r, Options{}) }

// WriteWith renders r as an indented SARIF 2.1.0 log with one run.
func WriteWith(w io.Writer, r *report.Report, o Options) error {
	log := Build(r, o)
	if err := log.PrettyWrite(w); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// builder holds what every location needs.
type builder struct {
	root string // slash-separated, no trailing slash; "" when unknown
}

// Build converts r to a SARIF log.
func Build(r *report.Report, o Options) *sarif.Report {
	b := &builder{root: strings.TrimSuffix(strings.ReplaceAll(o.Root, "\\", "/"), "/")}
	log := sarif.NewReport()
	run := sarif.NewRunWithInformationURI(r.Tool.Name, InformationURI)
	run.Tool.Driver.WithVersion(r.Tool.Version).
		WithOrganization("sdkvet").
		WithShortDescription(sarif.NewMultiformatMessageString().WithText("Finds ByteDance and Tencent SDKs, endpoints and banned apps in mobile packages and source trees."))
	run.WithProperties(sarif.NewPropertyBag().
		Add("signatures_version", r.Tool.SignaturesVersion).
		Add("policy_id", r.Policy.ID).
		Add("policy_version", r.Policy.Version).
		Add("fail_on", r.Policy.FailOn).
		Add("verdict", r.Verdict))
	run.WithColumnKind("unicodeCodePoints")
	if b.root != "" && isAbs(b.root) {
		run.WithOriginalUriBaseIds(map[string]sarif.ArtifactLocation{
			SourceRootID: *sarif.NewArtifactLocation().WithURI(URI(b.root) + "/").
				WithDescription(sarif.NewTextMessage("The directory sdkvet ran in.")),
		})
	} else {
		b.root = ""
	}

	// Rules first, in a stable order, so that ruleIndex is stable too.
	rules := collectRules(r)
	for _, ru := range rules {
		addRule(run, r, ru)
	}

	inv := sarif.NewInvocation().WithExecutionSuccessful(r.Complete)
	for _, t := range r.Targets {
		for _, e := range t.Errors {
			inv.AddToolExecutionNotification(sarif.NewNotification().
				WithLevel("warning").
				WithMessage(sarif.NewTextMessage(plainText(fmt.Sprintf("could not be analysed: %s: %s", e.Path, e.Error)))).
				AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
					WithArtifactLocation(b.artifact(outerPath(e.Path))))))
		}
	}
	run.AddInvocation(inv)

	for _, t := range r.Targets {
		for _, f := range t.Findings {
			b.addResult(run, t, f) // CreateResultForRule appends it to the run
		}
	}
	log.AddRun(run)
	return log
}

// ruleInfo aggregates what the findings of one rule say about it.
type ruleInfo struct {
	id       string
	sample   report.Finding
	severity int
	conf     int
	helpURI  string
	sources  []string
	vendorID string
}

var sevRank = map[string]int{"none": 0, "info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
var confRank = map[string]int{"low": 1, "medium": 2, "high": 3}

func collectRules(r *report.Report) []*ruleInfo {
	byID := map[string]*ruleInfo{}
	for _, t := range r.Targets {
		for _, f := range t.Findings {
			ru := byID[f.Rule]
			if ru == nil {
				ru = &ruleInfo{id: f.Rule, sample: f, severity: -1, vendorID: f.VendorID}
				byID[f.Rule] = ru
			}
			if s := sevRank[f.Severity]; s > ru.severity {
				ru.severity = s
			}
			if c := confRank[f.Confidence]; c > ru.conf {
				ru.conf = c
			}
			for _, e := range f.Evidence {
				if e.Source == "" || contains(ru.sources, e.Source) {
					continue
				}
				ru.sources = append(ru.sources, e.Source)
				if ru.helpURI == "" && isWebURL(e.Source) {
					ru.helpURI = e.Source
				}
			}
		}
	}
	out := make([]*ruleInfo, 0, len(byID))
	for _, ru := range byID {
		sort.Strings(ru.sources)
		out = append(out, ru)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func addRule(run *sarif.Run, r *report.Report, ru *ruleInfo) {
	f := ru.sample
	sev := severityName(ru.severity)
	title := f.Title()
	short := title + " (" + f.Vendor + ")"
	var what string
	switch f.Kind {
	case "sdk":
		what = fmt.Sprintf("%s is a %s SDK owned by %s.", f.SDK, categoryOr(f.Category, "third-party"), f.Vendor)
	case "app":
		what = fmt.Sprintf("%s is an app published by %s.", f.App, f.Vendor)
	case "endpoint":
		what = fmt.Sprintf("Network endpoints in domains owned by %s.", f.Vendor)
	case "identifier":
		what = fmt.Sprintf("A declaration that the package interacts with %s (%s).", f.App, f.Vendor)
	default:
		what = title + "."
	}
	if f.Description != "" && f.Kind == "sdk" {
		what += " " + f.Description
	}
	why := fmt.Sprintf("Policy %s %s rates it %s (fail on %s): code or traffic from %s in an app on government devices is what the policy restricts.",
		r.Policy.ID, r.Policy.Version, sev, r.Policy.FailOn, f.Vendor)
	if f.Kind == "app" {
		why = fmt.Sprintf("Policy %s %s rates it %s: the package is itself an app the policy names.", r.Policy.ID, r.Policy.Version, sev)
	}
	text := what + "\n\n" + why
	md := "**" + mdEscape(title) + "** — " + mdEscape(what) + "\n\n**Why it matters:** " + mdEscape(why)
	if len(ru.sources) > 0 {
		text += "\n\nSources: " + strings.Join(ru.sources, ", ")
		md += "\n\n**Sources:**\n"
		for _, s := range ru.sources {
			md += "- " + mdEscape(s) + "\n"
		}
	}
	md += "\n**Remediation:** remove the SDK or dependency, or record a reviewed exception with a reason and an expiry date in the policy or `.sdkvet.yaml`."

	tags := []string{"security", "supply-chain", f.Kind}
	if f.VendorID != "" {
		tags = append(tags, f.VendorID)
	}
	if f.Category != "" {
		tags = append(tags, f.Category)
	}
	rule := run.AddRule(ru.id).
		WithName(ruleName(ru.id)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(short)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(what)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(text).WithMarkdown(md)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(Level(sev))).
		WithProperties(sarif.NewPropertyBag().
			Add("security-severity", SecuritySeverity(sev)).
			Add("precision", precision(ru.conf)).
			Add("vendor", f.Vendor).
			WithTags(tags))
	if ru.helpURI != "" {
		rule.WithHelpURI(ru.helpURI)
	}
}

func (b *builder) addResult(run *sarif.Run, t report.Target, f report.Finding) {
	res := run.CreateResultForRule(f.Rule).
		WithLevel(Level(f.Severity)).
		WithMessage(sarif.NewTextMessage(plainText(message(t, f)))).
		WithPartialFingerprints(map[string]string{FingerprintKey: f.ID})
	props := sarif.NewPropertyBag().
		Add("security-severity", SecuritySeverity(f.Severity)).
		Add("severity", f.Severity).
		Add("confidence", f.Confidence).
		Add("vendor", f.Vendor).
		Add("kind", f.Kind).
		Add("evidence_count", f.EvidenceCount).
		Add("target", t.Path)
	if f.Exception != nil && f.Exception.Expired {
		props.Add("exception_expired", f.Exception.Expires)
	}
	res.WithProperties(props)

	if len(f.Evidence) == 0 {
		res.AddLocation(b.targetLocation(t))
	}
	for i, e := range f.Evidence {
		loc := b.evidenceLocation(e)
		if i == 0 {
			res.AddLocation(loc)
			continue
		}
		loc.WithID(i)
		res.AddRelatedLocation(loc)
	}
	if f.Suppressed() {
		ex := f.Exception
		just := ex.Reason
		if ex.Owner != "" {
			just += " (owner " + ex.Owner + ")"
		}
		just += "; expires " + ex.Expires
		src := ex.Source
		if src == "" {
			src = "policy"
		}
		sp := sarif.NewPropertyBag().Add("source", src).Add("expires", ex.Expires)
		if ex.Match != "" {
			sp.Add("match", ex.Match)
		}
		res.AddSuppression(sarif.NewSuppression().
			WithKind("external").
			WithStatus("accepted").
			WithJustification(just).
			WithProperties(sp))
	}
}

func message(t report.Target, f report.Finding) string {
	var b strings.Builder
	switch f.Kind {
	case "app":
		fmt.Fprintf(&b, "%s is %s, an app by %s", t.Path, f.App, f.Vendor)
	case "endpoint":
		fmt.Fprintf(&b, "%s contacts endpoints owned by %s", t.Path, f.Vendor)
	case "identifier":
		fmt.Fprintf(&b, "%s declares it interacts with %s (%s)", t.Path, f.App, f.Vendor)
	default:
		fmt.Fprintf(&b, "%s embeds %s by %s", t.Path, f.Title(), f.Vendor)
		if f.Category != "" {
			fmt.Fprintf(&b, " (%s)", f.Category)
		}
	}
	fmt.Fprintf(&b, "; severity %s, confidence %s, %d piece(s) of evidence", f.Severity, f.Confidence, f.EvidenceCount)
	if len(f.Evidence) > 0 {
		e := f.Evidence[0]
		fmt.Fprintf(&b, ", e.g. %s %s in %s", e.Type, e.Value, e.Path)
	}
	b.WriteString(".")
	return b.String()
}

// targetLocation points at the scanned file as a whole.
func (b *builder) targetLocation(t report.Target) *sarif.Location {
	return sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(b.artifact(t.Path)).
		WithRegion(sarif.NewRegion().WithStartLine(1)))
}

// evidenceLocation places one piece of evidence. A file on disk (a source
// tree) is located by file and line; an entry inside a package by the
// package file (the artifact a reviewer can open) plus logical locations
// for the nested path and the class, framework or library it names.
//
// Evidence columns count bytes, while the run declares columnKind
// unicodeCodePoints (what code scanning expects). The two agree only at
// column 1 or on a line whose prefix is ASCII, which the report cannot
// tell; so a later column is left out (the whole line is marked) and the
// exact position is given as the region's byteOffset instead.
func (b *builder) evidenceLocation(e report.Evidence) *sarif.Location {
	outer, nested := splitNested(e.Path)
	region := sarif.NewRegion().WithStartLine(1)
	if e.Line != nil && *e.Line > 0 && nested == "" {
		region = sarif.NewRegion().WithStartLine(*e.Line)
		if e.Column == 1 {
			region.WithStartColumn(1)
		}
		if e.Offset != nil && *e.Offset >= 0 && *e.Offset <= math.MaxInt32 {
			region.WithByteOffset(int(*e.Offset))
		}
		if e.EndLine > *e.Line {
			region.WithEndLine(e.EndLine)
		}
	}
	loc := sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(b.artifact(outer)).
		WithRegion(region))
	msg := e.Type + " " + e.Value
	if nested != "" {
		msg += " in " + nested
		loc.AddLogicalLocation(sarif.NewLogicalLocation().
			WithFullyQualifiedName(e.Path).
			WithName(path.Base(nested)).
			WithKind("module"))
	}
	if e.Line != nil && nested != "" {
		msg += fmt.Sprintf(" line %d", *e.Line)
	}
	if e.Offset != nil {
		msg += fmt.Sprintf(" at offset %d", *e.Offset)
	}
	if k := logicalKind(e.Type); k != "" && e.Value != "" {
		loc.AddLogicalLocation(sarif.NewLogicalLocation().
			WithFullyQualifiedName(e.Value).
			WithName(lastSegment(e.Value)).
			WithKind(k))
	}
	loc.WithMessage(sarif.NewTextMessage(plainText(msg)))
	return loc
}

// artifact locates the file p. A relative path (as given on the command
// line) and an absolute one under the root directory become a relative URI
// with uriBaseId SourceRootID, which code scanning resolves against the
// repository; any other path becomes an absolute file:// URI.
func (b *builder) artifact(p string) *sarif.ArtifactLocation {
	p = strings.ReplaceAll(p, "\\", "/")
	switch {
	case isAbs(p):
		if b.root != "" && strings.HasPrefix(p, b.root+"/") {
			return sarif.NewArtifactLocation().WithURI(URI(strings.TrimPrefix(p, b.root+"/"))).WithURIBaseID(SourceRootID)
		}
	case p == ".." || strings.HasPrefix(p, "../"):
		// Outside the directory sdkvet ran in.
		if b.root != "" {
			return sarif.NewArtifactLocation().WithURI(URI(path.Join(b.root, p)))
		}
		return sarif.NewArtifactLocation().WithURI(URI(p))
	default:
		return sarif.NewArtifactLocation().WithURI(URI(p)).WithURIBaseID(SourceRootID)
	}
	return sarif.NewArtifactLocation().WithURI(URI(p))
}

func isAbs(p string) bool {
	return strings.HasPrefix(p, "/") || len(p) >= 2 && p[1] == ':'
}

// plainText escapes the square brackets of a SARIF plain-text message, so
// that a class name or a file name from a package cannot form an embedded
// link ("[text](url)"), which viewers such as code scanning render
// (SARIF 2.1.0 §3.11.6). A backslash is doubled only before a bracket.
func plainText(s string) string {
	if !strings.ContainsAny(s, "[]") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '[' || c == ']':
			out.WriteByte('\\')
		case c == '\\' && i+1 < len(s) && (s[i+1] == '[' || s[i+1] == ']'):
			out.WriteByte('\\')
		}
		out.WriteByte(c)
	}
	return out.String()
}

// logicalKind maps an evidence type to a SARIF logical location kind.
func logicalKind(typ string) string {
	switch typ {
	case "java_class", "objc_class", "manifest_component":
		return "type"
	case "java_package", "source_import":
		return "namespace"
	case "framework", "native_lib", "linked_dylib", "gradle_dependency", "cocoapod", "spm_package", "npm_package", "pub_package":
		return "module"
	case "symbol":
		return "function"
	}
	return ""
}

func lastSegment(v string) string {
	if i := strings.LastIndexAny(v, "./:"); i >= 0 && i < len(v)-1 {
		return v[i+1:]
	}
	return v
}

// splitNested splits "outer.apk!/a/b!/c" into "outer.apk" and "a/b!/c".
func splitNested(p string) (outer, nested string) {
	if i := strings.Index(p, "!/"); i >= 0 {
		return p[:i], p[i+2:]
	}
	return p, ""
}

func outerPath(p string) string {
	o, _ := splitNested(p)
	return o
}

// URI turns a file path into a SARIF artifact URI: relative paths stay
// relative (so that code scanning resolves them against the repository),
// absolute ones become file:// URIs, and every segment is escaped.
func URI(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	abs := strings.HasPrefix(p, "/")
	if len(p) >= 2 && p[1] == ':' { // Windows drive letter
		abs = true
		p = "/" + p
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	out := strings.Join(segs, "/")
	out = strings.TrimPrefix(out, "./")
	if abs {
		return "file://" + out
	}
	if out == "" {
		return "."
	}
	return out
}

// Level maps a severity to a SARIF level.
func Level(sev string) string {
	switch sev {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	case "low", "info":
		return "note"
	}
	return "none"
}

// SecuritySeverity maps a severity to the CVSS-like score GitHub reads from
// the "security-severity" property (critical ≥ 9, high ≥ 7, medium ≥ 4).
func SecuritySeverity(sev string) string {
	score := map[string]float64{"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 3.0, "info": 1.0}[sev]
	return strconv.FormatFloat(score, 'f', 1, 64)
}

func precision(conf int) string {
	switch conf {
	case 3:
		return "high"
	case 2:
		return "medium"
	}
	return "low"
}

func severityName(rank int) string {
	for k, v := range sevRank {
		if v == rank {
			return k
		}
	}
	return "none"
}

func categoryOr(c, def string) string {
	if c == "" {
		return def
	}
	return c
}

// ruleName turns "tencent.wechat-opensdk" into "TencentWechatOpensdk".
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if r == '.' || r == '-' || r == '_' {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// mdEscape neutralises Markdown and HTML in text taken from signatures or
// packages.
func mdEscape(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
		"<", "&lt;", ">", "&gt;", "#", "\\#", "|", "\\|")
	return r.Replace(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
