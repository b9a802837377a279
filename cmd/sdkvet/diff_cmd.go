package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdkvet/sdkvet/scanner/baseline"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/reportdiff"
	"github.com/sdkvet/sdkvet/scanner/report/sarifreport"
)

// maxReportSize bounds a saved JSON report read by diff.
const maxReportSize = 512 << 20

// diffFormats are the formats of 'sdkvet diff'; root is the directory
// SARIF paths are made relative to.
var diffFormats = map[string]func(w io.Writer, d *reportdiff.Diff, root string) error{
	"text": plainDiff(reportdiff.WriteText),
	"json": plainDiff(reportdiff.WriteJSON),
	"md":   plainDiff(reportdiff.WriteMarkdown),
	"html": plainDiff(reportdiff.WriteHTML),
	"csv":  plainDiff(reportdiff.WriteCSV),
	"sarif": func(w io.Writer, d *reportdiff.Diff, root string) error {
		return reportdiff.WriteSARIF(w, d, sarifreport.Options{Root: root})
	},
}

var diffFormatList = []string{"csv", "html", "json", "md", "sarif", "text"}

func plainDiff(f func(io.Writer, *reportdiff.Diff) error) func(io.Writer, *reportdiff.Diff, string) error {
	return func(w io.Writer, d *reportdiff.Diff, _ string) error { return f(w, d) }
}

type diffFlags struct {
	scanFlags
}

func newDiffCmd(g *globalFlags) *cobra.Command {
	f := &diffFlags{scanFlags: *newScanFlags()}
	cmd := &cobra.Command{
		Use:   "diff [flags] OLD NEW",
		Short: "Show the SDKs, endpoints, permissions and identity an update adds or removes",
		Long: `Compare two releases of an app. OLD and NEW are packages (scanned now)
or JSON reports saved by 'sdkvet scan --format json'.

Formats (repeatable; each takes the --output that follows it, or NAME=FILE):
text, json, md, html (one self-contained page), csv (one row per change)
and sarif (a SARIF 2.1.0 log of the findings the update adds, for code
scanning).

Exit codes: 0 the update adds nothing at or above --fail-on; 1 it adds an
SDK or app at or above --fail-on (or of a --fail-on-vendor vendor) that no
exception covers; 2 a usage error, or a package that could not be scanned
completely (unless --allow-incomplete).`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usage("diff needs OLD and NEW (see %s --help)", c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runDiff(c.Context(), g, f, args) },
	}
	fl := cmd.Flags()
	f.out.register(fl, diffFormatList)
	f.register(fl)
	return cmd
}

func runDiff(ctx context.Context, g *globalFlags, f *diffFlags, args []string) error {
	specs, err := f.out.resolve(diffFormatList)
	if err != nil {
		return usage("%v", err)
	}
	f.progress = progressNone
	env, err := f.prepare(g)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	var sides [2]*report.Report
	for i, a := range args {
		r, err := loadOrScan(ctx, env, a)
		if err != nil {
			return err
		}
		sides[i] = r
	}
	d := reportdiff.Compute(sides[0], sides[1], env.failOn)
	root, err := os.Getwd()
	if err != nil {
		root = ""
	}
	for _, s := range specs {
		w := diffFormats[s.format]
		if err := writeOne(s, func(out io.Writer, _ bool) error { return w(out, d, root) }, false, false); err != nil {
			return usage("%v", err)
		}
	}
	if len(d.Violations) > 0 {
		return &codeError{code: exitViolation}
	}
	var added []string
	for _, it := range append(append([]reportdiff.Item{}, d.SDKsAdded...), d.AppsAdded...) {
		for _, v := range f.failOnVendors {
			if !it.Suppressed && strings.EqualFold(v, it.Vendor) {
				added = append(added, it.Name)
			}
		}
	}
	if len(added) > 0 {
		return &codeError{code: exitViolation, err: fmt.Errorf("the update adds %s (--fail-on-vendor)", strings.Join(added, ", "))}
	}
	for i, r := range sides {
		if !r.Complete && !f.allowIncomplete {
			return usage("incomplete scan of %s (--allow-incomplete to accept)", args[i])
		}
	}
	return nil
}

// loadOrScan reads a saved JSON report, or scans a package.
func loadOrScan(ctx context.Context, env *scanEnv, path string) (*report.Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, usage("%v", err)
	}
	if st.Mode().IsRegular() {
		file, err := os.Open(path)
		if err != nil {
			return nil, usage("%v", err)
		}
		defer file.Close()
		br := bufio.NewReader(file)
		head, _ := br.Peek(512)
		if looksLikeReport(head) {
			data, err := io.ReadAll(io.LimitReader(br, maxReportSize+1))
			if err != nil {
				return nil, usage("read %s: %v", path, err)
			}
			if len(data) > maxReportSize {
				return nil, usage("%s: report larger than %d bytes", path, maxReportSize)
			}
			var r report.Report
			if err := json.Unmarshal(data, &r); err != nil {
				return nil, usage("%s: not an sdkvet JSON report: %v", path, err)
			}
			if r.SchemaVersion != report.SchemaVersion {
				return nil, usage("%s: report schema_version %q, this sdkvet reads %q", path, r.SchemaVersion, report.SchemaVersion)
			}
			if env.baseline != nil {
				baseline.Apply(&r, env.baseline, env.basePath, env.pol, time.Now())
			}
			return &r, nil
		}
	}
	return env.scan(ctx, []string{path})
}

// looksLikeReport reports whether a file starts like a JSON object that
// names a schema_version.
func looksLikeReport(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	return bytes.HasPrefix(t, []byte("{")) && bytes.Contains(head, []byte(`"schema_version"`))
}
