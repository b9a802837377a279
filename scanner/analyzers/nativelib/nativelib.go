// Package nativelib reads ELF shared objects: the library's own name,
// DT_SONAME and DT_NEEDED, and its printable strings (URLs and hosts live in
// .rodata).
package nativelib

import (
	"bytes"
	"cmp"
	"context"
	"debug/elf"
	"fmt"
	"path"
	"slices"
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
	emit := func(s string, off int64) { out.String(f.Path, s, off) }
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		// Damaged headers: the strings are still worth reading, from
		// the whole file.
		textstrings.Runs(data, 0, emit)
		return fmt.Errorf("parse elf: %w", err)
	}
	defer ef.Close()
	// Strings live in data sections; machine code is most of a library's
	// bytes and holds none worth reading.
	for _, r := range dataRanges(ef, int64(len(data))) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		textstrings.Runs(data[r[0]:r[1]], r[0], emit)
	}
	// debug/elf inflates a compressed section to whatever size it declares:
	// a zip bomb inside an ELF. Real libraries never compress .dynamic.
	if ds := ef.SectionByType(elf.SHT_DYNAMIC); ds != nil {
		check := []*elf.Section{ds}
		if int(ds.Link) < len(ef.Sections) {
			check = append(check, ef.Sections[ds.Link])
		}
		for _, sec := range check {
			if sec.Flags&elf.SHF_COMPRESSED != 0 || strings.HasPrefix(sec.Name, ".zdebug") {
				return fmt.Errorf("elf: compressed section %q holds the dynamic table; not inflated", sec.Name)
			}
		}
	}
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

// dataRanges returns the merged, in-bounds file ranges of the sections that
// are not machine code and occupy file bytes; the whole file when the
// section table gives nothing (a stripped or hostile header).
func dataRanges(ef *elf.File, size int64) [][2]int64 {
	var rs [][2]int64
	for _, sec := range ef.Sections {
		if sec.Type == elf.SHT_NOBITS || sec.Type == elf.SHT_NULL || sec.Flags&elf.SHF_EXECINSTR != 0 {
			continue
		}
		start, end := int64(sec.Offset), int64(sec.Offset)+int64(sec.FileSize)
		if start < 0 || end < start || start >= size {
			continue
		}
		rs = append(rs, [2]int64{start, min(end, size)})
	}
	if len(rs) == 0 {
		return [][2]int64{{0, size}}
	}
	slices.SortFunc(rs, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	merged := rs[:1]
	for _, r := range rs[1:] {
		last := &merged[len(merged)-1]
		if r[0] <= last[1] {
			last[1] = max(last[1], r[1])
		} else {
			merged = append(merged, r)
		}
	}
	return merged
}
