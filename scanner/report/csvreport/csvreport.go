// Package csvreport writes the report as CSV, one row per finding, for
// spreadsheets and batch audits. A target with no finding gets one row with
// empty finding columns so that a batch audit lists every package.
//
// Cells are attacker-controlled (app labels, class names, paths): a cell
// that a spreadsheet would read as a formula (starting with = + - @ or
// their full-width forms, a tab or a line break) is prefixed with a single
// quote.
package csvreport

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sdkvet/sdkvet/scanner/report"
)

// Header is the first row.
var Header = []string{
	"target", "kind", "sha256", "app_id", "bundle_id", "label", "version", "target_verdict", "target_complete",
	"finding_id", "finding_kind", "rule", "name", "vendor", "category", "severity", "confidence",
	"evidence_count", "evidence_kinds", "first_evidence_path", "first_evidence", "suppressed", "suppression_reason", "suppression_expires",
}

// Write renders r.
func Write(w io.Writer, r *report.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, t := range r.Targets {
		id := t.Identity
		base := []string{t.Path, t.Kind, t.SHA256, deref(id.AppID), deref(id.BundleID), deref(id.Label), deref(id.Version),
			t.Verdict, strconv.FormatBool(t.Complete)}
		if len(t.Findings) == 0 {
			row := append(append([]string{}, base...), make([]string, len(Header)-len(base))...)
			if err := cw.Write(sanitize(row)); err != nil {
				return fmt.Errorf("write csv: %w", err)
			}
			continue
		}
		for _, f := range t.Findings {
			name := f.SDK
			if name == "" {
				name = f.App
			}
			var evPath, ev string
			if len(f.Evidence) > 0 {
				evPath = f.Evidence[0].Path
				ev = f.Evidence[0].Type + " " + f.Evidence[0].Value
				if f.Evidence[0].Line != nil {
					evPath += ":" + strconv.Itoa(*f.Evidence[0].Line)
				}
			}
			suppressed, reason, expires := "false", "", ""
			if f.Exception != nil {
				reason, expires = f.Exception.Reason, f.Exception.Expires
				if f.Exception.Expired {
					reason = "(expired) " + reason
				} else {
					suppressed = "true"
				}
			}
			row := append(append([]string{}, base...),
				f.ID, f.Kind, f.Rule, name, f.Vendor, f.Category, f.Severity, f.Confidence,
				strconv.Itoa(f.EvidenceCount), strings.Join(f.EvidenceKinds, ";"), evPath, ev, suppressed, reason, expires)
			if err := cw.Write(sanitize(row)); err != nil {
				return fmt.Errorf("write csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// Cell returns s made safe for a spreadsheet: a leading character that
// starts a formula (= + - @, their full-width forms, which some spreadsheet
// locales also read as formulas, or a tab or line break before one) gets a
// quote in front of it.
func Cell(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '\n', '\uFF1D', '\uFF0B', '\uFF0D', '\uFE62', '\uFE63', '\uFF20':
		return "'" + s
	}
	return s
}

func sanitize(row []string) []string {
	for i, c := range row {
		row[i] = Cell(c)
	}
	return row
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
