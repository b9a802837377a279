package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/baseline"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/formats"
	"github.com/sdkvet/sdkvet/scanner/sandbox"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

type globalFlags struct {
	verbose   int
	logFormat string
}

func newRootCmd() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:           "sdkvet",
		Short:         "Find ByteDance and Tencent SDKs, endpoints and apps in mobile packages",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().CountVarP(&g.verbose, "verbose", "v", "log progress to stderr (-v info, -vv debug)")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "text", "log format: text or json")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &codeError{code: exitError, err: fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	root.AddCommand(newScanCmd(g), newBaselineCmd(g), newDiffCmd(g), newSignaturesCmd(), newVersionCmd(), newServeCmd(g), newUserCmd(), newTokenCmd())
	return root
}

func (g *globalFlags) logger() (*logrus.Logger, error) {
	log := logrus.New()
	log.SetOutput(os.Stderr)
	switch g.logFormat {
	case "text":
		log.SetFormatter(&logrus.TextFormatter{DisableColors: os.Getenv("NO_COLOR") != ""})
	case "json":
		log.SetFormatter(&logrus.JSONFormatter{})
	default:
		return nil, fmt.Errorf("--log-format %q: want text or json", g.logFormat)
	}
	switch {
	case g.verbose >= 2:
		log.SetLevel(logrus.DebugLevel)
	case g.verbose == 1:
		log.SetLevel(logrus.InfoLevel)
	default:
		log.SetLevel(logrus.WarnLevel)
	}
	return log, nil
}

type scanFlags struct {
	out             outputFlags
	failOn          string
	failOnVendors   []string
	allowIncomplete bool
	config          string
	noBaseline      bool
	jobs            int
	progress        string
	db              dbFlags
	limits          walk.Limits
	sandbox         sandbox.Limits
}

func newScanFlags() *scanFlags {
	return &scanFlags{limits: walk.DefaultLimits(), sandbox: sandbox.DefaultLimits()}
}

