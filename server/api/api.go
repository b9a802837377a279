// Package api is the vetting service's REST API (/api/v1), described by
// server/openapi.yaml. Handlers are thin: they check input, call the
// vetting.Service and write JSON. Authentication, roles, CSRF and rate
// limits are applied around them by the server package, from Routes.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sdkvet/sdkvet/scanner/report/formats"
	"github.com/sdkvet/sdkvet/server/auth"
	"github.com/sdkvet/sdkvet/server/blobs"
	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/server/vetting"
)

// Route is one API operation and the role it needs (auth.None: public).
type Route struct {
	Method  string
	Pattern string
	Role    auth.Role
	Handler http.HandlerFunc
	// LongBody: the request body may be as large as an upload.
	LongBody bool
}

// Limits on request bodies other than uploads.
const (
	MaxJSONBody   = 64 << 10
	MaxPolicyBody = 1 << 20
)

// UploadTimeout is how long one upload may take to arrive.
const UploadTimeout = 2 * time.Hour

// API serves the REST routes.
type API struct {
	Svc  *vetting.Service
	Auth *auth.Authenticator
}

// Routes lists every API route.
func (a *API) Routes() []Route {
	return []Route{
		{"POST", "/api/v1/session", auth.None, a.login, false},
		{"GET", "/api/v1/session", auth.Viewer, a.whoami, false},
		{"DELETE", "/api/v1/session", auth.Viewer, a.logout, false},
		{"POST", "/api/v1/scans", auth.Reviewer, a.createScan, true},
		{"GET", "/api/v1/scans", auth.Viewer, a.listScans, false},
		{"GET", "/api/v1/scans/{id}", auth.Viewer, a.getScan, false},
		{"DELETE", "/api/v1/scans/{id}", auth.Admin, a.deleteScan, false},
		{"GET", "/api/v1/scans/{id}/report", auth.Viewer, a.getReport, false},
		{"GET", "/api/v1/policy", auth.Viewer, a.getPolicy, false},
		{"PUT", "/api/v1/policy", auth.Admin, a.putPolicy, false},
		{"GET", "/api/v1/packs", auth.Viewer, a.listPacks, false},
		{"PUT", "/api/v1/packs/{id}", auth.Admin, a.setPack, false},
		{"GET", "/api/v1/signatures", auth.Viewer, a.listSignatures, false},
		{"GET", "/api/v1/signatures/{name}", auth.Viewer, a.getSignature, false},
		{"PUT", "/api/v1/signatures/{name}", auth.Admin, a.putSignature, false},
		{"DELETE", "/api/v1/signatures/{name}", auth.Admin, a.deleteSignature, false},
		{"POST", "/api/v1/reevaluate", auth.Admin, a.reevaluate, false},
		{"GET", "/api/v1/versions", auth.Viewer, a.listVersions, false},
		{"GET", "/api/v1/versions/{version}/changes", auth.Viewer, a.changes, false},
		{"GET", "/api/v1/audit", auth.Viewer, a.audit, false},
		{"GET", "/api/v1/tokens", auth.Admin, a.listTokens, false},
		{"DELETE", "/api/v1/tokens/{id}", auth.Admin, a.revokeToken, false},
	}
}

// WriteJSON writes v as JSON with a status code.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// Error is the body of every error response.
type Error struct {
	Error string `json:"error"`
}

// WriteError writes {"error": msg}.
func WriteError(w http.ResponseWriter, code int, msg string) {
	WriteJSON(w, code, Error{msg})
}

// fail maps a service error to a response.
func fail(w http.ResponseWriter, err error) {
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, store.ErrNotFound):
		WriteError(w, http.StatusNotFound, "not found")
	case errors.Is(err, blobs.ErrTooLarge), errors.As(err, &mbe):
		WriteError(w, http.StatusRequestEntityTooLarge, "upload exceeds the size limit")
	case errors.Is(err, io.ErrUnexpectedEOF):
		WriteError(w, http.StatusBadRequest, "the upload ended early")
	case errors.Is(err, vetting.ErrBadRequest):
		WriteError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, vetting.ErrConflict):
		WriteError(w, http.StatusConflict, err.Error())
	default:
		WriteError(w, http.StatusInternalServerError, "internal error")
	}
}

func principal(r *http.Request) *auth.Principal {
	p, _ := auth.FromContext(r.Context())
	if p == nil {
		return &auth.Principal{Name: "anonymous"}
	}
	return p
}

