// Package scanner is the sdkvet library: it walks targets, runs the
// analyzers, matches observations against the signature database and judges
// the findings under a policy, producing a report.
package scanner

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sirupsen/logrus"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/analyzers"
	"github.com/sdkvet/sdkvet/scanner/hostscan"
	"github.com/sdkvet/sdkvet/scanner/match"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/sandbox"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

// Version is the tool version, set at build time with -ldflags.
var Version = "dev"

// Options configure a Scanner.
type Options struct {
	DB     *signatures.DB
	Policy *policy.Policy
	Limits walk.Limits
	// Sandbox bounds each child process that runs an untrusted parser.
	Sandbox sandbox.Limits
	// Now is the time used to judge exception expiry (default time.Now).
	Now func() time.Time
	Log *logrus.Logger
}

// Scanner scans targets. It is safe to reuse for many targets.
type Scanner struct {
	opts    Options
	matcher *match.Matcher
	walker  *walk.Walker
}

// New compiles the signature database and returns a Scanner.
func New(opts Options) *Scanner {
	if opts.Sandbox.Timeout == 0 {
		opts.Sandbox = sandbox.DefaultLimits()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = logrus.New()
		opts.Log.SetOutput(io.Discard)
	}
	m := match.Compile(opts.DB)
	// The database's keywords let the source analyzers skip, unparsed,
	// the code files that cannot match.
	reg := analyzers.New(analyzers.Options{SourceKeywords: m.Keywords()})
	return &Scanner{opts: opts, matcher: m, walker: &walk.Walker{Limits: opts.Limits, Registry: reg}}
}

// Scan scans every file named by paths (directories are walked, symbolic
// links inside them are not followed) and returns the report.
func (s *Scanner) Scan(ctx context.Context, paths []string) (*report.Report, error) {
	rep := s.NewReport()
	for _, p := range paths {
		files, skipped, err := walk.Files(p)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", p, err)
		}
		for _, e := range skipped {
			rep.Add(report.Target{Path: p, Kind: "directory", Verdict: report.Pass,
				Findings: []report.Finding{}, Errors: []report.Error{{Path: p, Error: e.Error()}}})
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			rep.Add(s.ScanFile(ctx, f))
		}
	}
	return rep, nil
}

// NewReport returns an empty report (verdict pass, complete) that names
// the scanner's tool, signature-set and policy versions; Add fills it.
func (s *Scanner) NewReport() *report.Report {
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "sdkvet", Version: Version, SignaturesVersion: s.opts.DB.Version},
		Policy:        report.PolicyInfo{ID: s.opts.Policy.ID, Version: s.opts.Policy.Version, FailOn: s.opts.Policy.FailOn.String(), Packs: []string{}},
		Verdict:       report.Pass,
		Complete:      true,
		Targets:       []report.Target{},
	}
	for _, p := range s.opts.DB.Packs {
		rep.Policy.Packs = append(rep.Policy.Packs, p.ID)
	}
	return rep
}

// ScanFile scans one file on disk and judges it.
func (s *Scanner) ScanFile(ctx context.Context, name string) report.Target {
	e := s.Extract(ctx, name)
	return s.Judge(&e)
}

// Extract is what a scan read from one file, before any judgement: the
// observations and the parts that could not be read. It is plain data, so
// a store can keep it and judge the file again under a new signature set
// or policy without re-reading the package (see Judge).
type Extract struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Observations are deduplicated and sorted. Java classes that no rule
	// matched are summarised as one java_package observation per package.
	Observations []observation.Observation `json:"observations"`
	Errors       []report.Error            `json:"errors"`
}

// Extract walks one file on disk and runs the analyzers over it.
func (s *Scanner) Extract(ctx context.Context, name string) Extract {
	start := time.Now()
	ctx = sandbox.WithLimits(ctx, s.opts.Sandbox)
	log := s.opts.Log.WithField("target", name)
	log.Debug("scan start")
	c := newCollector(s.matcher)
	e := Extract{Path: name}

	var wg sync.WaitGroup
	var hashErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		if st, err := os.Stat(name); err == nil && st.IsDir() {
			return // a bundle folder has no single hash
		}
		e.SHA256, hashErr = fileSHA256(name)
	}()
	wt, err := s.walker.Walk(ctx, name, c)
	wg.Wait()
	if err != nil {
		c.Error(name, err)
	} else if hashErr != nil {
		c.Error(name, fmt.Errorf("hash: %w", hashErr))
	}
	e.Kind, e.Size = string(wt.Kind), wt.Size
	if e.Kind == "" {
		e.Kind = "unknown"
	}
	e.Observations = c.observations()
	e.Errors = c.errorList()
	log.WithFields(logrus.Fields{
		"kind": e.Kind, "observations": len(e.Observations), "errors": len(e.Errors),
		"elapsed": time.Since(start).Round(time.Millisecond).String(),
	}).Debug("extracted")
	return e
}

