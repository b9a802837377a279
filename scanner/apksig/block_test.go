package apksig

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/apksig/apksigtest"
)

// testCerts returns two self-signed certificates, A (ECDSA) and B (RSA).
func testCerts(t testing.TB) (a, b *x509.Certificate) {
	t.Helper()
	return makeCert(t, nameA, ecKey(t), 1, nil, nil), makeCert(t, nameB, rsaKey(), 2, nil, nil)
}

func TestParseSigningBlock(t *testing.T) {
	a, b := testCerts(t)
	block := apksigtest.Block(map[string][]*x509.Certificate{
		"v2":   {a},
		"v3":   {a, b},
		"v3.1": {b},
	})
	if len(block)%4096 != 0 {
		t.Errorf("test block is %d bytes, not padded to 4096", len(block))
	}
	got, err := ParseSigningBlock(block)
	if err != nil {
		t.Fatalf("ParseSigningBlock: %v", err)
	}
	assertCerts(t, got, []Cert{
		wantCert("v2", subjA, subjA, a),
		wantCert("v3", subjA, subjA, a),
		wantCert("v3", subjB, subjB, b),
		wantCert("v3.1", subjB, subjB, b),
	})
	if got[0].SHA256 != fingerprint(a) || len(got[0].SHA256) != 64 || strings.ToLower(got[0].SHA256) != got[0].SHA256 {
		t.Errorf("SHA256 %q is not the lower-case hex fingerprint", got[0].SHA256)
	}
}

// v2Value is the value of a v2 pair with one signer holding certs.
func v2Value(certs ...*x509.Certificate) []byte {
	b := apksigtest.Block(map[string][]*x509.Certificate{"v2": certs})
	n := binary.LittleEndian.Uint64(b[8:])
	return b[8+12 : 8+8+n]
}

func TestParseSigningBlockSkipsUnknownPairs(t *testing.T) {
	a, _ := testCerts(t)
	var pairs []byte
	pairs = apksigtest.Pair(pairs, 0x504b4453, []byte("dependency metadata, not parsed"))
	pairs = apksigtest.Pair(pairs, 0x6dff800d, []byte{0xff, 0xff, 0xff, 0xff}) // source stamp
	pairs = apksigtest.Pair(pairs, 0x12345678, nil)
	pairs = apksigtest.Pair(pairs, apksigtest.IDV2, v2Value(a))
	pairs = apksigtest.Pair(pairs, apksigtest.IDPadding, make([]byte, 100))
	got, err := ParseSigningBlock(apksigtest.Frame(pairs))
	if err != nil {
		t.Fatalf("ParseSigningBlock: %v", err)
	}
	assertCerts(t, got, []Cert{wantCert("v2", subjA, subjA, a)})

	// A block with no pairs at all is valid and signs nothing.
	got, err = ParseSigningBlock(apksigtest.Frame(nil))
	if err != nil || len(got) != 0 {
		t.Fatalf("empty block: %+v, %v", got, err)
	}
}

func TestParseSigningBlockBadCertificate(t *testing.T) {
	a, b := testCerts(t)
	bad := brokenCert(t, makeCert(t, nameBad, ecKey(t), 3, nil, nil))
	block := apksigtest.Block(map[string][]*x509.Certificate{
		"v2": {bad, a},
		"v3": {b},
	})
	got, err := ParseSigningBlock(block)
	assertCerts(t, got, []Cert{wantCert("v2", subjA, subjA, a), wantCert("v3", subjB, subjB, b)})
	var ce *CertError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *CertError", err)
	}
	if ce.Scheme != "v2" || ce.Index != 0 || ce.SHA256 != fingerprintBytes(bad.Raw) {
		t.Errorf("CertError %+v, want v2 index 0 sha256 %s", ce, fingerprintBytes(bad.Raw))
	}
	if !strings.Contains(err.Error(), "signing block pair 0 (v2") || !strings.Contains(err.Error(), "signer 0") {
		t.Errorf("error %q lacks context", err)
	}
}

func TestParseSigningBlockTooManyCerts(t *testing.T) {
	a, _ := testCerts(t)
	certs := make([]*x509.Certificate, MaxCerts+10)
	for i := range certs {
		certs[i] = a
	}
	got, err := ParseSigningBlock(apksigtest.Block(map[string][]*x509.Certificate{"v2": certs, "v3": {a}}))
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("error %v, want ErrLimit", err)
	}
	if len(got) != MaxCerts {
		t.Errorf("got %d certificates, want the first %d", len(got), MaxCerts)
	}
}

