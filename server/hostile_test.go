package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/server"
	"github.com/sdkvet/sdkvet/server/auth"
	"github.com/sdkvet/sdkvet/server/extractcodec"
	"github.com/sdkvet/sdkvet/server/store"
)

// files lists every file under dir (relative paths).
func files(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// arArchive builds a System V ar archive with the given member names.
func arArchive(members map[string][]byte) []byte {
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for name, data := range members {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8o%-10d`\n", name+"/", 0, 0, 0, 0o644, len(data))
		b.Write(data)
		if len(data)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// TestNoSlip uploads archives whose entry names climb out of any folder
// (zip slip; "ar slip" in a static library) and a file name that does: the
// scans finish and nothing is written outside DATA/blobs, the database and
// its journal.
func TestNoSlip(t *testing.T) {
	parent := t.TempDir()
	data := filepath.Join(parent, "data")
	e := newEnv(t, func(c *server.Config) { c.DataDir = data })
	zipSlip := fixture.Zip([]fixture.Entry{
		{Name: "../../../../evil.txt", Data: []byte("zip slip")},
		{Name: "/tmp/abs-evil.txt", Data: []byte("absolute")},
		{Name: "AndroidManifest.xml/../../evil2.txt", Data: []byte("x")},
	})
	arSlip := arArchive(map[string][]byte{"../../evil3.o": []byte("\xcf\xfa\xed\xfe rest"), "/etc/evil4.o": []byte("x")})
	var ids []string
	for name, body := range map[string][]byte{"../../../evil-name.apk": zipSlip, "..\\..\\lib.a": arSlip} {
		sc := e.upload("reviewer", name, body, 202)
		if strings.Contains(sc.Filename, "..") || strings.ContainsAny(sc.Filename, `/\`) {
			t.Errorf("stored file name %q keeps path elements", sc.Filename)
		}
		ids = append(ids, sc.ID)
	}
	for _, id := range ids {
		if sc := e.wait(id); sc.Status != "done" {
			t.Errorf("scan %s: %s (%s)", id, sc.Status, sc.Error)
		}
	}
	for _, f := range files(t, parent) {
		ok := strings.HasPrefix(f, filepath.Join("data", "blobs")+string(filepath.Separator)) || strings.HasPrefix(f, filepath.Join("data", "sdkvet.db"))
		if !ok {
			t.Errorf("file written outside the blob store: %s", f)
		}
	}
	if n := len(files(t, filepath.Join(data, "blobs"))); n != 2 {
		t.Errorf("blobs = %d, want 2", n)
	}
	for _, p := range []string{"/tmp/abs-evil.txt", "/etc/evil4.o"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s exists", p)
		}
	}
}

// TestPathTraversalOnDownload: ids and formats from the request never name
// a file.
func TestPathTraversalOnDownload(t *testing.T) {
	e := newEnv(t, nil)
	sc := e.upload("reviewer", "a.apk", apk("gov.example.a", "A", nil, nil), 202)
	e.wait(sc.ID)
	for _, p := range []string{
		"/api/v1/scans/..%2F..%2F..%2Fetc%2Fpasswd/report",
		"/api/v1/scans/%2e%2e/report",
		"/api/v1/scans/" + sc.SHA256 + "/report",
		"/api/v1/scans/" + strings.ToUpper(sc.ID) + "/report",
		"/api/v1/scans/..%5C..%5Csdkvet.db/report",
	} {
		req, _ := http.NewRequest("GET", e.http.URL+p, nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens["viewer"])
		resp, b := e.send(req)
		if resp.StatusCode != 404 && resp.StatusCode != 400 || bytes.Contains(b, []byte("root:")) || bytes.Contains(b, []byte("SQLite")) {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, clip(b))
		}
	}
	for _, f := range []string{"../../../etc/passwd", "json/../../x", "%2e%2e"} {
		resp, _ := e.do("viewer", "GET", "/api/v1/scans/"+sc.ID+"/report?format="+f, nil, "")
		if resp.StatusCode != 400 {
			t.Errorf("format %q: %d, want 400", f, resp.StatusCode)
		}
	}
	resp, _ := e.do("viewer", "GET", "/api/v1/scans/"+sc.ID+"/report?format=html", nil, "")
	if d := resp.Header.Get("Content-Disposition"); d != `attachment; filename="sdkvet-`+sc.ID+`.html"` {
		t.Errorf("HTML report disposition %q: want an attachment named by the scan id", d)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox;") || strings.Contains(csp, "script-src") {
		t.Errorf("HTML report CSP %q: want a sandbox without script", csp)
	}
	resp, _ = e.do("viewer", "GET", "/api/v1/scans/"+sc.ID+"/report?format=json", nil, "")
	if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "inline;") {
		t.Errorf("JSON report disposition %q: want inline", d)
	}
}

// TestZipBomb: a package that inflates far beyond the limits finishes as
// an incomplete scan and the service stays up.
func TestZipBomb(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		l := walk.DefaultLimits()
		l.MaxTotal, l.MaxEntrySize = 16<<20, 8<<20
		c.Judge.Limits = l
	})
	bomb := fixture.Zip([]fixture.Entry{
		{Name: "AndroidManifest.xml", Data: make([]byte, 10)},
		{Name: "classes.dex", Data: make([]byte, 64<<20)},
		{Name: "assets/a.bin", Data: make([]byte, 64<<20)},
	})
	if len(bomb) > 1<<20 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	sc := e.upload("reviewer", "bomb.apk", bomb, 202)
	done := e.wait(sc.ID)
	if done.Status != "done" || done.Complete {
		t.Errorf("bomb scan = %+v, want done and incomplete", done)
	}
	var rep struct {
		Targets []struct {
			Errors []struct{ Error string } `json:"errors"`
		} `json:"targets"`
	}
	e.json("viewer", "GET", "/api/v1/scans/"+sc.ID+"/report", nil, 200, &rep)
	if len(rep.Targets) != 1 || len(rep.Targets[0].Errors) == 0 {
		t.Errorf("bomb report has no error: %+v", rep)
	}
	e.json("", "GET", "/healthz", nil, 200, nil)
	// The service still scans the next package.
	next := e.upload("reviewer", "ok.apk", apk("gov.example.ok", "OK", nil, nil), 202)
	if s := e.wait(next.ID); s.Status != "done" || s.Verdict != "pass" {
		t.Errorf("scan after the bomb = %+v", s)
	}
}

// TestUploadLimit: an upload over the limit is refused whole and leaves no
// file behind.
func TestUploadLimit(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.MaxUpload = 1000 })
	resp, _ := e.do("reviewer", "POST", "/api/v1/scans", bytes.NewReader(make([]byte, 5000)), "application/octet-stream")
	if resp.StatusCode != 413 {
		t.Errorf("oversized raw upload: %d, want 413", resp.StatusCode)
	}
	body, ct := multipartBody("big.apk", make([]byte, 5000))
	if resp, _ := e.do("reviewer", "POST", "/api/v1/scans", body, ct); resp.StatusCode != 413 {
		t.Errorf("oversized multipart upload: %d, want 413", resp.StatusCode)
	}
	if resp, _ := e.do("reviewer", "POST", "/api/v1/scans", bytes.NewReader(nil), "application/octet-stream"); resp.StatusCode != 400 {
		t.Errorf("empty upload: %d, want 400", resp.StatusCode)
	}
	// A multipart body cut off before its closing boundary.
	body, ct = multipartBody("cut.apk", make([]byte, 800))
	whole, _ := io.ReadAll(body)
	if resp, b := e.do("reviewer", "POST", "/api/v1/scans", bytes.NewReader(whole[:len(whole)-60]), ct); resp.StatusCode != 400 {
		t.Errorf("truncated multipart upload: %d %s, want 400", resp.StatusCode, b)
	}
	if f := files(t, e.data); len(f) != 0 && !(len(f) <= 3 && strings.HasPrefix(f[0], "sdkvet.db")) {
		t.Errorf("files after refused uploads: %v", f)
	}
	if resp, _ := e.do("admin", "PUT", "/api/v1/policy", bytes.NewReader(make([]byte, 2<<20)), "application/yaml"); resp.StatusCode != 413 {
		t.Errorf("2 MB policy: %d, want 413", resp.StatusCode)
	}
}

// TestStoredXSS: a label and file name full of markup come back from the
// API as JSON strings (escaped), and the pages never echo them raw.
func TestStoredXSS(t *testing.T) {
	e := newEnv(t, nil)
	const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	sc := e.upload("reviewer", `"><svg onload=alert(3)>.apk`, apk("gov.example.xss", evil, nil, nil), 202)
	done := e.wait(sc.ID)
	if done.Label != evil {
		t.Fatalf("label = %q, want it kept as data", done.Label)
	}
	for _, p := range []string{"/api/v1/scans/" + sc.ID, "/api/v1/scans", "/api/v1/scans/" + sc.ID + "/report?format=json"} {
		resp, b := e.do("viewer", "GET", p, nil, "")
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: Content-Type %q, nosniff %q: a browser could render it", p, ct, resp.Header.Get("X-Content-Type-Options"))
		}
		// The service's own JSON escapes markup characters; the report
		// (the CLI's JSON contract) may keep them, served as JSON only.
		if !strings.Contains(p, "report") && (bytes.Contains(b, []byte("<script>")) || bytes.Contains(b, []byte("<svg"))) {
			t.Errorf("%s: raw markup in the JSON", p)
		}
	}
	var rep struct {
		Targets []struct {
			Identity struct {
				Label string `json:"label"`
			} `json:"identity"`
		} `json:"targets"`
	}
	e.json("viewer", "GET", "/api/v1/scans/"+sc.ID+"/report", nil, 200, &rep)
	if rep.Targets[0].Identity.Label != evil {
		t.Errorf("report label = %q, want the exact string back", rep.Targets[0].Identity.Label)
	}
	// The pages, signed in.
	hash, _ := auth.HashPassword("a long enough password")
	e.srv.Store.CreateUser(context.Background(), store.User{Name: "vic", Role: "viewer", PasswordHash: hash})
	w := &headerRecorder{h: http.Header{}}
	e.srv.Auth.Login(context.Background(), w, "vic", "a long enough password")
	for _, p := range []string{"/scans", "/scans/" + sc.ID} {
		req, _ := http.NewRequest("GET", e.http.URL+p, nil)
		req.Header.Set("Cookie", strings.Split(w.h.Get("Set-Cookie"), ";")[0])
		resp, b := e.send(req)
		if resp.StatusCode != 200 {
			t.Errorf("page %s: %d", p, resp.StatusCode)
			continue
		}
		if bytes.Contains(b, []byte("<script>alert")) || bytes.Contains(b, []byte("<svg onload")) || bytes.Contains(b, []byte("<img src=x")) {
			t.Errorf("page %s echoes package markup unescaped", p)
		}
	}
}

type headerRecorder struct{ h http.Header }

func (r *headerRecorder) Header() http.Header         { return r.h }
func (r *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *headerRecorder) WriteHeader(int)             {}

// TestNoSSRF: URLs inside a package are data; the service never fetches
// them, neither while scanning nor while reporting.
func TestNoSSRF(t *testing.T) {
	var hits atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })}
	go hs.Serve(ln)
	defer hs.Close()
	u := "http://" + ln.Addr().String()
	e := newEnv(t, nil)
	body := apk("gov.example.ssrf", "SSRF", nil, []string{u + "/dex-string", u + "/icon.svg"})
	sc := e.upload("reviewer", "ssrf.apk", body, 202)
	if done := e.wait(sc.ID); done.Status != "done" {
		t.Fatalf("scan = %s (%s)", done.Status, done.Error)
	}
	for _, f := range []string{"json", "html", "pdf", "sarif"} {
		if resp, _ := e.do("viewer", "GET", "/api/v1/scans/"+sc.ID+"/report?format="+f, nil, ""); resp.StatusCode != 200 {
			t.Errorf("report %s: %d", f, resp.StatusCode)
		}
	}
	// The scanner did read the URLs: their host is in the stored
	// observations.
	data, err := e.srv.Store.GetExtract(t.Context(), sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	x, err := extractcodec.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, o := range x.Observations {
		seen = seen || o.Kind == observation.IP && o.Value == "127.0.0.1"
	}
	if !seen {
		t.Error("the package's URLs were not observed: the test proves nothing")
	}
	time.Sleep(200 * time.Millisecond)
	if n := hits.Load(); n != 0 {
		t.Errorf("the service made %d requests to a URL from a package", n)
	}
}

