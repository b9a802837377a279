package apksig

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"github.com/sdkvet/sdkvet/scanner/berguard"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

func TestParseV1(t *testing.T) {
	ecA := ecKey(t)
	certA := makeCert(t, nameA, ecA, 1, nil, nil)

	caKey := ecKey(t)
	ca := makeCert(t, nameCA, caKey, 10, nil, nil)
	leaf := makeCert(t, nameB, rsaKey(), 11, ca, caKey)

	tests := []struct {
		name string
		der  []byte
		want []Cert
	}{
		{
			name: "ecdsa self-signed",
			der:  signedData(t, []byte("Signature-Version: 1.0\r\n"), certA, ecA),
			want: []Cert{wantCert("v1", subjA, subjA, certA)},
		},
		{
			name: "rsa leaf with its CA",
			der:  signedData(t, []byte("Signature-Version: 1.0\r\n"), leaf, rsaKey(), ca),
			want: []Cert{wantCert("v1", subjB, subjCA, leaf), wantCert("v1", subjCA, subjCA, ca)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseV1(tt.der)
			if err != nil {
				t.Fatalf("ParseV1: %v", err)
			}
			assertCerts(t, got, tt.want)

			// The same block with indefinite lengths (BER, as some signing
			// tools write it) gives the same certificates.
			ber := indefinite(t, tt.der)
			if bytes.Equal(ber, tt.der) {
				t.Fatal("BER conversion changed nothing")
			}
			got, err = ParseV1(ber)
			if err != nil {
				t.Fatalf("ParseV1(BER): %v", err)
			}
			assertCerts(t, got, tt.want)
		})
	}
}

