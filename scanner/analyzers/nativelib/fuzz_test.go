package nativelib_test

import (
	"bytes"
	"debug/elf"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/scanner/analyzers/textstrings"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

// FuzzELF runs the ELF analyzer on arbitrary bytes. It must not panic; it
// always reports the library's file name first; every string it hands on
// is a printable run found at its offset in the input; and it never
// reports a soname or needed library without a parsed ELF.
func FuzzELF(f *testing.F) {
	for _, m := range []elf.Machine{elf.EM_AARCH64, elf.EM_X86_64, elf.EM_ARM, elf.EM_386, elf.EM_MIPS} {
		f.Add(fixture.ELF(fixture.ELFSpec{Machine: m, SOName: "libfuzz.so", Needed: []string{"libc.so", "libm.so"},
			Strings: []string{"https://x.example.com/a"}, Symbols: []string{"JNI_OnLoad"}}))
	}
	f.Add(fixture.ELF(fixture.ELFSpec{}))
	f.Add(compressedDynamic(f, 4096))
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := run(t, "lib/arm64-v8a/libfuzz.so", data)
		if len(o.obs) == 0 || o.obs[0] != (observation.Observation{Kind: observation.NativeLib, Value: "libfuzz.so", Detail: "arm64-v8a", Path: "app.apk!/lib/arm64-v8a/libfuzz.so", Offset: -1}) {
			t.Fatalf("first observation = %+v", o.obs)
		}
		for _, s := range o.strs {
			if len(s.S) < textstrings.MinRun || len(s.S) > textstrings.MaxRun {
				t.Fatalf("string of %d bytes", len(s.S))
			}
			if s.Off < 0 || int(s.Off)+len(s.S) > len(data) || string(data[s.Off:int(s.Off)+len(s.S)]) != s.S {
				t.Fatalf("string %q at %d is not in the input there", s.S, s.Off)
			}
		}
		if _, perr := elf.NewFile(bytes.NewReader(data)); perr != nil {
			if err == nil {
				t.Fatalf("no error for an input debug/elf cannot parse: %v", perr)
			}
			if len(o.obs) != 1 {
				t.Fatalf("observations from an unparsable ELF: %+v", o.obs)
			}
		}
		for _, ob := range o.obs[1:] {
			if ob.Kind != observation.NativeLib && ob.Kind != observation.NeededLib {
				t.Fatalf("observation %+v", ob)
			}
		}
	})
}
