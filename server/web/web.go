// Package web serves the vetting service's pages: sign-in, upload, the scan
// list with filters, the report view, the policy page and the "what changed"
// view after a policy change. Pages are server-rendered html/template with a
// little JavaScript from /static (nothing inline, so a strict
// Content-Security-Policy holds); every value that comes from a package is
// escaped by the template engine. Data comes from a Backend that the service
// implements; sessions and CSRF tokens come from the service's auth layer
// through Config.
package web

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/report/htmlreport"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config wires the pages to the service.
type Config struct {
	// Backend serves the data. Required.
	Backend Backend
	// CurrentUser returns the signed-in user of a request (from its session
	// cookie or token). Required.
	CurrentUser func(*http.Request) (User, bool)
	// CSRFToken returns the CSRF token bound to the request's session. The
	// pages put it in every form (field "csrf_token") and in a meta tag that
	// the upload script sends as the CSRFHeader header. Required.
	CSRFToken func(*http.Request) string
	// Login checks a user name and password and starts a session (sets its
	// cookie on w). It returns ErrBadCredentials for a wrong pair. Required.
	Login func(w http.ResponseWriter, r *http.Request, name, password string) error
	// Logout ends the request's session (clears its cookie). Required.
	Logout func(w http.ResponseWriter, r *http.Request) error

	// UploadURL is where the upload page posts the package (multipart,
	// field "file"); default "/api/v1/scans". The response must be JSON
	// holding the scan's "id".
	UploadURL string
	// CSRFHeader is the header the upload script puts the CSRF token in;
	// default "X-CSRF-Token".
	CSRFHeader string
	// ReportURL returns the download address of a scan's report in a
	// format (json, sarif, pdf, csv); default
	// "/api/v1/scans/{id}/report?format={format}".
	ReportURL func(id, format string) string
	// MaxUpload is the upload size limit in bytes, shown on the upload page
	// and checked by the script before it sends (0: not shown).
	MaxUpload int64
	// Version is shown in the page footer.
	Version string
	// InsecureCookies drops the Secure attribute of the sign-in form's
	// CSRF cookie (for plain-HTTP development only).
	InsecureCookies bool
	// Logger receives backend errors (the page shows a generic message).
	Logger *slog.Logger
}

// Formats offered for download, in the order shown.
var Formats = []string{"json", "sarif", "pdf", "csv"}

// ContentSecurityPolicy is the policy every page is served with.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

type handler struct {
	cfg   Config
	pages map[string]*template.Template
	log   *slog.Logger
}

// New returns the handler serving the pages: /, /login, /logout, /scans,
// /scans/{id}, /scans/{id}/status, /policy, /policy/packs,
// /policy/exceptions, /policy/signatures, /policy/signatures/delete,
// /changes and /static/.
func New(cfg Config) (http.Handler, error) {
	if cfg.Backend == nil || cfg.CurrentUser == nil || cfg.CSRFToken == nil || cfg.Login == nil || cfg.Logout == nil {
		return nil, errors.New("web: Backend, CurrentUser, CSRFToken, Login and Logout are required")
	}
	if cfg.UploadURL == "" {
		cfg.UploadURL = "/api/v1/scans"
	}
	if cfg.CSRFHeader == "" {
		cfg.CSRFHeader = "X-CSRF-Token"
	}
	if cfg.ReportURL == nil {
		cfg.ReportURL = func(id, format string) string {
			return "/api/v1/scans/" + url.PathEscape(id) + "/report?format=" + url.QueryEscape(format)
		}
	}
	h := &handler{cfg: cfg, log: cfg.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if err := h.parseTemplates(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(static)))
	mux.HandleFunc("GET /static/report.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		io.WriteString(w, htmlreport.CSS())
	})
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.loginSubmit)
	mux.HandleFunc("POST /logout", h.auth(Viewer, h.logout))
	mux.HandleFunc("GET /{$}", h.auth(Viewer, h.home))
	mux.HandleFunc("GET /scans", h.auth(Viewer, h.scanList))
	mux.HandleFunc("GET /scans/{id}", h.auth(Viewer, h.scanView))
	mux.HandleFunc("GET /scans/{id}/status", h.auth(Viewer, h.scanStatus))
	mux.HandleFunc("GET /policy", h.auth(Viewer, h.policyPage))
	mux.HandleFunc("POST /policy/packs", h.auth(Admin, h.setPack))
	mux.HandleFunc("POST /policy/exceptions", h.auth(Admin, h.addException))
	mux.HandleFunc("POST /policy/signatures", h.authBody(Admin, MaxSignatureForm, h.putSignature))
	mux.HandleFunc("POST /policy/signatures/delete", h.auth(Admin, h.deleteSignature))
	mux.HandleFunc("GET /changes", h.auth(Viewer, h.changes))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, http.StatusNotFound, "There is no page at this address.")
	})
	return securityHeaders(mux), nil
}

// SetSecurityHeaders sets the headers every response of the service
// carries: the Content-Security-Policy, no sniffing, no framing, no
// referrer, and no sharing with other origins.
func SetSecurityHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// securityHeaders sets the headers every response carries; pages are not
// cached.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		SetSecurityHeaders(hd)
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			hd.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

func staticHandler(static fs.FS) http.Handler {
	files := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Only the embedded files themselves, no directory listings.
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// auth wraps a page that needs a signed-in user with at least role min.
// State-changing requests must also carry the session's CSRF token.
func (h *handler) auth(min Role, next func(http.ResponseWriter, *http.Request, User)) http.HandlerFunc {
	return h.authBody(min, 64<<10, next)
}

// authBody is auth with a request body bound of limit bytes.
func (h *handler) authBody(min Role, limit int64, next func(http.ResponseWriter, *http.Request, User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := h.cfg.CurrentUser(r)
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			h.errorPage(w, r, http.StatusUnauthorized, "Please sign in again.")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameOrigin(r) {
				h.errorPage(w, r, http.StatusForbidden, "The form came from another site.")
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if err := parseForm(r); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					h.errorPage(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The form is larger than %d bytes.", limit))
					return
				}
			}
			want := h.cfg.CSRFToken(r)
			got := r.PostFormValue("csrf_token")
			if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
				h.errorPage(w, r, http.StatusForbidden, "The form has expired or did not come from this site. Reload the page and try again.")
				return
			}
		}
		if u.Role.rank() < min.rank() {
			h.errorPage(w, r, http.StatusForbidden, "Your role does not allow this.")
			return
		}
		next(w, r, u)
	}
}

// sameOrigin rejects a cross-site POST when the browser says where it
// came from (Origin, or Sec-Fetch-Site); requests without either pass to
// the token check.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// safeNext returns next when it is a path on this site, else "/".
func safeNext(next string) string {
	// Browsers drop tabs and newlines from a URL ("/\t/evil" becomes
	// "//evil") and read "\\" as "/", so any of them refuses the target.
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
