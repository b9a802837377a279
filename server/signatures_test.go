package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/server/api"
)

// exampleVendor is a vendor the embedded database does not know.
const exampleVendor = `schema: 1
vendor:
  id: examplevendor
  name: Example Vendor
  country: XX
sdks:
  - id: examplevendor.ads
    name: Example Ads
    category: ads
    description: An advertising SDK the IT department added to the ban.
    rules:
      - source: observed in a vetted package
        java_packages: [com.examplevendor.ads]
`

// signatureFlow is the promise of the service: the IT department adds a
// vendor with one signature file, every stored package is re-judged, the
// verdict flips and the change is recorded; removing the file flips it
// back. Called from TestAPIFlow, so its operations count as exercised.
func signatureFlow(t *testing.T, e *env) {
	t.Helper()
	news := e.upload("reviewer", "news.apk", apk("gov.example.news", "News", []string{"com.examplevendor.ads.sdk.AdLoader", "com.examplevendor.ads.sdk.AdView"}, nil), http.StatusAccepted)
	if sc := e.wait(news.ID); sc.Verdict != "pass" {
		t.Fatalf("unknown vendor's package = %+v, want pass", sc)
	}
	var list struct {
		Version int64               `json:"version"`
		Files   []api.SignatureFile `json:"files"`
	}
	e.json("viewer", "GET", "/api/v1/signatures", nil, 200, &list)
	if len(list.Files) != 0 {
		t.Fatalf("signature files before any put: %+v", list.Files)
	}
	put := func(role, name, body, query string, wantCode int) api.Change {
		t.Helper()
		resp, b := e.do(role, "PUT", "/api/v1/signatures/"+name+query, strings.NewReader(body), "application/yaml")
		if resp.StatusCode != wantCode {
			t.Fatalf("put %s%s: %d, want %d: %s", name, query, resp.StatusCode, wantCode, clip(b))
		}
		var ch api.Change
		var er api.Error
		if wantCode == 200 {
			json.Unmarshal(b, &ch)
		} else if json.Unmarshal(b, &er); er.Error == "" {
			t.Errorf("put %s: no error message", name)
		}
		return ch
	}
	putErr := func(name, body, query string, wantCode int, want string) {
		t.Helper()
		resp, b := e.do("admin", "PUT", "/api/v1/signatures/"+name+query, strings.NewReader(body), "application/yaml")
		if resp.StatusCode != wantCode || !bytes.Contains(b, []byte(want)) {
			t.Errorf("put %s%s: %d %s, want %d with %q", name, query, resp.StatusCode, clip(b), wantCode, want)
		}
	}

	// Refused: the loader's file:line message, names, roles, collisions, size.
	noSource := strings.Replace(exampleVendor, "      - source: observed in a vetted package\n", "      - source: \"\"\n", 1)
	putErr("examplevendor.yaml", noSource, "", 400, `settings:examplevendor.yaml:12: sdks[0].rules[0].source: required`)
	putErr("examplevendor.yaml", exampleVendor+"colour: red\n", "", 400, "field colour not found")
	putErr("examplevendor.yaml", strings.Replace(exampleVendor, "com.examplevendor.ads]", "com.tencent.mm.opensdk]", 1), "", 400, "claimed by both")
	putErr("Example.yaml", exampleVendor, "", 400, "signature file name")
	putErr("example.json", exampleVendor, "", 400, "signature file name")
	putErr("examplevendor.yaml", exampleVendor, "?status=forbidden", 400, "not banned, watch or allowed")
	putErr("examplevendor.yaml", exampleVendor, "?status=banned&severity=dire", 400, "unknown severity")
	putErr("examplevendor.yaml", strings.Repeat("#", 1<<20+1), "", 413, "larger than")
	put("reviewer", "examplevendor.yaml", exampleVendor, "", 403)
	e.json("viewer", "GET", "/api/v1/signatures", nil, 200, &list)
	if len(list.Files) != 0 || list.Version != e.srv.Service.Settings().Version {
		t.Fatalf("a refused put changed the settings: %+v", list)
	}

	// The file alone: the vendor is known, but the policy does not name it.
	ch := put("admin", "examplevendor.yaml", exampleVendor, "", 200)
	if ch.Flipped != 0 || ch.Judged < 1 {
		t.Fatalf("file without a status: %+v, want no flip", ch)
	}
	sc := e.wait(news.ID)
	if sc.Verdict != "pass" || !slices.ContainsFunc(sc.Findings, func(f struct {
		Rule     string `json:"rule"`
		VendorID string `json:"vendor_id"`
	}) bool {
		return f.Rule == "examplevendor.ads" && f.VendorID == "examplevendor"
	}) {
		t.Fatalf("after the file without a status: %+v, want a pass with an examplevendor.ads finding", sc)
	}

	// Banned: the package flips to fail, in the change, the scan, the search and the log.
	ch = put("admin", "examplevendor.yaml", exampleVendor, "?status=banned", 200)
	if ch.Flipped != 1 || ch.Flips[0].ScanID != news.ID || ch.Flips[0].OldVerdict != "pass" || ch.Flips[0].NewVerdict != "fail" {
		t.Fatalf("ban examplevendor: %+v", ch)
	}
	banVersion := ch.Version
	if sc := e.wait(news.ID); sc.Verdict != "fail" {
		t.Fatalf("after the ban: %+v, want fail", sc)
	}
	var changes struct {
		Flips []api.Flip `json:"flips"`
	}
	e.json("viewer", "GET", "/api/v1/versions/"+strconv.FormatInt(banVersion, 10)+"/changes", nil, 200, &changes)
	if len(changes.Flips) != 1 || changes.Flips[0].AppID != "gov.example.news" || changes.Flips[0].NewVerdict != "fail" {
		t.Errorf("what changed = %+v", changes)
	}
	var found struct {
		Total int `json:"total"`
	}
	e.json("viewer", "GET", "/api/v1/scans?vendor=examplevendor&verdict=fail", nil, 200, &found)
	if found.Total != 1 {
		t.Errorf("search vendor=examplevendor: %d, want 1", found.Total)
	}
	var rep struct {
		Verdict string `json:"verdict"`
	}
	e.json("viewer", "GET", "/api/v1/scans/"+news.ID+"/report", nil, 200, &rep)
	if rep.Verdict != "fail" {
		t.Errorf("report verdict = %q, want fail", rep.Verdict)
	}

	e.json("viewer", "GET", "/api/v1/signatures", nil, 200, &list)
	sum := sha256.Sum256([]byte(exampleVendor))
	want := api.SignatureFile{Name: "examplevendor.yaml", VendorID: "examplevendor", SDKs: 1, Size: len(exampleVendor), SHA256: hex.EncodeToString(sum[:]), Status: "banned", Severity: "high"}
	if len(list.Files) != 1 || list.Files[0] != want || list.Version != banVersion {
		t.Fatalf("signature list = %+v, want [%+v] at version %d", list, want, banVersion)
	}
	resp, b := e.do("viewer", "GET", "/api/v1/signatures/examplevendor.yaml", nil, "")
	if resp.StatusCode != 200 || string(b) != exampleVendor || resp.Header.Get("X-Vendor-Status") != "banned" {
		t.Errorf("get signature file: %d %q %s", resp.StatusCode, resp.Header.Get("X-Vendor-Status"), clip(b))
	}
	e.json("viewer", "GET", "/api/v1/signatures/nosuch.yaml", nil, 404, nil)
	var audit struct {
		Entries []api.AuditEntry `json:"entries"`
	}
	e.json("viewer", "GET", "/api/v1/audit?limit=1", nil, 200, &audit)
	if a := audit.Entries[0]; a.Action != "signatures.put" || a.Flipped != 1 || a.SettingsVersion != banVersion || a.Actor != "token:admin-token" ||
		!strings.Contains(a.Detail, "examplevendor.yaml replaced (vendor examplevendor, 1 SDKs, 0 apps") || !strings.Contains(a.Detail, "status banned high") {
		t.Errorf("audit = %+v", a)
	}

	// Other settings changes keep the file.
	e.json("admin", "POST", "/api/v1/reevaluate", nil, 200, &ch)
	if ch.Flipped != 0 {
		t.Errorf("re-evaluation with the file flipped %d", ch.Flipped)
	}
	var versions struct {
		Versions []api.Version `json:"versions"`
	}
	e.json("viewer", "GET", "/api/v1/versions", nil, 200, &versions)
	if v := versions.Versions[0]; !slices.Equal(v.Signatures, []string{"examplevendor.yaml"}) || v.Note != "reevaluate" {
		t.Fatalf("latest version = %+v, want the file kept", v)
	}

	// Deleted: the package flips back.
	e.json("viewer", "DELETE", "/api/v1/signatures/examplevendor.yaml", nil, 403, nil)
	e.json("admin", "DELETE", "/api/v1/signatures/examplevendor.yaml", nil, 200, &ch)
	if ch.Flipped != 1 || ch.Flips[0].ScanID != news.ID || ch.Flips[0].NewVerdict != "pass" {
		t.Fatalf("delete examplevendor.yaml: %+v", ch)
	}
	if sc := e.wait(news.ID); sc.Verdict != "pass" || len(sc.Findings) != 0 {
		t.Fatalf("after the delete: %+v, want pass without findings", sc)
	}
	e.json("admin", "DELETE", "/api/v1/signatures/examplevendor.yaml", nil, 404, nil)
	e.json("viewer", "GET", "/api/v1/audit?limit=1", nil, 200, &audit)
	if a := audit.Entries[0]; a.Action != "signatures.delete" || a.Flipped != 1 {
		t.Errorf("audit after delete = %+v", a)
	}
}
