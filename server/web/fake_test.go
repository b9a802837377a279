package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/scanner/report"
)

// fakeBackend is an in-memory Backend. Enabling a pack sets the verdict of
// the scans listed in packEffect[pack]; disabling it restores their base
// verdict.
type fakeBackend struct {
	mu         sync.Mutex
	scans      []ScanDetail // newest first
	base       map[string]string
	policy     PolicyView
	changes    []PolicyChange // newest first
	flips      map[string][]Flip
	packEffect map[string]map[string]string
	sigEffect  map[string]map[string]string
	sigPuts    []SignatureUpload

	filters        []ScanFilter
	setPackCalls   int
	exceptions     []Exception
	failNext       error
	scanDelay      time.Duration
	lastChangeUser User
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{
		base:       map[string]string{},
		flips:      map[string][]Flip{},
		packEffect: map[string]map[string]string{},
		sigEffect:  map[string]map[string]string{},
		policy: PolicyView{ID: "sdkvet-default", Version: "1", FailOn: "high", WarnOn: "low",
			Packs: []PackView{
				{ID: "baidu", Name: "Baidu SDKs and apps (watch list)", Description: "Baidu's SDKs, on watch."},
				{ID: "eo13971", Name: "U.S. Executive Order 13971 applications", Description: "The eight applications."},
			}},
	}
}

func (b *fakeBackend) add(s ScanDetail) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.scans = append([]ScanDetail{s}, b.scans...)
	b.base[s.ID] = s.Verdict
}

func (b *fakeBackend) filterCalls() []ScanFilter {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.filters)
}

func (b *fakeBackend) ListScans(ctx context.Context, f ScanFilter) (ScanPage, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.filters = append(b.filters, f)
	if err := b.failNext; err != nil {
		b.failNext = nil
		return ScanPage{}, err
	}
	var match []ScanSummary
	for _, s := range b.scans {
		if f.Verdict != "" && s.Verdict != f.Verdict || f.AppID != "" && s.AppID != f.AppID ||
			f.Query != "" && !strings.Contains(s.FileName+s.AppID+s.Label, f.Query) {
			continue
		}
		match = append(match, s.ScanSummary)
	}
	page := ScanPage{Total: len(match)}
	lim := f.Limit
	if lim == 0 {
		lim = 50
	}
	if f.Offset < len(match) {
		page.Scans = match[f.Offset:min(len(match), f.Offset+lim)]
	}
	return page, nil
}

func (b *fakeBackend) GetScan(ctx context.Context, id string) (ScanDetail, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.scans {
		if s.ID == id {
			return s, nil
		}
	}
	return ScanDetail{}, ErrNotFound
}

func (b *fakeBackend) Policy(ctx context.Context) (PolicyView, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.policy
	p.Packs = slices.Clone(p.Packs)
	p.Exceptions = slices.Clone(p.Exceptions)
	p.Signatures = slices.Clone(p.Signatures)
	return p, nil
}

// record bumps the policy version, re-judges every scan with judge and
// records the flips. Callers hold b.mu.
func (b *fakeBackend) record(by User, what string, judge func(id string) string) PolicyChange {
	prev := b.policy.Version
	var n int
	fmt.Sscan(prev, &n)
	b.policy.Version = fmt.Sprint(n + 1)
	var flips []Flip
	for i := range b.scans {
		s := &b.scans[i]
		if s.Status != StatusDone {
			continue
		}
		v := judge(s.ID)
		if v != s.Verdict {
			flips = append(flips, Flip{ScanID: s.ID, FileName: s.FileName, AppID: s.AppID, BundleID: s.BundleID,
				Label: s.Label, Before: s.Verdict, After: v})
			s.Verdict = v
			if s.Report != nil {
				r := *s.Report
				r.Verdict = v
				r.Policy.Version = b.policy.Version
				s.Report = &r
			}
		}
		s.PolicyVersion = b.policy.Version
	}
	c := PolicyChange{Version: b.policy.Version, PreviousVersion: prev, At: time.Date(2026, 11, 24, 10, 0, n, 0, time.UTC),
		By: by.Name, What: what, Flipped: len(flips)}
	b.changes = append([]PolicyChange{c}, b.changes...)
	b.flips[c.Version] = flips
	b.lastChangeUser = by
	return c
}

