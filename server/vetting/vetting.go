// Package vetting is the vetting service's core, independent of HTTP:
// uploads, the scan queue, reports, the versioned policy and packs, and the
// re-evaluation of every stored package when they change, with an audit
// log. The REST API and the web pages are thin layers over a Service.
package vetting

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sirupsen/logrus"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/server/blobs"
	"github.com/sdkvet/sdkvet/server/extractcodec"
	"github.com/sdkvet/sdkvet/server/jobs"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/signatures"
)

// Errors the API maps to status codes.
var (
	ErrNotFound   = store.ErrNotFound
	ErrTooLarge   = blobs.ErrTooLarge
	ErrBadRequest = errors.New("bad request")
	ErrConflict   = errors.New("conflict")
)

// DefaultMaxUpload is the default upload size limit (4 GB).
const DefaultMaxUpload = 4 << 30

// Config configures a Service.
type Config struct {
	Store store.Store
	Blobs *blobs.Dir
	// Judge holds the scan limits.
	Judge     judge.Options
	Workers   int
	MaxUpload int64
	Log       *logrus.Logger
	// ScanDelay holds each scan back (restart tests).
	ScanDelay time.Duration
	// OnScanDone, when set, is called after each scan ends.
	OnScanDone func(sc store.Scan, status string, elapsed time.Duration)
	// OnRejudge, when set, is called after each re-judgement pass.
	OnRejudge func(judge.Stats)
	// BeforeScan, when set, runs before each scan; its error fails the
	// scan (tests).
	BeforeScan func(ctx context.Context, sc store.Scan) error
}

// Service is the vetting service.
type Service struct {
	cfg        Config
	engine     atomic.Pointer[judge.Engine]
	settingsMu sync.Mutex
	// blobMu pairs a package file with its scan row: an upload's commit
	// and a delete's removal of the same package never interleave.
	blobMu sync.Mutex
	pool   *jobs.Pool
	cancel context.CancelFunc
	bg     sync.WaitGroup
}

// New loads the current settings (storing the embedded default policy as
// version 1 on first start) and builds the judging engine.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.Log == nil {
		cfg.Log = logrus.New()
		cfg.Log.SetOutput(io.Discard)
	}
	s := &Service{cfg: cfg}
	st, err := cfg.Store.CurrentSettings(ctx)
	if errors.Is(err, store.ErrNotFound) {
		st, err = cfg.Store.AddSettings(ctx, store.Settings{PolicyYAML: string(signatures.DefaultPolicy()), Packs: []string{},
			Author: "system", Note: "embedded default policy", CreatedAt: time.Now()})
	}
	if err != nil {
		return nil, fmt.Errorf("load settings: %w", err)
	}
	e, err := judge.New(st, cfg.Judge)
	if err != nil {
		return nil, err
	}
	s.engine.Store(e)
	return s, nil
}

// Start resumes the queue and starts the workers, and re-judges in the
// background any scan judged under older settings (a change interrupted by
// a stop). Close stops them.
func (s *Service) Start(ctx context.Context) error {
	ctx, s.cancel = context.WithCancel(ctx)
	s.pool = &jobs.Pool{Store: s.cfg.Store, Blobs: s.cfg.Blobs, Engine: s.Engine, Workers: s.cfg.Workers,
		Log: s.cfg.Log, OnDone: s.cfg.OnScanDone, Delay: s.cfg.ScanDelay, BeforeScan: s.cfg.BeforeScan}
	if err := s.pool.Start(ctx); err != nil {
		s.cancel()
		return err
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.settingsMu.Lock()
		defer s.settingsMu.Unlock()
		if _, err := s.rejudge(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.WithError(err).Warn("catch-up re-judgement")
		}
	}()
	return nil
}

// Close stops the workers; scans they were running resume at next start.
func (s *Service) Close() {
	if s.cancel != nil {
		s.cancel()
		s.pool.Wait()
		s.bg.Wait()
	}
}

