package judge_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/server/extractcodec"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
)

// TestRejudgeFlipsOnPack switches on the baidu pack: exactly the scans that
// carry Baidu's SDK and were passing flip to fail, the index finds them by
// vendor, and a second pass under the same version has nothing to do.
func TestRejudgeFlipsOnPack(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	v1 := newEngine(t, 1)
	want := fill(t, s, v1, 60, 50, 400)
	if hits, _, _ := s.ListScans(ctx, store.Query{VendorID: "baidu"}); len(hits) != 0 {
		t.Fatalf("baidu findings before the pack: %d", len(hits))
	}
	tencent, _, _ := s.ListScans(ctx, store.Query{VendorID: "tencent"})
	if len(tencent) != 9 { // i%7==0 for i<60
		t.Fatalf("tencent scans = %d, want 9", len(tencent))
	}

	v2 := newEngine(t, 2, "baidu")
	stats, err := judge.Rejudge(ctx, s, v2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Judged != 60 || stats.Errors != 0 {
		t.Errorf("judged %d (errors %d), want 60", stats.Judged, stats.Errors)
	}
	got := map[string]bool{}
	for _, f := range stats.Flips {
		if f.OldVerdict != "pass" || f.NewVerdict == "pass" {
			t.Errorf("flip %+v: want pass to warn/fail", f)
		}
		got[f.ScanID] = true
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("flipped %v\nwant %v", got, want)
	}
	stored, _ := s.Flips(ctx, 2)
	if len(stored) != len(want) {
		t.Errorf("stored flips = %d, want %d", len(stored), len(want))
	}
	if hits, _, _ := s.ListScans(ctx, store.Query{VendorID: "baidu"}); len(hits) != 12 {
		t.Errorf("scans with baidu findings = %d, want 12", len(hits))
	}
	if hits, _, _ := s.ListScans(ctx, store.Query{Rule: "baidu.mobads"}); len(hits) != 12 {
		t.Errorf("scans with baidu.mobads = %d, want 12", len(hits))
	}
	again, err := judge.Rejudge(ctx, s, v2, 2)
	if err != nil || again.Judged != 0 {
		t.Errorf("second pass judged %d, %v; want 0", again.Judged, err)
	}
	// Switching the pack off flips them back.
	back, err := judge.Rejudge(ctx, s, newEngine(t, 3), 2)
	if err != nil || len(back.Flips) != len(want) {
		t.Errorf("pack off: %d flips, %v; want %d", len(back.Flips), err, len(want))
	}
}

// BenchmarkRejudge re-judges 10,000 stored packages of 300 to 3,000
// observations each (SDKVET_BENCH_SCANS overrides the count) under a new
// settings version: read from SQLite, decode, match, judge, write back.
// The goal is under 10 s per pass on two cores; the baseline measured in
// the same run is decoding alone, so the ratio shows what judging adds.
func BenchmarkRejudge(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("SDKVET_BENCH_SCANS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	s := openStore(b)
	fill(b, s, newEngine(b, 1), n, 300, 3000)
	engines := make([]*judge.Engine, b.N)
	for i := range engines {
		packs := []string{}
		if i%2 == 0 {
			packs = append(packs, "baidu")
		}
		engines[i] = newEngine(b, int64(i+2), packs...)
	}
	b.ResetTimer()
	for i := range b.N {
		stats, err := judge.Rejudge(ctx, s, engines[i], 0)
		if err != nil || stats.Judged != n {
			b.Fatalf("judged %d of %d: %v", stats.Judged, n, err)
		}
		b.ReportMetric(float64(len(stats.Flips)), "flips")
	}
	pass := b.Elapsed().Seconds() / float64(b.N)
	b.StopTimer()
	// Baseline: read and decode every extract, judging nothing.
	start := time.Now()
	read := 0
	for after := ""; ; {
		batch, err := s.Extracts(ctx, after, 1<<62, judge.BatchSize)
		if err != nil {
			b.Fatal(err)
		}
		for _, x := range batch {
			if _, err := extractcodec.Decode(x.Data); err != nil {
				b.Fatal(err)
			}
		}
		read += len(batch)
		if len(batch) < judge.BatchSize {
			break
		}
		after = batch[len(batch)-1].ScanID
	}
	if read != n {
		b.Fatalf("baseline read %d of %d", read, n)
	}
	base := time.Since(start).Seconds()
	b.ReportMetric(pass*10000/float64(n), "s/10k-packages")
	b.ReportMetric(pass/base, "x-read-decode")
}
