package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/internal/fixture/dexfile"
	"github.com/sdkvet/sdkvet/server"
	"github.com/sdkvet/sdkvet/server/api"
)

// apk builds a signed APK with the given package name, label, classes and
// string constants.
func apk(pkg, label string, classes, strs []string) []byte {
	cert, key := fixture.SelfSigned("Example Agency Release")
	return fixture.APK{
		Manifest: fixture.ManifestSpec{Package: pkg, Label: label, VersionName: "1.0", VersionCode: 1, MinSDK: 24, TargetSDK: 34},
		Dex:      [][]byte{dexfile.Build(dexfile.Spec{Classes: append([]string{pkg + ".MainActivity"}, classes...), Strings: strs})},
	}.BytesWithCert(cert, key)
}

var (
	wechatClasses = []string{"com.tencent.mm.opensdk.openapi.WXAPIFactory", "com.tencent.mm.opensdk.openapi.IWXAPI"}
	baiduClasses  = []string{"com.baidu.mobads.sdk.api.BaiduNativeManager"}
)

// TestAPIFlow walks the API as the vetting team and CI use it, checking
// every response against openapi.yaml; at the end, every operation of the
// description must have been exercised and every route must be described.
func TestAPIFlow(t *testing.T) {
	e := newEnv(t, nil)
	wechat := apk("gov.example.share", "Share", wechatClasses, nil)
	baidu := apk("gov.example.feed", "Feed", baiduClasses, nil)

	// Upload: multipart, then the same bytes as a raw body.
	sc := e.upload("reviewer", "share.apk", wechat, http.StatusAccepted)
	if sc.Status != "queued" || sc.Filename != "share.apk" || sc.Duplicate == nil || *sc.Duplicate {
		t.Fatalf("upload = %+v", sc)
	}
	resp, b := e.do("reviewer", "POST", "/api/v1/scans?filename=again.apk", bytes.NewReader(wechat), "application/octet-stream")
	var dup scanJSON
	json.Unmarshal(b, &dup)
	if resp.StatusCode != 200 || dup.ID != sc.ID || !*dup.Duplicate {
		t.Fatalf("same package again: %d %+v, want the existing scan", resp.StatusCode, dup)
	}
	resp, b = e.do("reviewer", "POST", "/api/v1/scans?filename=feed.apk", bytes.NewReader(baidu), "application/vnd.android.package-archive")
	var feed scanJSON
	json.Unmarshal(b, &feed)
	if resp.StatusCode != 202 || resp.Header.Get("Location") != "/api/v1/scans/"+feed.ID {
		t.Fatalf("raw upload: %d %s", resp.StatusCode, clip(b))
	}

	done := e.wait(sc.ID)
	if done.Status != "done" || done.Verdict != "fail" || done.AppID != "gov.example.share" || done.Attempts != 1 || !done.Complete {
		t.Fatalf("wechat scan = %+v", done)
	}
	if len(done.Findings) == 0 || done.Findings[0].VendorID != "tencent" {
		t.Errorf("findings = %+v, want tencent", done.Findings)
	}
	if f := e.wait(feed.ID); f.Verdict != "pass" {
		t.Fatalf("baidu scan under the default policy = %+v, want pass", f)
	}

	// Reports in every format; paths name the upload, not the blob.
	for _, f := range []string{"json", "text", "sarif", "cyclonedx", "csv", "markdown", "html", "pdf"} {
		resp, b := e.do("viewer", "GET", "/api/v1/scans/"+sc.ID+"/report?format="+f, nil, "")
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Errorf("report %s: %d", f, resp.StatusCode)
		}
		if bytes.Contains(b, []byte(e.data)) {
			t.Errorf("report %s names the data directory", f)
		}
	}
	var rep struct {
		Verdict string `json:"verdict"`
		Targets []struct {
			Path     string `json:"path"`
			Findings []struct {
				Evidence []struct {
					Path string `json:"path"`
				} `json:"evidence"`
			} `json:"findings"`
		} `json:"targets"`
	}
	e.json("viewer", "GET", "/api/v1/scans/"+sc.ID+"/report", nil, 200, &rep)
	if rep.Verdict != "fail" || rep.Targets[0].Path != "share.apk" || rep.Targets[0].Findings[0].Evidence[0].Path != "share.apk!/classes.dex" {
		t.Errorf("json report = %+v", rep)
	}
	if r, _ := e.do("viewer", "GET", "/api/v1/scans/"+sc.ID+"/report?format=docx", nil, ""); r.StatusCode != 400 {
		t.Errorf("unknown format: %d, want 400", r.StatusCode)
	}

	// Search.
	search := func(q string, want ...string) {
		t.Helper()
		var out struct {
			Total int        `json:"total"`
			Scans []scanJSON `json:"scans"`
		}
		e.json("viewer", "GET", "/api/v1/scans?"+q, nil, 200, &out)
		var got []string
		for _, s := range out.Scans {
			got = append(got, s.ID)
		}
		if !slices.Equal(got, want) || out.Total != len(want) {
			t.Errorf("search %q = %v (total %d), want %v", q, got, out.Total, want)
		}
	}
	search("vendor=tencent", sc.ID)
	search("sdk=tencent.wechat-opensdk", sc.ID)
	search("app_id=gov.example.feed", feed.ID)
	search("verdict=pass", feed.ID)
	search("since=2000-01-01&status=done", feed.ID, sc.ID)
	search("until=2000-01-01")
	if r, _ := e.do("viewer", "GET", "/api/v1/scans?verdict=maybe", nil, ""); r.StatusCode != 400 {
		t.Errorf("bad verdict filter: %d", r.StatusCode)
	}

	// Policy and packs: switching on the baidu pack flips the feed app.
	resp, b = e.do("viewer", "GET", "/api/v1/policy", nil, "")
	if resp.StatusCode != 200 || resp.Header.Get("X-Settings-Version") != "1" || !bytes.Contains(b, []byte("fail_on:")) {
		t.Fatalf("policy: %d %s", resp.StatusCode, resp.Header.Get("X-Settings-Version"))
	}
	var packs struct {
		Packs []api.Pack `json:"packs"`
	}
	e.json("viewer", "GET", "/api/v1/packs", nil, 200, &packs)
	if len(packs.Packs) < 2 || slices.ContainsFunc(packs.Packs, func(p api.Pack) bool { return p.Enabled }) {
		t.Fatalf("packs = %+v, want all off", packs)
	}
	var ch api.Change
	e.json("admin", "PUT", "/api/v1/packs/baidu", map[string]bool{"enabled": true}, 200, &ch)
	if ch.Version != 2 || ch.Judged != 2 || ch.Flipped != 1 || ch.Flips[0].ScanID != feed.ID || ch.Flips[0].NewVerdict == "pass" {
		t.Fatalf("enable baidu: %+v", ch)
	}
	search("vendor=baidu", feed.ID)
	var changes struct {
		Flips []api.Flip `json:"flips"`
	}
	e.json("viewer", "GET", "/api/v1/versions/2/changes", nil, 200, &changes)
	if len(changes.Flips) != 1 || changes.Flips[0].AppID != "gov.example.feed" || changes.Flips[0].OldVerdict != "pass" {
		t.Errorf("what changed = %+v", changes)
	}
	e.json("admin", "PUT", "/api/v1/packs/nosuch", map[string]bool{"enabled": true}, 404, nil)
	e.json("admin", "PUT", "/api/v1/packs/baidu", map[string]string{"enabled": "yes"}, 400, nil)

	// A policy that excepts WeChat's SDK flips the share app back.
	_, pol := e.do("viewer", "GET", "/api/v1/policy", nil, "")
	newPol := strings.Replace(string(pol), "exceptions: []", "exceptions:\n  - sdk: tencent.wechat-opensdk\n    reason: reviewed\n    owner: it@example.gov\n    expires: 2099-12-31", 1)
	resp, b = e.do("admin", "PUT", "/api/v1/policy", strings.NewReader(newPol), "application/yaml")
	json.Unmarshal(b, &ch)
	if resp.StatusCode != 200 || ch.Version != 3 || ch.Flipped != 1 || ch.Flips[0].ScanID != sc.ID || ch.Flips[0].NewVerdict != "pass" {
		t.Fatalf("put policy: %d %s", resp.StatusCode, clip(b))
	}
	if r, b := e.do("admin", "PUT", "/api/v1/policy", strings.NewReader("fail_on: [\n"), "application/yaml"); r.StatusCode != 400 {
		t.Errorf("broken policy: %d %s", r.StatusCode, b)
	}
	e.json("admin", "POST", "/api/v1/reevaluate", nil, 200, &ch)
	if ch.Version != 4 || ch.Flipped != 0 || ch.Judged != 2 {
		t.Errorf("re-evaluate: %+v", ch)
	}
	var versions struct {
		Versions []api.Version `json:"versions"`
	}
	e.json("viewer", "GET", "/api/v1/versions", nil, 200, &versions)
	if len(versions.Versions) != 4 || !versions.Versions[0].Current || versions.Versions[0].Author != "token:admin-token" {
		t.Errorf("versions = %+v", versions)
	}
	var audit struct {
		Entries []api.AuditEntry `json:"entries"`
	}
	e.json("viewer", "GET", "/api/v1/audit?limit=10", nil, 200, &audit)
	var actions []string
	for _, a := range audit.Entries {
		actions = append(actions, a.Action)
	}
	if !slices.Equal(actions, []string{"reevaluate", "policy.put", "packs.enable"}) || audit.Entries[2].Flipped != 1 || audit.Entries[2].Actor != "token:admin-token" {
		t.Errorf("audit = %+v", audit.Entries)
	}

	// Delete: the scan, its findings and its package file go.
	blob := filepath.Join(e.data, "blobs", sc.SHA256[:2], sc.SHA256[2:])
	if _, err := os.Stat(blob); err != nil {
		t.Fatalf("blob missing before delete: %v", err)
	}
	e.json("reviewer", "DELETE", "/api/v1/scans/"+sc.ID, nil, 403, nil)
	if r, _ := e.do("admin", "DELETE", "/api/v1/scans/"+sc.ID, nil, ""); r.StatusCode != 204 {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if _, err := os.Stat(blob); !os.IsNotExist(err) {
		t.Errorf("blob still there after delete: %v", err)
	}
	e.json("viewer", "GET", "/api/v1/scans/"+sc.ID, nil, 404, nil)
	e.json("admin", "DELETE", "/api/v1/scans/"+sc.ID, nil, 404, nil)
	search("vendor=tencent")

	// Health, metrics, sessions.
	e.json("", "GET", "/healthz", nil, 200, nil)
	resp, b = e.do("viewer", "GET", "/metrics", nil, "")
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`sdkvet_scans_finished_total{status="done"} 2`)) || !bytes.Contains(b, []byte(`sdkvet_scans{status="done"} 1`)) {
		t.Errorf("metrics: %d\n%s", resp.StatusCode, grep(b, "sdkvet_scans"))
	}
	loginFlow(t, e)
	signatureFlow(t, e)
	tokenFlow(t, e)

	// Every described operation was exercised, and every route is described.
	doc, _ := openAPIDoc()
	described := map[string]bool{}
	for p, item := range doc.Paths.Map() {
		for m := range item.Operations() {
			described[m+" "+p] = true
			if !e.seen[m+" "+p] {
				t.Errorf("openapi.yaml operation %s %s was not exercised", m, p)
			}
		}
	}
	a := &api.API{}
	for _, rt := range a.Routes() {
		if !described[rt.Method+" "+rt.Pattern] {
			t.Errorf("route %s %s is not in openapi.yaml", rt.Method, rt.Pattern)
		}
	}
	_ = server.OpenAPI
}

func grep(b []byte, s string) string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
