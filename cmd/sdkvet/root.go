package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/jsonreport"
	"github.com/sdkvet/sdkvet/scanner/report/textreport"
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
	root.AddCommand(newScanCmd(g), newSignaturesCmd(), newVersionCmd())
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
	format          string
	output          string
	failOn          string
	allowIncomplete bool
	db              dbFlags
	limits          walk.Limits
	sandbox         sandbox.Limits
}

func newScanCmd(g *globalFlags) *cobra.Command {
	f := &scanFlags{limits: walk.DefaultLimits(), sandbox: sandbox.DefaultLimits()}
	cmd := &cobra.Command{
		Use:   "scan [flags] PATH...",
		Short: "Scan packages (APK, AAB, XAPK/APKS, AAR, JAR, DEX, .so) or folders of them",
		Long: `Scan packages and print a report.

Exit codes: 0 no finding at or above --fail-on; 1 a policy violation; 2 a usage
error or a target that could not be scanned completely (unless
--allow-incomplete). A violation takes precedence over an incomplete scan.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &codeError{code: exitError, err: fmt.Errorf("scan needs at least one PATH (see %s --help)", c.CommandPath())}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runScan(c.Context(), g, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "text", "output format: text or json")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to FILE instead of standard output")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding is at or above this severity (default: the policy's fail_on)")
	fl.BoolVar(&f.allowIncomplete, "allow-incomplete", false, "exit 0 rather than 2 when part of a target could not be scanned")
	f.db.register(fl)
	fl.IntVar(&f.limits.MaxDepth, "max-depth", f.limits.MaxDepth, "maximum nesting depth of archives")
	fl.IntVar(&f.limits.MaxEntries, "max-entries", f.limits.MaxEntries, "maximum entries in one archive")
	fl.Int64Var(&f.limits.MaxEntrySize, "max-entry-size", f.limits.MaxEntrySize, "maximum inflated bytes of one entry")
	fl.Int64Var(&f.limits.MaxTotal, "max-total", f.limits.MaxTotal, "maximum inflated bytes of one target")
	fl.Int64Var(&f.limits.MaxRatio, "max-ratio", f.limits.MaxRatio, "maximum compression ratio of one entry")
	fl.DurationVar(&f.limits.MaxTime, "max-time", f.limits.MaxTime, "maximum wall time for one target")
	fl.DurationVar(&f.sandbox.Timeout, "parser-timeout", f.sandbox.Timeout, "maximum wall time of one contained parser process")
	fl.Int64Var(&f.sandbox.Memory, "parser-memory", f.sandbox.Memory, "maximum memory (bytes) of one contained parser process")
	return cmd
}

func usage(format string, a ...any) error {
	return &codeError{code: exitError, err: fmt.Errorf(format, a...)}
}

func runScan(ctx context.Context, g *globalFlags, f *scanFlags, args []string) error {
	log, err := g.logger()
	if err != nil {
		return usage("%v", err)
	}
	if f.format != "text" && f.format != "json" {
		return usage("--format %q: want text or json", f.format)
	}
	if f.limits.MaxDepth < 0 || f.limits.MaxEntries <= 0 || f.limits.MaxEntrySize <= 0 || f.limits.MaxTotal <= 0 || f.limits.MaxRatio <= 0 || f.limits.MaxTime <= 0 || f.sandbox.Timeout <= 0 || f.sandbox.Memory <= 0 {
		return usage("limits must be positive")
	}
	db, pol, err := f.db.load()
	if err != nil {
		return usage("%v", err)
	}
	failOn := pol.FailOn
	if f.failOn != "" {
		if failOn, err = policy.ParseSeverity(f.failOn); err != nil || failOn == policy.None {
			return usage("--fail-on %q: want info, low, medium, high or critical", f.failOn)
		}
	}
	for _, a := range args {
		if _, err := os.Stat(a); err != nil {
			return usage("%v", err)
		}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	s := scanner.New(scanner.Options{DB: db, Policy: pol, Limits: f.limits, Sandbox: f.sandbox, Log: log})
	start := time.Now()
	rep, err := s.Scan(ctx, args)
	if err != nil {
		return usage("%v", err)
	}
	log.WithField("elapsed", time.Since(start).Round(time.Millisecond).String()).Info("scan finished")

	var w io.Writer = os.Stdout
	color := false
	if f.output != "" {
		file, err := os.Create(f.output)
		if err != nil {
			return usage("create output: %v", err)
		}
		defer file.Close()
		w = file
	} else {
		color = f.format == "text" && os.Getenv("NO_COLOR") == "" && term.IsTerminal(int(os.Stdout.Fd()))
	}
	switch f.format {
	case "json":
		err = jsonreport.Write(w, rep)
	default:
		err = textreport.Write(w, rep, textreport.Options{Color: color})
	}
	if err != nil {
		return usage("write report: %v", err)
	}
	if worst(rep) >= failOn {
		return &codeError{code: exitViolation}
	}
	if !rep.Complete && !f.allowIncomplete {
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

// worst returns the highest severity among findings that count (not
// covered by an unexpired exception).
func worst(r *report.Report) policy.Severity {
	w := policy.None
	for _, t := range r.Targets {
		for _, f := range t.Findings {
			if f.Exception != nil && !f.Exception.Expired {
				continue
			}
			if s, err := policy.ParseSeverity(f.Severity); err == nil && s > w {
				w = s
			}
		}
	}
	return w
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
