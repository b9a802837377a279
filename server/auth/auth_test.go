package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/server/store"
)

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") || strings.Contains(h, "correct") {
		t.Fatalf("hash = %q", h)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "correct horse batterY") {
		t.Error("password check wrong")
	}
	if h2, _ := HashPassword("correct horse battery"); h2 == h {
		t.Error("same salt twice")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a short password was accepted")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "$bcrypt$x"} {
		if CheckPassword(bad, "x") {
			t.Errorf("CheckPassword(%q) true", bad)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := &Authenticator{Store: st}
	tok, hash := NewToken()
	if err := st.CreateToken(ctx, store.Token{ID: "1", Name: "ci", Role: "reviewer", Hash: hash}); err != nil {
		t.Fatal(err)
	}
	req := func(h, v string) *http.Request {
		r := httptest.NewRequest("GET", "/api/v1/scans", nil)
		if h != "" {
			r.Header.Set(h, v)
		}
		return r
	}
	if p, err := a.Authenticate(req("Authorization", "Bearer "+tok)); err != nil || p.Role != Reviewer || p.Name != "token:ci" || p.Key != "token-id:1" {
		t.Fatalf("token: %+v %v", p, err)
	}
	if hash == tok || strings.Contains(hash, strings.TrimPrefix(tok, TokenPrefix)) {
		t.Errorf("stored hash %q holds the token", hash)
	}
	for _, bad := range []string{"", "Bearer " + tok + "x", "Basic " + tok, "Bearer " + strings.TrimPrefix(tok, TokenPrefix)} {
		if _, err := a.Authenticate(req("Authorization", bad)); err != ErrUnauthenticated {
			t.Errorf("Authorization %q: %v, want ErrUnauthenticated", bad, err)
		}
	}
	pw, _ := HashPassword("a long enough password")
	st.CreateUser(ctx, store.User{Name: "ada", Role: "admin", PasswordHash: pw})
	if _, err := a.Login(ctx, httptest.NewRecorder(), "ada", "wrong password here"); err != ErrBadCredentials {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := a.Login(ctx, httptest.NewRecorder(), "bob", "a long enough password"); err != ErrBadCredentials {
		t.Errorf("unknown user: %v", err)
	}
	w := httptest.NewRecorder()
	se, err := a.Login(ctx, w, "ada", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	c := w.Result().Cookies()[0]
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Name != CookieName {
		t.Errorf("cookie attributes: %+v", c)
	}
	r := req("Cookie", CookieName+"="+c.Value)
	p, err := a.Authenticate(r)
	if err != nil || p.Role != Admin || p.Session == nil || p.Session.CSRF != se.CSRF {
		t.Fatalf("session: %+v %v", p, err)
	}
	post := httptest.NewRequest("POST", "/api/v1/scans", nil)
	if CheckCSRF(post, p) {
		t.Error("cookie POST without a CSRF token passed")
	}
	post.Header.Set(CSRFHeader, se.CSRF+"x")
	if CheckCSRF(post, p) {
		t.Error("wrong CSRF token passed")
	}
	post.Header.Set(CSRFHeader, se.CSRF)
	if !CheckCSRF(post, p) {
		t.Error("right CSRF token refused")
	}
	if p.Key != "user:ada" {
		t.Errorf("session rate-limit key = %q", p.Key)
	}
	// Only the hash of the session id is stored.
	if _, err := st.SessionByHash(ctx, c.Value, time.Now()); err != store.ErrNotFound {
		t.Errorf("session found by its raw id: %v", err)
	}
	// The session ends after SessionTTL.
	later := &Authenticator{Store: st, Now: func() time.Time { return time.Now().Add(SessionTTL + time.Minute) }}
	if _, err := later.Authenticate(r); err != ErrUnauthenticated {
		t.Errorf("session after its TTL: %v, want ErrUnauthenticated", err)
	}
	a.Logout(httptest.NewRecorder(), r)
	if _, err := a.Authenticate(r); err != ErrUnauthenticated {
		t.Errorf("after logout: %v", err)
	}
}