func TestParseSigningBlockMalformed(t *testing.T) {
	a, b := testCerts(t)
	valid := apksigtest.Block(map[string][]*x509.Certificate{"v2": {a}})

	patch := func(off int, v uint64) []byte {
		c := bytes.Clone(valid)
		binary.LittleEndian.PutUint64(c[off:], v)
		return c
	}
	u32 := func(vs ...uint32) []byte {
		var out []byte
		for _, v := range vs {
			out = binary.LittleEndian.AppendUint32(out, v)
		}
		return out
	}
	v2 := func(value []byte) []byte { return apksigtest.Frame(apksigtest.Pair(nil, apksigtest.IDV2, value)) }
	// A v2 pair whose signed data declares certificates past its end.
	badCerts := u32(16, 12, 8, 0, 1000)
	// Both size fields patched alike, to a value that is not the block's.
	wrong := patch(0, uint64(len(valid)))
	binary.LittleEndian.PutUint64(wrong[len(wrong)-24:], uint64(len(valid)))
	v3Block := apksigtest.Block(map[string][]*x509.Certificate{"v3": {b}})
	v3Pairs := v3Block[8 : len(v3Block)-24]

	tests := []struct {
		name    string
		block   []byte
		wantErr error
		msg     string
		want    int // certificates still returned
	}{
		{"empty", nil, ErrMalformed, "shorter than", 0},
		{"truncated to 10 bytes", valid[:10], ErrMalformed, "shorter than", 0},
		{"truncated by one byte", valid[:len(valid)-1], ErrMalformed, "magic", 0},
		{"head cut off", valid[1:], ErrMalformed, "disagrees", 0},
		{"bad magic", append(bytes.Clone(valid[:len(valid)-1]), 'X'), ErrMalformed, "magic", 0},
		{"size fields disagree", patch(0, uint64(len(valid))), ErrMalformed, "disagrees", 0},
		{"size fields agree but are wrong", wrong, ErrMalformed, "holds", 0},
		{"pair length past end", patch(8, 1<<40), ErrMalformed, "signing block pair 0: length", 0},
		{"pair length below 4", patch(8, 3), ErrMalformed, "out of range", 0},
		{"pair length header truncated", apksigtest.Frame([]byte{1, 2, 3}), ErrMalformed, "too few for a length", 0},
		{"empty v2 value", v2(nil), ErrMalformed, "signers", 0},
		{"signers length past end", v2(u32(100)), ErrMalformed, "length prefix 100 runs past the end", 0},
		{"signer length past end", v2(u32(8, 50, 0)), ErrMalformed, "signer 0", 0},
		{"signed data missing", v2(u32(4, 0)), ErrMalformed, "signed data", 0},
		{"certificates length past end", v2(badCerts), ErrMalformed, "certificates", 0},
		{"certificate length past end", v2(u32(20, 16, 12, 0, 4, 99)), ErrMalformed, "certificate 0", 0},
		{"too large", append(make([]byte, MaxSigningBlockSize), valid...), ErrLimit, "limit", 0},
		{
			"broken v2, valid v3",
			apksigtest.Frame(append(apksigtest.Pair(nil, apksigtest.IDV2, u32(100)), v3Pairs...)),
			ErrMalformed, "signing block pair 0 (v2", 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSigningBlock(tt.block)
			if err == nil {
				t.Fatalf("ParseSigningBlock returned %+v and no error", got)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			if len(got) != tt.want {
				t.Errorf("got %d certificates, want %d", len(got), tt.want)
			}
		})
	}
}

func TestFindSigningBlock(t *testing.T) {
	a, b := testCerts(t)
	block := apksigtest.Block(map[string][]*x509.Certificate{"v2": {a}, "v3": {b}})
	for _, comment := range []string{"", "a comment", "comment with a fake EOCD PK\x05\x06 inside"} {
		t.Run("comment="+comment, func(t *testing.T) {
			plain := makeZip(t, comment)
			signed := apksigtest.AppendToZip(plain, block)

			got, off, err := FindSigningBlock(bytes.NewReader(signed), int64(len(signed)))
			if err != nil {
				t.Fatalf("FindSigningBlock: %v", err)
			}
			if want := int64(cdOffset(t, plain)); off != want {
				t.Errorf("offset %d, want %d", off, want)
			}
			if !bytes.Equal(got, block) {
				t.Fatalf("block differs: got %d bytes, want %d", len(got), len(block))
			}
			certs, err := ParseSigningBlock(got)
			if err != nil {
				t.Fatal(err)
			}
			assertCerts(t, certs, []Cert{wantCert("v2", subjA, subjA, a), wantCert("v3", subjB, subjB, b)})

			// The helper's output is still a zip archive/zip can read.
			zr, err := zip.NewReader(bytes.NewReader(signed), int64(len(signed)))
			if err != nil {
				t.Fatalf("zip.NewReader(signed): %v", err)
			}
			if zr.Comment != comment {
				t.Errorf("comment %q, want %q", zr.Comment, comment)
			}
			rc, err := zr.File[1].Open()
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || string(body) != "dex\n035\x00 hello" {
				t.Errorf("classes.dex = %q, %v", body, err)
			}

			// The unsigned zip has no signing block, which is not an error.
			got, off, err = FindSigningBlock(bytes.NewReader(plain), int64(len(plain)))
			if got != nil || off != -1 || err != nil {
				t.Errorf("unsigned zip: %d bytes at %d, %v; want nil, -1, nil", len(got), off, err)
			}
		})
	}
}