// Scan is a scan in API responses.
type Scan struct {
	ID              string         `json:"id"`
	SHA256          string         `json:"sha256"`
	Filename        string         `json:"filename"`
	Size            int64          `json:"size"`
	Kind            string         `json:"kind"`
	Status          string         `json:"status"`
	Error           string         `json:"error"`
	Verdict         string         `json:"verdict"`
	Complete        bool           `json:"complete"`
	AppID           string         `json:"app_id"`
	BundleID        string         `json:"bundle_id"`
	Label           string         `json:"label"`
	Version         string         `json:"version"`
	UploadedBy      string         `json:"uploaded_by"`
	CreatedAt       time.Time      `json:"created_at"`
	StartedAt       *time.Time     `json:"started_at"`
	FinishedAt      *time.Time     `json:"finished_at"`
	Attempts        int            `json:"attempts"`
	SettingsVersion int64          `json:"settings_version"`
	Findings        []Finding      `json:"findings,omitempty"`
	Duplicate       *bool          `json:"duplicate,omitempty"`
	Retried         *bool          `json:"retried,omitempty"`
	Links           map[string]any `json:"links"`
}

// Finding is one indexed finding of a scan.
type Finding struct {
	Rule       string `json:"rule"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	VendorID   string `json:"vendor_id"`
	Vendor     string `json:"vendor"`
	Severity   string `json:"severity"`
	Suppressed bool   `json:"suppressed"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ToScan converts a stored scan.
func ToScan(s store.Scan) Scan {
	return Scan{ID: s.ID, SHA256: s.SHA256, Filename: s.Filename, Size: s.Size, Kind: s.Kind, Status: s.Status, Error: s.Error,
		Verdict: s.Verdict, Complete: s.Complete, AppID: s.AppID, BundleID: s.BundleID, Label: s.Label, Version: s.Version,
		UploadedBy: s.UploadedBy, CreatedAt: s.CreatedAt, StartedAt: timePtr(s.StartedAt), FinishedAt: timePtr(s.FinishedAt),
		Attempts: s.Attempts, SettingsVersion: s.JudgedVersion,
		Links: map[string]any{"self": "/api/v1/scans/" + s.ID, "report": "/api/v1/scans/" + s.ID + "/report?format=json"}}
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// Session describes the caller.
type Session struct {
	Name string `json:"name"`
	Role string `json:"role"`
	// CSRFToken must be sent as X-CSRF-Token with state-changing requests
	// authenticated by the session cookie.
	CSRFToken string `json:"csrf_token,omitempty"`
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		WriteError(w, http.StatusUnsupportedMediaType, "want Content-Type: application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		WriteError(w, http.StatusBadRequest, "invalid JSON body")
		return false
	}
	return true
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	se, err := a.Auth.Login(r.Context(), w, req.Name, req.Password)
	if errors.Is(err, auth.ErrBadCredentials) {
		WriteError(w, http.StatusUnauthorized, err.Error())
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	u, err := a.Svc.Store().GetUser(r.Context(), se.UserName)
	if err != nil {
		fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, Session{Name: "user:" + u.Name, Role: u.Role, CSRFToken: se.CSRF})
}

func (a *API) whoami(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	s := Session{Name: p.Name, Role: p.Role.String()}
	if p.Session != nil {
		s.CSRFToken = p.Session.CSRF
	}
	WriteJSON(w, http.StatusOK, s)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.Auth.Logout(w, r); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// createScan accepts a package as multipart/form-data (field "file") or
// as the raw request body (name from ?filename=), streaming it to disk.
func (a *API) createScan(w http.ResponseWriter, r *http.Request) {
	// Allow a large upload the time it needs: the server's read deadline
	// would cut the body off, and its write deadline (set when the headers
	// were read) would drop the response to an upload that took longer.
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(UploadTimeout)
	rc.SetReadDeadline(deadline)
	rc.SetWriteDeadline(deadline.Add(time.Minute))
	r.Body = http.MaxBytesReader(w, r.Body, a.Svc.MaxUpload()+1<<20)
	var body io.Reader
	name := r.URL.Query().Get("filename")
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			WriteError(w, http.StatusBadRequest, "invalid multipart body")
			return
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				WriteError(w, http.StatusBadRequest, `multipart body without a "file" part`)
				return
			}
			if part.FormName() == "file" {
				if name == "" {
					name = part.FileName()
				}
				body = part
				break
			}
			part.Close()
		}
	} else {
		body = r.Body
	}
	sc, outcome, err := a.Svc.Upload(r.Context(), body, name, principal(r).Name)
	if err != nil {
		fail(w, err)
		return
	}
	out := ToScan(sc)
	// A failed scan queued again by this upload is a duplicate (no new
	// scan) that was accepted for scanning (202).
	dup := outcome != vetting.Created
	out.Duplicate = &dup
	code := http.StatusAccepted
	switch outcome {
	case vetting.Retried:
		retried := true
		out.Retried = &retried
	case vetting.Existing:
		code = http.StatusOK
	}
	w.Header().Set("Location", "/api/v1/scans/"+sc.ID)
	WriteJSON(w, code, out)
}

func (a *API) listScans(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := store.Query{AppID: v.Get("app_id"), BundleID: v.Get("bundle_id"), VendorID: v.Get("vendor"), Rule: v.Get("sdk"),
		Verdict: v.Get("verdict"), Status: v.Get("status")}
	var err error
	parseTime := func(key string, dst *time.Time) bool {
		s := v.Get(key)
		if s == "" {
			return true
		}
		if *dst, err = time.Parse(time.RFC3339, s); err != nil {
			if *dst, err = time.Parse(time.DateOnly, s); err != nil {
				WriteError(w, http.StatusBadRequest, key+": want an RFC 3339 time or a date (YYYY-MM-DD)")
				return false
			}
		}
		return true
	}
	parseInt := func(key string, dst *int, maxV int) bool {
		s := v.Get(key)
		if s == "" {
			return true
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxV {
			WriteError(w, http.StatusBadRequest, fmt.Sprintf("%s: want a number from 0 to %d", key, maxV))
			return false
		}
		*dst = n
		return true
	}
	if !parseTime("since", &q.Since) || !parseTime("until", &q.Until) || !parseInt("limit", &q.Limit, 1000) || !parseInt("offset", &q.Offset, 1<<30) {
		return
	}
	switch q.Verdict {
	case "", "pass", "warn", "fail":
	default:
		WriteError(w, http.StatusBadRequest, "verdict: want pass, warn or fail")
		return
	}
	switch q.Status {
	case "", store.StatusQueued, store.StatusRunning, store.StatusDone, store.StatusFailed:
	default:
		WriteError(w, http.StatusBadRequest, "status: want queued, running, done or failed")
		return
	}
	scans, total, err := a.Svc.List(r.Context(), q)
	if err != nil {
		fail(w, err)
		return
	}
	out := struct {
		Total int    `json:"total"`
		Scans []Scan `json:"scans"`
	}{total, []Scan{}}
	for _, s := range scans {
		out.Scans = append(out.Scans, ToScan(s))
	}
	WriteJSON(w, http.StatusOK, out)
}

func (a *API) getScan(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	sc, err := a.Svc.Scan(r.Context(), id)
	if err != nil {
		fail(w, err)
		return
	}
	fs, err := a.Svc.Findings(r.Context(), id)
	if err != nil {
		fail(w, err)
		return
	}
	out := ToScan(sc)
	out.Findings = []Finding{}
	for _, f := range fs {
		out.Findings = append(out.Findings, Finding(f))
	}
	WriteJSON(w, http.StatusOK, out)
}

func (a *API) deleteScan(w http.ResponseWriter, r *http.Request) {
	if err := a.Svc.Delete(r.Context(), r.PathValue("id"), principal(r).Name); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// inlineFormats may be shown in place by a browser (plain data only). Every
// other format is sent as an attachment, so an HTML report is saved, never
// rendered on the service's origin.
var inlineFormats = map[string]bool{"json": true, "text": true}

func (a *API) getReport(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("format")
	if name == "" {
		name = "json"
	}
	f, ok := formats.Lookup(name)
	if !ok {
		WriteError(w, http.StatusBadRequest, "format: want one of "+strings.Join(formats.Names(), ", "))
		return
	}
	id := r.PathValue("id")
	rep, err := a.Svc.Report(r.Context(), id)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	// The file name is built from the scan id (hex) only.
	disp := "attachment"
	if inlineFormats[f.Name] {
		disp = "inline"
	} else {
		// Should a browser render a download anyway, it gets no script,
		// no same-origin access and no forms.
		w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`%s; filename="sdkvet-%s.%s"`, disp, id, f.Ext))
	if err := f.Write(w, rep, formats.Options{}); err != nil {
		// Headers are out; the truncated body is all we can do.
		return
	}
}

func (a *API) getPolicy(w http.ResponseWriter, r *http.Request) {
	st := a.Svc.Settings()
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("X-Settings-Version", strconv.FormatInt(st.Version, 10))
	io.WriteString(w, st.PolicyYAML)
}

// Change is the effect of a settings change.
type Change struct {
	Version   int64  `json:"version"`
	Judged    int    `json:"judged"`
	Flipped   int    `json:"flipped"`
	Flips     []Flip `json:"flips"`
	ElapsedMS int64  `json:"elapsed_ms"`
	AuditID   int64  `json:"audit_id"`
}

// Flip is a scan whose verdict a change flipped.
type Flip struct {
	ScanID     string `json:"scan_id"`
	OldVerdict string `json:"old_verdict"`
	NewVerdict string `json:"new_verdict"`
	Filename   string `json:"filename,omitempty"`
	AppID      string `json:"app_id,omitempty"`
	BundleID   string `json:"bundle_id,omitempty"`
}

func toFlips(fs []store.Flip) []Flip {
	out := []Flip{}
	for _, f := range fs {
		out = append(out, Flip{ScanID: f.ScanID, OldVerdict: f.OldVerdict, NewVerdict: f.NewVerdict, Filename: f.Filename, AppID: f.AppID, BundleID: f.BundleID})
	}
	return out
}

func writeChange(w http.ResponseWriter, c vetting.Change, err error) {
	if err != nil {
		fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, Change{Version: c.Version, Judged: c.Judged, Flipped: len(c.Flips), Flips: toFlips(c.Flips),
		ElapsedMS: c.Elapsed.Milliseconds(), AuditID: c.Audit.ID})
}

func (a *API) putPolicy(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxPolicyBody))
	if err != nil {
		WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("policy larger than %d bytes", MaxPolicyBody))
		return
	}
	c, err := a.Svc.PutPolicy(r.Context(), string(body), principal(r).Name)
	writeChange(w, c, err)
}

