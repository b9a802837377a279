package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/report"
)

// postMultipart sends a multipart form with an optional file part.
func postMultipart(t *testing.T, s *fakeService, target string, c *http.Cookie, fields map[string]string, fileName string, file []byte) resp {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := mw.CreateFormFile("file", fileName)
		fw.Write(file)
	}
	mw.Close()
	r := httptest.NewRequest("POST", target, &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(c)
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	return resp{w.Code, w.Body.String(), w.Header()}
}

const vendorFile = "schema: 1\nvendor: {id: examplevendor, name: Example Vendor}\n"

// TestSignatureFileForms: an admin uploads a signature file from the policy
// page, the verdict it bans flips and the page moves to what changed; the
// file is listed and its delete button flips the verdict back. Forms
// without the CSRF token, from other roles or with bad input never reach
// the backend.
func TestSignatureFileForms(t *testing.T) {
	s := newFakeService(t)
	seed(s.backend)
	s.backend.sigEffect["examplevendor.yaml"] = map[string]string{"clean1": report.Fail}
	admin, viewer := s.session("admin"), s.session("viewer")
	tok := s.tokenFor(admin)
	good := map[string]string{"csrf_token": tok, "name": "", "status": "banned", "severity": "high"}

	// Refused before the backend.
	for _, tc := range []struct {
		name   string
		c      *http.Cookie
		fields map[string]string
		file   string
		data   string
		want   int
	}{
		{"no token", admin, map[string]string{"status": "banned", "severity": "high"}, "examplevendor.yaml", vendorFile, 403},
		{"viewer", viewer, map[string]string{"csrf_token": s.tokenFor(viewer), "status": "banned", "severity": "high"}, "examplevendor.yaml", vendorFile, 403},
		{"bad name", admin, good, "../Example Vendor.yaml", vendorFile, 400},
		{"not yaml", admin, good, "examplevendor.json", vendorFile, 400},
		{"no content", admin, map[string]string{"csrf_token": tok, "name": "examplevendor.yaml", "status": "banned", "severity": "high"}, "", "", 400},
		{"bad status", admin, map[string]string{"csrf_token": tok, "status": "maybe", "severity": "high"}, "examplevendor.yaml", vendorFile, 400},
		{"bad severity", admin, map[string]string{"csrf_token": tok, "status": "banned", "severity": "dire"}, "examplevendor.yaml", vendorFile, 400},
		{"too large", admin, good, "examplevendor.yaml", strings.Repeat("#", MaxSignatureForm), 413},
	} {
		if r := postMultipart(t, s, "/policy/signatures", tc.c, tc.fields, tc.file, []byte(tc.data)); r.code != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, r.code, tc.want)
		}
	}
	if len(s.backend.sigPuts) != 0 {
		t.Fatalf("refused forms reached the backend: %+v", s.backend.sigPuts)
	}

	// The loader's message is shown, escaped.
	r := postMultipart(t, s, "/policy/signatures", admin, good, "broken.yaml", []byte("invalid"))
	if r.code != 400 || !strings.Contains(r.body, "settings:broken.yaml:3: vendor.id") || strings.Contains(r.body, "<b>invalid") {
		t.Fatalf("refused file: %d\n%s", r.code, r.body)
	}

	// A file upload named by its file name bans the vendor.
	r = postMultipart(t, s, "/policy/signatures", admin, good, "examplevendor.yaml", []byte(vendorFile))
	if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/changes?version=2" {
		t.Fatalf("upload: %d %q", r.code, r.hdr.Get("Location"))
	}
	last := s.backend.sigPuts[len(s.backend.sigPuts)-1]
	if want := (SignatureUpload{Name: "examplevendor.yaml", YAML: vendorFile, Status: "banned", Severity: "high"}); last != want {
		t.Errorf("backend got %+v, want %+v", last, want)
	}
	r = do(t, s, "GET", "/changes?version=2", admin, nil, nil)
	for _, w := range []string{"signature file examplevendor.yaml added", `href="/scans/clean1"`, "badge-fail"} {
		if !strings.Contains(r.body, w) {
			t.Errorf("what changed lacks %q", w)
		}
	}

	// The text area with a name field works too; "as the policy says" drops the severity.
	r = postMultipart(t, s, "/policy/signatures", admin, map[string]string{"csrf_token": tok, "name": "second.yml", "yaml": vendorFile, "status": "", "severity": "high"}, "", nil)
	if last := s.backend.sigPuts[len(s.backend.sigPuts)-1]; r.code != http.StatusSeeOther || last.Name != "second.yml" || last.YAML != vendorFile || last.Severity != "" {
		t.Errorf("text area: %d %+v", r.code, last)
	}

	// Listed for everyone; delete buttons only for the admin.
	pol := do(t, s, "GET", "/policy", admin, nil, nil)
	if !strings.Contains(pol.body, `<code>examplevendor.yaml</code>`) || !strings.Contains(pol.body, "banned, high") ||
		!strings.Contains(pol.body, `action="/policy/signatures/delete"`) || !strings.Contains(pol.body, `enctype="multipart/form-data"`) {
		t.Errorf("policy page lacks the file, its state or the forms")
	}
	if pol.hdr.Get("Content-Security-Policy") != ContentSecurityPolicy || strings.Contains(pol.body, " style=") || strings.Contains(pol.body, "<script>") {
		t.Errorf("policy page breaks the strict CSP")
	}
	vp := do(t, s, "GET", "/policy", viewer, nil, nil)
	if !strings.Contains(vp.body, `<code>examplevendor.yaml</code>`) || strings.Contains(vp.body, `action="/policy/signatures`) {
		t.Errorf("viewer: file not listed or controls shown")
	}

	// Delete: refused without the token or for a viewer; then flips back.
	del := url.Values{"name": {"examplevendor.yaml"}}
	if r := do(t, s, "POST", "/policy/signatures/delete", admin, del, nil); r.code != 403 {
		t.Errorf("delete without token: %d", r.code)
	}
	if r := do(t, s, "POST", "/policy/signatures/delete", viewer, url.Values{"name": {"examplevendor.yaml"}, "csrf_token": {s.tokenFor(viewer)}}, nil); r.code != 403 {
		t.Errorf("viewer delete: %d", r.code)
	}
	del.Set("csrf_token", tok)
	r = do(t, s, "POST", "/policy/signatures/delete", admin, del, nil)
	if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/changes?version=4" {
		t.Fatalf("delete: %d %q", r.code, r.hdr.Get("Location"))
	}
	if d, _ := s.backend.GetScan(t.Context(), "clean1"); d.Verdict != report.Pass {
		t.Errorf("after delete clean1 = %s, want pass", d.Verdict)
	}
	if r := do(t, s, "POST", "/policy/signatures/delete", admin, del, nil); r.code != http.StatusNotFound {
		t.Errorf("delete again: %d, want 404", r.code)
	}
	if r := do(t, s, "POST", "/policy/signatures/delete", admin, url.Values{"name": {"../x"}, "csrf_token": {tok}}, nil); r.code != http.StatusBadRequest {
		t.Errorf("delete bad name: %d, want 400", r.code)
	}
}
