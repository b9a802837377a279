package scanner_test

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/bigapk"
	"github.com/sdkvet/sdkvet/internal/fixture/bigipa"
	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/sandbox"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

// benchDirs hold the generated packages; TestMain removes them.
var (
	benchDirsMu sync.Mutex
	benchDirs   []string
)

// benchScale is SDKVET_BENCH_SCALE, or def when it is not set.
func benchScale(def float64) (float64, error) {
	s := os.Getenv("SDKVET_BENCH_SCALE")
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("SDKVET_BENCH_SCALE=%q: want a positive number", s)
	}
	return v, nil
}

// benchPath returns name inside a new temporary folder that TestMain removes.
func benchPath(pattern, name string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", err
	}
	benchDirsMu.Lock()
	benchDirs = append(benchDirs, dir)
	benchDirsMu.Unlock()
	return filepath.Join(dir, name), nil
}

func TestMain(m *testing.M) {
	// The scanner re-executes this test binary to contain an untrusted
	// parser; in that child, run the parser and exit.
	sandbox.MainIfWorker()
	code := m.Run()
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// defaultBenchScale keeps `go test -bench .` short; SDKVET_BENCH_SCALE=1
// selects the full-size package (> 100 MB, 324,000 classes).
const defaultBenchScale = 0.25

// benchPackage is a generated benchmark package and its generator's
// statistics.
type benchPackage[S any] struct {
	path  string
	stats S
	scale float64
}

// generateOnce returns a function that generates a benchmark package (at
// the scale SDKVET_BENCH_SCALE selects, else defScale) the first time it is
// called in this test binary and returns it every time.
func generateOnce[S any](defScale float64, prefix, name string, write func(path string, scale float64) (S, error)) func() (benchPackage[S], error) {
	return sync.OnceValues(func() (benchPackage[S], error) {
		scale, err := benchScale(defScale)
		if err != nil {
			return benchPackage[S]{}, err
		}
		path, err := benchPath(prefix, name)
		if err != nil {
			return benchPackage[S]{}, err
		}
		st, err := write(path, scale)
		if err != nil {
			return benchPackage[S]{}, err
		}
		return benchPackage[S]{path: path, stats: st, scale: scale}, nil
	})
}

type benchAPK = benchPackage[bigapk.Stats]

// largeAPK generates the benchmark package once per test binary.
var largeAPK = generateOnce(defaultBenchScale, "sdkvet-bench-", "large.apk", func(path string, scale float64) (bigapk.Stats, error) {
	return bigapk.WriteStats(path, bigapk.Options{Scale: scale, Seed: 1})
})

func loadBenchAPK(b *testing.B) benchAPK {
	b.Helper()
	apk, err := largeAPK()
	if err != nil {
		b.Fatalf("generate benchmark APK: %v", err)
	}
	b.Logf("%s: scale %g, %.1f MB, %d entries, %d DEX files, %d classes, %d DEX strings",
		apk.path, apk.scale, float64(apk.stats.Size)/1e6, apk.stats.Entries, apk.stats.DexFiles, apk.stats.Classes, apk.stats.Strings)
	return apk
}

// BenchmarkScanLargeAPK scans the generated package with the default
// database, policy and limits, as `sdkvet scan` does. MB/s is file bytes
// per second of wall time; classes is the number of classes in the file.
func BenchmarkScanLargeAPK(b *testing.B) {
	apk := loadBenchAPK(b)
	db, err := signatures.Load()
	if err != nil {
		b.Fatal(err)
	}
	s := scanner.New(scanner.Options{DB: db, Policy: policy.Default(), Limits: walk.DefaultLimits()})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := s.Scan(ctx, []string{apk.path})
		if err != nil {
			b.Fatal(err)
		}
		t := rep.Targets[0]
		if !t.Complete {
			b.Fatalf("incomplete scan: %v", t.Errors)
		}
		if len(t.Findings) < 2 {
			b.Fatalf("%d findings, want the WeChat OpenSDK and Pangle at least", len(t.Findings))
		}
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(apk.stats.Size)/1e6/sec, "MB/s")
	b.ReportMetric(float64(apk.stats.Classes)/sec, "classes/s")
	b.ReportMetric(float64(apk.stats.Classes), "classes")
}

