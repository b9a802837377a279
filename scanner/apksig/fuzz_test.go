package apksig

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/apksig/apksigtest"
)

// checkCerts asserts the invariants every returned certificate keeps,
// whatever the input.
func checkCerts(t *testing.T, certs []Cert, schemes ...string) {
	t.Helper()
	if len(certs) > MaxCerts {
		t.Fatalf("%d certificates, more than MaxCerts", len(certs))
	}
	for _, c := range certs {
		if b, err := hex.DecodeString(c.SHA256); err != nil || len(b) != 32 || hex.EncodeToString(b) != c.SHA256 {
			t.Fatalf("SHA256 %q is not 64 lower-case hex digits", c.SHA256)
		}
		ok := false
		for _, s := range schemes {
			ok = ok || c.Scheme == s
		}
		if !ok {
			t.Fatalf("scheme %q, want one of %v", c.Scheme, schemes)
		}
	}
}

func fuzzBlock(f *testing.F) []byte {
	a := makeCert(f, nameA, ecKey(f), 1, nil, nil)
	b := makeCert(f, nameB, ecKey(f), 2, nil, nil)
	return apksigtest.Block(map[string][]*x509.Certificate{"v2": {a}, "v3": {a, b}, "v3.1": {b}})
}

func FuzzParseSigningBlock(f *testing.F) {
	block := fuzzBlock(f)
	f.Add(block)
	// Without the padding, so that mutations reach the signers more often.
	if i := bytes.Index(block, []byte{0x77, 0x65, 0x72, 0x42}); i >= 16 {
		f.Add(apksigtest.Frame(block[8 : i-8]))
	}
	f.Add(apksigtest.Frame(nil))
	f.Add(block[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		certs, err := ParseSigningBlock(b)
		checkCerts(t, certs, SchemeV2, SchemeV3, SchemeV31)
		if err == nil && len(b) < blockMinSize {
			t.Fatal("short block accepted")
		}
	})
}

func FuzzFindSigningBlock(f *testing.F) {
	block := fuzzBlock(f)
	plain := makeZip(f, "comment")
	f.Add(apksigtest.AppendToZip(plain, block))
	f.Add(apksigtest.AppendToZip(plain, apksigtest.Frame(nil)))
	f.Add(plain)
	f.Add(makeEmptyZip(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, off, err := FindSigningBlock(bytes.NewReader(data), int64(len(data)))
		if err != nil || got == nil {
			if got != nil || off != -1 {
				t.Fatalf("%d bytes at %d returned with err=%v", len(got), off, err)
			}
			return
		}
		if off < 0 || off+int64(len(got)) > int64(len(data)) || !bytes.Equal(got, data[off:off+int64(len(got))]) {
			t.Fatalf("block of %d bytes at %d is not the file's bytes", len(got), off)
		}
		if len(got) > MaxSigningBlockSize {
			t.Fatalf("block of %d bytes exceeds the limit", len(got))
		}
		certs, _ := ParseSigningBlock(got)
		checkCerts(t, certs, SchemeV2, SchemeV3, SchemeV31)
	})
}

func FuzzParseV1(f *testing.F) {
	key := ecKey(f)
	a := makeCert(f, nameA, key, 1, nil, nil)
	b := makeCert(f, nameB, ecKey(f), 2, nil, nil)
	der := signedData(f, []byte("Signature-Version: 1.0\r\n"), a, key, b)
	f.Add(der)
	ber := append([]byte{0x30, 0x80}, der[4:]...) // outer SEQUENCE (30 82 hi lo) made indefinite
	f.Add(append(ber, 0, 0))
	f.Add(signedData(f, []byte("x"), a, key, brokenCert(f, b)))
	f.Add([]byte{0x30, 0x80, 0x30, 0x80, 0x05, 0x00, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		certs, err := ParseV1(b)
		checkCerts(t, certs, SchemeV1)
		if err == nil && len(certs) == 0 {
			t.Fatal("no certificates and no error")
		}
	})
}
