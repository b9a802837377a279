package reportdiff

import (
	"errors"
	"fmt"
	"io"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/sarifreport"
)

// errNoReports is returned by the writers that need the compared reports
// when the Diff was not made by Compute (for instance decoded from JSON).
var errNoReports = errors.New("the diff does not hold the compared reports (make it with Compute)")

// Added returns the new report cut down to what the update added: the
// findings of every SDK and app that the old report did not have, and the
// endpoint findings that name a host the old report did not have, holding
// only the evidence for those hosts. Targets, identities, errors, verdict
// and policy are those of the new report; the reports d was computed from
// are not modified.
func (d *Diff) Added() (*report.Report, error) {
	if d.new == nil {
		return nil, errNoReports
	}
	keys := map[string]bool{}
	for _, it := range append(append([]Item{}, d.SDKsAdded...), d.AppsAdded...) {
		keys[itemKey(it.Kind, it.Rule)] = true
	}
	hosts := map[string]bool{}
	for _, e := range d.EndpointsAdded {
		hosts[e.Host] = true
	}
	out := *d.new
	out.Targets = make([]report.Target, 0, len(d.new.Targets))
	for _, t := range d.new.Targets {
		t.Findings = addedFindings(t.Findings, keys, hosts)
		out.Targets = append(out.Targets, t)
	}
	return &out, nil
}

func addedFindings(fs []report.Finding, keys, hosts map[string]bool) []report.Finding {
	out := []report.Finding{}
	for _, f := range fs {
		if f.Kind != "endpoint" {
			if keys[itemKey(f.Kind, f.Rule)] {
				out = append(out, f)
			}
			continue
		}
		var ev []report.Evidence
		for _, e := range f.Evidence {
			if hosts[evidenceHost(e)] {
				ev = append(ev, e)
			}
		}
		if len(ev) == 0 {
			continue
		}
		f.Evidence = ev
		f.EvidenceCount = len(ev)
		out = append(out, f)
	}
	return out
}

// WriteSARIF writes a SARIF 2.1.0 log whose results are the findings the
// update added (see Added), built by sarifreport so that rules, locations,
// fingerprints and suppressions are those of a scan: code scanning then
// shows exactly what the update introduced. Every result has baselineState
// "new" (the old release is the baseline), and the run's properties name
// the old side.
func WriteSARIF(w io.Writer, d *Diff, o sarifreport.Options) error {
	added, err := d.Added()
	if err != nil {
		return fmt.Errorf("write sarif diff: %w", err)
	}
	log := sarifreport.Build(added, o)
	for _, run := range log.Runs {
		if run.Properties != nil {
			run.Properties.Add("diff_old_targets", d.Old.Targets).
				Add("diff_old_verdict", d.Old.Verdict).
				Add("diff_fail_on", d.FailOn).
				Add("diff_violations", len(d.Violations))
		}
		for _, res := range run.Results {
			res.WithBaselineState("new")
		}
	}
	if err := log.PrettyWrite(w); err != nil {
		return fmt.Errorf("write sarif diff: %w", err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}
