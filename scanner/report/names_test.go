package report

import (
	"strings"
	"testing"
)

func TestTitleHostsPrintable(t *testing.T) {
	for _, c := range []struct {
		f    Finding
		want string
	}{
		{Finding{Kind: "sdk", SDK: "Bugly", Rule: "tencent.bugly"}, "Bugly"},
		{Finding{Kind: "app", App: "TikTok", Rule: "bytedance.tiktok"}, "TikTok"},
		{Finding{Kind: "endpoint", Vendor: "ByteDance", Rule: "bytedance.domains"}, "ByteDance endpoints"},
		{Finding{Kind: "identifier", Rule: "x.y"}, "x.y"},
	} {
		if got := c.f.Title(); got != c.want {
			t.Errorf("Title(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
	f := Finding{Evidence: []Evidence{{Type: "url", Value: "https://b.example.com:8443/x"}, {Type: "domain", Value: "a.example.com"},
		{Type: "domain", Value: "b.example.com"}, {Type: "url", Value: "not a url"}}}
	if got := strings.Join(f.Hosts(), ","); got != "a.example.com,b.example.com,not a url" {
		t.Errorf("Hosts = %s", got)
	}
	if got := Printable("a\x1b[2Jb\u202ec\u2028d\ne"); got != "a?[2Jb?c?d?e" {
		t.Errorf("Printable = %q", got)
	}
}