func TestFindSigningBlockNone(t *testing.T) {
	// An empty zip: just an EOCD, central directory at offset 0.
	empty := makeEmptyZip(t)
	got, off, err := FindSigningBlock(bytes.NewReader(empty), int64(len(empty)))
	if got != nil || off != -1 || err != nil {
		t.Errorf("empty zip: %d bytes at %d, %v; want nil, -1, nil", len(got), off, err)
	}
	// Data before the central directory that is not a block.
	z := makeZip(t, "")
	got, off, err = FindSigningBlock(bytes.NewReader(z), int64(len(z)))
	if got != nil || off != -1 || err != nil {
		t.Errorf("plain zip: %d bytes at %d, %v; want nil, -1, nil", len(got), off, err)
	}
}

func makeEmptyZip(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := zip.NewWriter(&buf).Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// failingReader fails the reads at offset failAt.
type failingReader struct {
	r      io.ReaderAt
	failAt int64
	short  bool // return a short read with no error instead of an error
}

func (f failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off != f.failAt {
		return f.r.ReadAt(p, off)
	}
	if f.short {
		return 0, nil
	}
	return 0, errors.New("disk on fire")
}

func TestFindSigningBlockMalformed(t *testing.T) {
	a, _ := testCerts(t)
	block := apksigtest.Block(map[string][]*x509.Certificate{"v2": {a}})
	plain := makeZip(t, "")
	signed := apksigtest.AppendToZip(plain, block)
	eocd := eocdOffset(t, signed)
	cd := cdOffset(t, signed)

	patch32 := func(src []byte, off int, v uint32) []byte {
		c := bytes.Clone(src)
		binary.LittleEndian.PutUint32(c[off:], v)
		return c
	}
	patch64 := func(src []byte, off int, v uint64) []byte {
		c := bytes.Clone(src)
		binary.LittleEndian.PutUint64(c[off:], v)
		return c
	}
	// A ZIP64 end of central directory locator right before the EOCD.
	loc := binary.LittleEndian.AppendUint32(nil, 0x07064b50)
	loc = append(loc, make([]byte, 16)...)
	zip64 := append(append(bytes.Clone(signed[:eocd]), loc...), signed[eocd:]...)

	tests := []struct {
		name    string
		data    []byte
		r       io.ReaderAt
		wantErr error
		msg     string
	}{
		{"empty file", nil, nil, ErrMalformed, "too small"},
		{"EOCD missing", bytes.Repeat([]byte("not a zip "), 100), nil, ErrMalformed, "no End of Central Directory"},
		{"EOCD cut off", signed[:len(signed)-1], nil, ErrMalformed, "no End of Central Directory"},
		{"comment length wrong", append(bytes.Clone(signed[:eocd+20]), 5, 0), nil, ErrMalformed, "no End of Central Directory"},
		{"CD offset past EOF", patch32(signed, eocd+16, uint32(len(signed)+100)), nil, ErrMalformed, "past the End of Central Directory"},
		{"CD offset huge", patch32(signed, eocd+16, 0xffffffff), nil, ErrMalformed, "past the End of Central Directory"},
		{"CD overlaps EOCD", patch32(signed, eocd+12, 0x10000), nil, ErrMalformed, "overlaps"},
		{"block larger than the file", patch64(signed, cd-24, uint64(len(signed))), nil, ErrMalformed, "do not fit"},
		{"block larger than the limit", patch64(signed, cd-24, 1<<40), nil, ErrLimit, "limit"},
		{"block size below footer", patch64(signed, cd-24, 3), nil, ErrMalformed, "smaller than"},
		{"size fields disagree", patch64(signed, cd-len(block), 12345), nil, ErrMalformed, "disagrees"},
		{"ZIP64", zip64, nil, ErrZIP64, "ZIP64"},
		{"read error", signed, failingReader{bytes.NewReader(signed), int64(cd - len(block)), false}, nil, "disk on fire"},
		{"short read", signed, failingReader{bytes.NewReader(signed), int64(cd - len(block)), true}, io.ErrUnexpectedEOF, "signing block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			if r == nil {
				r = bytes.NewReader(tt.data)
			}
			got, off, err := FindSigningBlock(r, int64(len(tt.data)))
			if err == nil {
				t.Fatalf("FindSigningBlock returned %d bytes at %d and no error", len(got), off)
			}
			if got != nil || off != -1 {
				t.Errorf("got %d bytes at %d alongside error", len(got), off)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}

	if _, _, err := FindSigningBlock(bytes.NewReader(signed), -1); err == nil {
		t.Error("negative size: no error")
	}
	// A size larger than the data: the reads fail, cleanly.
	if _, _, err := FindSigningBlock(bytes.NewReader(signed), int64(len(signed))+1000); err == nil {
		t.Error("size past the data: no error")
	}
}
