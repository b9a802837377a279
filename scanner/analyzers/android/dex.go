// Package android holds the analyzers for Android packages: the manifest in
// its three encodings, resource strings, DEX code, signing certificates and
// the entry names of a package.
package android

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/arsc"
	"github.com/sdkvet/sdkvet/scanner/dex"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

// DEX reads class names from the type table and hands every string of the
// string table to the string scanners.
var DEX = analyze.FileAnalyzer{
	Name:  "dex",
	Kinds: []filekind.Kind{filekind.DEX},
	Bytes: func(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
		d, err := dex.Parse(data)
		if err != nil {
			return fmt.Errorf("parse dex: %w", err)
		}
		// Names and strings are passed without a copy: Out copies what it
		// keeps, which is a tiny fraction of a large app's 300,000 classes.
		terr := d.TypeBytes(func(name []byte, defined bool, off int64) bool {
			detail := ""
			if !defined {
				detail = "referenced"
			}
			out.Observe(observation.Observation{Kind: observation.JavaClass, Value: transient(name), Detail: detail, Path: f.Path, Offset: off})
			return ctx.Err() == nil
		})
		serr := d.StringBytes(func(b []byte, off int64) bool {
			out.String(f.Path, transient(b), off)
			return ctx.Err() == nil
		})
		if terr != nil {
			return fmt.Errorf("dex types: %w", terr)
		}
		if serr != nil {
			return fmt.Errorf("dex strings: %w", serr)
		}
		return nil
	},
}

// transient views b as a string without copying; the string must not be
// kept beyond the callback that received b (analyze.Out copies what it keeps).
func transient(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// ResourceStrings hands the global string pool of a resources.arsc or a
// binary XML file to the string scanners.
var ResourceStrings = analyze.FileAnalyzer{
	Name:  "resource-strings",
	Kinds: []filekind.Kind{filekind.ARSC, filekind.AXML},
	Bytes: func(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
		err := arsc.Strings(data, func(s string, off int64) bool {
			out.String(f.Path, s, off)
			return ctx.Err() == nil
		})
		if err != nil {
			return fmt.Errorf("resource strings: %w", err)
		}
		return nil
	},
}
