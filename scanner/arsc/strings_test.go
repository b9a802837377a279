package arsc_test

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/scanner/arsc"
	"github.com/sdkvet/sdkvet/scanner/manifest"
)

type got struct {
	s   string
	off int64
}

func collect(t *testing.T, data []byte) ([]got, error) {
	t.Helper()
	var out []got
	err := arsc.Strings(data, func(s string, off int64) bool {
		out = append(out, got{strings.Clone(s), off}) // s may be transient
		return true
	})
	return out, err
}

func check(t *testing.T, data []byte, want []got) {
	t.Helper()
	g, err := collect(t, data)
	if err != nil {
		t.Fatalf("Strings: %v", err)
	}
	if len(g) != len(want) {
		t.Fatalf("got %d strings %+v, want %d", len(g), g, len(want))
	}
	for i := range want {
		if g[i] != want[i] {
			t.Errorf("string %d = %q at %d, want %q at %d", i, g[i].s, g[i].off, want[i].s, want[i].off)
		}
	}
}

// TestARSCUTF8 reads the global (UTF-8) pool of a fixture resource table:
// strings in pool order, each with the file offset of its pool entry (the
// length prefix), including two-byte lengths and multi-byte characters.
func TestARSCUTF8(t *testing.T) {
	long := strings.Repeat("a", 200)
	table, _ := fixture.ARSC("com.example.app", []string{"hello", "https://x.example.com/a", "é€😀", long})
	// Table header 12 bytes, then the pool: 28-byte header, 4 offsets,
	// strings from 12+28+16 = 56. Entries: "hello" 1+1+5+1 = 8 bytes;
	// the URL 1+1+23+1 = 26; "é€😀" (4 UTF-16 units, 9 bytes) 1+1+9+1 = 12.
	check(t, table, []got{{"hello", 56}, {"https://x.example.com/a", 64}, {"é€😀", 90}, {long, 102}})
	if table[102] != 0x80 || table[103] != 200 || table[104] != 0x80 || table[105] != 200 {
		t.Errorf("the long string's entry does not start with two two-byte lengths: % x", table[102:106])
	}

	empty, _ := fixture.ARSC("com.example.app", nil)
	check(t, empty, nil)
}

// TestAXMLUTF16 reads the UTF-16 pool of a fixture binary XML file.
func TestAXMLUTF16(t *testing.T) {
	root := &manifest.Element{Name: "manifest", Offset: -1, Attrs: []manifest.Attr{
		{Name: "package", Value: "com.example.app"},
		{Name: "label", Value: "Ünï 😀"},
	}}
	data := fixture.AXML(root)
	// XML header 8 bytes, pool header 28, 5 offsets: strings from 56.
	// UTF-16 entries: 2-byte length, 2 bytes a unit, 2-byte NUL.
	check(t, data, []got{{"manifest", 56}, {"package", 76}, {"com.example.app", 94}, {"label", 128}, {"Ünï 😀", 142}})

	// A string longer than 0x7fff units has a four-byte length.
	long := strings.Repeat("b", 40000)
	root.Attrs[1].Value = long
	data = fixture.AXML(root)
	g, err := collect(t, data)
	if err != nil || len(g) != 5 || g[4].s != long || g[4].off != 142 {
		t.Fatalf("long UTF-16 string: %d strings, err %v", len(g), err)
	}
	if data[143]&0x80 == 0 {
		t.Errorf("long string length is not in the four-byte form")
	}

	// UTF-8 binary XML (as aapt2 writes some files).
	data = fixture.AXMLWith(&manifest.Element{Name: "manifest", Offset: -1, Attrs: []manifest.Attr{{Name: "package", Value: "p.q"}}}, fixture.AXMLOptions{UTF8: true})
	check(t, data, []got{{"manifest", 8 + 28 + 12}, {"package", 8 + 28 + 12 + 11}, {"p.q", 8 + 28 + 12 + 21}})
}

// TestStop: returning false stops the walk over the pool.
func TestStop(t *testing.T) {
	table, _ := fixture.ARSC("p", []string{"one", "two", "three"})
	n := 0
	err := arsc.Strings(table, func(string, int64) bool { n++; return false })
	if err != nil || n != 1 {
		t.Errorf("n = %d, err = %v", n, err)
	}
}

// poolAt returns the offset of the first string pool chunk of a fixture.
func poolAt(data []byte) int { return int(binary.LittleEndian.Uint16(data[2:])) }

