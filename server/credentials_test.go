package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/server"
	"github.com/sdkvet/sdkvet/server/api"
	"github.com/sdkvet/sdkvet/server/auth"
	"github.com/sdkvet/sdkvet/server/store"
)

// addToken stores a token for the env and returns its secret, used with
// e.do as role key.
func addToken(t *testing.T, e *env, key string, tok store.Token) {
	t.Helper()
	secret, hash := auth.NewToken()
	tok.Hash, tok.CreatedAt = hash, time.Now()
	if err := e.srv.Store.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	e.tokens[key] = secret
}

// tokenFlow lists and revokes API tokens (part of TestAPIFlow): only an
// admin may, the list never carries a secret or hash, the revocation is
// audited, and the revoked token is refused on the very next request.
func tokenFlow(t *testing.T, e *env) {
	t.Helper()
	addToken(t, e, "ci", store.Token{ID: "c1a0ffee", Name: "ci-pipeline", Role: "reviewer"})
	e.json("ci", "GET", "/api/v1/scans", nil, 200, nil)

	var list struct {
		Tokens []api.Token `json:"tokens"`
	}
	e.json("viewer", "GET", "/api/v1/tokens", nil, 403, nil)
	e.json("reviewer", "GET", "/api/v1/tokens", nil, 403, nil)
	resp, b := e.do("admin", "GET", "/api/v1/tokens", nil, "")
	if resp.StatusCode != 200 || strings.Contains(string(b), e.tokens["ci"]) || strings.Contains(string(b), auth.HashSecret(e.tokens["ci"])) {
		t.Fatalf("token list: %d, or it carries a secret or hash: %s", resp.StatusCode, clip(b))
	}
	e.json("admin", "GET", "/api/v1/tokens", nil, 200, &list)
	var ci *api.Token
	for i := range list.Tokens {
		if list.Tokens[i].ID == "c1a0ffee" {
			ci = &list.Tokens[i]
		}
	}
	if len(list.Tokens) != 4 || ci == nil || ci.Name != "ci-pipeline" || ci.Role != "reviewer" || ci.LastUsedAt == nil ||
		time.Since(*ci.LastUsedAt) > time.Minute {
		t.Fatalf("tokens = %+v, want the ci token among 4, with its last use", list.Tokens)
	}

	e.json("reviewer", "DELETE", "/api/v1/tokens/c1a0ffee", nil, 403, nil)
	e.json("ci", "GET", "/api/v1/session", nil, 200, nil)
	if r, b := e.do("admin", "DELETE", "/api/v1/tokens/c1a0ffee", nil, ""); r.StatusCode != 204 {
		t.Fatalf("revoke: %d %s", r.StatusCode, clip(b))
	}
	// The very next request with it is refused, whatever rate-limit
	// bucket it had.
	e.json("ci", "GET", "/api/v1/session", nil, 401, nil)
	e.json("ci", "GET", "/api/v1/scans", nil, 401, nil)
	e.json("admin", "DELETE", "/api/v1/tokens/c1a0ffee", nil, 404, nil)
	e.json("admin", "GET", "/api/v1/tokens", nil, 200, &list)
	if len(list.Tokens) != 3 {
		t.Errorf("tokens after the revocation = %+v", list.Tokens)
	}
	var audit struct {
		Entries []api.AuditEntry `json:"entries"`
	}
	e.json("viewer", "GET", "/api/v1/audit?limit=1", nil, 200, &audit)
	if len(audit.Entries) != 1 || audit.Entries[0].Action != "token.revoke" || audit.Entries[0].Actor != "token:admin-token" ||
		!strings.Contains(audit.Entries[0].Detail, "ci-pipeline") || !strings.Contains(audit.Entries[0].Detail, "c1a0ffee") ||
		time.Since(audit.Entries[0].At) > time.Minute {
		t.Errorf("audit of the revocation = %+v", audit.Entries)
	}
}

