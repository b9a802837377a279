// Package mdreport writes a compact Markdown summary of the report, suited
// to a pull-request or merge-request comment: the verdict, one table row
// per finding, and what could not be analysed, with the evidence folded
// into <details> blocks.
//
// Every value from a package or a signature file is escaped so that it
// cannot add markup, links, mentions or HTML to the comment.
package mdreport

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/sdkvet/sdkvet/scanner/report"
)

// MaxRows caps the finding rows per target; the rest are counted.
const MaxRows = 50

// Write renders r.
func Write(w io.Writer, r *report.Report) error {
	var b strings.Builder
	icon := map[string]string{report.Fail: "❌", report.Warn: "⚠️", report.Pass: "✅"}[r.Verdict]
	fmt.Fprintf(&b, "## %s sdkvet: %s\n\n", icon, strings.ToUpper(r.Verdict))
	counted, suppressed := 0, 0
	for _, t := range r.Targets {
		for _, f := range t.Findings {
			if f.Suppressed() {
				suppressed++
			} else {
				counted++
			}
		}
	}
	fmt.Fprintf(&b, "%d target(s), %d finding(s)", len(r.Targets), counted)
	if suppressed > 0 {
		fmt.Fprintf(&b, ", %d suppressed", suppressed)
	}
	if !r.Complete {
		b.WriteString(", **incomplete scan** (some parts could not be analysed)")
	}
	fmt.Fprintf(&b, ". Policy `%s` %s (fail on %s) · signatures %s · sdkvet %s\n",
		Code(r.Policy.ID), Escape(r.Policy.Version), Escape(r.Policy.FailOn), Escape(r.Tool.SignaturesVersion), Escape(r.Tool.Version))
	if r.Baseline != nil {
		fmt.Fprintf(&b, "\nBaseline `%s`: %d entr(ies), %d finding(s) suppressed", Code(r.Baseline.Path), r.Baseline.Entries, r.Baseline.Suppressed)
		if n := len(r.Baseline.Expired); n > 0 {
			fmt.Fprintf(&b, ", **%d expired** (no longer applied):", n)
			for _, e := range r.Baseline.Expired {
				fmt.Fprintf(&b, " `%s` (%s)", Code(e.Match), Escape(e.Expires))
			}
		}
		b.WriteString("\n")
	}

	for _, t := range r.Targets {
		fmt.Fprintf(&b, "\n### %s `%s`\n\n", icon2(t.Verdict), Code(t.Path))
		if id := identity(t.Identity); id != "" {
			b.WriteString(id + "\n\n")
		}
		if len(t.Findings) == 0 {
			b.WriteString("No findings.\n")
		} else {
			b.WriteString("| Severity | Kind | Name | Vendor | Category | Confidence | Evidence |\n")
			b.WriteString("|---|---|---|---|---|---|---|\n")
			for i, f := range t.Findings {
				if i == MaxRows {
					fmt.Fprintf(&b, "\n… and %d more finding(s); see the JSON or SARIF report.\n", len(t.Findings)-MaxRows)
					break
				}
				sev := Escape(f.Severity)
				if f.Suppressed() {
					sev = "~~" + sev + "~~ suppressed"
				} else if f.Exception != nil && f.Exception.Expired {
					sev += " (exception expired " + Escape(f.Exception.Expires) + ")"
				}
				ev := fmt.Sprintf("%d", f.EvidenceCount)
				if len(f.Evidence) > 0 {
					e := f.Evidence[0]
					loc := e.Path
					if e.Line != nil {
						loc += fmt.Sprintf(":%d", *e.Line)
					}
					ev += fmt.Sprintf(": %s `%s` in `%s`", Escape(e.Type), Code(truncate(e.Value, 80)), Code(truncate(loc, 100)))
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n",
					sev, Escape(f.Kind), Escape(f.Title()), Escape(f.Vendor), Escape(dash(f.Category)), Escape(f.Confidence), ev)
			}
			var sup []report.Finding
			for _, f := range t.Findings {
				if f.Suppressed() {
					sup = append(sup, f)
				}
			}
			if len(sup) > 0 {
				b.WriteString("\n<details><summary>Suppressed findings</summary>\n\n")
				for _, f := range sup {
					fmt.Fprintf(&b, "- %s (`%s`): %s, until %s\n", Escape(f.Title()), Code(f.Rule), Escape(f.Exception.Reason), Escape(f.Exception.Expires))
				}
				b.WriteString("\n</details>\n")
			}
		}
		if len(t.Errors) > 0 {
			fmt.Fprintf(&b, "\n<details><summary>%d part(s) could not be analysed</summary>\n\n", len(t.Errors))
			for i, e := range t.Errors {
				if i == 20 {
					fmt.Fprintf(&b, "- … %d more\n", len(t.Errors)-20)
					break
				}
				fmt.Fprintf(&b, "- `%s`: %s\n", Code(e.Path), Escape(e.Error))
			}
			b.WriteString("\n</details>\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func identity(id report.Identity) string {
	var parts []string
	add := func(k string, v *string) {
		if v != nil && *v != "" {
			parts = append(parts, k+" `"+Code(*v)+"`")
		}
	}
	add("app id", id.AppID)
	add("bundle id", id.BundleID)
	add("version", id.Version)
	add("label", id.Label)
	add("team", id.TeamID)
	return strings.Join(parts, " · ")
}

func icon2(v string) string {
	return map[string]string{report.Fail: "❌", report.Warn: "⚠️", report.Pass: "✅"}[v]
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Escape makes s inert inline Markdown text: backslash-escapes the
// characters that start markup, links, mentions and references (a "." so
// that no "www." host becomes an autolink, ":" so that no scheme does, "@"
// and "#" so that no mention or issue reference is made), turns < > & into
// entities (no HTML) and line breaks into spaces (no new blocks, no broken
// table rows). Control and bidirectional-override characters become U+FFFD.
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~', '@', ':', '.', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if unsafeRune(r) {
				b.WriteRune('\uFFFD')
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Code makes s safe inside a single-backtick code span, where Markdown
// makes no links or HTML: backticks and pipes (which would end the span or
// split a table cell) and line breaks are replaced, and an empty value
// becomes "-" (an empty span would open a double-backtick one).
func Code(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '`':
			return '\''
		case '|':
			return '¦'
		case '\n', '\r', '\t':
			return ' '
		}
		if unsafeRune(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

// unsafeRune reports control characters, line and paragraph separators and
// the bidirectional controls that can make text read differently from
// what it is.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029'
}