func (b *fakeBackend) SetPack(ctx context.Context, by User, pack string, enabled bool) (PolicyChange, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.setPackCalls++
	for i := range b.policy.Packs {
		if b.policy.Packs[i].ID == pack {
			b.policy.Packs[i].Enabled = enabled
		}
	}
	what := "disabled pack " + pack
	if enabled {
		what = "enabled pack " + pack
	}
	return b.record(by, what, func(id string) string {
		v := b.base[id]
		for _, p := range b.policy.Packs {
			if nv, ok := b.packEffect[p.ID][id]; ok && p.Enabled {
				v = report.WorseVerdict(v, nv)
			}
		}
		return v
	}), nil
}

func (b *fakeBackend) AddException(ctx context.Context, by User, e Exception) (PolicyChange, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.exceptions = append(b.exceptions, e)
	b.policy.Exceptions = append(b.policy.Exceptions, e)
	return b.record(by, "added exception for "+e.Kind+" "+e.Value, func(id string) string {
		for _, s := range b.scans {
			if s.ID == id {
				return s.Verdict
			}
		}
		return ""
	}), nil
}

// PutSignature stores the file; a file containing "invalid" is refused as
// the loader would refuse it, and a banned file sets the verdict of the
// scans listed in sigEffect[name].
func (b *fakeBackend) PutSignature(ctx context.Context, by User, f SignatureUpload) (PolicyChange, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sigPuts = append(b.sigPuts, f)
	if strings.Contains(f.YAML, "invalid") {
		return PolicyChange{}, &InputError{Msg: "settings:" + f.Name + ":3: vendor.id: \"<b>invalid</b>\" must be lower-case letters, digits and '-'"}
	}
	b.policy.Signatures = slices.DeleteFunc(b.policy.Signatures, func(s SignatureView) bool { return s.Name == f.Name })
	b.policy.Signatures = append(b.policy.Signatures, SignatureView{Name: f.Name, VendorID: "examplevendor", SDKs: 1, Status: f.Status, Severity: f.Severity,
		SHA256: strings.Repeat("c", 64)})
	return b.record(by, "signature file "+f.Name+" added", b.sigJudge), nil
}

func (b *fakeBackend) DeleteSignature(ctx context.Context, by User, name string) (PolicyChange, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(b.policy.Signatures)
	b.policy.Signatures = slices.DeleteFunc(b.policy.Signatures, func(s SignatureView) bool { return s.Name == name })
	if len(b.policy.Signatures) == n {
		return PolicyChange{}, ErrNotFound
	}
	return b.record(by, "signature file "+name+" deleted", b.sigJudge), nil
}

// sigJudge is a scan's verdict under the stored signature files. Callers
// hold b.mu.
func (b *fakeBackend) sigJudge(id string) string {
	v := b.base[id]
	for _, s := range b.policy.Signatures {
		if nv, ok := b.sigEffect[s.Name][id]; ok && s.Status == "banned" {
			v = report.WorseVerdict(v, nv)
		}
	}
	return v
}

func (b *fakeBackend) Changes(ctx context.Context, limit int) ([]PolicyChange, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.changes[:min(limit, len(b.changes))]), nil
}

func (b *fakeBackend) Flips(ctx context.Context, version string) (ChangeSet, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.changes {
		if c.Version == version {
			return ChangeSet{Change: c, Flips: slices.Clone(b.flips[version])}, nil
		}
	}
	return ChangeSet{}, ErrNotFound
}

// fakeService is the rest of a service around the pages: users, sessions,
// CSRF tokens and an upload endpoint that "scans" in the background.
type fakeService struct {
	t        testing.TB
	backend  *fakeBackend
	mu       sync.Mutex
	users    map[string]fakeUser
	sessions map[string]User
	seq      int
	handler  http.Handler
	logins   int
}

type fakeUser struct {
	password string
	role     Role
}

const sessionCookie = "fake_session"

