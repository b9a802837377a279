package macho

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/machofile"
)

// fuzzSeeds are well-formed files of every shape the parent reads.
func fuzzSeeds() [][]byte {
	small := machofile.Spec{Dylibs: []machofile.Dylib{{Name: "/usr/lib/libSystem.B.dylib"}, {Name: "@rpath/BUAdSDK.framework/BUAdSDK", Kind: "weak"}},
		ObjCClasses: []string{"BUNativeAd"}, ObjCProtocols: []string{"BUAdDelegate"}, Symbols: []string{"_$s7BUAdSDK1AV"},
		CStrings: []string{"https://x.example.com/"}, CodeSig: &machofile.CodeSig{Identifier: "com.example.app", TeamID: "TEAM", Entitlements: "<plist/>"}}
	var seeds [][]byte
	for _, ft := range []string{"execute", "dylib", "object"} {
		s := small
		s.FileType = ft
		seeds = append(seeds, machofile.Build(s))
		s.Encrypted, s.CPU = true, "x86_64"
		seeds = append(seeds, machofile.Build(s))
	}
	seeds = append(seeds,
		machofile.Fat(machofile.Build(machofile.Spec{CStrings: []string{"a"}}), machofile.Build(machofile.Spec{CPU: "x86_64", CStrings: []string{"b"}})),
		thin32(binary.LittleEndian, 12, 9, 1, 0),
		thin32(binary.BigEndian, 18, 0, 0, 4),
		[]byte("\xca\xfe\xba\xbe\x00\x00\x00\x01"),
		[]byte("\xcf\xfa\xed\xfe"),
	)
	return seeds
}

// FuzzPreCheck runs the parent's header reader on arbitrary bytes. It must
// not panic; its errors wrap ErrMalformed or ErrNotMachO; and what it
// accepts lies inside the file: every slice, every section with file
// bytes, the encrypted range and the code signature.
func FuzzPreCheck(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := PreCheck(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotMachO) {
				t.Fatalf("error wraps neither sentinel: %v", err)
			}
			return
		}
		fl, err := parseLayout(data)
		if err != nil {
			t.Fatalf("PreCheck accepted what parseLayout rejects: %v", err)
		}
		if len(fl.slices) == 0 || len(fl.slices) > maxFatArch {
			t.Fatalf("%d slices", len(fl.slices))
		}
		n := int64(len(data))
		for i, sl := range fl.slices {
			if sl.off < 0 || sl.size < 28 || sl.off > n-sl.size {
				t.Fatalf("slice %d at %#x+%#x in %#x bytes", i, sl.off, sl.size, n)
			}
			for _, sc := range sl.sections {
				if sc.off < 0 || sc.size < 0 || sc.off > sl.size-sc.size {
					t.Fatalf("slice %d: section %s,%s at %#x+%#x in a slice of %#x bytes", i, sc.seg, sc.name, sc.off, sc.size, sl.size)
				}
			}
			if e := sl.crypt; e != nil && (e.CryptOff < 0 || e.CryptSize < 0 || e.CryptOff > sl.size-e.CryptSize) {
				t.Fatalf("slice %d: encrypted range %+v in a slice of %#x bytes", i, e, sl.size)
			}
			if cs := sl.codeSig; cs[0] < 0 || cs[1] < 0 || cs[0] > sl.size-cs[1] {
				t.Fatalf("slice %d: code signature %v in a slice of %#x bytes", i, cs, sl.size)
			}
		}
	})
}

// FuzzStringRanges runs StringRanges on arbitrary bytes. It must not
// panic; it fails exactly when PreCheck does; its ranges are non-empty,
// sorted, disjoint, inside the file and inside the string sections; and in
// a thin file they avoid the encrypted range.
func FuzzStringRanges(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := StringRanges(data)
		perr := PreCheck(data)
		if (err == nil) != (perr == nil) {
			t.Fatalf("StringRanges error %v, PreCheck error %v", err, perr)
		}
		if err != nil {
			if got != nil {
				t.Fatalf("ranges %v with error %v", got, err)
			}
			return
		}
		for i, r := range got {
			if r[0] < 0 || r[0] >= r[1] || r[1] > int64(len(data)) {
				t.Fatalf("range %v in %d bytes", r, len(data))
			}
			if i > 0 && r[0] <= got[i-1][1] {
				t.Fatalf("ranges %v and %v are not sorted and merged", got[i-1], r)
			}
		}
		fl, _ := parseLayout(data)
		var extents [][2]int64
		for _, sl := range fl.slices {
			for _, sc := range sl.sections {
				if sc.size > 0 && isStringSection(sc.seg, sc.name) {
					extents = append(extents, [2]int64{sl.off + sc.off, sl.off + sc.off + sc.size})
				}
			}
		}
		extents = mergeRanges(extents)
		for _, r := range got {
			inside := false
			for _, e := range extents {
				inside = inside || (e[0] <= r[0] && r[1] <= e[1])
			}
			if !inside {
				t.Fatalf("range %v is outside the string sections %v", r, extents)
			}
		}
		if !fl.fat {
			if lo, hi, enc := fl.slices[0].encrypted(); enc {
				for _, r := range got {
					if r[0] < hi && lo < r[1] {
						t.Fatalf("range %v overlaps the encrypted range %#x-%#x", r, lo, hi)
					}
				}
			}
		}
		again, _ := StringRanges(data)
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("not deterministic: %v then %v", got, again)
		}
	})
}
