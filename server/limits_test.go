package server

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sdkvet/sdkvet/server/auth"
)

func TestRateKey(t *testing.T) {
	req := func(remote string) *http.Request {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		return r
	}
	for _, c := range []struct{ remote, want string }{
		{"192.0.2.7:5555", "addr:192.0.2.7"},
		{"[::ffff:192.0.2.7]:5555", "addr:192.0.2.7"},
		// Every address of one /64 shares a bucket.
		{"[2001:db8:1:2:aaaa::1]:443", "addr:2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:443", "addr:2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:443", "addr:2001:db8:1:3::/64"},
		{"not an address", "addr:not an address"},
	} {
		if got := rateKey(req(c.remote), nil); got != c.want {
			t.Errorf("rateKey(%q) = %q, want %q", c.remote, got, c.want)
		}
	}
	// Two tokens of the same name are two buckets; the address does not
	// matter once a credential is known.
	a := &auth.Principal{Name: "token:ci", Key: "token-id:aaaa"}
	b := &auth.Principal{Name: "token:ci", Key: "token-id:bbbb"}
	if ka, kb := rateKey(req("192.0.2.1:1"), a), rateKey(req("192.0.2.2:1"), b); ka == kb || ka != "token-id:aaaa" {
		t.Errorf("keys of two same-named tokens: %q, %q", ka, kb)
	}
}

func TestLimitersBounded(t *testing.T) {
	l := newLimiters(1, 1, 1, 1)
	for i := range maxLimiters + 10 {
		if !l.allow(fmt.Sprint("k", i), true) {
			t.Fatalf("first request of key %d refused", i)
		}
	}
	if n := len(l.m); n >= maxLimiters {
		t.Errorf("table holds %d entries, want fewer than %d", n, maxLimiters)
	}
	// A live key still has its own bucket: the second request at once is
	// over a burst of 1.
	if !l.allow("fresh", true) || l.allow("fresh", true) {
		t.Error("burst of 1 not enforced")
	}
}

// TestMetricsMethodLabelBounded: made-up methods share one label value,
// so a client cannot grow the metrics without bound.
func TestMetricsMethodLabelBounded(t *testing.T) {
	m := newMetrics(nil)
	for i := range 50 {
		m.request("page", fmt.Sprintf("X%d", i), 404, 0)
	}
	m.request("page", "GET", 200, 0)
	ch := make(chan prometheus.Metric, 100)
	m.requests.Collect(ch)
	close(ch)
	if n := len(ch); n != 2 {
		t.Errorf("request series = %d, want 2 (GET and other)", n)
	}
}