func newFakeService(t testing.TB) *fakeService {
	s := &fakeService{t: t, backend: newFakeBackend(), sessions: map[string]User{}, users: map[string]fakeUser{
		"admin":  {"admin-pass", Admin},
		"rev":    {"rev-pass", Reviewer},
		"viewer": {"viewer-pass", Viewer},
	}}
	pages, err := New(Config{
		Backend:     s.backend,
		CurrentUser: s.currentUser,
		CSRFToken:   s.csrfToken,
		Login:       s.login,
		Logout:      s.logout,
		MaxUpload:   64 << 20,
		Version:     "test",
		// The fake serves plain HTTP on loopback.
		InsecureCookies: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/scans", s.upload)
	mux.Handle("/", pages)
	s.handler = mux
	return s
}

// session creates a session for a user directly (tests that skip the
// sign-in form) and returns its cookie.
func (s *fakeService) session(name string) *http.Cookie {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("s%d", s.seq)
	s.sessions[id] = User{Name: name, Role: s.users[name].role}
	return &http.Cookie{Name: sessionCookie, Value: id}
}

func (s *fakeService) currentUser(r *http.Request) (User, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return User{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.sessions[c.Value]
	return u, ok
}

func (s *fakeService) csrfToken(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte("csrf:" + c.Value))
	return hex.EncodeToString(sum[:16])
}

func (s *fakeService) login(w http.ResponseWriter, r *http.Request, name, password string) error {
	s.mu.Lock()
	s.logins++
	u, ok := s.users[name]
	s.mu.Unlock()
	if !ok || u.password != password {
		return ErrBadCredentials
	}
	c := s.session(name)
	c.Path, c.HttpOnly, c.SameSite = "/", true, http.SameSiteStrictMode
	http.SetCookie(w, c)
	return nil
}

func (s *fakeService) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	return nil
}

// upload takes a multipart upload like the real API: a reviewer's session
// and the CSRF header are required. The new scan is queued, then done
// after the backend's scanDelay with a passing report; enabling eo13971
// makes it fail.
func (s *fakeService) upload(w http.ResponseWriter, r *http.Request) {
	u, ok := s.currentUser(r)
	if !ok || !u.CanUpload() {
		http.Error(w, `{"error":"forbidden"}`, http.StatusForbidden)
		return
	}
	if want := s.csrfToken(r); r.Header.Get("X-CSRF-Token") != want {
		http.Error(w, `{"error":"missing CSRF token"}`, http.StatusForbidden)
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		http.Error(w, `{"error":"no file"}`, http.StatusBadRequest)
		return
	}
	defer f.Close()
	h := sha256.New()
	n, _ := io.Copy(h, f)
	sum := hex.EncodeToString(h.Sum(nil))
	b := s.backend
	b.mu.Lock()
	id := fmt.Sprintf("scan-%d", len(b.scans)+1)
	b.mu.Unlock()
	label := "Uploaded App"
	appID := "com.example.uploaded"
	b.add(ScanDetail{ScanSummary: ScanSummary{ID: id, FileName: hdr.Filename, SHA256: sum, Size: n, Kind: "apk",
		Status: StatusQueued, Uploaded: time.Now(), By: u.Name, AppID: appID, Label: label}})
	b.mu.Lock()
	b.packEffect["eo13971"] = map[string]string{id: report.Fail}
	delay := b.scanDelay
	b.mu.Unlock()
	go func() {
		time.Sleep(delay)
		b.mu.Lock()
		defer b.mu.Unlock()
		for i := range b.scans {
			if b.scans[i].ID == id {
				sc := &b.scans[i]
				sc.Status, sc.Verdict, sc.Complete = StatusDone, report.Pass, true
				b.base[id] = report.Pass
				sc.PolicyVersion = b.policy.Version
				sc.Report = &report.Report{SchemaVersion: "1", Tool: report.Tool{Name: "sdkvet", Version: "test", SignaturesVersion: "s1"},
					Policy: report.PolicyInfo{ID: "sdkvet-default", Version: b.policy.Version, FailOn: "high"}, Verdict: report.Pass, Complete: true,
					Targets: []report.Target{{Path: hdr.Filename, Kind: "apk", SHA256: sum, Size: n, Verdict: report.Pass, Complete: true,
						Identity: report.Identity{AppID: &appID, Label: &label}}}}
			}
		}
	}()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]string{"id": id, "status": StatusQueued})
}