// Judge matches an extract's observations against the scanner's signature
// database and judges the findings under its policy. It reads no file, so
// re-judging a stored extract costs only the matching.
func (s *Scanner) Judge(e *Extract) report.Target {
	t := report.Target{Path: e.Path, Kind: e.Kind, SHA256: e.SHA256, Size: e.Size,
		Findings: []report.Finding{}, Errors: append([]report.Error{}, e.Errors...)}
	t.Identity = identity(e.Observations)
	var hits []match.Hit
	for _, o := range e.Observations {
		s.matcher.Match(o, func(h match.Hit) { hits = append(hits, h) })
	}
	key := filepath.Base(e.Path)
	if t.Identity.AppID != nil {
		key = *t.Identity.AppID
	} else if t.Identity.BundleID != nil {
		key = *t.Identity.BundleID
	}
	findings, worst := report.Findings(hits, s.opts.DB, s.opts.Policy, key, s.opts.Now())
	if findings != nil {
		t.Findings = findings
	}
	t.Complete = len(t.Errors) == 0
	t.Verdict = s.opts.Policy.Verdict(worst)
	s.opts.Log.WithFields(logrus.Fields{
		"target": e.Path, "kind": t.Kind, "observations": len(e.Observations), "findings": len(t.Findings),
		"errors": len(t.Errors), "verdict": t.Verdict,
	}).Info("scanned")
	return t
}

func fileSHA256(name string) (string, error) {
	f, err := walk.OpenRegular(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// collector gathers observations (deduplicated) and errors for one target.
type collector struct {
	m *match.Matcher
	// packages holds the Java packages of unmatched classes (package name ->
	// first path), kept so that a new rule can match them later.
	packages sync.Map
	mu       sync.Mutex
	seen     map[obsKey]int
	obs      []observation.Observation
	errs     []report.Error
	errSet   map[string]bool
}

type obsKey struct {
	kind        observation.Kind
	value, path string
}

// MaxErrorsPerTarget caps the error list of one target.
const MaxErrorsPerTarget = 200

func newCollector(m *match.Matcher) *collector {
	return &collector{m: m, seen: map[obsKey]int{}, errSet: map[string]bool{}}
}

var _ analyze.Out = (*collector)(nil)

// Observe keeps an observation. Java classes that no rule matches are
// dropped before the lock: a large app has 300,000 of them and keeping
// them all costs most of the scan's time and memory. Every other kind is
// kept (deduplicated), so that the set stays useful for re-matching.
func (c *collector) Observe(o observation.Observation) {
	if o.Kind == observation.JavaClass && !c.m.Matches(o) {
		c.notePackage(o)
		return
	}
	k := obsKey{o.Kind, o.Value, o.Path}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.seen[k]; ok {
		if o.Offset >= 0 && (c.obs[i].Offset < 0 || o.Offset < c.obs[i].Offset) {
			c.obs[i].Offset = o.Offset
		}
		return
	}
	// Analyzers may pass strings that live only for this call.
	o.Value, o.Detail = strings.Clone(o.Value), strings.Clone(o.Detail)
	k.value = o.Value
	c.seen[k] = len(c.obs)
	c.obs = append(c.obs, o)
}

// notePackage records the package of an unmatched Java class, with the
// first path (in path order, so the result does not depend on which worker
// ran first) that holds it. Classes of one package arrive together, so
// nearly every call is one lock-free load.
func (c *collector) notePackage(o observation.Observation) {
	i := strings.LastIndexByte(o.Value, '.')
	if i <= 0 {
		return
	}
	pkg := o.Value[:i]
	if v, ok := c.packages.Load(pkg); ok && v.(string) <= o.Path {
		return
	}
	pkg, p := strings.Clone(pkg), strings.Clone(o.Path)
	for {
		v, loaded := c.packages.LoadOrStore(pkg, p)
		if !loaded || v.(string) <= p || c.packages.CompareAndSwap(pkg, v, p) {
			return
		}
	}
}

// MaxMarkerValue caps the length of a string kept as a marker observation.
const MaxMarkerValue = 256

func (c *collector) String(path, s string, off int64) {
	hostscan.Scan(s, func(h hostscan.Hit) {
		at := int64(-1)
		if off >= 0 {
			at = off + int64(h.Pos)
		}
		k := observation.Domain
		if h.IsIP {
			k = observation.IP
		}
		// The URL, when there is one, is the domain's detail: the evidence
		// shows the host that matched and the URL it came from.
		c.Observe(observation.Observation{Kind: k, Value: h.Host, Detail: h.URL, Path: path, Offset: at})
	})
	if end, ok := c.m.FirstMarker(s); ok {
		// Keep the part of a long string that ends with the marker, so
		// that matching the kept value finds it again.
		start := max(0, end-MaxMarkerValue)
		for start > 0 && start < len(s) && !utf8.RuneStart(s[start]) {
			start++
		}
		at := off
		if off >= 0 {
			at += int64(start)
		}
		c.Observe(observation.Observation{Kind: observation.StringMarker, Value: s[start:end], Path: path, Offset: at})
	}
}

func (c *collector) Error(path string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	msg := err.Error()
	if len(c.errs) > MaxErrorsPerTarget {
		return
	}
	if c.errSet[path+"\x00"+msg] {
		return
	}
	c.errSet[path+"\x00"+msg] = true
	if len(c.errs) == MaxErrorsPerTarget {
		c.errs = append(c.errs, report.Error{Path: path, Error: "more errors not listed"})
	}
	if len(c.errs) >= MaxErrorsPerTarget {
		return
	}
	c.errs = append(c.errs, report.Error{Path: path, Error: msg})
}

func (c *collector) observations() []observation.Observation {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]observation.Observation(nil), c.obs...)
	c.packages.Range(func(k, v any) bool {
		out = append(out, observation.Observation{Kind: observation.JavaPackage, Value: k.(string), Path: v.(string), Offset: -1})
		return true
	})
	slices.SortFunc(out, func(a, b observation.Observation) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(a.Offset, b.Offset),
			strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Value, b.Value))
	})
	return out
}