// BenchmarkInflateOnly is the baseline: it inflates every entry of the same
// package with archive/zip, one after the other, checking CRC-32s as
// `unzip -t` does, and does nothing else.
func BenchmarkInflateOnly(b *testing.B) {
	apk := loadBenchAPK(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		zr, err := zip.OpenReader(apk.path)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, rc); err != nil {
				b.Fatalf("%s: %v", f.Name, err)
			}
			rc.Close()
		}
		zr.Close()
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(apk.stats.Size)/1e6/sec, "MB/s")
	b.ReportMetric(float64(apk.stats.Classes)/sec, "classes/s")
	b.ReportMetric(float64(apk.stats.Classes), "classes")
}

// defaultIPABenchScale keeps `go test -bench .` short (an IPA of about 30
// MB); SDKVET_BENCH_SCALE=1 selects the full-size package (> 200 MB). The
// number of frameworks, and so of Mach-O files and of the go-macho child
// processes a scan starts, does not depend on the scale.
const defaultIPABenchScale = 0.1

type benchIPA = benchPackage[bigipa.Stats]

// largeIPA generates the benchmark IPA once per test binary.
var largeIPA = generateOnce(defaultIPABenchScale, "sdkvet-bench-ipa-", "large.ipa", func(path string, scale float64) (bigipa.Stats, error) {
	return bigipa.Write(path, bigipa.Options{Scale: scale, Seed: 1})
})

func loadBenchIPA(b *testing.B) benchIPA {
	b.Helper()
	ipa, err := largeIPA()
	if err != nil {
		b.Fatalf("generate benchmark IPA: %v", err)
	}
	st := ipa.stats
	b.Logf("%s: scale %g, %.1f MB, %d entries, %d frameworks, %d Mach-O files (%d slices, %.1f MB), %d classes",
		ipa.path, ipa.scale, float64(st.Size)/1e6, st.Entries, st.Frameworks, st.MachOFiles, st.MachOSlices,
		float64(st.MachOBytes)/1e6, st.ObjCClasses)
	return ipa
}

// BenchmarkScanLargeIPA scans the generated IPA with the default database,
// policy and limits, as `sdkvet scan` does, and fails unless Pangle
// (BUAdSDK.framework) and the WeChat OpenSDK (WXApi in the main
// executable) are found. MB/s is file bytes per second of wall time.
func BenchmarkScanLargeIPA(b *testing.B) {
	ipa := loadBenchIPA(b)
	db, err := signatures.Load()
	if err != nil {
		b.Fatal(err)
	}
	s := scanner.New(scanner.Options{DB: db, Policy: policy.Default(), Limits: walk.DefaultLimits()})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := s.Scan(ctx, []string{ipa.path})
		if err != nil {
			b.Fatal(err)
		}
		t := rep.Targets[0]
		if !t.Complete {
			b.Fatalf("incomplete scan: %v", t.Errors)
		}
		found := map[string]bool{}
		for _, f := range t.Findings {
			found[f.Rule] = true
		}
		for _, rule := range []string{"bytedance.pangle", "tencent.wechat-opensdk"} {
			if !found[rule] {
				b.Fatalf("no %s finding among %d findings", rule, len(t.Findings))
			}
		}
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(ipa.stats.Size)/1e6/sec, "MB/s")
	b.ReportMetric(float64(ipa.stats.MachOFiles), "binaries")
	b.ReportMetric(float64(ipa.stats.ObjCClasses), "classes")
}

// BenchmarkInflateOnlyIPA is the baseline for BenchmarkScanLargeIPA: it
// inflates every entry of the same IPA, checking CRC-32s as `unzip -t`
// does, and does nothing else.
func BenchmarkInflateOnlyIPA(b *testing.B) {
	ipa := loadBenchIPA(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		zr, err := zip.OpenReader(ipa.path)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, rc); err != nil {
				b.Fatalf("%s: %v", f.Name, err)
			}
			rc.Close()
		}
		zr.Close()
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(ipa.stats.Size)/1e6/sec, "MB/s")
}
