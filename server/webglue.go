package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/server/auth"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/server/vetting"
	"github.com/sdkvet/sdkvet/server/web"
)

// webBackend adapts the vetting service to the pages' web.Backend.
type webBackend struct {
	svc *vetting.Service
}

var _ web.Backend = webBackend{}

func (s *Server) webHandler() (http.Handler, error) {
	return web.New(web.Config{
		Backend: webBackend{s.Service},
		CurrentUser: func(r *http.Request) (web.User, bool) {
			p := s.pagePrincipal(r)
			if p == nil {
				return web.User{}, false
			}
			return web.User{Name: displayName(p.Name), Role: web.Role(p.Role.String())}, true
		},
		CSRFToken: func(r *http.Request) string {
			if p := s.pagePrincipal(r); p != nil && p.Session != nil {
				return p.Session.CSRF
			}
			return ""
		},
		Login: func(w http.ResponseWriter, r *http.Request, name, password string) error {
			_, err := s.Auth.Login(r.Context(), w, name, password)
			if errors.Is(err, auth.ErrBadCredentials) {
				return web.ErrBadCredentials
			}
			return err
		},
		Logout:          s.Auth.Logout,
		CSRFHeader:      auth.CSRFHeader,
		MaxUpload:       s.Service.MaxUpload(),
		Version:         scanner.Version,
		InsecureCookies: s.cfg.InsecureCookies,
		Logger:          slog.New(slog.NewTextHandler(s.cfg.Log.Out, nil)),
	})
}

// wrapPage applies metrics and the rate limit to a page request; the
// pages check sign-in, roles and CSRF themselves.
func (s *Server) wrapPage(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		start := time.Now()
		defer func() { s.metrics.request("page", r.Method, rec.code, time.Since(start)) }()
		p, err := s.Auth.Authenticate(r)
		if err != nil {
			p = nil
		}
		if !s.limits.allow(rateKey(r, p), p == nil) {
			rec.Header().Set("Retry-After", "1")
			http.Error(rec, "Too many requests; try again in a moment.", http.StatusTooManyRequests)
			return
		}
		if p != nil {
			r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		}
		h.ServeHTTP(rec, r)
	})
}

// pagePrincipal returns the signed-in principal of a page request, as
// wrapPage found it (nil: not signed in), so a page costs one lookup.
func (s *Server) pagePrincipal(r *http.Request) *auth.Principal {
	if p, ok := auth.FromContext(r.Context()); ok {
		return p
	}
	p, err := s.Auth.Authenticate(r)
	if err != nil {
		return nil
	}
	return p
}

func displayName(principal string) string {
	if n, ok := strings.CutPrefix(principal, "user:"); ok {
		return n
	}
	return principal
}

func mapErr(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return web.ErrNotFound
	case errors.Is(err, vetting.ErrBadRequest):
		return &web.InputError{Msg: strings.TrimPrefix(err.Error(), vetting.ErrBadRequest.Error()+": ")}
	case errors.Is(err, vetting.ErrConflict):
		return &web.InputError{Msg: strings.TrimPrefix(err.Error(), vetting.ErrConflict.Error()+": ")}
	}
	return err
}

func (b webBackend) summary(ctx context.Context, sc store.Scan) (web.ScanSummary, error) {
	out := web.ScanSummary{ID: sc.ID, FileName: sc.Filename, SHA256: sc.SHA256, Size: sc.Size, Kind: sc.Kind, Status: sc.Status,
		Verdict: sc.Verdict, Complete: sc.Complete, AppID: sc.AppID, BundleID: sc.BundleID, Label: sc.Label, Version: sc.Version,
		Uploaded: sc.CreatedAt, By: displayName(sc.UploadedBy), Error: sc.Error}
	fs, err := b.svc.Findings(ctx, sc.ID)
	if err != nil {
		return out, err
	}
	out.Findings = len(fs)
	for _, f := range fs {
		if f.Vendor != "" && !slices.Contains(out.Vendors, f.Vendor) {
			out.Vendors = append(out.Vendors, f.Vendor)
		}
		if f.Kind == "sdk" && f.Name != "" && !slices.Contains(out.SDKs, f.Name) {
			out.SDKs = append(out.SDKs, f.Name)
		}
	}
	return out, nil
}

func (b webBackend) ListScans(ctx context.Context, f web.ScanFilter) (web.ScanPage, error) {
	q := store.Query{AppID: f.AppID, BundleID: f.BundleID, VendorID: strings.ToLower(f.Vendor), Rule: f.SDK,
		Verdict: f.Verdict, Status: f.Status, Text: f.Query, Since: f.From, Limit: f.Limit, Offset: f.Offset}
	if !f.To.IsZero() {
		q.Until = f.To.AddDate(0, 0, 1)
	}
	scans, total, err := b.svc.List(ctx, q)
	if err != nil {
		return web.ScanPage{}, err
	}
	page := web.ScanPage{Total: total, Scans: []web.ScanSummary{}}
	for _, sc := range scans {
		s, err := b.summary(ctx, sc)
		if err != nil {
			return page, err
		}
		page.Scans = append(page.Scans, s)
	}
	return page, nil
}

func (b webBackend) GetScan(ctx context.Context, id string) (web.ScanDetail, error) {
	sc, err := b.svc.Scan(ctx, id)
	if err != nil {
		return web.ScanDetail{}, mapErr(err)
	}
	s, err := b.summary(ctx, sc)
	if err != nil {
		return web.ScanDetail{}, err
	}
	d := web.ScanDetail{ScanSummary: s}
	if sc.Status == store.StatusDone {
		rep, err := b.svc.Report(ctx, id)
		if err != nil {
			return d, mapErr(err)
		}
		d.Report = rep
		d.PolicyVersion = strconv.FormatInt(b.svc.Settings().Version, 10)
	}
	return d, nil
}

