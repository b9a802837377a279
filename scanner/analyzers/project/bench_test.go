package project_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/bigsource"
	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/analyzers"
	"github.com/sdkvet/sdkvet/scanner/match"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

// benchTree generates the benchmark tree at SDKVET_BENCH_SCALE (default
// 0.02: 1,000 files, about 20 MiB; 1 is 50,000 files, about 1 GiB).
func benchTree(b *testing.B) (string, bigsource.Stats) {
	scale := 0.02
	if s := os.Getenv("SDKVET_BENCH_SCALE"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 {
			b.Fatalf("SDKVET_BENCH_SCALE=%q: want a positive number", s)
		}
		scale = v
	}
	dir := b.TempDir()
	st, err := bigsource.Generate(dir, scale, 1)
	if err != nil {
		b.Fatal(err)
	}
	return dir, st
}

// counter is an analyze.Out that counts.
type counter struct{ obs, errs atomic.Int64 }

func (c *counter) Observe(observation.Observation) { c.obs.Add(1) }
func (c *counter) String(string, string, int64)    {}
func (c *counter) Error(p string, err error)       { c.errs.Add(1) }

// BenchmarkSourceTree walks and analyzes the generated tree: "prefiltered"
// with the database's keywords as the pre-filter (what the scanner does
// once it passes match.Matcher.Keywords to analyzers.New), "every-file"
// parsing every source file, and "scanner" the whole scan as wired today.
func BenchmarkSourceTree(b *testing.B) {
	dir, st := benchTree(b)
	db, err := signatures.Load()
	if err != nil {
		b.Fatal(err)
	}
	m := match.Compile(db)
	report := func(b *testing.B) {
		sec := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(float64(st.Files)/sec, "files/s")
		b.ReportMetric(float64(st.Bytes)/sec/1e6, "MB/s")
	}
	for _, c := range []struct {
		name     string
		keywords []string
	}{{"prefiltered", m.Keywords()}, {"every-file", nil}} {
		b.Run(c.name, func(b *testing.B) {
			w := &walk.Walker{Limits: walk.DefaultLimits(), Registry: analyzers.New(analyzers.Options{SourceKeywords: c.keywords})}
			for i := 0; i < b.N; i++ {
				var out counter
				if _, err := w.Walk(context.Background(), dir, &out); err != nil {
					b.Fatal(err)
				}
				if out.errs.Load() > 0 || out.obs.Load() < int64(st.Positive) {
					b.Fatalf("%d errors, %d observations for %d positive files", out.errs.Load(), out.obs.Load(), st.Positive)
				}
			}
			report(b)
		})
	}
	b.Run("scanner", func(b *testing.B) {
		s := scanner.New(scanner.Options{DB: db, Policy: policy.Default(), Limits: walk.DefaultLimits()})
		for i := 0; i < b.N; i++ {
			rep, err := s.Scan(context.Background(), []string{dir})
			if err != nil {
				b.Fatal(err)
			}
			if len(rep.Targets) != 1 || len(rep.Targets[0].Findings) == 0 {
				b.Fatal(fmt.Sprintf("unexpected report: %d targets", len(rep.Targets)))
			}
		}
		report(b)
	})
}