// TestSlowUploadOutlivesServerTimeouts: an upload that takes longer than
// the server's read and write timeouts (which guard every other request)
// is still accepted and answered.
func TestSlowUploadOutlivesServerTimeouts(t *testing.T) {
	e := newEnv(t, nil)
	hs := e.srv.HTTPServer("127.0.0.1:0")
	hs.ReadTimeout, hs.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()
	pkg := apk("gov.example.slow", "Slow", nil, nil)
	pr, pw := io.Pipe()
	go func() {
		// Three pieces, 400 ms apart: the body outlasts both timeouts.
		third := len(pkg) / 3
		for i, part := range [][]byte{pkg[:third], pkg[third : 2*third], pkg[2*third:]} {
			if i > 0 {
				time.Sleep(400 * time.Millisecond)
			}
			pw.Write(part)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/v1/scans?filename=slow.apk", pr)
	req.Header.Set("Authorization", "Bearer "+e.tokens["reviewer"])
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("slow upload: %v", err)
	}
	defer resp.Body.Close()
	var sc scanJSON
	if err := json.NewDecoder(resp.Body).Decode(&sc); err != nil || resp.StatusCode != 202 || sc.ID == "" {
		t.Fatalf("slow upload: %d %+v (%v)", resp.StatusCode, sc, err)
	}
	if sc.Filename != "slow.apk" {
		t.Errorf("filename = %q", sc.Filename)
	}
}