// assertCerts compares certificates field by field, times with Equal.
func assertCerts(t *testing.T, got, want []Cert) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d certs %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.NotBefore.Equal(w.NotBefore) || !g.NotAfter.Equal(w.NotAfter) {
			t.Errorf("cert %d validity %v..%v, want %v..%v", i, g.NotBefore, g.NotAfter, w.NotBefore, w.NotAfter)
		}
		g.NotBefore, g.NotAfter, w.NotBefore, w.NotAfter = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("cert %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// indefinite rewrites the outer ContentInfo and its [0] wrapper of a DER
// PKCS#7 block with indefinite lengths.
func indefinite(t *testing.T, der []byte) []byte {
	t.Helper()
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		t.Fatal(err)
	}
	var oid, wrapper asn1.RawValue
	rest, err := asn1.Unmarshal(outer.Bytes, &oid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(rest, &wrapper); err != nil {
		t.Fatal(err)
	}
	var b []byte
	b = append(b, 0x30, 0x80)
	b = append(b, oid.FullBytes...)
	b = append(b, 0xa0, 0x80)
	b = append(b, wrapper.Bytes...)
	return append(b, 0, 0, 0, 0)
}

func TestParseV1BadCertificate(t *testing.T) {
	key := ecKey(t)
	good := makeCert(t, nameA, key, 1, nil, nil)
	bad := brokenCert(t, makeCert(t, nameBad, ecKey(t), 2, nil, nil))
	neg := negativeSerialCert(t, makeCert(t, nameBad, ecKey(t), 1, nil, nil))
	der := signedData(t, []byte("x"), good, key, bad, neg)

	got, err := ParseV1(der)
	assertCerts(t, got, []Cert{wantCert("v1", subjA, subjA, good)})
	ces := certErrors(err)
	if len(ces) != 2 {
		t.Fatalf("error %v does not hold two *CertError", err)
	}
	for i, want := range []*x509.Certificate{bad, neg} {
		ce := ces[i]
		if ce.Scheme != "v1" || ce.Index != i+1 || ce.SHA256 != fingerprintBytes(want.Raw) {
			t.Errorf("CertError %+v, want v1 index %d sha256 %s", ce, i+1, fingerprintBytes(want.Raw))
		}
	}
	if !strings.Contains(err.Error(), "negative serial number") {
		t.Errorf("error %q does not name the negative serial number", err)
	}
	if !strings.HasPrefix(err.Error(), "v1: ") {
		t.Errorf("error %q lacks context", err)
	}
}

func TestParseV1Malformed(t *testing.T) {
	key := ecKey(t)
	cert := makeCert(t, nameA, key, 1, nil, nil)
	valid := signedData(t, []byte("x"), cert, key)

	noCerts := func() []byte {
		sd, err := pkcs7.NewSignedData([]byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		der, err := sd.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return der
	}()
	data, err := asn1.Marshal(struct {
		OID     asn1.ObjectIdentifier
		Content []byte `asn1:"explicit,tag:0"`
	}{pkcs7.OIDData, []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}

	// nested returns n SEQUENCEs of indefinite length, one in the other.
	nested := func(n int) []byte {
		b := bytes.Repeat([]byte{0x30, 0x80}, n)
		b = append(b, 0x05, 0x00)
		return append(b, make([]byte, 2*n)...)
	}
	// overlapping is a chain of elements each of which claims 3 content
	// bytes, the header of its only child, whose length then covers the
	// rest of the input. pkcs7's BER-to-DER conversion would parse that
	// rest once inside the child and once more as the parent's sibling,
	// doubling its work with every level.
	overlapping := func(levels int) []byte {
		b := []byte{0x05, 0x00}
		for i := 0; i < levels; i++ {
			b = append([]byte{0x30, 0x03, 0x30, 0x81, byte(len(b))}, b...)
		}
		return b
	}
	manyChildren := append([]byte{0x30, 0x80}, bytes.Repeat([]byte{0x04, 0x01, 0x41}, 1000)...)
	manyChildren = append(manyChildren, 0, 0)

	tests := []struct {
		name    string
		der     []byte
		wantErr error
		msg     string
	}{
		{"empty", nil, ErrMalformed, "empty"},
		{"garbage", []byte("this is not ASN.1 at all"), ErrMalformed, ""},
		{"truncated", valid[:len(valid)/2], ErrMalformed, "runs past the end"},
		{"one byte", valid[:1], ErrMalformed, "truncated"},
		{"no certificates", noCerts, ErrMalformed, "no certificates"},
		{"data, not signedData", data, ErrMalformed, ""},
		{"too large", make([]byte, MaxV1BlockSize+1), ErrLimit, "more than"},
		{"nested too deep", nested(berguard.MaxDepth + 1), ErrLimit, "nested deeper"},
		{"unterminated indefinite", []byte{0x30, 0x80, 0x05, 0x00}, ErrMalformed, "unterminated"},
		{"primitive indefinite", []byte{0x04, 0x80, 0x00, 0x00}, ErrMalformed, "indefinite"},
		{"child overruns parent", overlapping(40), ErrMalformed, "overruns"},
		// Many children of an indefinite-length element pass the guard (its
		// search budget keeps pkcs7 linear) and fail fast as bad CMS.
		{"many indefinite children", manyChildren, ErrMalformed, "structure error"},
		{"length with leading zero", []byte{0x30, 0x81, 0x00}, ErrMalformed, "bad length"},
		{"length too long", []byte{0x30, 0x85, 1, 1, 1, 1, 1}, ErrMalformed, "bad length"},
		{"truncated high tag", []byte{0x1f, 0x81, 0x82}, ErrMalformed, "truncated tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseV1(tt.der)
			if err == nil {
				t.Fatalf("ParseV1 returned %+v and no error", got)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			if len(got) != 0 {
				t.Errorf("got certificates %+v", got)
			}
		})
	}
}

func TestCheckBERAcceptsPKCS7(t *testing.T) {
	key := ecKey(t)
	cert := makeCert(t, nameA, key, 1, nil, nil)
	der := signedData(t, []byte("x"), cert, key)
	if err := guardBER(der); err != nil {
		t.Fatalf("guardBER(DER): %v", err)
	}
	if err := guardBER(indefinite(t, der)); err != nil {
		t.Fatalf("guardBER(BER): %v", err)
	}
	// Trailing bytes after the first element are ignored, as pkcs7 does.
	if err := guardBER(append(bytes.Clone(der), 0xff, 0xff)); err != nil {
		t.Fatalf("guardBER(trailing): %v", err)
	}
	// A definite-length element with no contents.
	if err := guardBER([]byte{0x30, 0x00}); err != nil {
		t.Fatalf("guardBER(empty SEQUENCE): %v", err)
	}
}

// certErrors returns every *CertError in err's tree, depth first.
func certErrors(err error) []*CertError {
	if ce, ok := err.(*CertError); ok {
		return []*CertError{ce}
	}
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		return certErrors(e.Unwrap())
	case interface{ Unwrap() []error }:
		var out []*CertError
		for _, x := range e.Unwrap() {
			out = append(out, certErrors(x)...)
		}
		return out
	}
	return nil
}