func (b webBackend) Policy(ctx context.Context) (web.PolicyView, error) {
	e := b.svc.Engine()
	packs, err := web.PackViews(judge.EffectivePacks(e.Policy, e.Settings.Packs))
	if err != nil {
		return web.PolicyView{}, err
	}
	v := web.PolicyView{ID: e.Policy.ID, Version: strconv.FormatInt(e.Settings.Version, 10), FailOn: e.Policy.FailOn.String(),
		WarnOn: e.Policy.WarnOn.String(), Packs: packs, Exceptions: []web.Exception{}}
	for _, x := range e.Policy.Exceptions {
		we := web.Exception{Reason: x.Reason, Owner: x.Owner}
		switch {
		case x.SDK != "":
			we.Kind, we.Value = web.ExceptSDK, x.SDK
		case x.Vendor != "":
			we.Kind, we.Value = web.ExceptVendor, x.Vendor
		default:
			we.Kind, we.Value = web.ExceptApp, x.App
		}
		if t, err := time.Parse(time.DateOnly, x.Expires); err == nil {
			we.Expires = t
		}
		v.Exceptions = append(v.Exceptions, we)
	}
	v.Signatures = []web.SignatureView{}
	for _, f := range b.svc.Signatures() {
		v.Signatures = append(v.Signatures, web.SignatureView{Name: f.Name, VendorID: f.VendorID, Extends: f.Extends, SDKs: f.SDKs, Apps: f.Apps,
			SHA256: f.SHA256, Status: f.Status, Severity: f.Severity})
	}
	return v, nil
}

func (b webBackend) PutSignature(ctx context.Context, by web.User, f web.SignatureUpload) (web.PolicyChange, error) {
	c, err := b.svc.PutSignature(ctx, store.SignatureFile{Name: f.Name, YAML: f.YAML, Status: f.Status, Severity: f.Severity}, actor(by))
	return b.change(ctx, c, err)
}

func (b webBackend) DeleteSignature(ctx context.Context, by web.User, name string) (web.PolicyChange, error) {
	c, err := b.svc.DeleteSignature(ctx, name, actor(by))
	return b.change(ctx, c, err)
}

func actor(u web.User) string { return "user:" + u.Name }

func (b webBackend) change(ctx context.Context, c vetting.Change, err error) (web.PolicyChange, error) {
	if err != nil {
		return web.PolicyChange{}, mapErr(err)
	}
	return toPolicyChange(c.Audit), nil
}

func toPolicyChange(a store.AuditEntry) web.PolicyChange {
	return web.PolicyChange{Version: strconv.FormatInt(a.SettingsVersion, 10), PreviousVersion: strconv.FormatInt(a.SettingsVersion-1, 10),
		At: a.At, By: displayName(a.Actor), What: a.Detail, Flipped: a.Flipped}
}

func (b webBackend) SetPack(ctx context.Context, by web.User, pack string, enabled bool) (web.PolicyChange, error) {
	c, err := b.svc.SetPack(ctx, pack, enabled, actor(by))
	return b.change(ctx, c, err)
}

func (b webBackend) AddException(ctx context.Context, by web.User, e web.Exception) (web.PolicyChange, error) {
	key := e.Kind
	if key == web.ExceptRule {
		key = "sdk" // an SDK's rule id is its SDK id
	}
	x := vetting.Exception{Key: key, Value: e.Value, Reason: e.Reason, Owner: e.Owner}
	if !e.Expires.IsZero() {
		x.Expires = e.Expires.Format(time.DateOnly)
	}
	c, err := b.svc.AddException(ctx, x, actor(by))
	return b.change(ctx, c, err)
}

// settingsActions are the audit actions that made a settings version.
var settingsActions = []string{"policy.put", "policy.exception", "packs.enable", "packs.disable", "reevaluate", "signatures.put", "signatures.delete"}

func (b webBackend) Changes(ctx context.Context, limit int) ([]web.PolicyChange, error) {
	entries, err := b.svc.Audit(ctx, 1000)
	if err != nil {
		return nil, err
	}
	out := []web.PolicyChange{}
	for _, a := range entries {
		if slices.Contains(settingsActions, a.Action) && len(out) < limit {
			out = append(out, toPolicyChange(a))
		}
	}
	return out, nil
}

func (b webBackend) Flips(ctx context.Context, version string) (web.ChangeSet, error) {
	v, err := strconv.ParseInt(version, 10, 64)
	if err != nil || v <= 0 {
		return web.ChangeSet{}, web.ErrNotFound
	}
	entries, err := b.svc.Audit(ctx, 1000)
	if err != nil {
		return web.ChangeSet{}, err
	}
	var cs web.ChangeSet
	found := false
	for _, a := range entries {
		if a.SettingsVersion == v && slices.Contains(settingsActions, a.Action) {
			cs.Change, found = toPolicyChange(a), true
			break
		}
	}
	if !found {
		return cs, web.ErrNotFound
	}
	fs, err := b.svc.Flips(ctx, v)
	if err != nil {
		return cs, err
	}
	cs.Flips = []web.Flip{}
	for _, f := range fs {
		cs.Flips = append(cs.Flips, web.Flip{ScanID: f.ScanID, FileName: f.Filename, AppID: f.AppID, BundleID: f.BundleID,
			Label: f.Label, Before: f.OldVerdict, After: f.NewVerdict})
	}
	return cs, nil
}
