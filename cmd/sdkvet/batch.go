package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

// Progress modes.
const (
	progressAuto  = "auto"
	progressBar   = "bar"
	progressPlain = "plain"
	progressNone  = "none"
)

// batch scans many targets with a pool of workers (one Scanner, which is
// safe for concurrent ScanFile calls), keeps the report in target order,
// and shows progress on standard error.
type batch struct {
	scanner  *scanner.Scanner
	db       *signatures.DB
	pol      *policy.Policy
	jobs     int
	progress string
	stderr   io.Writer
}

// run lists the targets under paths and scans them.
func (b *batch) run(ctx context.Context, paths []string) (*report.Report, error) {
	rep := b.scanner.NewReport()
	// slots holds, in command-line order, either a listing error or a file.
	type slot struct {
		file string
		done *report.Target
	}
	var slots []slot
	var files []int
	for _, p := range paths {
		list, skipped, err := walk.Files(p)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", p, err)
		}
		for _, e := range skipped {
			t := report.Target{Path: p, Kind: "directory", Verdict: report.Pass,
				Findings: []report.Finding{}, Errors: []report.Error{{Path: p, Error: e.Error()}}}
			slots = append(slots, slot{done: &t})
		}
		for _, f := range list {
			files = append(files, len(slots))
			slots = append(slots, slot{file: f})
		}
	}

	prog := b.newProgress(len(files))
	jobs := b.jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	if jobs > len(files) {
		jobs = len(files)
	}
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	finished := 0
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				t := b.scanOne(ctx, slots[i].file)
				mu.Lock()
				slots[i].done = &t
				finished++
				prog.done(finished, t)
				mu.Unlock()
			}
		}()
	}
	var cancelled error
dispatch:
	for _, i := range files {
		select {
		case work <- i:
		case <-ctx.Done():
			cancelled = ctx.Err()
			break dispatch
		}
	}
	close(work)
	wg.Wait()
	prog.finish()
	if cancelled != nil {
		return nil, cancelled
	}
	for _, s := range slots {
		t := *s.done
		rep.Add(t)
	}
	return rep, nil
}

// scanOne scans one target; a panic anywhere below becomes an error of
// that target, so one bad package never stops the batch.
func (b *batch) scanOne(ctx context.Context, name string) (t report.Target) {
	defer func() {
		if p := recover(); p != nil {
			t = report.Target{Path: name, Kind: "unknown", Verdict: report.Pass, Complete: false,
				Findings: []report.Finding{}, Errors: []report.Error{{Path: name, Error: fmt.Sprintf("internal error: %v", p)}}}
		}
	}()
	return b.scanner.ScanFile(ctx, name)
}

// progress shows how far a batch is: a bar on a terminal, one plain line
// per target elsewhere (CI logs, pipes), nothing for a single target.
type progress struct {
	mode  string
	total int
	bar   *progressbar.ProgressBar
	w     io.Writer
}

func (b *batch) newProgress(total int) *progress {
	mode := b.progress
	if mode == "" || mode == progressAuto {
		switch {
		case total < 2:
			mode = progressNone
		case os.Getenv("CI") == "" && isTerminal(b.stderr):
			mode = progressBar
		default:
			mode = progressPlain
		}
	}
	p := &progress{mode: mode, total: total, w: b.stderr}
	if mode == progressBar {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(b.stderr),
			progressbar.OptionSetDescription("scanning"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionEnableColorCodes(false),
			progressbar.OptionFullWidth(),
		)
	}
	return p
}

func (p *progress) done(n int, t report.Target) {
	switch p.mode {
	case progressBar:
		_ = p.bar.Set(n)
	case progressPlain:
		fmt.Fprintf(p.w, "[%d/%d] %s %s: %s\n", n, p.total, strings.ToUpper(t.Verdict), report.Printable(t.Path), targetSummary(t))
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func targetSummary(t report.Target) string {
	counted, suppressed := 0, 0
	for _, f := range t.Findings {
		if f.Suppressed() {
			suppressed++
		} else {
			counted++
		}
	}
	s := fmt.Sprintf("%d finding(s)", counted)
	if suppressed > 0 {
		s += fmt.Sprintf(", %d suppressed", suppressed)
	}
	if len(t.Errors) > 0 {
		s += fmt.Sprintf(", %d part(s) not analysed", len(t.Errors))
	}
	return s
}

// writeSummary prints the table that ends a batch: one row per target,
// then the totals.
func writeSummary(w io.Writer, r *report.Report) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "VERDICT\tFINDINGS\tSUPPRESSED\tNOT ANALYSED\tWORST\tTARGET\n")
	counts := map[string]int{}
	incomplete := 0
	for _, t := range r.Targets {
		counts[t.Verdict]++
		if !t.Complete {
			incomplete++
		}
		counted, suppressed := 0, 0
		worst := policy.None
		for _, f := range t.Findings {
			if f.Suppressed() {
				suppressed++
				continue
			}
			counted++
			if s, err := policy.ParseSeverity(f.Severity); err == nil && s > worst {
				worst = s
			}
		}
		ws := "-"
		if counted > 0 {
			ws = worst.String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\n", strings.ToUpper(t.Verdict), counted, suppressed, len(t.Errors), ws, report.Printable(t.Path))
	}
	tw.Flush()
	fmt.Fprintf(w, "%d target(s): %d fail, %d warn, %d pass; %d incomplete\n",
		len(r.Targets), counts[report.Fail], counts[report.Warn], counts[report.Pass], incomplete)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