func (c *collector) errorList() []report.Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]report.Error{}, c.errs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// identity picks the package's own identity from its observations: the
// outermost manifest wins (a split APK or a nested library has its own).
func identity(obs []observation.Observation) report.Identity {
	var id report.Identity
	depth := func(p string) int { return strings.Count(p, "!/") }
	best := map[**string]int{} // the depth each field was last set from
	set := func(dst **string, o observation.Observation) {
		d := depth(o.Path)
		if *dst == nil || d < best[dst] {
			v := o.Value
			*dst = &v
			best[dst] = d
		}
	}
	signers := map[string]*report.Signer{}
	var signerOrder []string
	frameworks := map[string]bool{}
	permissions, permDepth := map[string]bool{}, math.MaxInt
	for _, o := range obs {
		switch o.Kind {
		case observation.AppID:
			set(&id.AppID, o)
		case observation.BundleID:
			if o.Detail == "app" {
				set(&id.BundleID, o)
			}
		case observation.TeamID:
			set(&id.TeamID, o)
		case observation.AppLabel:
			set(&id.Label, o)
		case observation.AppVersion:
			set(&id.Version, o)
			if o.Detail != "" && (id.VersionCode == nil || depth(o.Path) <= best[&id.Version]) {
				v := o.Detail
				id.VersionCode = &v
			}
		case observation.SDKVersion:
			if o.Detail == "min" {
				set(&id.MinSDK, o)
			} else {
				set(&id.TargetSDK, o)
			}
		case observation.Framework:
			frameworks[o.Value] = true
		case observation.Permission:
			// Requested by the outermost manifests (a split APK's, not a
			// nested library's).
			if strings.HasPrefix(o.Detail, "uses-permission") {
				if d := depth(o.Path); d < permDepth {
					permDepth, permissions = d, map[string]bool{}
				}
				if depth(o.Path) == permDepth {
					permissions[o.Value] = true
				}
			}
		}
	}
	// Signers: a subject observation's detail is "SHA256 SCHEME ISSUER".
	subjects := map[string][2]string{} // sha256 -> subject, issuer
	for _, o := range obs {
		if o.Kind == observation.CertSubject {
			parts := strings.SplitN(o.Detail, " ", 3)
			if len(parts) == 3 {
				subjects[parts[0]] = [2]string{o.Value, parts[2]}
			}
		}
	}
	for _, o := range obs {
		if o.Kind != observation.CertSHA256 {
			continue
		}
		s := signers[o.Value]
		if s == nil {
			s = &report.Signer{SHA256: o.Value, Schemes: []string{}}
			signers[o.Value] = s
			signerOrder = append(signerOrder, o.Value)
		}
		if sub, ok := subjects[o.Value]; ok && s.Subject == "" {
			s.Subject, s.Issuer = sub[0], sub[1]
		}
		if !contains(s.Schemes, o.Detail) {
			s.Schemes = append(s.Schemes, o.Detail)
			sort.Strings(s.Schemes)
		}
	}
	id.Signers = []report.Signer{}
	for _, k := range signerOrder {
		id.Signers = append(id.Signers, *signers[k])
	}
	id.Frameworks = []string{}
	for f := range frameworks {
		id.Frameworks = append(id.Frameworks, f)
	}
	sort.Strings(id.Frameworks)
	for p := range permissions {
		id.Permissions = append(id.Permissions, p)
	}
	sort.Strings(id.Permissions)
	return id
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
