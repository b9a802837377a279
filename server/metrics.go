package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
)

// metrics are the service's Prometheus metrics, in a registry of its own.
type metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	scans        *prometheus.CounterVec
	scanDuration prometheus.Histogram
	rejudges     prometheus.Histogram
	flips        prometheus.Counter
}

// queueCollector reports the scans by status at each scrape.
type queueCollector struct {
	st   store.Store
	desc *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.st.CountByStatus(ctx)
	if err != nil {
		return
	}
	for st, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), st)
	}
}

func newMetrics(st store.Store) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sdkvet_http_requests_total", Help: "HTTP requests by route, method and status code."}, []string{"route", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sdkvet_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	m.scans = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sdkvet_scans_finished_total", Help: "Scans finished by this process, by status."}, []string{"status"})
	m.scanDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sdkvet_scan_duration_seconds", Help: "Time to scan one package.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)})
	m.rejudges = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sdkvet_rejudge_duration_seconds", Help: "Time to re-judge every stored package after a settings change.", Buckets: prometheus.ExponentialBuckets(0.01, 2, 14)})
	m.flips = prometheus.NewCounter(prometheus.CounterOpts{Name: "sdkvet_verdict_flips_total", Help: "Verdicts flipped by re-judgements."})
	m.reg.MustRegister(m.requests, m.duration, m.scans, m.scanDuration, m.rejudges, m.flips,
		&queueCollector{st: st, desc: prometheus.NewDesc("sdkvet_scans", "Stored scans by status.", []string{"status"}, nil)},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) request(route, method string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, methodLabel(method), strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

func (m *metrics) scanDone(status string, d time.Duration) {
	m.scans.WithLabelValues(status).Inc()
	m.scanDuration.Observe(d.Seconds())
}

func (m *metrics) rejudged(s judge.Stats) {
	m.rejudges.Observe(s.Elapsed.Seconds())
	m.flips.Add(float64(len(s.Flips)))
}

// methodLabel bounds the method label: a client may send any token as a
// method, and each new label value would be a new series kept forever.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}
