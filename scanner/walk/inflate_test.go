package walk_test

import (
	"bytes"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/walk"
)

// TestEntryIntegrity checks that an entry read whole for an analyzer is
// delivered only when its inflated bytes are exactly what its headers
// declare, whichever inflater the build uses (run with and without
// -tags libdeflate). archive/zip checks the same things for streams.
func TestEntryIntegrity(t *testing.T) {
	t.Logf("inflater: %s", walk.InflateEngine())
	payload := append([]byte("dex\n035\x00"), bytes.Repeat([]byte("class com.example.Sample; "), 4000)...)
	good := deflate(t, payload)
	crc := crc32.ChecksumIEEE(payload)
	corrupt := append([]byte(nil), good...)
	for i := 40; i < len(corrupt)-8; i += 97 {
		corrupt[i] ^= 0x5a
	}
	cases := []struct {
		name    string
		data    []byte
		crc     uint32
		usize   int
		wantErr []string // the error mentions one of these (nil: any error)
	}{
		{"clean", good, crc, len(payload), nil},
		{"bad-crc", good, crc ^ 1, len(payload), []string{"checksum"}},
		// archive/zip says ErrFormat when a stream runs past its size.
		{"longer-than-declared", good, crc, len(payload) - 100, []string{"longer than its header says", "not a valid zip file"}},
		{"shorter-than-declared", good, crc, len(payload) + 100, []string{"truncated"}},
		{"corrupt-stream", corrupt, crc, len(payload), nil},
		{"cut-stream", good[:len(good)/2], crc, len(payload), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var z zipWriter
			off := z.local("classes.dex", 8, c.crc, c.data, uint32(c.usize))
			cd := uint32(z.b.Len())
			z.central("classes.dex", 8, c.crc, uint32(len(c.data)), uint32(c.usize), off)
			z.end(1, cd)
			r := &recorder{}
			walkData(t, "app.zip", z.b.Bytes(), testLimits(), r)
			var got []byte
			delivered := false
			for _, f := range r.files {
				if f.Analyzer == "bytes" && strings.HasSuffix(f.File.Path, "!/classes.dex") {
					got, delivered = f.Data, true
				}
			}
			if c.name == "clean" {
				if len(r.errs) != 0 || !delivered || !bytes.Equal(got, payload) {
					t.Fatalf("clean entry: delivered %v (%d bytes, equal %v), errors %v", delivered, len(got), bytes.Equal(got, payload), r.errs)
				}
				return
			}
			if delivered {
				t.Errorf("a damaged entry reached the analyzer (%d bytes)", len(got))
			}
			if len(r.errs) == 0 {
				t.Fatal("no error reported for a damaged entry")
			}
			msg := r.errs[len(r.errs)-1].Err.Error()
			matched := c.wantErr == nil
			for _, w := range c.wantErr {
				matched = matched || strings.Contains(msg, w)
			}
			if !matched {
				t.Errorf("error %q, want it to mention one of %q", msg, c.wantErr)
			}
			if !strings.HasSuffix(r.errs[len(r.errs)-1].Path, "!/classes.dex") {
				t.Errorf("error path %q, want the entry", r.errs[len(r.errs)-1].Path)
			}
		})
	}
}
