package ios

import (
	"context"
	"fmt"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/analyzers/textstrings"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/macho"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

// MachO reads a Mach-O binary, thin or universal: its strings are read in
// this process from pre-checked section ranges, everything else by
// go-macho in a contained child process.
var MachO = analyze.FileAnalyzer{
	Name:  "macho",
	Kinds: []filekind.Kind{filekind.MachO, filekind.FatMachO},
	Bytes: analyzeMachO,
}

func analyzeMachO(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
	emit := func(k observation.Kind, v, detail string) {
		if v != "" {
			out.Observe(observation.Observation{Kind: k, Value: v, Detail: detail, Path: f.Path, Offset: -1})
		}
	}
	if err := macho.PreCheck(data); err != nil {
		// Damaged headers: read the strings of the whole file and stop.
		textstrings.Runs(data, 0, func(s string, off int64) { out.String(f.Path, s, off) })
		return fmt.Errorf("mach-o: %w", err)
	}
	ranges, err := macho.StringRanges(data)
	if err != nil {
		out.Error(f.Path, fmt.Errorf("mach-o string sections: %w", err))
	}
	for _, r := range ranges {
		textstrings.Runs(data[r[0]:r[1]], r[0], func(s string, off int64) { out.String(f.Path, s, off) })
	}
	facts, err := macho.Analyze(ctx, data)
	if err != nil {
		return fmt.Errorf("mach-o: %w", err)
	}
	for _, sl := range facts.Slices {
		for _, d := range sl.Dylibs {
			emit(observation.Dylib, d.Name, d.Kind)
		}
		for _, c := range sl.ObjCClasses {
			emit(observation.ObjCClass, c, sl.Arch)
		}
		for _, c := range sl.ObjCProtocols {
			emit(observation.ObjCProtocol, c, sl.Arch)
		}
		for _, m := range sl.SwiftModules {
			emit(observation.SwiftModule, m, sl.Arch)
		}
		if cs := sl.CodeSignature; cs != nil {
			emit(observation.TeamID, cs.TeamID, "code signature "+cs.Identifier)
		}
		if e := sl.Encryption; e != nil && e.CryptID != 0 {
			detail := fmt.Sprintf("%s bytes 0x%x-0x%x", sl.Arch, e.CryptOff, e.CryptOff+e.CryptSize)
			emit(observation.Encrypted, "fairplay", detail)
			out.Error(f.Path, fmt.Errorf("%s slice is FairPlay-encrypted (cryptid %d): bytes 0x%x-0x%x, which hold its code, strings and Objective-C metadata, were not read; linked libraries, plists, frameworks and unencrypted binaries still were",
				sl.Arch, e.CryptID, e.CryptOff, e.CryptOff+e.CryptSize))
		}
		for _, msg := range sl.Errors {
			out.Error(f.Path, fmt.Errorf("%s slice: %s", sl.Arch, msg))
		}
	}
	return nil
}