func newScanCmd(g *globalFlags) *cobra.Command {
	f := newScanFlags()
	cmd := &cobra.Command{
		Use:   "scan [flags] PATH...",
		Short: "Scan packages (APK, AAB, XAPK/APKS, AAR, JAR, DEX, .so, IPA, .app), source trees or folders of them",
		Long: `Scan packages and print a report.

Formats: ` + strings.Join(formats.Names(), ", ") + `. --format is repeatable and
each takes the --output that follows it (or write --format sarif=out.sarif);
at most one format goes to standard output. Example:
  sdkvet scan -f sarif -o out.sarif -f html -o report.html -f text app.apk

A baseline / exception file (.sdkvet.yaml in the current directory, or
--config FILE) suppresses reviewed findings until their expiry date;
suppressed findings stay in the report, marked as such.

Exit codes: 0 no finding at or above --fail-on (and none by a --fail-on-vendor
vendor); 1 a policy violation; 2 a usage error or a target that could not be
scanned completely (unless --allow-incomplete). A violation takes precedence
over an incomplete scan.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &codeError{code: exitError, err: fmt.Errorf("scan needs at least one PATH (see %s --help)", c.CommandPath())}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runScan(c.Context(), g, f, args) },
	}
	fl := cmd.Flags()
	f.out.register(fl, formats.Names())
	f.register(fl)
	return cmd
}

// register adds the flags shared by scan, baseline and diff.
func (f *scanFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding is at or above this severity (default: the policy's fail_on)")
	fl.StringArrayVar(&f.failOnVendors, "fail-on-vendor", nil, "exit 1 when any finding of this vendor (id or name) counts, whatever its severity (repeatable)")
	fl.BoolVar(&f.allowIncomplete, "allow-incomplete", false, "exit 0 rather than 2 when part of a target could not be scanned")
	fl.StringVar(&f.config, "config", "", "baseline / exception file (default: "+baseline.DefaultName+" in the current directory, if present)")
	fl.BoolVar(&f.noBaseline, "no-baseline", false, "do not read "+baseline.DefaultName)
	fl.IntVarP(&f.jobs, "jobs", "j", runtime.NumCPU(), "targets scanned at once")
	fl.StringVar(&f.progress, "progress", progressAuto, "progress on stderr for several targets: auto (a bar on a terminal, plain lines otherwise), bar, plain or none")
	f.db.register(fl)
	fl.IntVar(&f.limits.MaxDepth, "max-depth", f.limits.MaxDepth, "maximum nesting depth of archives")
	fl.IntVar(&f.limits.MaxEntries, "max-entries", f.limits.MaxEntries, "maximum entries in one archive")
	fl.Int64Var(&f.limits.MaxEntrySize, "max-entry-size", f.limits.MaxEntrySize, "maximum inflated bytes of one entry")
	fl.Int64Var(&f.limits.MaxTotal, "max-total", f.limits.MaxTotal, "maximum inflated bytes of one target")
	fl.Int64Var(&f.limits.MaxRatio, "max-ratio", f.limits.MaxRatio, "maximum compression ratio of one entry")
	fl.DurationVar(&f.limits.MaxTime, "max-time", f.limits.MaxTime, "maximum wall time for one target")
	fl.BoolVar(&f.limits.IncludeGenerated, "include-generated", false, "in source trees, also read generated output (build/, .gradle/, DerivedData/, .git/, ...) and all of node_modules")
	fl.DurationVar(&f.sandbox.Timeout, "parser-timeout", f.sandbox.Timeout, "maximum wall time of one contained parser process")
	fl.Int64Var(&f.sandbox.Memory, "parser-memory", f.sandbox.Memory, "maximum memory (bytes) of one contained parser process")
}

func usage(format string, a ...any) error {
	return &codeError{code: exitError, err: fmt.Errorf(format, a...)}
}

// scanEnv is what a scan needs once the flags are checked.
type scanEnv struct {
	log      *logrus.Logger
	db       *signatures.DB
	pol      *policy.Policy
	failOn   policy.Severity
	baseline *baseline.File
	basePath string
	flags    *scanFlags
}

// prepare checks the flags and loads the database, the policy and the
// baseline.
func (f *scanFlags) prepare(g *globalFlags) (*scanEnv, error) {
	log, err := g.logger()
	if err != nil {
		return nil, usage("%v", err)
	}
	if f.limits.MaxDepth < 0 || f.limits.MaxEntries <= 0 || f.limits.MaxEntrySize <= 0 || f.limits.MaxTotal <= 0 || f.limits.MaxRatio <= 0 || f.limits.MaxTime <= 0 || f.sandbox.Timeout <= 0 || f.sandbox.Memory <= 0 {
		return nil, usage("limits must be positive")
	}
	switch f.progress {
	case progressAuto, progressBar, progressPlain, progressNone:
	default:
		return nil, usage("--progress %q: want auto, bar, plain or none", f.progress)
	}
	if f.jobs <= 0 {
		return nil, usage("--jobs must be at least 1")
	}
	db, pol, err := f.db.load()
	if err != nil {
		return nil, usage("%v", err)
	}
	env := &scanEnv{log: log, db: db, pol: pol, failOn: pol.FailOn, flags: f}
	if f.failOn != "" {
		if env.failOn, err = policy.ParseSeverity(f.failOn); err != nil || env.failOn == policy.None {
			return nil, usage("--fail-on %q: want info, low, medium, high or critical", f.failOn)
		}
	}
	for _, v := range f.failOnVendors {
		if strings.TrimSpace(v) == "" {
			return nil, usage("--fail-on-vendor: empty vendor")
		}
	}
	switch {
	case f.config != "":
		env.basePath = f.config
	case !f.noBaseline:
		if st, err := os.Stat(baseline.DefaultName); err == nil && st.Mode().IsRegular() {
			env.basePath = baseline.DefaultName
		}
	}
	if env.basePath != "" {
		if env.baseline, err = baseline.Load(env.basePath); err != nil {
			return nil, usage("%v", err)
		}
	}
	return env, nil
}

// scan scans the paths (in parallel when there are several targets) and
// applies the baseline.
func (e *scanEnv) scan(ctx context.Context, args []string) (*report.Report, error) {
	for _, a := range args {
		if _, err := os.Stat(a); err != nil {
			return nil, usage("%v", err)
		}
	}
	s := scanner.New(scanner.Options{DB: e.db, Policy: e.pol, Limits: e.flags.limits, Sandbox: e.flags.sandbox, Log: e.log})
	start := time.Now()
	b := &batch{scanner: s, db: e.db, pol: e.pol, jobs: e.flags.jobs, progress: e.flags.progress, stderr: os.Stderr}
	rep, err := b.run(ctx, args)
	if err != nil {
		return nil, usage("%v", err)
	}
	if e.baseline != nil {
		baseline.Apply(rep, e.baseline, e.basePath, e.pol, time.Now())
		if n := len(rep.Baseline.Expired); n > 0 {
			e.log.WithField("baseline", e.basePath).Warnf("%d baseline entr(ies) expired and no longer apply", n)
		}
	}
	e.log.WithFields(logrus.Fields{"targets": len(rep.Targets), "elapsed": time.Since(start).Round(time.Millisecond).String()}).Info("scan finished")
	return rep, nil
}

// gate returns the exit error for a written report: a violation (exit 1)
// before an incomplete scan (exit 2).
func (e *scanEnv) gate(rep *report.Report) error {
	if worst(rep) >= e.failOn {
		return &codeError{code: exitViolation}
	}
	if v := vendorHits(rep, e.flags.failOnVendors); len(v) > 0 {
		return &codeError{code: exitViolation, err: fmt.Errorf("findings of %s (--fail-on-vendor)", strings.Join(v, ", "))}
	}
	if !rep.Complete && !e.flags.allowIncomplete {
		var parts []string
		for _, t := range rep.Targets {
			if !t.Complete {
				parts = append(parts, t.Path)
			}
		}
		return &codeError{code: exitError, err: fmt.Errorf("incomplete scan of %s (see errors in the report; --allow-incomplete to accept)", strings.Join(parts, ", "))}
	}
	return nil
}

func runScan(ctx context.Context, g *globalFlags, f *scanFlags, args []string) error {
	specs, err := f.out.resolve(formats.Names())
	if err != nil {
		return usage("%v", err)
	}
	env, err := f.prepare(g)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	rep, err := env.scan(ctx, args)
	if err != nil {
		return err
	}
	if err := writeOutputs(specs, rep); err != nil {
		return usage("%v", err)
	}
	if len(rep.Targets) > 1 && f.progress != progressNone {
		writeSummary(os.Stderr, rep)
	}
	return env.gate(rep)
}

// worst returns the highest severity among findings that count (not
// covered by an unexpired exception).
func worst(r *report.Report) policy.Severity {
	w := policy.None
	for _, t := range r.Targets {
		for _, f := range t.Findings {
			if f.Suppressed() {
				continue
			}
			if s, err := policy.ParseSeverity(f.Severity); err == nil && s > w {
				w = s
			}
		}
	}
	return w
}

// vendorHits returns the vendors among names (ids or display names, any
// case) that have a finding that counts.
func vendorHits(r *report.Report, names []string) []string {
	var out []string
	for _, n := range names {
		found := false
		for _, t := range r.Targets {
			for _, f := range t.Findings {
				if !f.Suppressed() && (strings.EqualFold(n, f.VendorID) || strings.EqualFold(n, f.Vendor)) {
					found = true
				}
			}
		}
		if found {
			out = append(out, n)
		}
	}
	return out
}

func newVersionCmd() *cobra.Command {
	var f dbFlags
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the tool, signature-set and policy versions",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			db, pol, err := f.load()
			if err != nil {
				return usage("%v", err)
			}
			fmt.Fprintf(c.OutOrStdout(), "sdkvet %s\nsignatures %s\npolicy %s %s\n", scanner.Version, db.Version, pol.ID, pol.Version)
			return nil
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// dbFlags select the signature database and policy.
type dbFlags struct {
	policyFile    string
	signatureDirs []string
	packs         []string
}

func (f *dbFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.policyFile, "policy", "", "policy YAML file (default: the embedded policy)")
	fl.StringArrayVar(&f.signatureDirs, "signatures", nil, "directory of extra vendor YAML files (repeatable)")
	fl.StringArrayVar(&f.packs, "pack", nil, "switch on an extension pack of the signature database (repeatable; see 'sdkvet signatures packs')")
}

// load reads the policy, then the database with the packs the policy and
// the flags switch on, and merges the packs' vendor policies.
func (f *dbFlags) load() (*signatures.DB, *policy.Policy, error) {
	pol := policy.Default()
	if f.policyFile != "" {
		var err error
		if pol, err = policy.LoadFile(f.policyFile); err != nil {
			return nil, nil, err
		}
	}
	db, err := signatures.LoadWith(signatures.Options{Packs: append(append([]string{}, pol.Packs...), f.packs...), Dirs: f.signatureDirs})
	if err != nil {
		return nil, nil, fmt.Errorf("load signatures: %w", err)
	}
	if err := pol.ApplyPacks(db.Packs); err != nil {
		return nil, nil, err
	}
	return db, pol, nil
}
