// Package nativelib reads ELF shared objects: the library's own name,
// DT_SONAME and DT_NEEDED, and its printable strings (URLs and hosts live in
// .rodata).
package nativelib

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"path"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/analyzers/textstrings"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

// ELF is the native library analyzer.
var ELF = analyze.FileAnalyzer{
	Name:  "elf",
	Kinds: []filekind.Kind{filekind.ELF},
	Bytes: analyzeELF,
}

func analyzeELF(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
	abi := ""
	if parts := strings.Split(f.Name, "/"); len(parts) == 3 && parts[0] == "lib" {
		abi = parts[1]
	}
	out.Observe(observation.Observation{Kind: observation.NativeLib, Value: path.Base(f.Name), Detail: abi, Path: f.Path, Offset: -1})
	// Strings first: they are read from the raw bytes and are useful even
	// when the ELF headers are damaged.
	textstrings.Runs(data, 0, func(s string, off int64) {
		out.String(f.Path, s, off)
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("parse elf: %w", err)
	}
	defer ef.Close()
	if sonames, err := ef.DynString(elf.DT_SONAME); err == nil {
		for _, s := range sonames {
			out.Observe(observation.Observation{Kind: observation.NativeLib, Value: s, Detail: "soname", Path: f.Path, Offset: -1})
		}
	}
	needed, err := ef.DynString(elf.DT_NEEDED)
	if err != nil {
		return fmt.Errorf("elf dynamic section: %w", err)
	}
	for _, n := range needed {
		out.Observe(observation.Observation{Kind: observation.NeededLib, Value: n, Path: f.Path, Offset: -1})
	}
	return nil
}
