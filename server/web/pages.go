package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/htmlreport"
)

const (
	pageSize        = 50
	loginCSRFCookie = "sdkvet_login_csrf"
	dateLayout      = "2006-01-02"
)

// pageData is what every template gets.
type pageData struct {
	Title      string
	Nav        string // "upload", "scans", "policy" or "changes": marks the current link
	User       User
	SignedIn   bool
	CSRF       string
	CSRFHeader string
	UploadURL  string
	MaxUpload  int64
	Version    string
	Flash      string
	Body       any
}

var pageNames = []string{"login", "home", "scans", "scan", "policy", "changes", "error"}

func (h *handler) parseTemplates() error {
	h.pages = map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(h.funcs()).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("web: parse template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	return nil
}

func (h *handler) funcs() template.FuncMap {
	return template.FuncMap{
		"reportURL": h.cfg.ReportURL,
		"formats":   func() []string { return Formats },
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(dateLayout)
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"str": func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		},
		"num": func(p *int) string {
			if p == nil {
				return ""
			}
			return strconv.Itoa(*p)
		},
		"num64": func(p *int64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatInt(*p, 10)
		},
		"join":    strings.Join,
		"size":    humanSize,
		"verdict": verdictText,
		"upper":   strings.ToUpper,
		"short": func(s string) string {
			if len(s) > 12 {
				return s[:12]
			}
			return s
		},
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		},
		"pending": func(status string) bool { return status == StatusQueued || status == StatusRunning },
		"suppressed": func(f report.Finding) bool {
			return f.Suppressed()
		},
		"add": func(a, b int) int { return a + b },
		// reportBody is the HTML report's body, the same content as
		// `sdkvet scan --format html`; htmlreport escapes every value.
		"reportBody": func(r *report.Report) (template.HTML, error) {
			var b bytes.Buffer
			if err := htmlreport.WriteBody(&b, r); err != nil {
				return "", err
			}
			return template.HTML(b.String()), nil
		},
	}
}

