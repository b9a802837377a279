package web

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/sdkvet/sdkvet/scanner/report"
)

const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`

type resp struct {
	code int
	body string
	hdr  http.Header
}

// do sends one request to the service; form (when not nil) is sent as a
// POST body with the session's CSRF token unless the form sets its own.
func do(t *testing.T, s *fakeService, method, target string, c *http.Cookie, form url.Values, hdr map[string]string) resp {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c != nil {
		r.AddCookie(c)
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	return resp{w.Code, w.Body.String(), w.Header()}
}

func (s *fakeService) tokenFor(c *http.Cookie) string {
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(c)
	return s.csrfToken(r)
}

func ptr[T any](v T) *T { return &v }

// seed stores a failing WeChat scan, a passing clean scan and a queued one.
func seed(b *fakeBackend) {
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	line := 12
	off := int64(1234)
	b.add(ScanDetail{ScanSummary: ScanSummary{ID: "clean1", FileName: "clean.apk", SHA256: strings.Repeat("a", 64), Size: 2048,
		Kind: "apk", Status: StatusDone, Verdict: report.Pass, Complete: true, AppID: "com.example.notes", Label: "Example Notes",
		Version: "1.4.2", Uploaded: at, By: "rev"},
		PolicyVersion: "1",
		Report: &report.Report{Verdict: report.Pass, Complete: true, Policy: report.PolicyInfo{ID: "sdkvet-default", Version: "1", FailOn: "high"},
			Targets: []report.Target{{Path: "clean.apk", Kind: "apk", SHA256: strings.Repeat("a", 64), Size: 2048, Verdict: report.Pass, Complete: true,
				Identity: report.Identity{AppID: ptr("com.example.notes"), Label: ptr("Example Notes")}}}}})
	b.add(ScanDetail{ScanSummary: ScanSummary{ID: "wechat1", FileName: "wechat-share.apk", SHA256: strings.Repeat("b", 64), Size: 4096,
		Kind: "apk", Status: StatusDone, Verdict: report.Fail, Complete: false, AppID: "com.example.share", Label: "Share Example",
		Vendors: []string{"Tencent"}, SDKs: []string{"WeChat OpenSDK"}, Findings: 1, Uploaded: at.Add(time.Hour), By: "rev"},
		PolicyVersion: "1",
		Report: &report.Report{Verdict: report.Fail, Policy: report.PolicyInfo{ID: "sdkvet-default", Version: "1", FailOn: "high"},
			Targets: []report.Target{{Path: "wechat-share.apk", Kind: "apk", SHA256: strings.Repeat("b", 64), Size: 4096, Verdict: report.Fail,
				Identity: report.Identity{AppID: ptr("com.example.share"), Label: ptr("Share Example")},
				Findings: []report.Finding{{ID: "f1", Kind: "sdk", Rule: "tencent.wechat-opensdk", SDK: "WeChat OpenSDK", Vendor: "Tencent",
					VendorID: "tencent", Category: "social", Severity: "high", Confidence: "high", EvidenceKinds: []string{"java_class"}, EvidenceCount: 3,
					Evidence: []report.Evidence{{Path: "wechat-share.apk!/classes.dex", Type: "java_class",
						Value: "com.tencent.mm.opensdk.openapi.WXAPIFactory", Matched: "com.tencent.mm.opensdk", Source: "https://developers.weixin.qq.com/", Line: &line, Offset: &off}}}},
				Errors: []report.Error{{Path: "wechat-share.apk!/lib/x86/libx.so", Error: "truncated ELF header"}}}}}})
	b.add(ScanDetail{ScanSummary: ScanSummary{ID: "queued1", FileName: "big.ipa", Kind: "ipa", Status: StatusQueued, Uploaded: at.Add(2 * time.Hour)}})
	b.packEffect["eo13971"] = map[string]string{"clean1": report.Fail}
}

func TestPagesRender(t *testing.T) {
	s := newFakeService(t)
	seed(s.backend)
	admin := s.session("admin")
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/", []string{`id="upload-form"`, `action="/api/v1/scans"`, `<progress id="upload-progress"`, "clean.apk", "wechat-share.apk", "big.ipa",
			`<meta name="csrf-token" content="` + s.tokenFor(admin) + `"`}},
		{"/scans", []string{"Showing 1–3 of 3 scans", `class="badge badge-fail">Fail<`, `class="badge badge-pass">Pass<`,
			`class="badge badge-pending">Queued<`, "WeChat OpenSDK", `href="/scans/wechat1"`}},
		{"/scans/wechat1", []string{"WeChat OpenSDK", "tencent.wechat-opensdk", "com.tencent.mm.opensdk.openapi.WXAPIFactory",
			"truncated ELF header", "could not be analysed completely", "and 2 more",
			`href="/api/v1/scans/wechat1/report?format=json"`, `href="/api/v1/scans/wechat1/report?format=sarif"`,
			`href="/api/v1/scans/wechat1/report?format=pdf"`, `href="/api/v1/scans/wechat1/report?format=csv"`}},
		{"/scans/queued1", []string{`id="scan-pending"`, `data-status-url="/scans/queued1/status"`, "waiting to be scanned"}},
		{"/policy", []string{"U.S. Executive Order 13971 applications", `action="/policy/packs"`, `name="pack" value="eo13971"`,
			"Switch on eo13971", `action="/policy/exceptions"`, "No changes recorded yet."}},
		{"/changes", []string{"No changes recorded yet."}},
	} {
		r := do(t, s, "GET", tc.path, admin, nil, nil)
		if r.code != http.StatusOK {
			t.Errorf("GET %s: status %d\n%s", tc.path, r.code, r.body)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(r.body, w) {
				t.Errorf("GET %s: page lacks %q", tc.path, w)
			}
		}
		if csp := r.hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q", tc.path, csp)
		}
	}
	if r := do(t, s, "GET", "/scans/nope", admin, nil, nil); r.code != http.StatusNotFound {
		t.Errorf("unknown scan: status %d", r.code)
	}
	r := do(t, s, "GET", "/scans/queued1/status", admin, nil, nil)
	if r.code != 200 || strings.TrimSpace(r.body) != `{"status":"queued","verdict":""}` {
		t.Errorf("status endpoint: %d %s", r.code, r.body)
	}
}

func TestBackendFailureIsGeneric(t *testing.T) {
	s := newFakeService(t)
	s.backend.failNext = errors.New("database is locked at /var/lib/secret/path")
	r := do(t, s, "GET", "/scans", s.session("admin"), nil, nil)
	if r.code != http.StatusInternalServerError || strings.Contains(r.body, "/var/lib/secret") || !strings.Contains(r.body, "could not be loaded") {
		t.Errorf("backend failure: %d %s", r.code, r.body)
	}
}

func TestFiltersPassThrough(t *testing.T) {
	s := newFakeService(t)
	seed(s.backend)
	c := s.session("viewer")
	q := "/scans?q=share&app_id=com.example.share&bundle_id=gov.example.game&vendor=tencent&sdk=tencent.bugly&verdict=fail&from=2026-11-01&to=2026-11-20&offset=50"
	r := do(t, s, "GET", q, c, nil, nil)
	if r.code != 200 {
		t.Fatalf("status %d", r.code)
	}
	calls := s.backend.filterCalls()
	got := calls[len(calls)-1]
	want := ScanFilter{Query: "share", AppID: "com.example.share", BundleID: "gov.example.game", Vendor: "tencent", SDK: "tencent.bugly",
		Verdict: "fail", From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Limit: pageSize, Offset: 50}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("filter\n got %+v\nwant %+v", got, want)
	}
	// The form is refilled with what was asked.
	for _, w := range []string{`value="share"`, `value="com.example.share"`, `value="gov.example.game"`, `value="tencent"`,
		`value="tencent.bugly"`, `<option value="fail" selected>`, `value="2026-11-01"`, `value="2026-11-20"`,
		`rel="prev"`, "offset=0"} {
		if w == "offset=0" {
			if strings.Contains(r.body, w) {
				t.Errorf("previous link to the first page carries offset=0")
			}
			continue
		}
		if !strings.Contains(r.body, w) {
			t.Errorf("filter page lacks %q", w)
		}
	}

	// Invalid values are dropped with a note, the rest still applies.
	r = do(t, s, "GET", "/scans?verdict=maybe&from=yesterday&app_id=com.example.notes", c, nil, nil)
	calls = s.backend.filterCalls()
	got = calls[len(calls)-1]
	if got.Verdict != "" || !got.From.IsZero() || got.AppID != "com.example.notes" {
		t.Errorf("invalid filter values: %+v", got)
	}
	if !strings.Contains(r.body, "Unknown verdict ignored.") || !strings.Contains(r.body, "The from date must be written YYYY-MM-DD") ||
		!strings.Contains(r.body, "Showing 1–1 of 1 scan.") {
		t.Errorf("notes or result missing:\n%s", r.body)
	}
}

func TestPagerKeepsFilters(t *testing.T) {
	s := newFakeService(t)
	for i := range 120 {
		s.backend.add(ScanDetail{ScanSummary: ScanSummary{ID: "s" + string(rune('a'+i%26)) + time.Duration(i).String(), FileName: "a.apk",
			Status: StatusDone, Verdict: report.Fail}})
	}
	r := do(t, s, "GET", "/scans?verdict=fail&q=a.apk", s.session("viewer"), nil, nil)
	if !strings.Contains(r.body, "Showing 1–50 of 120 scans") || !strings.Contains(r.body, `href="/scans?offset=50&amp;q=a.apk&amp;verdict=fail" rel="next"`) ||
		strings.Contains(r.body, `rel="prev"`) {
		t.Errorf("pager:\n%s", r.body)
	}
	r = do(t, s, "GET", "/scans?verdict=fail&q=a.apk&offset=100", s.session("viewer"), nil, nil)
	if !strings.Contains(r.body, "Showing 101–120 of 120 scans") || strings.Contains(r.body, `rel="next"`) ||
		!strings.Contains(r.body, `href="/scans?offset=50&amp;q=a.apk&amp;verdict=fail" rel="prev"`) {
		t.Errorf("last page:\n%s", r.body)
	}
}

// hostileScan puts the attacker's string in every field that comes from a
// package or a user.
func hostileScan(b *fakeBackend) {
	h := hostile
	b.add(ScanDetail{ScanSummary: ScanSummary{ID: "evil", FileName: h + ".apk", SHA256: h, Kind: h, Status: StatusDone, Verdict: report.Fail,
		AppID: h, BundleID: h, Label: h, Version: h, Vendors: []string{h}, SDKs: []string{h}, By: h, Uploaded: time.Now()},
		PolicyVersion: h,
		Report: &report.Report{Verdict: report.Fail, Tool: report.Tool{Version: h, SignaturesVersion: h},
			Policy: report.PolicyInfo{ID: h, Version: h, FailOn: h, Packs: []string{h}},
			Targets: []report.Target{{Path: h, Kind: h, SHA256: h, Verdict: h,
				Identity: report.Identity{AppID: &h, Label: &h, Version: &h, VersionCode: &h, MinSDK: &h, TargetSDK: &h, BundleID: &h, TeamID: &h,
					Signers: []report.Signer{{Subject: h, Issuer: h, SHA256: h, Schemes: []string{h}}}, Frameworks: []string{h}, Permissions: []string{h}},
				Findings: []report.Finding{{ID: h, Kind: h, Rule: h, SDK: h, App: h, Vendor: h, Category: h, Description: h, Severity: h, Confidence: h,
					EvidenceKinds: []string{h}, EvidenceCount: 1,
					Evidence:  []report.Evidence{{Path: h, Type: h, Value: h, Detail: h, Matched: h, Source: h}},
					Exception: &report.Exception{Reason: h, Owner: h, Expires: h}}},
				Errors: []report.Error{{Path: h, Error: h}}}}}})
	b.add(ScanDetail{ScanSummary: ScanSummary{ID: "evil-failed", FileName: h, Status: StatusFailed, Error: h, Uploaded: time.Now()}})
	b.policy.Packs = append(b.policy.Packs, PackView{ID: h, Name: h, Description: h})
	b.policy.Exceptions = []Exception{{Kind: h, Value: h, Reason: h, Owner: h}}
	b.packEffect["eo13971"] = map[string]string{"evil": report.Pass}
}

// TestHostileValuesEscaped renders every page around a package whose every
// string is markup, and checks the parsed page: no element, attribute or
// script comes from the data.
func TestHostileValuesEscaped(t *testing.T) {
	s := newFakeService(t)
	hostileScan(s.backend)
	admin := s.session(hostile)
	s.mu.Lock()
	s.sessions[admin.Value] = User{Name: hostile, Role: Admin}
	s.mu.Unlock()
	// A change whose flips and log entry carry the string too.
	s.backend.mu.Lock()
	c := s.backend.record(User{Name: hostile}, hostile, func(id string) string {
		if id == "evil" {
			return report.Pass
		}
		return ""
	})
	s.backend.mu.Unlock()

	pages := []string{"/", "/scans", "/scans?q=" + url.QueryEscape(hostile) + "&app_id=" + url.QueryEscape(hostile),
		"/scans/evil", "/scans/evil-failed", "/policy", "/changes", "/changes?version=" + url.QueryEscape(c.Version),
		"/login?next=" + url.QueryEscape(hostile), "/scans/" + url.PathEscape(hostile)}
	for _, p := range pages {
		c := admin
		if strings.HasPrefix(p, "/login") {
			c = nil
		}
		r := do(t, s, "GET", p, c, nil, nil)
		if r.code != 200 && r.code != 404 {
			t.Errorf("GET %s: %d", p, r.code)
		}
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img") {
			t.Errorf("GET %s: unescaped markup in page", p)
		}
		checkDOM(t, p, r.body)
	}
	// The escaped text is there (the data was rendered, not dropped).
	r := do(t, s, "GET", "/scans/evil", admin, nil, nil)
	if n := strings.Count(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"); n < 30 {
		t.Errorf("report view shows the escaped string %d times, want every field", n)
	}
}

// checkDOM parses a page and fails on any img or iframe element, any
// event-handler or style attribute, any script but the one static file,
// and any link whose scheme is not http(s) or relative.
func checkDOM(t *testing.T, page, body string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: parse: %v", page, err)
	}
	scripts := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "img", "iframe", "object", "embed", "svg", "style":
				t.Errorf("%s: <%s> element in page", page, n.Data)
			case "script":
				scripts++
				if src := attr(n, "src"); src != "/static/app.js" || n.FirstChild != nil {
					t.Errorf("%s: unexpected script src=%q", page, src)
				}
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "src" && n.Data != "script" {
					t.Errorf("%s: attribute %s=%q on <%s>", page, a.Key, a.Val, n.Data)
				}
				if a.Key == "href" || a.Key == "action" {
					v := strings.ToLower(strings.TrimSpace(a.Val))
					if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "//") {
						t.Errorf("%s: %s=%q", page, a.Key, a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if scripts != 1 {
		t.Errorf("%s: %d script elements, want 1", page, scripts)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestFormsNeedCSRFToken(t *testing.T) {
	s := newFakeService(t)
	seed(s.backend)
	admin := s.session("admin")
	tok := s.tokenFor(admin)
	pack := func(extra url.Values) url.Values {
		v := url.Values{"pack": {"eo13971"}, "enabled": {"true"}}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}
	for _, tc := range []struct {
		name string
		form url.Values
		hdr  map[string]string
	}{
		{"no token", pack(nil), nil},
		{"empty token", pack(url.Values{"csrf_token": {""}}), nil},
		{"wrong token", pack(url.Values{"csrf_token": {tok[:len(tok)-1] + "x"}}), nil},
		{"another session's token", pack(url.Values{"csrf_token": {s.tokenFor(s.session("admin"))}}), nil},
		{"token in query only", pack(nil), nil},
		{"cross-site", pack(url.Values{"csrf_token": {tok}}), map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"foreign origin", pack(url.Values{"csrf_token": {tok}}), map[string]string{"Origin": "https://evil.example"}},
	} {
		target := "/policy/packs"
		if tc.name == "token in query only" {
			target += "?csrf_token=" + tok
		}
		r := do(t, s, "POST", target, admin, tc.form, tc.hdr)
		if r.code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tc.name, r.code)
		}
	}
	if s.backend.setPackCalls != 0 {
		t.Fatalf("SetPack called %d times by refused forms", s.backend.setPackCalls)
	}
	// Exceptions and sign-out are guarded the same way.
	exc := url.Values{"kind": {"sdk"}, "value": {"tencent.mmkv"}, "reason": {"storage only"}}
	if r := do(t, s, "POST", "/policy/exceptions", admin, exc, nil); r.code != http.StatusForbidden || len(s.backend.exceptions) != 0 {
		t.Errorf("exception without token: %d", r.code)
	}
	if r := do(t, s, "POST", "/logout", admin, url.Values{}, nil); r.code != http.StatusForbidden {
		t.Errorf("logout without token: %d", r.code)
	}
	if _, ok := s.currentUser(withCookie(admin)); !ok {
		t.Errorf("session ended by a forged sign-out")
	}

	// With the token the pack goes on and the page moves to what changed.
	r := do(t, s, "POST", "/policy/packs", admin, pack(url.Values{"csrf_token": {tok}}), map[string]string{"Origin": "http://example.com", "Sec-Fetch-Site": "same-origin"})
	if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/changes?version=2" || s.backend.setPackCalls != 1 {
		t.Fatalf("pack with token: %d %q calls=%d", r.code, r.hdr.Get("Location"), s.backend.setPackCalls)
	}
	if s.backend.lastChangeUser.Name != "admin" {
		t.Errorf("change recorded for %q", s.backend.lastChangeUser.Name)
	}
	r = do(t, s, "GET", "/changes?version=2", admin, nil, nil)
	for _, w := range []string{"enabled pack eo13971", `<strong>1</strong> package changed its verdict`, `href="/scans/clean1"`, "badge-pass", "badge-fail"} {
		if !strings.Contains(r.body, w) {
			t.Errorf("what changed lacks %q", w)
		}
	}
	// An exception with the token reaches the backend as typed.
	exc.Set("csrf_token", tok)
	exc.Set("owner", "it@example.gov")
	exc.Set("expires", "2027-06-30")
	r = do(t, s, "POST", "/policy/exceptions", admin, exc, nil)
	want := Exception{Kind: "sdk", Value: "tencent.mmkv", Reason: "storage only", Owner: "it@example.gov", Expires: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)}
	if r.code != http.StatusSeeOther || len(s.backend.exceptions) != 1 || s.backend.exceptions[0] != want {
		t.Errorf("exception: %d %+v", r.code, s.backend.exceptions)
	}
	// Sign-out with the token ends the session.
	r = do(t, s, "POST", "/logout", admin, url.Values{"csrf_token": {tok}}, nil)
	if _, ok := s.currentUser(withCookie(admin)); r.code != http.StatusSeeOther || ok {
		t.Errorf("logout: %d, still signed in %v", r.code, ok)
	}
}

func withCookie(c *http.Cookie) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(c)
	return r
}

func TestFormValidation(t *testing.T) {
	s := newFakeService(t)
	admin := s.session("admin")
	tok := s.tokenFor(admin)
	for _, f := range []url.Values{
		{"kind": {"sdk"}, "value": {"tencent.mmkv"}},                                            // no reason
		{"kind": {"file"}, "value": {"x"}, "reason": {"r"}},                                     // unknown kind
		{"kind": {"sdk"}, "value": {" "}, "reason": {"r"}},                                      // blank id
		{"kind": {"sdk"}, "value": {"x"}, "reason": {"r"}, "expires": {"30/06/2027"}},           // bad date
		{"kind": {"sdk"}, "value": {"x"}, "reason": {"r"}, "expires": {"2027-06-30T00:00:00Z"}}, // not a date
	} {
		f.Set("csrf_token", tok)
		if r := do(t, s, "POST", "/policy/exceptions", admin, f, nil); r.code != http.StatusBadRequest {
			t.Errorf("%v: status %d", f, r.code)
		}
	}
	for _, f := range []url.Values{
		{"pack": {"nosuchpack"}, "enabled": {"true"}},
		{"pack": {"eo13971"}, "enabled": {"yes"}},
	} {
		f.Set("csrf_token", tok)
		if r := do(t, s, "POST", "/policy/packs", admin, f, nil); r.code != http.StatusBadRequest {
			t.Errorf("%v: status %d", f, r.code)
		}
	}
	if len(s.backend.exceptions) != 0 || s.backend.setPackCalls != 0 {
		t.Errorf("invalid forms reached the backend")
	}
}

func TestRolesSeeOnlyTheirControls(t *testing.T) {
	s := newFakeService(t)
	seed(s.backend)
	viewer, rev := s.session("viewer"), s.session("rev")
	for _, tc := range []struct {
		c             *http.Cookie
		upload, admin bool
	}{{viewer, false, false}, {rev, true, false}, {s.session("admin"), true, true}} {
		home := do(t, s, "GET", "/", tc.c, nil, nil).body
		pol := do(t, s, "GET", "/policy", tc.c, nil, nil).body
		if got := strings.Contains(home, `id="upload-form"`) || strings.Contains(home, `type="file"`); got != tc.upload {
			t.Errorf("upload form shown=%v want %v", got, tc.upload)
		}
		if got := strings.Contains(pol, `action="/policy/packs"`) || strings.Contains(pol, `action="/policy/exceptions"`) ||
			strings.Contains(pol, "Switch on"); got != tc.admin {
			t.Errorf("policy controls shown=%v want %v", got, tc.admin)
		}
		// Everyone still sees the packs and their state.
		if !strings.Contains(pol, "U.S. Executive Order 13971 applications") {
			t.Errorf("packs not listed")
		}
	}
	// A viewer or reviewer posting the form anyway is refused.
	for _, c := range []*http.Cookie{viewer, rev} {
		f := url.Values{"pack": {"eo13971"}, "enabled": {"true"}, "csrf_token": {s.tokenFor(c)}}
		if r := do(t, s, "POST", "/policy/packs", c, f, nil); r.code != http.StatusForbidden {
			t.Errorf("non-admin pack change: %d", r.code)
		}
		f = url.Values{"kind": {"sdk"}, "value": {"x"}, "reason": {"r"}, "csrf_token": {s.tokenFor(c)}}
		if r := do(t, s, "POST", "/policy/exceptions", c, f, nil); r.code != http.StatusForbidden {
			t.Errorf("non-admin exception: %d", r.code)
		}
	}
	if s.backend.setPackCalls != 0 || len(s.backend.exceptions) != 0 {
		t.Errorf("refused changes reached the backend")
	}
}

func TestSignedOut(t *testing.T) {
	s := newFakeService(t)
	seed(s.backend)
	for _, p := range []string{"/", "/scans?verdict=fail", "/scans/wechat1", "/scans/wechat1/status", "/policy", "/changes"} {
		r := do(t, s, "GET", p, nil, nil, nil)
		if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/login?next="+url.QueryEscape(p) {
			t.Errorf("GET %s signed out: %d %q", p, r.code, r.hdr.Get("Location"))
		}
	}
	r := do(t, s, "POST", "/policy/packs", nil, url.Values{"pack": {"eo13971"}, "enabled": {"true"}}, nil)
	if r.code != http.StatusUnauthorized || s.backend.setPackCalls != 0 {
		t.Errorf("POST signed out: %d", r.code)
	}
	if len(s.backend.filterCalls()) != 0 {
		t.Errorf("backend queried for a signed-out request")
	}
}

func TestLogin(t *testing.T) {
	s := newFakeService(t)
	get := do(t, s, "GET", "/login?next=%2Fscans%3Fverdict%3Dfail", nil, nil, nil)
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: get.hdr}).Cookies() {
		if c.Name == loginCSRFCookie {
			cookie = c
		}
	}
	if get.code != 200 || cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("login page: %d cookie %+v", get.code, cookie)
	}
	if !strings.Contains(get.body, `name="csrf_token" value="`+cookie.Value+`"`) || !strings.Contains(get.body, `name="next" value="/scans?verdict=fail"`) {
		t.Fatalf("login form lacks token or next:\n%s", get.body)
	}
	form := func(user, pass, tok, next string) url.Values {
		return url.Values{"username": {user}, "password": {pass}, "csrf_token": {tok}, "next": {next}}
	}
	// No cookie or a token that does not match it: refused before the
	// password is checked.
	if r := do(t, s, "POST", "/login", nil, form("admin", "admin-pass", cookie.Value, "/"), nil); r.code != http.StatusForbidden {
		t.Errorf("login without cookie: %d", r.code)
	}
	if r := do(t, s, "POST", "/login", cookie, form("admin", "admin-pass", "other", "/"), nil); r.code != http.StatusForbidden {
		t.Errorf("login with wrong token: %d", r.code)
	}
	if s.logins != 0 {
		t.Errorf("password checked for a forged sign-in")
	}
	r := do(t, s, "POST", "/login", cookie, form("admin", "wrong", cookie.Value, "/"), nil)
	if r.code != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong user name or password.") || !strings.Contains(r.body, `value="admin"`) {
		t.Errorf("wrong password: %d", r.code)
	}
	for next, want := range map[string]string{
		"/scans?verdict=fail":      "/scans?verdict=fail",
		"//evil.example/":          "/",
		"https://evil.example/":    "/",
		"/\\evil.example":          "/",
		"javascript:alert(1)":      "/",
		"":                         "/",
		"/ok\r\nSet-Cookie: x=1":   "/",
		"/%2F%2Fevil.example/path": "/%2F%2Fevil.example/path",
	} {
		r = do(t, s, "POST", "/login", cookie, form("viewer", "viewer-pass", cookie.Value, next), nil)
		if r.code != http.StatusSeeOther || r.hdr.Get("Location") != want {
			t.Errorf("next %q: %d -> %q, want %q", next, r.code, r.hdr.Get("Location"), want)
		}
		var session bool
		for _, c := range (&http.Response{Header: r.hdr}).Cookies() {
			session = session || c.Name == sessionCookie && c.Value != ""
		}
		if !session {
			t.Errorf("no session cookie after sign-in")
		}
	}
}

func TestStaticFiles(t *testing.T) {
	s := newFakeService(t)
	for path, ctype := range map[string]string{"/static/app.css": "text/css", "/static/app.js": "text/javascript"} {
		r := do(t, s, "GET", path, nil, nil, nil)
		if r.code != 200 || !strings.HasPrefix(r.hdr.Get("Content-Type"), ctype) || len(r.body) < 500 || r.hdr.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %q %d bytes", path, r.code, r.hdr.Get("Content-Type"), len(r.body))
		}
	}
	for _, p := range []string{"/static/", "/static/../web.go", "/static/nope.js", "/static/%2e%2e/web.go"} {
		if r := do(t, s, "GET", p, nil, nil, nil); r.code == 200 {
			t.Errorf("%s served", p)
		}
	}
	// The script writes only through textContent and never evaluates strings.
	js := do(t, s, "GET", "/static/app.js", nil, nil, nil).body
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		if strings.Contains(js, bad) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/":                     "/",
		"/scans/abc?x=1":        "/scans/abc?x=1",
		"":                      "/",
		"scans":                 "/",
		"//evil":                "/",
		"/\\evil":               "/",
		"http://evil/":          "/",
		"/a\nb":                 "/",
		"\t//evil":              "/",
		"/\t/evil":              "/",
		"/\x7f":                 "/",
		"/%0d%0aLocation:%20//": "/%0d%0aLocation:%20//",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewRequiresWiring(t *testing.T) {
	if _, err := New(Config{Backend: newFakeBackend()}); err == nil {
		t.Fatal("New accepted a config without auth functions")
	}
}
