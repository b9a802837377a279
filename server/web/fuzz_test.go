package web

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseFilter feeds arbitrary query strings to the scan-list filter
// parser: it must not panic, and every value it passes on is bounded,
// valid UTF-8 and free of control characters.
func FuzzParseFilter(f *testing.F) {
	f.Add("q=share&app_id=com.example&verdict=fail&from=2026-11-01&to=2026-11-20&offset=50")
	f.Add("verdict=maybe&from=yesterday&offset=-3")
	f.Add("q=%00%ff%fe&sdk=" + strings.Repeat("x", 500))
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, _ := parseFilter(q)
		for _, v := range []string{fl.Query, fl.AppID, fl.BundleID, fl.Vendor, fl.SDK} {
			if len(v) > 200 || !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n\t\x7f") {
				t.Fatalf("unbounded or unclean filter value %q", v)
			}
		}
		switch fl.Verdict {
		case "", "pass", "warn", "fail":
		default:
			t.Fatalf("verdict %q passed on", fl.Verdict)
		}
		if fl.Offset < 0 || fl.Limit != pageSize {
			t.Fatalf("offset %d limit %d", fl.Offset, fl.Limit)
		}
	})
}

// FuzzSafeNext checks that the sign-in redirect target is always a path on
// this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/scans?x=1", "//evil", "/\\evil", "http://evil", "/a\r\nb", "%2f%2fevil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") ||
			strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
	})
}
