package iosmeta

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// devCert returns a self-signed certificate with a subject like that of an
// Apple development certificate, and its key.
func devCert(t testing.TB) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject: pkix.Name{
			CommonName:         "Apple Development: Jane Doe (ABCDE12345)",
			OrganizationalUnit: []string{"TEAM123456"},
			Organization:       []string{"Demo Corp"},
			Country:            []string{"US"},
		},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:  time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:  x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// toBER re-encodes the DER element der with every constructed element in
// indefinite-length form, as Apple writes profiles, and, if chunk > 0,
// every OCTET STRING longer than 4*chunk as a constructed, indefinite-length
// OCTET STRING of chunk-byte pieces.
func toBER(t testing.TB, der []byte, chunk int) []byte {
	t.Helper()
	var out bytes.Buffer
	rest := der
	for len(rest) > 0 {
		id, hlen, n := derHeader(t, rest)
		body := rest[hlen : hlen+n]
		switch {
		case id&0x20 != 0:
			out.WriteByte(id)
			out.WriteByte(0x80)
			out.Write(toBER(t, body, chunk))
			out.Write([]byte{0, 0})
		case id == 0x04 && chunk > 0 && n > 4*chunk:
			out.Write([]byte{0x24, 0x80})
			for p := body; len(p) > 0; {
				k := min(chunk, len(p))
				out.Write(derElement(0x04, p[:k]))
				p = p[k:]
			}
			out.Write([]byte{0, 0})
		default:
			out.Write(rest[:hlen+n])
		}
		rest = rest[hlen+n:]
	}
	return out.Bytes()
}

// derHeader reads a DER header with a one-byte tag.
func derHeader(t testing.TB, b []byte) (id byte, hlen, n int) {
	t.Helper()
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		t.Fatalf("unsupported DER header % x", b[:min(len(b), 4)])
	}
	l := int(b[1])
	if l < 0x80 {
		return b[0], 2, l
	}
	k := l & 0x7f
	for _, c := range b[2 : 2+k] {
		n = n<<8 | int(c)
	}
	return b[0], 2 + k, n
}

// derElement encodes a definite-length element.
func derElement(id byte, body []byte) []byte {
	out := []byte{id}
	switch n := len(body); {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, body...)
}

// bpObject is one object of a hand-made binary property list.
type bpObject []byte

// bpCount encodes the marker of an object of type high nibble hi and count
// n, with the extended integer count when n ≥ 15.
func bpCount(hi byte, n int) []byte {
	if n < 15 {
		return []byte{hi | byte(n)}
	}
	return binary.BigEndian.AppendUint32([]byte{hi | 0x0f, 0x12}, uint32(n))
}

// bpArr encodes an array of references of refSize bytes.
func bpArr(refSize int, refs ...int) bpObject {
	b := bpCount(0xa0, len(refs))
	return appendRefs(b, refSize, refs)
}

// bpDic encodes a dictionary from key references then value references.
func bpDic(refSize int, keys, values []int) bpObject {
	b := bpCount(0xd0, len(keys))
	b = appendRefs(b, refSize, keys)
	return appendRefs(b, refSize, values)
}

func appendRefs(b []byte, refSize int, refs []int) []byte {
	for _, r := range refs {
		for i := refSize - 1; i >= 0; i-- {
			b = append(b, byte(r>>(8*i)))
		}
	}
	return b
}

// bpString encodes an ASCII string.
func bpString(s string) bpObject { return append(bpCount(0x50, len(s)), s...) }

// bpTrue is the object true.
var bpTrue = bpObject{0x09}

// rawBplist assembles objects into a binary property list with 4-byte
// offsets, references of refSize bytes and object top as the top.
func rawBplist(objects []bpObject, refSize, top int) []byte {
	b := []byte("bplist00")
	var offsets []int
	for _, o := range objects {
		offsets = append(offsets, len(b))
		b = append(b, o...)
	}
	table := len(b)
	for _, off := range offsets {
		b = binary.BigEndian.AppendUint32(b, uint32(off))
	}
	b = append(b, 0, 0, 0, 0, 0, 0, 4, byte(refSize))
	b = binary.BigEndian.AppendUint64(b, uint64(len(objects)))
	b = binary.BigEndian.AppendUint64(b, uint64(top))
	return binary.BigEndian.AppendUint64(b, uint64(table))
}

// wantErr fails unless err wraps sentinel and mentions msg.
func wantErr(t *testing.T, err, sentinel error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", sentinel)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q does not wrap %v", err, sentinel)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not mention %q", err, msg)
	}
}

// quick fails if f takes a second or more.
func quick(t *testing.T, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d >= time.Second {
		t.Fatalf("took %v", d)
	}
}