func verdictText(v string) string {
	switch v {
	case report.Pass:
		return "Pass"
	case report.Warn:
		return "Warn"
	case report.Fail:
		return "Fail"
	case "":
		return "—"
	}
	return "Unknown"
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func (h *handler) data(r *http.Request, u User, signedIn bool, title, nav string, body any) pageData {
	d := pageData{Title: title, Nav: nav, User: u, SignedIn: signedIn, CSRFHeader: h.cfg.CSRFHeader,
		UploadURL: h.cfg.UploadURL, MaxUpload: h.cfg.MaxUpload, Version: h.cfg.Version, Body: body}
	if signedIn {
		d.CSRF = h.cfg.CSRFToken(r)
	}
	return d
}

// render executes a page into a buffer first, so a template error never
// leaves a half-written page.
func (h *handler) render(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		h.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u, ok := h.cfg.CurrentUser(r)
	h.render(w, status, "error", h.data(r, u, ok, http.StatusText(status), "", msg))
}

// backendError shows a failed backend call: not found as 404, anything
// else logged and shown without detail.
func (h *handler) backendError(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, ErrNotFound) {
		h.errorPage(w, r, http.StatusNotFound, "No such "+what+".")
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	var ie *InputError
	if errors.As(err, &ie) {
		h.errorPage(w, r, http.StatusBadRequest, "The "+what+" was refused: "+ie.Msg)
		return
	}
	h.log.Error("backend", "what", what, "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "The "+what+" could not be loaded. Try again later.")
}

// ---- sign-in ----

type loginBody struct {
	Next  string
	Name  string
	Token string
	Error string
}

func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := h.cfg.CurrentUser(r); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.showLogin(w, r, http.StatusOK, loginBody{Next: next})
}

func (h *handler) showLogin(w http.ResponseWriter, r *http.Request, status int, b loginBody) {
	// The sign-in form has no session yet, so its CSRF token is a
	// double-submit cookie: the form must echo the cookie's value.
	b.Token = randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: b.Token, Path: "/login", HttpOnly: true,
		Secure: !h.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	h.render(w, status, "login", h.data(r, User{}, false, "Sign in", "", b))
}

func (h *handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	next := safeNext(r.PostFormValue("next"))
	c, err := r.Cookie(loginCSRFCookie)
	tok := r.PostFormValue("csrf_token")
	if !sameOrigin(r) || err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(tok)) != 1 {
		h.showLogin(w, r, http.StatusForbidden, loginBody{Next: next, Error: "The form has expired. Please try again."})
		return
	}
	name := strings.TrimSpace(r.PostFormValue("username"))
	if err := h.cfg.Login(w, r, name, r.PostFormValue("password")); err != nil {
		if !errors.Is(err, ErrBadCredentials) {
			h.log.Error("sign in", "err", err)
		}
		h.showLogin(w, r, http.StatusUnauthorized, loginBody{Next: next, Name: name, Error: "Wrong user name or password."})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true,
		Secure: !h.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request, u User) {
	if err := h.cfg.Logout(w, r); err != nil {
		h.log.Error("sign out", "user", u.Name, "err", err)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// ---- upload and scans ----

type homeBody struct {
	Recent ScanPage
}

func (h *handler) home(w http.ResponseWriter, r *http.Request, u User) {
	page, err := h.cfg.Backend.ListScans(r.Context(), ScanFilter{Limit: 10})
	if err != nil {
		h.backendError(w, r, "scan list", err)
		return
	}
	title := "Recent scans"
	if u.CanUpload() {
		title = "Upload a package"
	}
	h.render(w, http.StatusOK, "home", h.data(r, u, true, title, "upload", homeBody{Recent: page}))
}

type scansBody struct {
	Filter   ScanFilter
	Form     url.Values // the filter as typed, to refill the form
	Page     ScanPage
	Verdicts []string
	Prev     string // link to the previous page, "" on the first
	Next     string
	First    int // 1-based index of the first row shown
	Last     int
	Notes    []string
}

var filterFields = []string{"q", "app_id", "bundle_id", "vendor", "sdk", "verdict", "from", "to"}

// parseFilter reads the list filters from a query string. Invalid dates
// and verdicts are dropped with a note instead of failing the page.
func parseFilter(q url.Values) (ScanFilter, []string) {
	var notes []string
	f := ScanFilter{
		Query:    clip(q.Get("q")),
		AppID:    clip(q.Get("app_id")),
		BundleID: clip(q.Get("bundle_id")),
		Vendor:   clip(q.Get("vendor")),
		SDK:      clip(q.Get("sdk")),
		Limit:    pageSize,
	}
	switch v := q.Get("verdict"); v {
	case "", report.Pass, report.Warn, report.Fail:
		f.Verdict = v
	default:
		notes = append(notes, "Unknown verdict ignored.")
	}
	for _, d := range []struct {
		key string
		dst *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		s := strings.TrimSpace(q.Get(d.key))
		if s == "" {
			continue
		}
		t, err := time.Parse(dateLayout, s)
		if err != nil {
			notes = append(notes, "The "+d.key+" date must be written YYYY-MM-DD; it was ignored.")
			continue
		}
		*d.dst = t
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 && n < 1<<30 {
		f.Offset = n
	}
	return f, notes
}

// clip bounds a filter value: no control characters, at most 200 bytes.
func clip(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s))
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "")
	}
	return s
}

func (h *handler) scanList(w http.ResponseWriter, r *http.Request, u User) {
	q := r.URL.Query()
	f, notes := parseFilter(q)
	page, err := h.cfg.Backend.ListScans(r.Context(), f)
	if err != nil {
		h.backendError(w, r, "scan list", err)
		return
	}
	form := url.Values{}
	for _, k := range filterFields {
		if v := q.Get(k); v != "" {
			form.Set(k, v)
		}
	}
	b := scansBody{Filter: f, Form: form, Page: page, Verdicts: []string{report.Fail, report.Warn, report.Pass}, Notes: notes}
	if len(page.Scans) > 0 {
		b.First, b.Last = f.Offset+1, f.Offset+len(page.Scans)
	}
	link := func(off int) string {
		v := url.Values{}
		for k := range form {
			v.Set(k, form.Get(k))
		}
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		if len(v) == 0 {
			return "/scans"
		}
		return "/scans?" + v.Encode()
	}
	if f.Offset > 0 {
		b.Prev = link(max(0, f.Offset-pageSize))
	}
	if f.Offset+len(page.Scans) < page.Total {
		b.Next = link(f.Offset + len(page.Scans))
	}
	h.render(w, http.StatusOK, "scans", h.data(r, u, true, "Scans", "scans", b))
}

type scanBody struct {
	Scan ScanDetail
}

func (h *handler) scanView(w http.ResponseWriter, r *http.Request, u User) {
	s, err := h.cfg.Backend.GetScan(r.Context(), r.PathValue("id"))
	if err != nil {
		h.backendError(w, r, "scan", err)
		return
	}
	title := s.FileName
	if title == "" {
		title = "Scan " + s.ID
	}
	h.render(w, http.StatusOK, "scan", h.data(r, u, true, title, "scans", scanBody{Scan: s}))
}

