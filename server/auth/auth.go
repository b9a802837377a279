// Package auth authenticates requests to the vetting service: API tokens
// (Authorization: Bearer, stored as SHA-256), page sessions (an HttpOnly,
// Secure, SameSite=Strict cookie whose id is stored as SHA-256, with a
// CSRF token bound to it) and passwords hashed with argon2id. Roles are
// ordered: viewer < reviewer (uploads) < admin (policy).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/sdkvet/sdkvet/server/store"
)

// Role is what a principal may do.
type Role int

// Roles, each allowed everything the one before is.
const (
	None Role = iota
	Viewer
	Reviewer
	Admin
)

// String is the role's name as ParseRole reads it ("none" for None).
func (r Role) String() string {
	switch r {
	case Viewer:
		return "viewer"
	case Reviewer:
		return "reviewer"
	case Admin:
		return "admin"
	}
	return "none"
}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	switch s {
	case "viewer":
		return Viewer, nil
	case "reviewer":
		return Reviewer, nil
	case "admin":
		return Admin, nil
	}
	return None, fmt.Errorf("role %q: want viewer, reviewer or admin", s)
}

// Principal is who made a request.
type Principal struct {
	// Name is "user:NAME" or "token:NAME", as recorded in the audit log.
	Name string
	// Key identifies the credential for rate limits: one API token (by
	// its id, as token names need not be unique) or one user.
	Key  string
	Role Role
	// Session is set for a cookie session: state-changing requests must
	// carry its CSRF token.
	Session *store.Session
}

// argon2id parameters (RFC 9106 second recommendation, lower memory).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	if len(pw) < MinPasswordLength {
		return "", fmt.Errorf("password: at least %d characters", MinPasswordLength)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches a hash from HashPassword.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// TokenPrefix starts every API token.
const TokenPrefix = "sdkvet_"

// NewToken returns a new high-entropy token and the hash to store.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashSecret(token)
}

// HashSecret is the stored form of a token or session id.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CookieName is the session cookie.
const CookieName = "sdkvet_session"

// SessionTTL is how long a session lasts.
const SessionTTL = 12 * time.Hour

// Authenticator checks credentials against the store.
type Authenticator struct {
	Store store.Store
	// InsecureCookies drops the Secure attribute (plain-HTTP development
	// only; browsers treat http://localhost as secure anyway).
	InsecureCookies bool
	Now             func() time.Time
}

func (a *Authenticator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// ErrUnauthenticated reports missing or wrong credentials.
var ErrUnauthenticated = errors.New("authentication required")

// Authenticate returns the request's principal from its bearer token or
// session cookie.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !strings.HasPrefix(tok, TokenPrefix) || len(tok) > 200 {
			return nil, ErrUnauthenticated
		}
		t, err := a.Store.TokenByHash(ctx, HashSecret(tok))
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrUnauthenticated
		}
		if err != nil {
			return nil, err
		}
		role, err := ParseRole(t.Role)
		if err != nil {
			return nil, ErrUnauthenticated
		}
		// Every request looks the token up in the store (no cache), so a
		// revoked token is refused on the very next request.
		if now := a.now(); now.Sub(t.LastUsedAt) >= store.TokenUseInterval {
			if err := a.Store.TouchToken(ctx, t.ID, now); err != nil {
				return nil, err
			}
		}
		return &Principal{Name: "token:" + t.Name, Key: "token-id:" + t.ID, Role: role}, nil
	}
	c, err := r.Cookie(CookieName)
	if err != nil || len(c.Value) > 200 {
		return nil, ErrUnauthenticated
	}
	se, err := a.Store.SessionByHash(ctx, HashSecret(c.Value), a.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	u, err := a.Store.GetUser(ctx, se.UserName)
	if err != nil {
		return nil, ErrUnauthenticated
	}
	role, err := ParseRole(u.Role)
	if err != nil {
		return nil, ErrUnauthenticated
	}
	return &Principal{Name: "user:" + u.Name, Key: "user:" + u.Name, Role: role, Session: &se}, nil
}

// ErrBadCredentials reports a wrong user name or password.
var ErrBadCredentials = errors.New("wrong user name or password")

// dummyHash is checked for unknown users so both paths cost the same. It
// is made on first use: hashing costs some 40 ms and 20 MB, which every
// start of the binary (each CLI run, each sandbox child) would pay.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not-a-real-password-0000")
	return h
})

// Login checks a password, starts a session and sets its cookie.
func (a *Authenticator) Login(ctx context.Context, w http.ResponseWriter, name, password string) (*store.Session, error) {
	u, err := a.Store.GetUser(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		CheckPassword(dummyHash(), password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if !CheckPassword(u.PasswordHash, password) {
		return nil, ErrBadCredentials
	}
	id := randomString()
	now := a.now()
	se := store.Session{Hash: HashSecret(id), UserName: u.Name, CSRF: randomString(), CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := a.Store.CreateSession(ctx, se); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: id, Path: "/", HttpOnly: true, Secure: !a.InsecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: int(SessionTTL / time.Second)})
	return &se, nil
}

// Logout ends the request's session and clears its cookie.
func (a *Authenticator) Logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(CookieName); err == nil {
		if err := a.Store.DeleteSession(r.Context(), HashSecret(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, Secure: !a.InsecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	return nil
}

// CSRFHeader carries the CSRF token of API calls made from the page.
const CSRFHeader = "X-CSRF-Token"

// CSRFField carries it in a form.
const CSRFField = "csrf_token"

// CheckCSRF verifies a cookie-authenticated state-changing request: its
// CSRF token (header, or form field for url-encoded forms) matches the
// session's. Token-authenticated requests carry no ambient credential and
// pass.
func CheckCSRF(r *http.Request, p *Principal) bool {
	if p.Session == nil {
		return true
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		got = r.PostFormValue(CSRFField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(p.Session.CSRF)) == 1
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of a request context.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(*Principal)
	return p, ok
}
