// Package server wires the vetting service: the store, the blob directory,
// the scan workers, the REST API (package api), the web pages (package
// web) and the middleware every request goes through: security headers,
// authentication, roles, CSRF checks, rate limits, request size bounds and
// Prometheus metrics.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sirupsen/logrus"
	"golang.org/x/time/rate"

	"github.com/sdkvet/sdkvet/server/api"
	"github.com/sdkvet/sdkvet/server/auth"
	"github.com/sdkvet/sdkvet/server/blobs"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/server/vetting"
	"github.com/sdkvet/sdkvet/server/web"
)

// Config configures the service.
type Config struct {
	// DataDir holds the SQLite database, blobs and temporary uploads.
	DataDir string
	// DatabaseURL selects PostgreSQL (postgres://…) instead of SQLite.
	DatabaseURL string
	// Workers is how many scans run at once.
	Workers int
	// MaxUpload is the largest package accepted, in bytes (0: 4 GB).
	MaxUpload int64
	// Judge holds the scan limits.
	Judge judge.Options
	// RateLimit and RateBurst bound each token's or user's requests
	// (0: DefaultRate, DefaultBurst).
	RateLimit rate.Limit
	RateBurst int
	// AnonRateLimit and AnonBurst bound requests without credentials per
	// client address (0: 2 per second, burst 20).
	AnonRateLimit rate.Limit
	AnonBurst     int
	// InsecureCookies drops the Secure cookie attribute (plain HTTP
	// development only).
	InsecureCookies bool
	// NoWeb serves the API only.
	NoWeb bool
	// ScanDelay holds each scan back before it starts (restart tests).
	ScanDelay time.Duration
	// Log receives the service's log (nil: discarded).
	Log *logrus.Logger
	// OnScanDone, when set, is called after each scan ends (tests).
	OnScanDone func(sc store.Scan, status string, elapsed time.Duration)
	// BeforeScan, when set, runs before each scan; its error fails the
	// scan (tests).
	BeforeScan func(ctx context.Context, sc store.Scan) error
}

// Default rate limits per token or user, and per address before login.
const (
	DefaultRate  = rate.Limit(50)
	DefaultBurst = 300
)

// Server is a running vetting service.
type Server struct {
	cfg     Config
	Store   store.Store
	Service *vetting.Service
	Auth    *auth.Authenticator
	handler http.Handler
	metrics *metrics
	limits  *limiters
}

// OpenStore opens the store a Config names.
func OpenStore(ctx context.Context, cfg Config) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		return store.OpenPostgres(ctx, cfg.DatabaseURL)
	}
	return store.OpenSQLite(ctx, filepath.Join(cfg.DataDir, "sdkvet.db"))
}

// New opens the store and blob directory and builds the handler; Start
// starts the workers.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("server: a data directory is required")
	}
	if cfg.Log == nil {
		cfg.Log = logrus.New()
		cfg.Log.SetOutput(io.Discard)
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit, cfg.RateBurst = DefaultRate, DefaultBurst
	}
	bl, err := blobs.Open(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, Store: st, metrics: newMetrics(st)}
	onDone := func(sc store.Scan, status string, d time.Duration) {
		s.metrics.scanDone(status, d)
		if cfg.OnScanDone != nil {
			cfg.OnScanDone(sc, status, d)
		}
	}
	s.Service, err = vetting.New(ctx, vetting.Config{Store: st, Blobs: bl, Judge: cfg.Judge, Workers: cfg.Workers,
		MaxUpload: cfg.MaxUpload, Log: cfg.Log, ScanDelay: cfg.ScanDelay, OnScanDone: onDone, OnRejudge: s.metrics.rejudged, BeforeScan: cfg.BeforeScan})
	if err != nil {
		st.Close()
		return nil, err
	}
	s.Auth = &auth.Authenticator{Store: st, InsecureCookies: cfg.InsecureCookies}
	if cfg.AnonRateLimit == 0 {
		cfg.AnonRateLimit, cfg.AnonBurst = 2, 20
	}
	s.limits = newLimiters(cfg.RateLimit, cfg.RateBurst, cfg.AnonRateLimit, cfg.AnonBurst)
	if s.handler, err = s.routes(); err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

// Start starts the scan workers.
func (s *Server) Start(ctx context.Context) error { return s.Service.Start(ctx) }

// Close stops the workers and closes the store.
func (s *Server) Close() error {
	s.Service.Close()
	return s.Store.Close()
}

// Handler is the service's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer returns an http.Server for addr with the service's timeouts:
// headers within 10 s, bodies within a minute (an upload extends its own
// deadline), responses within 5 minutes.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
}

func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	a := &api.API{Svc: s.Service, Auth: s.Auth}
	for _, rt := range a.Routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt.Pattern, rt.Role, rt.LongBody, rt.Handler))
	}
	mux.Handle("GET /healthz", s.wrap("/healthz", auth.None, false, s.health))
	mux.Handle("GET /metrics", s.wrap("/metrics", auth.Viewer, false,
		promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP))
	// Anything else under /api/ is a JSON 404, never a page.
	mux.Handle("/api/", s.wrap("/api/", auth.None, false, func(w http.ResponseWriter, r *http.Request) {
		api.WriteError(w, http.StatusNotFound, "not found")
	}))
	if !s.cfg.NoWeb {
		web, err := s.webHandler()
		if err != nil {
			return nil, err
		}
		mux.Handle("/", s.wrapPage(web))
	}
	return securityHeaders(mux), nil
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.Store.CountByStatus(ctx); err != nil {
		api.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ContentSecurityPolicy is sent with every response: nothing but the
// service's own scripts, styles and images; no inline script, no frames.
const ContentSecurityPolicy = web.ContentSecurityPolicy

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		web.SetSecurityHeaders(h)
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// wrap applies metrics, authentication, the role check, CSRF, the rate
// limit and a body bound to an API handler.
func (s *Server) wrap(route string, need auth.Role, longBody bool, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		start := time.Now()
		defer func() { s.metrics.request(route, r.Method, rec.code, time.Since(start)) }()
		if !longBody {
			r.Body = http.MaxBytesReader(rec, r.Body, api.MaxPolicyBody)
		}
		p, err := s.Auth.Authenticate(r)
		if err != nil && !errors.Is(err, auth.ErrUnauthenticated) {
			api.WriteError(rec, http.StatusInternalServerError, "internal error")
			return
		}
		if !s.limits.allow(rateKey(r, p), p == nil) {
			rec.Header().Set("Retry-After", "1")
			api.WriteError(rec, http.StatusTooManyRequests, "rate limit exceeded")
			return
		}
		if need != auth.None {
			if p == nil {
				rec.Header().Set("WWW-Authenticate", `Bearer realm="sdkvet"`)
				api.WriteError(rec, http.StatusUnauthorized, "authentication required")
				return
			}
			if p.Role < need {
				api.WriteError(rec, http.StatusForbidden, fmt.Sprintf("needs the %s role", need))
				return
			}
			if !auth.CheckCSRF(r, p) {
				api.WriteError(rec, http.StatusForbidden, "missing or wrong CSRF token")
				return
			}
		}
		if p != nil {
			r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		}
		h(rec, r)
	})
}

// rateKey names the bucket a request is counted in: its credential, or
// its client address when it has none.
func rateKey(r *http.Request, p *auth.Principal) string {
	if p != nil {
		return p.Key
	}
	return "addr:" + clientAddr(r)
}

// clientAddr is the client's address for rate limits: the IPv4 address,
// or the /64 network of an IPv6 address (one host commonly holds a whole
// /64, so single addresses would give it endless fresh buckets).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

type statusRecorder struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.code, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