// scanStatus answers the report page's polling script while a scan runs.
func (h *handler) scanStatus(w http.ResponseWriter, r *http.Request, u User) {
	s, err := h.cfg.Backend.GetScan(r.Context(), r.PathValue("id"))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		h.log.Error("scan status", "err", err)
		http.Error(w, `{"error":"unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"status": s.Status, "verdict": s.Verdict})
}

// ---- policy ----

type policyBody struct {
	Policy  PolicyView
	Changes []PolicyChange
	Kinds   []string
	Today   string
}

func (h *handler) policyPage(w http.ResponseWriter, r *http.Request, u User) {
	p, err := h.cfg.Backend.Policy(r.Context())
	if err != nil {
		h.backendError(w, r, "policy", err)
		return
	}
	changes, err := h.cfg.Backend.Changes(r.Context(), 20)
	if err != nil {
		h.backendError(w, r, "policy history", err)
		return
	}
	b := policyBody{Policy: p, Changes: changes, Kinds: []string{ExceptSDK, ExceptVendor, ExceptApp, ExceptRule},
		Today: time.Now().UTC().Format(dateLayout)}
	h.render(w, http.StatusOK, "policy", h.data(r, u, true, "Policy", "policy", b))
}

func (h *handler) setPack(w http.ResponseWriter, r *http.Request, u User) {
	id := r.PostFormValue("pack")
	var enabled bool
	switch r.PostFormValue("enabled") {
	case "true":
		enabled = true
	case "false":
	default:
		h.errorPage(w, r, http.StatusBadRequest, "Say whether to switch the pack on or off.")
		return
	}
	p, err := h.cfg.Backend.Policy(r.Context())
	if err != nil {
		h.backendError(w, r, "policy", err)
		return
	}
	known := false
	for _, pk := range p.Packs {
		known = known || pk.ID == id
	}
	if !known {
		h.errorPage(w, r, http.StatusBadRequest, "There is no such pack.")
		return
	}
	c, err := h.cfg.Backend.SetPack(r.Context(), u, id, enabled)
	if err != nil {
		h.backendError(w, r, "policy change", err)
		return
	}
	http.Redirect(w, r, "/changes?version="+url.QueryEscape(c.Version), http.StatusSeeOther)
}

func (h *handler) addException(w http.ResponseWriter, r *http.Request, u User) {
	e := Exception{Kind: r.PostFormValue("kind"), Value: clip(r.PostFormValue("value")),
		Reason: clip(r.PostFormValue("reason")), Owner: clip(r.PostFormValue("owner"))}
	var problems []string
	switch e.Kind {
	case ExceptSDK, ExceptVendor, ExceptApp, ExceptRule:
	default:
		problems = append(problems, "choose what the exception names")
	}
	if e.Value == "" {
		problems = append(problems, "give the id it names")
	}
	if e.Reason == "" {
		problems = append(problems, "give a reason")
	}
	if s := strings.TrimSpace(r.PostFormValue("expires")); s != "" {
		t, err := time.Parse(dateLayout, s)
		if err != nil {
			problems = append(problems, "write the expiry date as YYYY-MM-DD")
		} else {
			e.Expires = t
		}
	}
	if len(problems) > 0 {
		h.errorPage(w, r, http.StatusBadRequest, "The exception was not added: "+strings.Join(problems, "; ")+".")
		return
	}
	c, err := h.cfg.Backend.AddException(r.Context(), u, e)
	if err != nil {
		h.backendError(w, r, "policy change", err)
		return
	}
	http.Redirect(w, r, "/changes?version="+url.QueryEscape(c.Version), http.StatusSeeOther)
}

type changesBody struct {
	Set     *ChangeSet // the change asked for, nil for the list only
	Changes []PolicyChange
}

func (h *handler) changes(w http.ResponseWriter, r *http.Request, u User) {
	var b changesBody
	if v := r.URL.Query().Get("version"); v != "" {
		set, err := h.cfg.Backend.Flips(r.Context(), clip(v))
		if err != nil {
			h.backendError(w, r, "policy change", err)
			return
		}
		b.Set = &set
	}
	changes, err := h.cfg.Backend.Changes(r.Context(), 50)
	if err != nil {
		h.backendError(w, r, "policy history", err)
		return
	}
	b.Changes = changes
	h.render(w, http.StatusOK, "changes", h.data(r, u, true, "What changed", "changes", b))
}
