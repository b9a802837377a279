package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/sdkvet/sdkvet/scanner/sandbox"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/server"
	"github.com/sdkvet/sdkvet/server/auth"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
)

func TestMain(m *testing.M) {
	// Parsers run in child processes of this test binary.
	sandbox.MainIfWorker()
	os.Exit(m.Run())
}

// env is a running service on a loopback listener with one API token per
// role, checking every response against openapi.yaml.
type env struct {
	t      *testing.T
	srv    *server.Server
	http   *httptest.Server
	data   string
	tokens map[string]string // role -> token
	router routers.Router
	mu     sync.Mutex
	// seen records the operations whose responses were validated.
	seen map[string]bool
}

var openAPIDoc = sync.OnceValues(func() (*openapi3.T, error) {
	for _, ct := range []string{"text/markdown", "text/html", "text/csv"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
	doc, err := openapi3.NewLoader().LoadFromData(server.OpenAPI)
	if err != nil {
		return nil, err
	}
	return doc, doc.Validate(context.Background())
})

func newEnv(t *testing.T, mod func(*server.Config)) *env {
	t.Helper()
	data := t.TempDir()
	limits := walk.DefaultLimits()
	limits.MaxTime = 30 * time.Second
	cfg := server.Config{DataDir: data, Workers: 2, Judge: judge.Options{Limits: limits}, InsecureCookies: true}
	if mod != nil {
		mod(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		cancel()
		srv.Close()
	})
	e := &env{t: t, srv: srv, http: hs, data: data, tokens: map[string]string{}, seen: map[string]bool{}}
	for _, role := range []string{"viewer", "reviewer", "admin"} {
		tok, hash := auth.NewToken()
		if err := srv.Store.CreateToken(ctx, store.Token{ID: role, Name: role + "-token", Role: role, Hash: hash, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		e.tokens[role] = tok
	}
	doc, err := openAPIDoc()
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	doc2 := *doc
	doc2.Servers = openapi3.Servers{{URL: hs.URL}}
	if e.router, err = gorillamux.NewRouter(&doc2); err != nil {
		t.Fatal(err)
	}
	return e
}

// do sends a request as role ("" for none) and validates the response
// against the OpenAPI description.
func (e *env) do(role, method, path string, body io.Reader, contentType string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) (*http.Response, []byte) {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	e.validate(req, resp, b)
	return resp, b
}

func (e *env) validate(req *http.Request, resp *http.Response, body []byte) {
	e.t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/") && req.URL.Path != "/healthz" && req.URL.Path != "/metrics" {
		return
	}
	route, params, err := e.router.FindRoute(req)
	if err != nil {
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			return // not an operation of the API
		}
		e.t.Errorf("%s %s: not in openapi.yaml: %v", req.Method, req.URL.Path, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		e.t.Errorf("%s %s -> %d: response does not match openapi.yaml: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, clip(body))
	}
	e.mu.Lock()
	e.seen[route.Method+" "+route.Path] = true
	e.mu.Unlock()
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

func (e *env) json(role, method, path string, body any, wantCode int, out any) {
	e.t.Helper()
	var r io.Reader
	ct := ""
	if body != nil {
		b, _ := json.Marshal(body)
		r, ct = bytes.NewReader(b), "application/json"
	}
	resp, b := e.do(role, method, path, r, ct)
	if resp.StatusCode != wantCode {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantCode, clip(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

type scanJSON struct {
	ID        string `json:"id"`
	SHA256    string `json:"sha256"`
	Filename  string `json:"filename"`
	Status    string `json:"status"`
	Error     string `json:"error"`
	Verdict   string `json:"verdict"`
	Complete  bool   `json:"complete"`
	AppID     string `json:"app_id"`
	Label     string `json:"label"`
	Attempts  int    `json:"attempts"`
	Duplicate *bool  `json:"duplicate"`
	Retried   *bool  `json:"retried"`
	Findings  []struct {
		Rule     string `json:"rule"`
		VendorID string `json:"vendor_id"`
	} `json:"findings"`
}

func multipartBody(name string, data []byte) (io.Reader, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("note", "ignored")
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	return &b, w.FormDataContentType()
}

// upload sends a package as multipart and returns the scan.
func (e *env) upload(role, name string, data []byte, wantCode int) scanJSON {
	e.t.Helper()
	body, ct := multipartBody(name, data)
	resp, b := e.do(role, "POST", "/api/v1/scans", body, ct)
	if resp.StatusCode != wantCode {
		e.t.Fatalf("upload %s: status %d, want %d: %s", name, resp.StatusCode, wantCode, clip(b))
	}
	var sc scanJSON
	json.Unmarshal(b, &sc)
	return sc
}

// wait polls a scan until it is done or failed.
func (e *env) wait(id string) scanJSON {
	e.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		var sc scanJSON
		e.json("viewer", "GET", "/api/v1/scans/"+url.PathEscape(id), nil, 200, &sc)
		if sc.Status == store.StatusDone || sc.Status == store.StatusFailed {
			return sc
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("scan %s did not finish", id)
	return scanJSON{}
}

func (e *env) String() string { return fmt.Sprintf("env(%s)", e.http.URL) }