// Engine returns the current judging engine.
func (s *Service) Engine() *judge.Engine { return s.engine.Load() }

// MaxUpload is the upload size limit.
func (s *Service) MaxUpload() int64 { return s.cfg.MaxUpload }

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ValidID reports whether id has the form of a scan id.
func ValidID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

// CleanFilename turns an uploaded file name into a display name: its last
// path element, printable characters only, at most 200 bytes. It is data
// shown in reports and never used as a path.
func CleanFilename(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	for len(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	if name == "" || name == "/" || name == "." || name == ".." {
		name = "upload"
	}
	return name
}

// UploadOutcome says what an upload did.
type UploadOutcome int

// Upload outcomes.
const (
	// Created: a new scan was queued.
	Created UploadOutcome = iota
	// Retried: the package had a failed scan, which was queued again
	// (same id, error cleared, attempts kept).
	Retried
	// Existing: the package has a scan that is queued, running or done;
	// it is returned as it is.
	Existing
)

// Upload streams a package to the blob store and queues its scan. When a
// package with the same SHA-256 was uploaded before, it returns that scan:
// queued again if it had failed (Retried), else as it is (Existing).
func (s *Service) Upload(ctx context.Context, r io.Reader, filename, actor string) (store.Scan, UploadOutcome, error) {
	staged, err := s.cfg.Blobs.Stage(r, s.cfg.MaxUpload)
	if err != nil {
		return store.Scan{}, Existing, err
	}
	if staged.Size == 0 {
		staged.Discard()
		return store.Scan{}, Existing, fmt.Errorf("%w: empty upload", ErrBadRequest)
	}
	// The blob and the row that names it appear together, so a delete of
	// the same package cannot remove the file between the two. The blob
	// is committed again for a retry: a package file lost since the first
	// upload is put back.
	s.blobMu.Lock()
	err = staged.Commit()
	var sc store.Scan
	outcome := Existing
	if err == nil {
		var created bool
		sc, created, err = s.cfg.Store.CreateScan(ctx, store.Scan{ID: newID(), SHA256: staged.SHA256, Filename: CleanFilename(filename),
			Size: staged.Size, UploadedBy: actor, CreatedAt: time.Now()})
		switch {
		case err != nil:
		case created:
			outcome = Created
		case sc.Status == store.StatusFailed:
			// Of two uploads retrying at once, one queues the scan; the
			// other gets it queued, as Existing.
			var retried bool
			if sc, retried, err = s.cfg.Store.RetryScan(ctx, sc.ID); err == nil && retried {
				outcome = Retried
			}
		}
	}
	s.blobMu.Unlock()
	if err != nil {
		return sc, Existing, err
	}
	if outcome == Retried {
		s.cfg.Log.WithFields(logrus.Fields{"scan": sc.ID, "attempts": sc.Attempts}).Info("failed scan queued again by a new upload")
	}
	if outcome != Existing && s.pool != nil {
		s.pool.Notify() // before Start, the queue is read when it starts
	}
	return sc, outcome, nil
}

// Scan returns one scan.
func (s *Service) Scan(ctx context.Context, id string) (store.Scan, error) {
	if !ValidID(id) {
		return store.Scan{}, ErrNotFound
	}
	return s.cfg.Store.GetScan(ctx, id)
}

// Findings returns a scan's indexed findings.
func (s *Service) Findings(ctx context.Context, id string) ([]store.Finding, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	return s.cfg.Store.ScanFindings(ctx, id)
}

// List searches scans.
func (s *Service) List(ctx context.Context, q store.Query) ([]store.Scan, int, error) {
	return s.cfg.Store.ListScans(ctx, q)
}

// Delete removes a scan and its package file.
func (s *Service) Delete(ctx context.Context, id, actor string) error {
	if !ValidID(id) {
		return ErrNotFound
	}
	s.blobMu.Lock()
	sc, err := s.cfg.Store.DeleteScan(ctx, id)
	if err == nil {
		if rerr := s.cfg.Blobs.Remove(sc.SHA256); rerr != nil {
			s.cfg.Log.WithError(rerr).Warn("remove package file")
		}
	}
	s.blobMu.Unlock()
	if err != nil {
		return err
	}
	_, err = s.cfg.Store.AddAudit(ctx, store.AuditEntry{At: time.Now(), Actor: actor, Action: "scan.delete",
		Detail: fmt.Sprintf("deleted scan %s (%s, sha256 %s)", sc.ID, sc.Filename, sc.SHA256), SettingsVersion: s.Engine().Settings.Version})
	return err
}

// Target judges a finished scan's stored extract under the current engine.
func (s *Service) Target(ctx context.Context, id string) (report.Target, *judge.Engine, error) {
	sc, err := s.Scan(ctx, id)
	if err != nil {
		return report.Target{}, nil, err
	}
	if sc.Status != store.StatusDone {
		return report.Target{}, nil, fmt.Errorf("%w: scan is %s", ErrConflict, sc.Status)
	}
	data, err := s.cfg.Store.GetExtract(ctx, id)
	if err != nil {
		return report.Target{}, nil, err
	}
	x, err := extractcodec.Decode(data)
	if err != nil {
		return report.Target{}, nil, fmt.Errorf("scan %s: %w", id, err)
	}
	e := s.Engine()
	t, _ := e.Judge(x)
	return t, e, nil
}

// Report returns the report of a finished scan under the current settings.
func (s *Service) Report(ctx context.Context, id string) (*report.Report, error) {
	t, e, err := s.Target(ctx, id)
	if err != nil {
		return nil, err
	}
	return e.Report(t), nil
}

// Settings returns the current settings.
func (s *Service) Settings() store.Settings { return s.Engine().Settings }

// Change is the effect of a settings change.
type Change struct {
	Version int64
	Judged  int
	Flips   []store.Flip
	Elapsed time.Duration
	Audit   store.AuditEntry
}

// PutPolicy replaces the policy and re-judges every stored package.
func (s *Service) PutPolicy(ctx context.Context, policyYAML, actor string) (Change, error) {
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	cur := s.Settings()
	if _, _, err := judge.Load(policyChange(policyYAML, cur)); err != nil {
		return Change{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	return s.apply(ctx, policyChange(policyYAML, cur), actor, "policy.put",
		fmt.Sprintf("policy replaced (%d bytes, was version %d)", len(policyYAML), cur.Version))
}

// policyChange is cur with another policy.
func policyChange(policyYAML string, cur store.Settings) store.Settings {
	return store.Settings{PolicyYAML: policyYAML, Packs: cur.Packs, Signatures: cur.Signatures}
}

// PackState is an extension pack and whether it is on.
type PackState struct {
	signatures.Pack
	Enabled bool
	// ByPolicy: switched on by the policy's own packs list (switch it off
	// by editing the policy).
	ByPolicy bool
}

// Packs lists the extension packs.
func (s *Service) Packs() ([]PackState, error) {
	all, err := signatures.Packs()
	if err != nil {
		return nil, err
	}
	e := s.Engine()
	var out []PackState
	for _, p := range all {
		out = append(out, PackState{Pack: p, Enabled: slices.Contains(judge.EffectivePacks(e.Policy, e.Settings.Packs), p.ID),
			ByPolicy: slices.Contains(e.Policy.Packs, p.ID)})
	}
	return out, nil
}

// SetPack switches a pack on or off and re-judges every stored package.
func (s *Service) SetPack(ctx context.Context, id string, enabled bool, actor string) (Change, error) {
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	all, err := s.Packs()
	if err != nil {
		return Change{}, err
	}
	var found *PackState
	for i := range all {
		if all[i].ID == id {
			found = &all[i]
		}
	}
	if found == nil {
		return Change{}, ErrNotFound
	}
	if !enabled && found.ByPolicy {
		return Change{}, fmt.Errorf("%w: pack %s is switched on by the policy's packs list; edit the policy", ErrConflict, id)
	}
	cur := s.Settings()
	packs := slices.DeleteFunc(slices.Clone(cur.Packs), func(p string) bool { return p == id })
	verb := "disable"
	if enabled {
		packs = append(packs, id)
		verb = "enable"
	}
	slices.Sort(packs)
	return s.apply(ctx, store.Settings{PolicyYAML: cur.PolicyYAML, Packs: packs, Signatures: cur.Signatures}, actor, "packs."+verb,
		fmt.Sprintf("pack %s %sd (was version %d)", id, verb, cur.Version))
}

// Reevaluate re-judges every stored package under the current settings as
// a new version (for exceptions that expired since the last change).
func (s *Service) Reevaluate(ctx context.Context, actor string) (Change, error) {
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	cur := s.Settings()
	return s.apply(ctx, store.Settings{PolicyYAML: cur.PolicyYAML, Packs: cur.Packs, Signatures: cur.Signatures}, actor, "reevaluate",
		fmt.Sprintf("re-evaluation under version %d's settings", cur.Version))
}

// apply stores a settings version, switches the engine to it, re-judges
// every stored package and records the change in the audit log. The
// caller holds settingsMu.
func (s *Service) apply(ctx context.Context, st store.Settings, actor, action, detail string) (Change, error) {
	st.Author, st.Note, st.CreatedAt = actor, action, time.Now()
	if st.Packs == nil {
		st.Packs = []string{}
	}
	e, err := judge.New(st, s.cfg.Judge)
	if err != nil {
		return Change{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	saved, err := s.cfg.Store.AddSettings(ctx, st)
	if err != nil {
		return Change{}, err
	}
	e.Settings = saved
	s.engine.Store(e)
	// The re-judgement and its record finish even if the request is
	// cancelled; a stop half-way is caught up at the next start.
	ctx = context.WithoutCancel(ctx)
	stats, err := s.rejudge(ctx)
	if err != nil {
		return Change{}, err
	}
	a, err := s.cfg.Store.AddAudit(ctx, store.AuditEntry{At: time.Now(), Actor: actor, Action: action,
		Detail:          fmt.Sprintf("%s; %d packages re-judged, %d verdicts flipped", detail, stats.Judged, len(stats.Flips)),
		SettingsVersion: saved.Version, Flipped: len(stats.Flips)})
	if err != nil {
		return Change{}, err
	}
	return Change{Version: saved.Version, Judged: stats.Judged, Flips: stats.Flips, Elapsed: stats.Elapsed, Audit: a}, nil
}

func (s *Service) rejudge(ctx context.Context) (judge.Stats, error) {
	stats, err := judge.Rejudge(ctx, s.cfg.Store, s.Engine(), 0)
	if err == nil && s.cfg.OnRejudge != nil {
		s.cfg.OnRejudge(stats)
	}
	if stats.Errors > 0 {
		s.cfg.Log.WithField("errors", stats.Errors).Warn("stored extracts that could not be read")
	}
	return stats, err
}

// Versions lists the settings versions, newest first.
func (s *Service) Versions(ctx context.Context) ([]store.Settings, error) {
	return s.cfg.Store.ListSettings(ctx)
}

// Flips lists the scans whose verdict a settings version flipped.
func (s *Service) Flips(ctx context.Context, version int64) ([]store.Flip, error) {
	return s.cfg.Store.Flips(ctx, version)
}

// Audit returns the latest audit entries, newest first.
func (s *Service) Audit(ctx context.Context, limit int) ([]store.AuditEntry, error) {
	return s.cfg.Store.ListAudit(ctx, limit)
}

// Store returns the service's store.
func (s *Service) Store() store.Store { return s.cfg.Store }
