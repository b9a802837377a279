package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/server"
	"github.com/sdkvet/sdkvet/server/auth"
	"github.com/sdkvet/sdkvet/server/store"
)

// runCLI runs the command line in-process with stdin; it returns stdout
// and the error.
func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.Execute()
	return out.String(), err
}

func openData(t *testing.T, data string) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), data+"/sdkvet.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestTokenListAndRevoke: tokens made by `token create` are listed without
// their secret, a name two tokens share is refused with both ids, and a
// revoked token no longer authenticates; each revocation is audited.
func TestTokenListAndRevoke(t *testing.T) {
	data := t.TempDir()
	secrets := map[string]string{}
	for _, tc := range []struct{ name, role string }{{"ci", "reviewer"}, {"ci", "viewer"}, {"ops", "admin"}} {
		out, err := runCLI(t, "", "token", "create", tc.name, "--role", tc.role, "--data", data)
		if err != nil || !strings.HasPrefix(out, auth.TokenPrefix) {
			t.Fatalf("token create %s: %q %v", tc.name, out, err)
		}
		secrets[tc.name+"/"+tc.role] = strings.TrimSpace(out)
	}
	st := openData(t, data)
	ctx := context.Background()
	ts, err := st.ListTokens(ctx)
	if err != nil || len(ts) != 3 {
		t.Fatalf("tokens = %+v, %v", ts, err)
	}
	for _, tk := range ts {
		if strings.Contains(auth.HashSecret(secrets[tk.Name+"/"+tk.Role]), tk.ID) {
			t.Errorf("token id %s is part of its hash", tk.ID)
		}
	}
	out, err := runCLI(t, "", "token", "list", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "LAST USED") {
		t.Fatalf("token list:\n%s", out)
	}
	for _, tk := range ts {
		if !strings.Contains(out, tk.ID) {
			t.Errorf("token list misses id %s:\n%s", tk.ID, out)
		}
	}
	for _, s := range secrets {
		if strings.Contains(out, s) || strings.Contains(out, auth.HashSecret(s)) {
			t.Errorf("token list shows a secret or hash:\n%s", out)
		}
	}
	if !strings.Contains(lines[1], "never") {
		t.Errorf("unused token not shown as never used: %q", lines[1])
	}

	// A shared name is refused, naming both ids; nothing is revoked.
	_, err = runCLI(t, "", "token", "revoke", "ci", "--data", data)
	if err == nil || !strings.Contains(err.Error(), ts[0].ID) || !strings.Contains(err.Error(), ts[1].ID) || !strings.Contains(err.Error(), "by its id") {
		t.Fatalf("revoke of a shared name: %v, want a refusal listing both ids", err)
	}
	if _, err := runCLI(t, "", "token", "revoke", "nosuch", "--data", data); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("revoke of an unknown token: %v", err)
	}
	if left, _ := st.ListTokens(ctx); len(left) != 3 {
		t.Fatalf("a refused revocation removed tokens: %+v", left)
	}

	// By id, then by a name only one token has.
	var ciViewer store.Token
	for _, tk := range ts {
		if tk.Name == "ci" && tk.Role == "viewer" {
			ciViewer = tk
		}
	}
	if out, err := runCLI(t, "", "token", "revoke", ciViewer.ID, "--data", data); err != nil || !strings.Contains(out, ciViewer.ID) {
		t.Fatalf("revoke by id: %q %v", out, err)
	}
	if _, err := st.TokenByHash(ctx, auth.HashSecret(secrets["ci/viewer"])); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token still found: %v", err)
	}
	if _, err := st.TokenByHash(ctx, auth.HashSecret(secrets["ci/reviewer"])); err != nil {
		t.Errorf("the other ci token went too: %v", err)
	}
	if _, err := runCLI(t, "", "token", "revoke", "ops", "--data", data); err != nil {
		t.Fatalf("revoke by name: %v", err)
	}
	if left, _ := st.ListTokens(ctx); len(left) != 1 || left[0].Name != "ci" || left[0].Role != "reviewer" {
		t.Errorf("tokens left = %+v", left)
	}
	log, _ := st.ListAudit(ctx, 10)
	if len(log) != 2 || log[0].Action != "token.revoke" || log[0].Actor != "cli" || !strings.Contains(log[0].Detail, "ops") ||
		!strings.Contains(log[1].Detail, ciViewer.ID) {
		t.Errorf("audit = %+v", log)
	}
}

// TestUserPasswdEndsSessions: `user passwd` replaces the password from
// standard input, and a session cookie from before is refused by the
// running service.
func TestUserPasswdEndsSessions(t *testing.T) {
	data := t.TempDir()
	if _, err := runCLI(t, "the first long password\n", "user", "add", "ada", "--role", "admin", "--data", data); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv, err := server.New(ctx, server.Config{DataDir: data, NoWeb: true, InsecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	login := func(pw string) (int, *http.Cookie) {
		resp, err := http.Post(hs.URL+"/api/v1/session", "application/json", strings.NewReader(`{"name":"ada","password":"`+pw+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if c.Name == auth.CookieName {
				return resp.StatusCode, c
			}
		}
		return resp.StatusCode, nil
	}
	whoami := func(c *http.Cookie) int {
		req, _ := http.NewRequest("GET", hs.URL+"/api/v1/session", nil)
		req.AddCookie(c)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	code, old := login("the first long password")
	if code != 200 || old == nil || whoami(old) != 200 {
		t.Fatalf("login before the change: %d", code)
	}
	if _, err := runCLI(t, "short\n", "user", "passwd", "ada", "--data", data); err == nil {
		t.Error("a too short password was accepted")
	}
	if whoami(old) != 200 {
		t.Fatal("a refused password change ended the session")
	}
	if _, err := runCLI(t, "another long password\n", "user", "passwd", "nobody", "--data", data); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("passwd of an unknown user: %v", err)
	}
	out, err := runCLI(t, "the second long password\n", "user", "passwd", "ada", "--data", data)
	if err != nil || !strings.Contains(out, "1 sessions ended") {
		t.Fatalf("user passwd: %q %v", out, err)
	}
	if c := whoami(old); c != 401 {
		t.Errorf("session cookie from before the change: %d, want 401", c)
	}
	if code, _ := login("the first long password"); code != 401 {
		t.Errorf("old password: %d, want 401", code)
	}
	if code, c := login("the second long password"); code != 200 || whoami(c) != 200 {
		t.Errorf("new password: %d", code)
	}
	log, _ := srv.Store.ListAudit(ctx, 1)
	if len(log) != 1 || log[0].Action != "user.passwd" || log[0].Actor != "cli" || !strings.Contains(log[0].Detail, "ada") {
		t.Errorf("audit = %+v", log)
	}
}
