package berguard

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// nested returns n SEQUENCEs of indefinite length, one inside the other.
func nested(n int) []byte {
	b := append(bytes.Repeat([]byte{0x30, 0x80}, n), 0x05, 0x00)
	return append(b, bytes.Repeat([]byte{0, 0}, n)...)
}

func TestCheck(t *testing.T) {
	ok := [][]byte{
		{0x30, 0x00},
		{0x30, 0x03, 0x02, 0x01, 0x05},
		nested(MaxDepth - 1),
		append([]byte{0x30, 0x03, 0x02, 0x01, 0x05}, 0xff, 0xff), // trailing bytes are ignored
	}
	for _, b := range ok {
		if err := Check(b); err != nil {
			t.Errorf("Check(% x): %v", b[:min(len(b), 8)], err)
		}
	}
	bad := []struct {
		b    []byte
		want error
	}{
		{nil, ErrMalformed},
		{[]byte{0x30}, ErrMalformed},
		{[]byte{0x30, 0x05, 0x02}, ErrMalformed},               // length past the end
		{[]byte{0x30, 0x81, 0x00}, ErrMalformed},               // leading-zero length
		{[]byte{0x04, 0x80, 0x00, 0x00}, ErrMalformed},         // primitive, indefinite
		{[]byte{0x30, 0x03, 0x30, 0x05, 0x00}, ErrMalformed},   // child overruns parent
		{append([]byte{0x30, 0x80}, 0x05, 0x00), ErrMalformed}, // unterminated
		{nested(MaxDepth + 1), ErrLimit},
		{make([]byte, MaxSize+1), ErrLimit},
	}
	for _, c := range bad {
		if err := Check(c.b); !errors.Is(err, c.want) {
			t.Errorf("Check(% x…) = %v, want %v", c.b[:min(len(c.b), 8)], err, c.want)
		}
	}
}

// TestDoublingBombIsQuick: a 230-byte input whose elements overrun their
// parents makes pkcs7's BER conversion double its work per level; it is
// refused at once.
func TestDoublingBombIsQuick(t *testing.T) {
	b := []byte{0x05, 0x00}
	for range 45 {
		b = append([]byte{0x30, 0x03, 0x30, 0x81, byte(len(b))}, b...)
	}
	start := time.Now()
	if err := Check(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("bomb: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %s", d)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x05})
	f.Add(nested(10))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Check(b)
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
			t.Fatalf("unclassified error %v", err)
		}
	})
}