func put32(b []byte, off int, v uint32) []byte {
	c := append([]byte(nil), b...)
	binary.LittleEndian.PutUint32(c[off:], v)
	return c
}

func put8(b []byte, off int, v byte) []byte {
	c := append([]byte(nil), b...)
	c[off] = v
	return c
}

func put16(b []byte, off int, v uint16) []byte {
	c := append([]byte(nil), b...)
	binary.LittleEndian.PutUint16(c[off:], v)
	return c
}

// TestErrors checks that damaged headers, truncated pools, offsets out of
// range and huge counts are errors, never panics or huge allocations.
func TestErrors(t *testing.T) {
	table, _ := fixture.ARSC("com.example.app", []string{"hello", "world!", "https://x.example.com/a"})
	axml := fixture.AXML(&manifest.Element{Name: "manifest", Offset: -1, Attrs: []manifest.Attr{{Name: "package", Value: "com.example.app"}}})
	p := poolAt(table) // 12
	poolSize := int(binary.LittleEndian.Uint32(table[p+4:]))
	px := poolAt(axml) // 8
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "shorter than a chunk header"},
		{"short", table[:7], "shorter than a chunk header"},
		{"not a table", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), "is not a resource table"},
		{"header size too small", put16(table, 2, 4), "header size 4 out of range"},
		{"header size past end", put16(table, 2, 0xffff), "out of range"},
		{"no pool", table[:12], "no string pool"},
		{"truncated in the pool", table[:p+poolSize/2], "out of range"},
		{"chunk size zero", put32(table, p+4, 0), "out of range"},
		{"chunk size huge", put32(table, p+4, 0xffffffff), "out of range"},
		{"pool header short", put32(table, p+4, 20), "header truncated"},
		{"pool header size small", put16(table, p+2, 8), "header size 8 out of range"},
		{"pool header size big", put16(table, p+2, 0xffff), "out of range"},
		{"huge count", put32(table, p+8, 0xffffffff), "more than"},
		{"count at the limit", put32(table, p+8, arsc.MaxStrings), "do not fit"},
		{"count past the offsets", put32(table, p+8, 1000), "do not fit"},
		{"strings start past the end", put32(table, p+20, 0x7fffffff), "past the pool end"},
		{"offset out of range", put32(table, p+28+4, 0x10000), "string 1 at"},
		{"offset huge", put32(table, p+28, 0xffffffff), "past the pool end"},
		// String 2 (the URL) starts after "hello" (8 bytes) and "world!" (9);
		// its second length byte says 127.
		{"utf-8 length past the end", put8(table, p+int(binary.LittleEndian.Uint32(table[p+20:]))+17+1, 0x7f), "string 2: utf-8 length 127 past the pool end"},
		{"utf-16 length past the end", put16(axml, px+int(binary.LittleEndian.Uint32(axml[px+20:])), 0x7fff), "utf-16 length"},
		{"utf-16 four-byte length past the end", put32(axml, px+int(binary.LittleEndian.Uint32(axml[px+20:])), 0xffffffff), "utf-16 length"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, err := collect(t, c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q (strings %+v)", err, c.want, g)
			}
		})
	}
}

// TestAmplification points every offset of a pool at one long string: the
// reader must not hand out far more string bytes than the file holds.
func TestAmplification(t *testing.T) {
	const n = 20000
	long := strings.Repeat("x", 20000)
	table, _ := fixture.ARSC("p", []string{long})
	p := poolAt(table)
	// Rebuild the pool with n offsets, all 0.
	poolHdr := table[p : p+28]
	strData := table[p+28+4 : p+int(binary.LittleEndian.Uint32(table[p+4:]))]
	var pool []byte
	pool = append(pool, poolHdr...)
	pool = append(pool, make([]byte, 4*n)...)
	pool = append(pool, strData...)
	binary.LittleEndian.PutUint32(pool[4:], uint32(len(pool)))
	binary.LittleEndian.PutUint32(pool[8:], n)
	binary.LittleEndian.PutUint32(pool[20:], uint32(28+4*n))
	data := append(append([]byte(nil), table[:p]...), pool...)
	binary.LittleEndian.PutUint32(data[4:], uint32(len(data)))
	total := 0
	err := arsc.Strings(data, func(s string, off int64) bool { total += len(s); return true })
	if total > 4*len(data) {
		t.Errorf("%d bytes of strings from a %d-byte file (err %v)", total, len(data), err)
	}
}
