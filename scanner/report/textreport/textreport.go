// Package textreport writes a human-readable summary for a terminal: the
// verdict first, then per target its identity, a table of findings, and
// what could not be read.
package textreport

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/sdkvet/sdkvet/scanner/report"
)

// Options control the rendering.
type Options struct {
	Color bool // ANSI colours (only on a terminal, never under NO_COLOR)
}

const (
	red    = "\x1b[31;1m"
	yellow = "\x1b[33;1m"
	green  = "\x1b[32;1m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

// Write renders r.
func Write(w io.Writer, r *report.Report, o Options) error {
	ew := &errWriter{w: w}
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + reset
	}
	verdictColor := map[string]string{report.Fail: red, report.Warn: yellow, report.Pass: green}
	v := strings.ToUpper(r.Verdict)
	if !r.Complete {
		v += " (incomplete: some parts could not be scanned)"
	}
	ew.printf("Verdict: %s\n", paint(verdictColor[r.Verdict], v))
	ew.printf("%s\n", paint(dim, fmt.Sprintf("sdkvet %s · signatures %s · policy %s %s (fail on %s)",
		r.Tool.Version, r.Tool.SignaturesVersion, r.Policy.ID, r.Policy.Version, r.Policy.FailOn)))
	if b := r.Baseline; b != nil {
		ew.printf("%s\n", paint(dim, fmt.Sprintf("baseline %s: %d entr(ies), %d finding(s) suppressed", clean(b.Path), b.Entries, b.Suppressed)))
		for _, e := range b.Expired {
			ew.printf("%s\n", paint(yellow, fmt.Sprintf("baseline entry %s expired on %s and no longer applies", clean(e.Match), clean(e.Expires))))
		}
	}
	for _, t := range r.Targets {
		ew.printf("\n%s  %s\n", paint(verdictColor[t.Verdict], strings.ToUpper(t.Verdict)), clean(t.Path))
		ew.printf("  %s, %d bytes, sha256 %s\n", t.Kind, t.Size, t.SHA256)
		id := t.Identity
		if id.AppID != nil {
			line := "  app id " + clean(*id.AppID)
			if id.Version != nil {
				line += ", version " + clean(*id.Version)
			}
			if id.Label != nil {
				line += ", label \"" + clean(*id.Label) + "\""
			}
			ew.printf("%s\n", line)
		}
		if id.BundleID != nil {
			line := "  bundle id " + clean(*id.BundleID)
			if id.AppID == nil && id.Version != nil {
				line += ", version " + clean(*id.Version)
			}
			if id.AppID == nil && id.Label != nil {
				line += ", name \"" + clean(*id.Label) + "\""
			}
			if id.TeamID != nil {
				line += ", team " + clean(*id.TeamID)
			}
			ew.printf("%s\n", line)
		}
		for _, s := range id.Signers {
			ew.printf("  signed by %s (sha256 %s, %s)\n", clean(s.Subject), s.SHA256, strings.Join(s.Schemes, "+"))
		}
		if len(id.Frameworks) > 0 {
			ew.printf("  frameworks: %s\n", strings.Join(id.Frameworks, ", "))
		}
		if len(t.Findings) == 0 {
			ew.printf("  no findings\n")
		} else {
			tw := tabwriter.NewWriter(ew, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "  SEVERITY\tKIND\tVENDOR\tNAME\tCATEGORY\tCONFIDENCE\tEVIDENCE\tEXAMPLE\n")
			for _, f := range t.Findings {
				name := f.SDK
				if name == "" {
					name = f.App
				}
				if name == "" {
					name = f.Rule
				}
				sev := f.Severity
				if f.Exception != nil && !f.Exception.Expired {
					sev += " (excepted)"
				} else if f.Exception != nil {
					sev += " (exception expired)"
				}
				ex := ""
				if len(f.Evidence) > 0 {
					e := f.Evidence[0]
					ex = e.Type + " " + clean(e.Value)
					if len(ex) > 70 {
						ex = ex[:67] + "..."
					}
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", sev, f.Kind, f.Vendor, name, dash(f.Category), f.Confidence, f.EvidenceCount, ex)
			}
			tw.Flush()
		}
		if len(t.Errors) > 0 {
			ew.printf("  %s\n", paint(yellow, fmt.Sprintf("%d part(s) could not be scanned:", len(t.Errors))))
			for i, e := range t.Errors {
				if i == 10 {
					ew.printf("    … %d more (see --format json)\n", len(t.Errors)-10)
					break
				}
				ew.printf("    %s: %s\n", clean(e.Path), clean(e.Error))
			}
		}
	}
	return ew.err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clean removes control characters from attacker-controlled text so that a
// package cannot write escape sequences to the terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u202e' || r == '\u202d' {
			return '?'
		}
		return r
	}, s)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, a ...any) { fmt.Fprintf(e, format, a...) }
