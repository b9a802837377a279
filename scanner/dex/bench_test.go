package dex

import (
	"fmt"
	"sync"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture/dexfile"
)

var benchDEX = sync.OnceValue(func() []byte {
	// 50,000 classes and 100,000 strings in all (class descriptors,
	// java.lang.Object and 49,999 constants, one in twenty non-ASCII).
	s := dexfile.Spec{Version: "039"}
	for i := 0; i < 50000; i++ {
		s.Classes = append(s.Classes, fmt.Sprintf("com.vendor%d.sdk.internal.Class%d$Inner", i%500, i))
	}
	for i := 0; i < 49999; i++ {
		if i%20 == 0 {
			s.Strings = append(s.Strings, fmt.Sprintf("Größe %d – ключ 😀", i))
		} else {
			s.Strings = append(s.Strings, fmt.Sprintf("https://api.example.com/v1/endpoint/%d?key=value", i))
		}
	}
	return dexfile.Build(s)
})

// BenchmarkParseAndIterate parses a DEX with 50,000 classes and 100,000
// strings and iterates all its strings and types.
func BenchmarkParseAndIterate(b *testing.B) {
	data := benchDEX()
	if f, err := Parse(data); err != nil || f.NumStrings() != 100000 {
		b.Fatalf("Parse: %v", err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		var n, m int
		if err := f.Strings(func(s string, off int64) bool { n += len(s); return true }); err != nil {
			b.Fatal(err)
		}
		if err := f.Types(func(name string, defined bool, off int64) bool {
			if defined {
				m++
			}
			return true
		}); err != nil {
			b.Fatal(err)
		}
		if m != 50000 {
			b.Fatalf("%d defined classes", m)
		}
	}
}
