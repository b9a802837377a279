package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdkvet/sdkvet/scanner/baseline"
)

type baselineFlags struct {
	scanFlags
	output  string
	reason  string
	expires string
	force   bool
}

func newBaselineCmd(g *globalFlags) *cobra.Command {
	f := &baselineFlags{scanFlags: *newScanFlags()}
	cmd := &cobra.Command{
		Use:   "baseline [flags] PATH...",
		Short: "Scan and write a baseline file (" + baseline.DefaultName + ") accepting every current finding",
		Long: `Scan the paths and write a baseline / exception file that accepts every
finding that counts today, one entry per finding id, each with --reason and
--expires. Commit the file: later scans read it from the current directory
(or --config) and fail only on what is new, until the entries expire.

The file is written to ` + baseline.DefaultName + ` unless --output names
another (or - for standard output); an existing file is kept unless --force.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usage("baseline needs at least one PATH (see %s --help)", c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runBaseline(c.Context(), g, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", baseline.DefaultName, "file to write (- for standard output)")
	fl.StringVar(&f.reason, "reason", "accepted when the baseline was created", "reason written into every entry")
	fl.StringVar(&f.expires, "expires", "", "last day the entries apply, YYYY-MM-DD (default: 90 days from today)")
	fl.BoolVar(&f.force, "force", false, "replace an existing file")
	f.register(fl)
	return cmd
}

func runBaseline(ctx context.Context, g *globalFlags, f *baselineFlags, args []string) error {
	if f.expires == "" {
		f.expires = time.Now().AddDate(0, 0, 90).Format("2006-01-02")
	}
	if _, err := time.Parse("2006-01-02", f.expires); err != nil {
		return usage("--expires %q: want YYYY-MM-DD", f.expires)
	}
	if f.reason == "" {
		return usage("--reason must not be empty")
	}
	if f.output != "-" && !f.force {
		if _, err := os.Stat(f.output); err == nil {
			return usage("%s exists; use --force to replace it", f.output)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return usage("%v", err)
		}
	}
	// A new baseline starts from the scan itself, not from the old file.
	f.noBaseline = true
	f.config = ""
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
	if !rep.Complete && !f.allowIncomplete {
		return usage("incomplete scan: no baseline written (see --format json from sdkvet scan; --allow-incomplete to accept)")
	}
	b, notes := baseline.FromReport(rep, f.reason, f.expires)
	write := func(w io.Writer) error { return baseline.Write(w, b, notes) }
	if f.output == "-" {
		if err := write(os.Stdout); err != nil {
			return usage("write baseline: %v", err)
		}
	} else {
		file, err := os.Create(f.output)
		if err != nil {
			return usage("create baseline: %v", err)
		}
		if err := write(file); err != nil {
			file.Close()
			return usage("write baseline: %v", err)
		}
		if err := file.Close(); err != nil {
			return usage("write baseline: %v", err)
		}
	}
	fmt.Fprintf(os.Stderr, "sdkvet: baseline with %d entr(ies), expiring %s, written to %s\n", len(b.Exceptions), f.expires, outName(f.output))
	return nil
}

func outName(p string) string {
	if p == "-" {
		return "standard output"
	}
	return p
}
