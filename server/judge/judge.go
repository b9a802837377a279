// Package judge holds the service's judging engine, a signature database and
// policy compiled from one settings version, and re-judges every stored
// extract when the settings change: a re-match, not a re-parse.
package judge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/sandbox"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/server/extractcodec"
	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/signatures"
)

// Engine judges extracts under one settings version.
type Engine struct {
	Settings store.Settings
	DB       *signatures.DB
	Policy   *policy.Policy
	Scanner  *scanner.Scanner
}

// Options are the scan limits an engine's scanner uses.
type Options struct {
	Limits  walk.Limits
	Sandbox sandbox.Limits
	Log     *logrus.Logger
	Now     func() time.Time
}

// ParsePolicy parses a policy YAML and loads the signature database with
// the packs of the policy and of extra, checking that they fit together.
func ParsePolicy(policyYAML string, extra []string) (*signatures.DB, *policy.Policy, error) {
	return Load(store.Settings{PolicyYAML: policyYAML, Packs: extra})
}

// SignaturePrefix starts the name of every stored signature file in the
// database's file list and in its errors.
const SignaturePrefix = "settings:"

// Load parses a settings version's policy and loads the signature database
// with its packs and its stored signature files, checking that they fit
// together. A stored file's vendor status applies where neither the policy
// nor a pack names that vendor.
func Load(st store.Settings) (*signatures.DB, *policy.Policy, error) {
	pol, err := policy.Parse("policy", []byte(st.PolicyYAML))
	if err != nil {
		return nil, nil, err
	}
	var files []signatures.Source
	var filePolicy []signatures.Pack
	for _, f := range st.Signatures {
		src := signatures.Source{Name: SignaturePrefix + f.Name, Data: []byte(f.YAML)}
		files = append(files, src)
		if f.Status == "" {
			continue
		}
		parsed, err := signatures.Parse(src.Name, src.Data)
		if err != nil {
			return nil, nil, fmt.Errorf("load signatures: %w", err)
		}
		filePolicy = append(filePolicy, signatures.Pack{ID: src.Name, Policy: signatures.PackPolicy{
			Vendors: map[string]signatures.PackVendorPolicy{parsed.Vendor.ID: {Status: f.Status, Severity: f.Severity}}}})
	}
	db, err := signatures.LoadWith(signatures.Options{Packs: EffectivePacks(pol, st.Packs), Files: files})
	if err != nil {
		return nil, nil, fmt.Errorf("load signatures: %w", err)
	}
	if err := pol.ApplyPacks(db.Packs); err != nil {
		return nil, nil, err
	}
	if err := pol.ApplyPacks(filePolicy); err != nil {
		return nil, nil, err
	}
	return db, pol, nil
}