// Pack is an extension pack's state.
type Pack struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	References  []string `json:"references"`
	Enabled     bool     `json:"enabled"`
	ByPolicy    bool     `json:"by_policy"`
}

func (a *API) listPacks(w http.ResponseWriter, r *http.Request) {
	ps, err := a.Svc.Packs()
	if err != nil {
		fail(w, err)
		return
	}
	out := struct {
		Version int64  `json:"version"`
		Packs   []Pack `json:"packs"`
	}{a.Svc.Settings().Version, []Pack{}}
	for _, p := range ps {
		refs := p.References
		if refs == nil {
			refs = []string{}
		}
		out.Packs = append(out.Packs, Pack{ID: p.ID, Name: p.Name, Description: p.Description, References: refs, Enabled: p.Enabled, ByPolicy: p.ByPolicy})
	}
	WriteJSON(w, http.StatusOK, out)
}

func (a *API) setPack(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Enabled *bool `json:"enabled"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Enabled == nil {
		WriteError(w, http.StatusBadRequest, `want {"enabled": true|false}`)
		return
	}
	c, err := a.Svc.SetPack(r.Context(), r.PathValue("id"), *req.Enabled, principal(r).Name)
	writeChange(w, c, err)
}

func (a *API) reevaluate(w http.ResponseWriter, r *http.Request) {
	c, err := a.Svc.Reevaluate(r.Context(), principal(r).Name)
	writeChange(w, c, err)
}

// Version is one settings version.
type Version struct {
	Version int64    `json:"version"`
	Author  string   `json:"author"`
	Note    string   `json:"note"`
	Packs   []string `json:"packs"`
	// Signatures names the stored signature files of the version.
	Signatures []string  `json:"signatures"`
	CreatedAt  time.Time `json:"created_at"`
	Current    bool      `json:"current"`
}

func (a *API) listVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := a.Svc.Versions(r.Context())
	if err != nil {
		fail(w, err)
		return
	}
	cur := a.Svc.Settings().Version
	out := struct {
		Versions []Version `json:"versions"`
	}{[]Version{}}
	for _, v := range vs {
		names := []string{}
		for _, f := range v.Signatures {
			names = append(names, f.Name)
		}
		out.Versions = append(out.Versions, Version{v.Version, v.Author, v.Note, v.Packs, names, v.CreatedAt, v.Version == cur})
	}
	WriteJSON(w, http.StatusOK, out)
}

func (a *API) changes(w http.ResponseWriter, r *http.Request) {
	v, err := strconv.ParseInt(r.PathValue("version"), 10, 64)
	if err != nil || v <= 0 {
		WriteError(w, http.StatusNotFound, "not found")
		return
	}
	fs, err := a.Svc.Flips(r.Context(), v)
	if err != nil {
		fail(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, struct {
		Version int64  `json:"version"`
		Flips   []Flip `json:"flips"`
	}{v, toFlips(fs)})
}

// AuditEntry is one audit log entry.
type AuditEntry struct {
	ID              int64     `json:"id"`
	At              time.Time `json:"at"`
	Actor           string    `json:"actor"`
	Action          string    `json:"action"`
	Detail          string    `json:"detail"`
	SettingsVersion int64     `json:"settings_version"`
	Flipped         int       `json:"flipped"`
}

func (a *API) audit(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			WriteError(w, http.StatusBadRequest, "limit: want a number from 1 to 1000")
			return
		}
		limit = n
	}
	es, err := a.Svc.Audit(r.Context(), limit)
	if err != nil {
		fail(w, err)
		return
	}
	out := struct {
		Entries []AuditEntry `json:"entries"`
	}{[]AuditEntry{}}
	for _, e := range es {
		out.Entries = append(out.Entries, AuditEntry(e))
	}
	WriteJSON(w, http.StatusOK, out)
}