// TestRevokedTokenNotKeptByRateLimit: a token that used up its rate limit
// is revoked; its next request is refused as unauthenticated (401), not
// answered from its old bucket, and a token is never revived by one.
func TestRevokedTokenNotKeptByRateLimit(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.RateLimit, c.RateBurst = 0.001, 3 })
	addToken(t, e, "ci", store.Token{ID: "ci1", Name: "ci", Role: "viewer"})
	for range 3 {
		e.json("ci", "GET", "/api/v1/session", nil, 200, nil)
	}
	e.json("ci", "GET", "/api/v1/session", nil, 429, nil)
	if r, _ := e.do("admin", "DELETE", "/api/v1/tokens/ci1", nil, ""); r.StatusCode != 204 {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	resp, _ := e.do("ci", "GET", "/api/v1/session", nil, "")
	if resp.StatusCode != 401 {
		t.Fatalf("revoked token: %d, want 401", resp.StatusCode)
	}
	// A new token of the same name is a new credential with its own bucket.
	addToken(t, e, "ci", store.Token{ID: "ci2", Name: "ci", Role: "viewer"})
	e.json("ci", "GET", "/api/v1/session", nil, 200, nil)
}

// TestPasswordChangeEndsSessions: after a user's password changes (what
// `sdkvet user passwd` does), a session cookie from before is refused and
// only the new password signs in.
func TestPasswordChangeEndsSessions(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	hash, _ := auth.HashPassword("the first long password")
	if err := e.srv.Store.CreateUser(ctx, store.User{Name: "ada", Role: "viewer", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	login := func(pw string) (int, *http.Cookie) {
		req, _ := http.NewRequest("POST", e.http.URL+"/api/v1/session", strings.NewReader(`{"name":"ada","password":"`+pw+`"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, _ := e.send(req)
		for _, c := range resp.Cookies() {
			if c.Name == auth.CookieName {
				return resp.StatusCode, c
			}
		}
		return resp.StatusCode, nil
	}
	withCookie := func(c *http.Cookie) int {
		req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/session", nil)
		req.AddCookie(c)
		resp, _ := e.send(req)
		return resp.StatusCode
	}
	code, old := login("the first long password")
	if code != 200 || old == nil || withCookie(old) != 200 {
		t.Fatalf("login: %d %v", code, old)
	}
	newHash, _ := auth.HashPassword("the second long password")
	if n, err := e.srv.Store.SetPassword(ctx, "ada", newHash); err != nil || n != 1 {
		t.Fatalf("set password: %d sessions ended, %v", n, err)
	}
	if c := withCookie(old); c != 401 {
		t.Errorf("session from before the password change: %d, want 401", c)
	}
	if code, _ := login("the first long password"); code != 401 {
		t.Errorf("old password: %d, want 401", code)
	}
	code, fresh := login("the second long password")
	if code != 200 || fresh == nil || withCookie(fresh) != 200 {
		t.Errorf("new password: %d", code)
	}
}

// TestRetryFailedScan: uploading a package whose scan failed queues that
// same scan again (202, same id, error cleared, attempts kept) and the
// retry completes; once done, the package is a plain duplicate (200).
func TestRetryFailedScan(t *testing.T) {
	var failing atomic.Bool
	failing.Store(true)
	e := newEnv(t, func(c *server.Config) {
		c.BeforeScan = func(ctx context.Context, sc store.Scan) error {
			if failing.Load() {
				return errors.New("package file unreadable (injected)")
			}
			return nil
		}
	})
	pkg := apk("gov.example.share", "Share", wechatClasses, nil)
	first := e.upload("reviewer", "share.apk", pkg, http.StatusAccepted)
	failed := e.wait(first.ID)
	if failed.Status != "failed" || failed.Error != "package file unreadable (injected)" || failed.Attempts != 1 {
		t.Fatalf("first attempt = %+v, want failed with the injected error", failed)
	}
	failing.Store(false)
	retry := e.upload("reviewer", "share-again.apk", pkg, http.StatusAccepted)
	if retry.ID != first.ID || retry.Status != "queued" || retry.Error != "" || retry.Attempts != 1 ||
		retry.Duplicate == nil || !*retry.Duplicate || retry.Retried == nil || !*retry.Retried || retry.Filename != "share.apk" {
		t.Fatalf("retry upload = %+v, want the same scan queued again, error cleared, 1 attempt kept", retry)
	}
	done := e.wait(first.ID)
	if done.Status != "done" || done.Verdict != "fail" || done.Error != "" || done.Attempts != 2 || done.AppID != "gov.example.share" {
		t.Fatalf("after the retry = %+v, want done on the second attempt", done)
	}
	again := e.upload("reviewer", "share.apk", pkg, http.StatusOK)
	if again.ID != first.ID || again.Status != "done" || again.Duplicate == nil || !*again.Duplicate || again.Retried != nil {
		t.Fatalf("upload of a done package = %+v, want it as it is", again)
	}
}