// EffectivePacks are the packs switched on by the policy or the settings.
func EffectivePacks(pol *policy.Policy, extra []string) []string {
	out := append([]string{}, pol.Packs...)
	for _, p := range extra {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// New builds the engine of a settings version.
func New(st store.Settings, o Options) (*Engine, error) {
	db, pol, err := Load(st)
	if err != nil {
		return nil, fmt.Errorf("settings version %d: %w", st.Version, err)
	}
	log := o.Log
	if log == nil {
		log = logrus.New()
		log.SetOutput(io.Discard)
		log.SetLevel(logrus.WarnLevel)
	}
	s := scanner.New(scanner.Options{DB: db, Policy: pol, Limits: o.Limits, Sandbox: o.Sandbox, Log: log, Now: o.Now})
	return &Engine{Settings: st, DB: db, Policy: pol, Scanner: s}, nil
}

// Judge judges one extract and returns the target and its judgement.
func (e *Engine) Judge(x *scanner.Extract) (report.Target, store.Judgement) {
	t := e.Scanner.Judge(x)
	j := store.Judgement{Verdict: t.Verdict, Complete: t.Complete, JudgedVersion: e.Settings.Version, Findings: []store.Finding{}}
	h := sha256.New()
	for _, f := range t.Findings {
		name := f.SDK
		if name == "" {
			name = f.App
		}
		sf := store.Finding{Rule: f.Rule, Kind: f.Kind, Name: name, VendorID: f.VendorID, Vendor: f.Vendor, Severity: f.Severity, Suppressed: f.Suppressed()}
		j.Findings = append(j.Findings, sf)
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%v\n", sf.Rule, sf.Kind, sf.VendorID, sf.Severity, sf.Suppressed)
	}
	fmt.Fprintf(h, "%s %v", t.Verdict, t.Complete)
	j.FindingsHash = hex.EncodeToString(h.Sum(nil))[:32]
	return t, j
}

// Report wraps judged targets in a report that names the engine's
// signature and policy versions.
func (e *Engine) Report(targets ...report.Target) *report.Report {
	r := e.Scanner.NewReport()
	for _, t := range targets {
		r.Add(t)
	}
	return r
}

// Stats describe one re-judgement pass.
type Stats struct {
	Judged  int
	Changed int
	Flips   []store.Flip
	Errors  int
	Elapsed time.Duration
}

// BatchSize is how many extracts a re-judgement reads or writes at once.
const BatchSize = 256

// Rejudge judges every finished scan whose judged version is below the
// engine's, on workers goroutines (0: one per CPU), and stores the new
// verdicts, the finding index and the verdict flips. Memory stays bounded
// by a few batches of extracts.
func Rejudge(ctx context.Context, st store.Store, e *Engine, workers int) (Stats, error) {
	start := time.Now()
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	version := e.Settings.Version
	type result struct {
		j    store.Judgement
		flip *store.Flip
		err  bool
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := make(chan store.StoredExtract, BatchSize)
	out := make(chan result, BatchSize)
	var readErr error
	go func() {
		defer close(in)
		after := ""
		for {
			batch, err := st.Extracts(ctx, after, version, BatchSize)
			if err != nil {
				readErr = err
				return
			}
			for _, x := range batch {
				select {
				case in <- x:
				case <-ctx.Done():
					return
				}
			}
			if len(batch) < BatchSize {
				return
			}
			after = batch[len(batch)-1].ScanID
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for x := range in {
				ext, err := extractcodec.Decode(x.Data)
				if err != nil {
					// A damaged row keeps its verdict; count it.
					out <- result{err: true}
					continue
				}
				_, j := e.Judge(ext)
				j.ScanID = x.ScanID
				r := result{j: j}
				if j.FindingsHash == x.FindingsHash {
					r.j.Findings = nil // the index rows stay as they are
				}
				if j.Verdict != x.Verdict {
					r.flip = &store.Flip{SettingsVersion: version, ScanID: x.ScanID, OldVerdict: x.Verdict, NewVerdict: j.Verdict}
				}
				out <- r
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()

	var stats Stats
	var js []store.Judgement
	var flips []store.Flip
	var writeErr error
	flush := func() {
		if len(js) == 0 && len(flips) == 0 || writeErr != nil {
			return
		}
		if err := st.ApplyJudgements(ctx, js, flips); err != nil {
			writeErr = err
			cancel()
		}
		stats.Flips = append(stats.Flips, flips...)
		js, flips = js[:0], nil
	}
	for r := range out {
		if r.err {
			stats.Errors++
			continue
		}
		stats.Judged++
		if r.j.Findings != nil {
			stats.Changed++
		}
		js = append(js, r.j)
		if r.flip != nil {
			flips = append(flips, *r.flip)
		}
		if len(js) >= BatchSize {
			flush()
		}
	}
	flush()
	stats.Elapsed = time.Since(start)
	if writeErr != nil {
		return stats, fmt.Errorf("rejudge: %w", writeErr)
	}
	if readErr != nil {
		return stats, fmt.Errorf("rejudge: %w", readErr)
	}
	return stats, ctx.Err()
}
