package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/server"
	"github.com/sdkvet/sdkvet/server/auth"
	"github.com/sdkvet/sdkvet/server/store"
)

// loginFlow signs in with a password, uses the session cookie, and checks
// that a state change without the CSRF token is refused.
func loginFlow(t *testing.T, e *env) {
	t.Helper()
	hash, _ := auth.HashPassword("a long enough password")
	if err := e.srv.Store.CreateUser(context.Background(), store.User{Name: "ada", Role: "admin", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	e.json("", "POST", "/api/v1/session", map[string]string{"name": "ada", "password": "wrong password!!"}, 401, nil)
	req, _ := http.NewRequest("POST", e.http.URL+"/api/v1/session", strings.NewReader(`{"name":"ada","password":"a long enough password"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, b := e.send(req)
	var s struct {
		Role string `json:"role"`
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(b, &s)
	if resp.StatusCode != 200 || s.Role != "admin" || s.CSRF == "" {
		t.Fatalf("login: %d %s", resp.StatusCode, b)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == auth.CookieName {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie = %+v", cookie)
	}
	withCookie := func(method, path, csrf string) int {
		req, _ := http.NewRequest(method, e.http.URL+path, nil)
		req.AddCookie(cookie)
		if csrf != "" {
			req.Header.Set(auth.CSRFHeader, csrf)
		}
		resp, _ := e.send(req)
		return resp.StatusCode
	}
	if c := withCookie("GET", "/api/v1/session", ""); c != 200 {
		t.Errorf("GET with the cookie: %d", c)
	}
	if c := withCookie("POST", "/api/v1/reevaluate", ""); c != 403 {
		t.Errorf("cookie POST without CSRF token: %d, want 403", c)
	}
	if c := withCookie("POST", "/api/v1/reevaluate", "forged"); c != 403 {
		t.Errorf("cookie POST with a forged CSRF token: %d, want 403", c)
	}
	if c := withCookie("POST", "/api/v1/reevaluate", s.CSRF); c != 200 {
		t.Errorf("cookie POST with the CSRF token: %d, want 200", c)
	}
	if c := withCookie("DELETE", "/api/v1/session", s.CSRF); c != 204 {
		t.Errorf("logout: %d", c)
	}
	if c := withCookie("GET", "/api/v1/session", ""); c != 401 {
		t.Errorf("after logout: %d, want 401", c)
	}
}

// TestAuthOnEveryRoute: every route but health refuses a request without
// credentials, and roles are enforced.
func TestAuthOnEveryRoute(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.AnonRateLimit, c.AnonBurst = 1000, 1000 })
	id := strings.Repeat("a", 32)
	for _, r := range []struct{ method, path string }{
		{"GET", "/metrics"}, {"GET", "/api/v1/session"}, {"DELETE", "/api/v1/session"}, {"POST", "/api/v1/scans"}, {"GET", "/api/v1/scans"},
		{"GET", "/api/v1/scans/" + id}, {"DELETE", "/api/v1/scans/" + id}, {"GET", "/api/v1/scans/" + id + "/report"},
		{"GET", "/api/v1/policy"}, {"PUT", "/api/v1/policy"}, {"GET", "/api/v1/packs"}, {"PUT", "/api/v1/packs/baidu"},
		{"POST", "/api/v1/reevaluate"}, {"GET", "/api/v1/versions"}, {"GET", "/api/v1/versions/1/changes"}, {"GET", "/api/v1/audit"},
		{"GET", "/api/v1/tokens"}, {"DELETE", "/api/v1/tokens/" + id},
	} {
		resp, _ := e.do("", r.method, r.path, nil, "")
		if resp.StatusCode != 401 {
			t.Errorf("%s %s without credentials: %d, want 401", r.method, r.path, resp.StatusCode)
		}
		req, _ := http.NewRequest(r.method, e.http.URL+r.path, nil)
		req.Header.Set("Authorization", "Bearer sdkvet_not-a-real-token")
		if resp, _ := e.send(req); resp.StatusCode != 401 {
			t.Errorf("%s %s with a wrong token: %d, want 401", r.method, r.path, resp.StatusCode)
		}
	}
	body, ct := multipartBody("x.apk", []byte("PK"))
	if resp, _ := e.do("viewer", "POST", "/api/v1/scans", body, ct); resp.StatusCode != 403 {
		t.Errorf("viewer upload: %d, want 403", resp.StatusCode)
	}
	if resp, _ := e.do("reviewer", "PUT", "/api/v1/policy", strings.NewReader("id: x"), "application/yaml"); resp.StatusCode != 403 {
		t.Errorf("reviewer policy change: %d, want 403", resp.StatusCode)
	}
	if resp, _ := e.do("reviewer", "POST", "/api/v1/reevaluate", nil, ""); resp.StatusCode != 403 {
		t.Errorf("reviewer re-evaluation: %d, want 403", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"/healthz", "/api/v1/scans", "/login", "/nope"} {
		resp, _ := e.do("viewer", "GET", p, nil, "")
		h := resp.Header
		if h.Get("Content-Security-Policy") != server.ContentSecurityPolicy || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") ||
			strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Errorf("%s: CSP %q", p, h.Get("Content-Security-Policy"))
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", p, k, h.Get(k), v)
			}
		}
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.RateLimit, c.RateBurst = 0.5, 3 })
	codes := []int{}
	for range 5 {
		resp, _ := e.do("viewer", "GET", "/api/v1/scans", nil, "")
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 200 || codes[2] != 200 || codes[3] != 429 || codes[4] != 429 {
		t.Errorf("codes = %v, want 3 x 200 then 429", codes)
	}
	// Another token has its own bucket.
	if resp, _ := e.do("admin", "GET", "/api/v1/scans", nil, ""); resp.StatusCode != 200 {
		t.Errorf("another token: %d", resp.StatusCode)
	}
	// Password guessing from one address is limited too.
	limited := false
	for range 30 {
		resp, _ := e.do("", "POST", "/api/v1/session", bytes.NewReader([]byte(`{"name":"x","password":"y"}`)), "application/json")
		if resp.StatusCode == 429 {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("30 failed logins from one address were not rate limited")
	}
}

// TestPagesOnTheRealServer: through the service's own wiring, pages need a
// session; a form post needs the session's CSRF token, and an API token
// (no session, so no CSRF token) cannot post page forms.
func TestPagesOnTheRealServer(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.AnonRateLimit, c.AnonBurst = 1000, 1000 })
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(req *http.Request) (*http.Response, string) {
		t.Helper()
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp, b.String()
	}
	for _, p := range []string{"/", "/scans", "/policy", "/changes"} {
		req, _ := http.NewRequest("GET", e.http.URL+p, nil)
		if resp, _ := send(req); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("GET %s signed out: %d to %q, want a redirect to /login", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	hash, _ := auth.HashPassword("a long enough password")
	if err := e.srv.Store.CreateUser(t.Context(), store.User{Name: "root", Role: "admin", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	w := &headerRecorder{h: http.Header{}}
	se, err := e.srv.Auth.Login(t.Context(), w, "root", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	cookie := strings.Split(w.h.Get("Set-Cookie"), ";")[0]
	req, _ := http.NewRequest("GET", e.http.URL+"/policy", nil)
	req.Header.Set("Cookie", cookie)
	resp, page := send(req)
	if resp.StatusCode != 200 || !strings.Contains(page, se.CSRF) {
		t.Fatalf("policy page signed in: %d, CSRF token in the page: %v", resp.StatusCode, strings.Contains(page, se.CSRF))
	}
	post := func(csrf string, withCookie bool, bearer string) int {
		form := "pack=baidu&enabled=true"
		if csrf != "" {
			form += "&csrf_token=" + csrf
		}
		req, _ := http.NewRequest("POST", e.http.URL+"/policy/packs", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withCookie {
			req.Header.Set("Cookie", cookie)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, _ := send(req)
		return resp.StatusCode
	}
	if c := post("", true, ""); c != http.StatusForbidden {
		t.Errorf("form post without the CSRF token: %d, want 403", c)
	}
	if c := post("forged", true, ""); c != http.StatusForbidden {
		t.Errorf("form post with a forged CSRF token: %d, want 403", c)
	}
	if c := post("", false, e.tokens["admin"]); c != http.StatusForbidden {
		t.Errorf("form post with an admin API token: %d, want 403", c)
	}
	if v := e.srv.Service.Settings().Version; v != 1 {
		t.Fatalf("settings version %d after refused posts, want 1", v)
	}
	if c := post(se.CSRF, true, ""); c != http.StatusSeeOther {
		t.Errorf("form post with the CSRF token: %d, want 303", c)
	}
	if v := e.srv.Service.Settings().Version; v != 2 {
		t.Errorf("settings version %d after the accepted post, want 2", v)
	}

	// The signature form through the real adapter: a refused file shows
	// the loader's message, escaped; an accepted one bans the vendor and
	// flips the stored package; deleting it flips the package back.
	news := e.upload("reviewer", "news.apk", apk("gov.example.news", "News", []string{"com.examplevendor.ads.sdk.AdLoader"}, nil), http.StatusAccepted)
	if sc := e.wait(news.ID); sc.Verdict != "pass" {
		t.Fatalf("before the signature file: verdict %q, want pass", sc.Verdict)
	}
	form := func(path string, v url.Values) (*http.Response, string) {
		v.Set("csrf_token", se.CSRF)
		req, _ := http.NewRequest("POST", e.http.URL+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", cookie)
		return send(req)
	}
	bad := strings.Replace(exampleVendor, "      - source: observed in a vetted package\n", "      - note: <b>x</b>\n", 1)
	resp, page = form("/policy/signatures", url.Values{"name": {"examplevendor.yaml"}, "yaml": {bad}, "status": {"banned"}, "severity": {"high"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "settings:examplevendor.yaml:") || strings.Contains(page, "<b>x</b>") {
		t.Errorf("bad signature file: %d, page names the file and line: %v, raw markup: %v",
			resp.StatusCode, strings.Contains(page, "settings:examplevendor.yaml:"), strings.Contains(page, "<b>x</b>"))
	}
	resp, _ = form("/policy/signatures", url.Values{"name": {"examplevendor.yaml"}, "yaml": {exampleVendor}, "status": {"banned"}, "severity": {"high"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/changes?version=") {
		t.Fatalf("signature file: %d to %q, want a redirect to what changed", resp.StatusCode, resp.Header.Get("Location"))
	}
	if sc := e.wait(news.ID); sc.Verdict != "fail" {
		t.Errorf("after banning examplevendor: verdict %q, want fail", sc.Verdict)
	}
	req, _ = http.NewRequest("GET", e.http.URL+resp.Header.Get("Location"), nil)
	req.Header.Set("Cookie", cookie)
	if resp, page := send(req); resp.StatusCode != 200 || !strings.Contains(page, "gov.example.news") {
		t.Errorf("what changed: %d, lists the flipped package: %v", resp.StatusCode, strings.Contains(page, "gov.example.news"))
	}
	resp, _ = form("/policy/signatures/delete", url.Values{"name": {"examplevendor.yaml"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete signature file: %d, want 303", resp.StatusCode)
	}
	if sc := e.wait(news.ID); sc.Verdict != "pass" {
		t.Errorf("after deleting the file: verdict %q, want pass", sc.Verdict)
	}
}
