package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/report/formats"
)

// outputSpec is one format and where it goes ("" is standard output).
type outputSpec struct {
	format string
	path   string
}

// outputFlags collects --format and --output in command-line order: an
// --output belongs to the --format just before it (an --output before any
// --format waits for the next one, or for the default text format), and
// --format NAME=FILE names its own file.
type outputFlags struct {
	specs   []outputSpec
	open    bool // the last spec can still take an --output
	pending []string
}

type formatFlag struct{ o *outputFlags }
type outputFlag struct{ o *outputFlags }

func (f formatFlag) String() string { return "" }
func (f formatFlag) Type() string   { return "format" }
func (f formatFlag) Set(v string) error {
	name, path, hasPath := strings.Cut(v, "=")
	if hasPath && path == "" {
		return fmt.Errorf("%q: empty file name", v)
	}
	f.o.specs = append(f.o.specs, outputSpec{format: name, path: path})
	f.o.open = !hasPath
	if f.o.open && len(f.o.pending) > 0 {
		f.o.specs[len(f.o.specs)-1].path = f.o.pending[0]
		f.o.pending = f.o.pending[1:]
		f.o.open = false
	}
	return nil
}

func (f outputFlag) String() string { return "" }
func (f outputFlag) Type() string   { return "file" }
func (f outputFlag) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty file name")
	}
	if f.o.open {
		f.o.specs[len(f.o.specs)-1].path = v
		f.o.open = false
		return nil
	}
	f.o.pending = append(f.o.pending, v)
	return nil
}

// register adds --format/-f and --output/-o.
func (o *outputFlags) register(fl *pflag.FlagSet, known []string) {
	fl.VarP(formatFlag{o}, "format", "f", "output format, repeatable: "+strings.Join(known, ", ")+" (default text; NAME=FILE writes to FILE)")
	fl.VarP(outputFlag{o}, "output", "o", "write the --format given just before to FILE instead of standard output (- for standard output)")
}

// resolve checks the formats against known and returns where each goes.
func (o *outputFlags) resolve(known []string) ([]outputSpec, error) {
	specs := append([]outputSpec{}, o.specs...)
	pending := o.pending
	if len(specs) == 0 {
		s := outputSpec{format: "text"}
		if len(pending) > 0 {
			s.path, pending = pending[0], pending[1:]
		}
		specs = append(specs, s)
	}
	if len(pending) > 0 {
		return nil, fmt.Errorf("--output %s has no --format of its own; give each --output after its --format", pending[0])
	}
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	stdout, seen := 0, map[string]bool{}
	for i := range specs {
		s := &specs[i]
		if f, ok := formats.Lookup(s.format); ok {
			s.format = f.Name
		} else {
			s.format = strings.ToLower(strings.TrimSpace(s.format))
		}
		if !isKnown[s.format] {
			return nil, fmt.Errorf("--format %q: want one of %s", s.format, strings.Join(known, ", "))
		}
		if s.path == "-" {
			s.path = ""
		}
		if s.path == "" {
			stdout++
		} else if seen[s.path] {
			return nil, fmt.Errorf("two formats write to %s", s.path)
		}
		seen[s.path] = true
	}
	if stdout > 1 {
		return nil, fmt.Errorf("%d formats would go to standard output; give each but one an --output FILE (or --format NAME=FILE)", stdout)
	}
	return specs, nil
}

// writeOutputs writes r in every requested format.
func writeOutputs(specs []outputSpec, r *report.Report) error {
	// SARIF paths under the current directory become relative URIs that
	// code scanning resolves against the checkout.
	root, err := os.Getwd()
	if err != nil {
		root = ""
	}
	for _, s := range specs {
		f, _ := formats.Lookup(s.format)
		write := func(w io.Writer, color bool) error {
			return f.Write(w, r, formats.Options{Color: color, SourceRoot: root})
		}
		if err := writeOne(s, write, f.Binary, s.format == "text"); err != nil {
			return err
		}
	}
	return nil
}

// writeOne opens the destination of s and writes to it. Colour is used
// only for text on a terminal without NO_COLOR.
func writeOne(s outputSpec, write func(w io.Writer, color bool) error, binary, colorable bool) error {
	if s.path == "" {
		tty := term.IsTerminal(int(os.Stdout.Fd()))
		if binary && tty {
			return fmt.Errorf("--format %s writes binary data: give --output FILE", s.format)
		}
		if err := write(os.Stdout, colorable && tty && os.Getenv("NO_COLOR") == ""); err != nil {
			return fmt.Errorf("write %s report: %w", s.format, err)
		}
		return nil
	}
	file, err := os.Create(s.path)
	if err != nil {
		return fmt.Errorf("create output: %w", err)
	}
	if err := write(file, false); err != nil {
		file.Close()
		return fmt.Errorf("write %s report to %s: %w", s.format, s.path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	return nil
}
