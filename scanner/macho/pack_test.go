package macho

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestPackRoundTrip(t *testing.T) {
	b := make([]byte, 1000)
	for i := range b {
		b[i] = byte(i%250 + 1)
	}
	holes := [][2]int64{{100, 300}, {500, 500}, {900, 1000}}
	p := packSlice(b, holes)
	if len(p) >= len(b) {
		t.Fatalf("packed %d bytes from %d", len(p), len(b))
	}
	got, err := unpackSlice(p)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Clone(b)
	clear(want[100:300])
	clear(want[900:1000])
	if !bytes.Equal(got, want) {
		t.Fatal("round trip differs")
	}
	if same, _ := unpackSlice(b); !bytes.Equal(same, b) {
		t.Fatal("unpacked input changed")
	}
	if out := packSlice(b, nil); &out[0] != &b[0] {
		t.Fatal("no holes should not copy")
	}
	for _, bad := range [][]byte{
		append(bytes.Clone(packMagic), 1, 2, 3),
		bytes.Clone(p[:len(p)-1]),
	} {
		if _, err := unpackSlice(bad); err == nil {
			t.Errorf("accepted %d bad bytes", len(bad))
		}
	}
}

func FuzzUnpackSlice(f *testing.F) {
	f.Add(packSlice(make([]byte, 300), [][2]int64{{10, 200}}))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		// The rebuilt buffer has the declared size: keep it small here (in
		// the scanner the child's memory cap bounds it).
		if bytes.HasPrefix(in, packMagic) && len(in) >= len(packMagic)+8 && binary.LittleEndian.Uint64(in[len(packMagic):]) > 1<<20 {
			return
		}
		out, err := unpackSlice(in)
		if err == nil && !bytes.HasPrefix(in, packMagic) && !bytes.Equal(out, in) {
			t.Fatal("plain input changed")
		}
	})
}
