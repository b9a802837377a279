//go:build cgo && libdeflate

package walk

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"testing"

	kflate "github.com/klauspost/compress/flate"
)

// FuzzLibdeflate checks the whole-buffer inflater against the streaming
// one: whatever the input and the declared size, libdeflate reads every
// stream the streaming inflater reads, to the same bytes. It is more
// lenient the other way: it accepts some streams that zlib and Go reject
// (a code-length repeat with no previous length, seen by this target), so
// a corrupt entry may be analyzed rather than refused; its CRC is still
// checked, and such an entry would not load on a device.
func FuzzLibdeflate(f *testing.F) {
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.BestCompression)
	fw.Write(bytes.Repeat([]byte("com.tencent.mm.opensdk "), 300))
	fw.Close()
	f.Add(b.Bytes(), uint16(300*23))
	f.Add(b.Bytes(), uint16(10))
	f.Add([]byte{0x03, 0x00}, uint16(0))
	f.Add([]byte{0x01, 0x05, 0x00, 0xfa, 0xff, 'h', 'e', 'l', 'l', 'o'}, uint16(5))
	f.Fuzz(func(t *testing.T, src []byte, size uint16) {
		dst := make([]byte, size)
		n, err := libdeflateInflate(dst, src)
		if n < 0 || n > len(dst) {
			t.Fatalf("n = %d for a %d-byte buffer", n, len(dst))
		}
		want, serr := io.ReadAll(io.LimitReader(kflate.NewReader(bytes.NewReader(src)), int64(size)+1))
		streamOK := serr == nil && len(want) <= int(size)
		if err == nil && streamOK {
			if !bytes.Equal(dst[:n], want) {
				t.Fatalf("libdeflate and the stream disagree: %d vs %d bytes", n, len(want))
			}
		} else if err != nil && streamOK && len(src) > 0 && size > 0 && !errors.Is(err, errTooLong) {
			t.Fatalf("libdeflate failed (%v) where the stream read %d bytes", err, len(want))
		}
	})
}
