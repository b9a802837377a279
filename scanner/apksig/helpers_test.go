package apksig

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

var (
	testNotBefore = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	testNotAfter  = time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)
)

// rsaKey is generated once: 2048-bit generation is slow on a shared machine.
var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// makeCert returns a certificate for subject, issued by parent with
// parentKey, or self-signed when parent is nil.
func makeCert(t testing.TB, subject pkix.Name, key crypto.Signer, serial int64, parent *x509.Certificate, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               subject,
		NotBefore:             testNotBefore,
		NotAfter:              testNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  parent == nil,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	nameA   = pkix.Name{CommonName: "Test Signer", OrganizationalUnit: []string{"Security"}, Organization: []string{"sdkvet"}, Country: []string{"DE"}}
	subjA   = "CN=Test Signer,OU=Security,O=sdkvet,C=DE"
	nameB   = pkix.Name{CommonName: "Rotated Key", Organization: []string{"Example, Inc."}}
	subjB   = `CN=Rotated Key,O=Example\, Inc.`
	nameCA  = pkix.Name{CommonName: "Example CA", Country: []string{"US"}}
	subjCA  = "CN=Example CA,C=US"
	nameBad = pkix.Name{CommonName: "Broken"}
)

// fingerprint is the expected Cert.SHA256 of c, computed independently.
func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

func fingerprintBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// wantCert is the Cert the package should report for c.
func wantCert(scheme, subject, issuer string, c *x509.Certificate) Cert {
	return Cert{Scheme: scheme, Subject: subject, Issuer: issuer, SHA256: fingerprint(c), NotBefore: testNotBefore, NotAfter: testNotAfter}
}

// brokenCert returns a copy of c whose TBSCertificate version is 6, which
// crypto/x509 rejects while the DER stays well formed.
func brokenCert(t testing.TB, c *x509.Certificate) *x509.Certificate {
	t.Helper()
	raw := bytes.Clone(c.Raw)
	i := bytes.Index(raw, []byte{0xa0, 0x03, 0x02, 0x01, 0x02})
	if i < 0 {
		t.Fatal("no version field in certificate")
	}
	raw[i+4] = 5
	if _, err := x509.ParseCertificate(raw); err == nil {
		t.Fatal("broken certificate still parses")
	}
	return &x509.Certificate{Raw: raw}
}

// negativeSerialCert returns a copy of c, which must have serial number 1,
// with serial number -127: old signing tools wrote such certificates, and
// crypto/x509 has rejected them since Go 1.23.
func negativeSerialCert(t testing.TB, c *x509.Certificate) *x509.Certificate {
	t.Helper()
	raw := bytes.Clone(c.Raw)
	i := bytes.Index(raw, []byte{0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01})
	if i < 0 {
		t.Fatal("no serial number 1 in certificate")
	}
	raw[i+7] = 0x81
	if _, err := x509.ParseCertificate(raw); err == nil {
		t.Skip("crypto/x509 accepts negative serial numbers (GODEBUG x509negativeserial=1?)")
	}
	return &x509.Certificate{Raw: raw}
}

// signedData returns a detached PKCS#7 SignedData over content, signed by
// signer (with key) and carrying signer and then extra as certificates,
// the layout of META-INF/CERT.RSA.
func signedData(t testing.TB, content []byte, signer *x509.Certificate, key crypto.PrivateKey, extra ...*x509.Certificate) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(signer, key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range extra {
		sd.AddCertificate(c)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// makeZip returns a small zip archive with the given zip comment.
func makeZip(t testing.TB, comment string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range []struct{ name, body string }{
		{"AndroidManifest.xml", "not really binary XML"},
		{"classes.dex", "dex\n035\x00 hello"},
		{"res/raw/data.bin", string(bytes.Repeat([]byte{0x42}, 5000))},
	} {
		fw, err := w.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if comment != "" {
		if err := w.SetComment(comment); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// eocdOffset returns the offset of z's End of Central Directory record.
func eocdOffset(t testing.TB, z []byte) int {
	t.Helper()
	i := findEOCD(z)
	if i < 0 {
		t.Fatal("no EOCD")
	}
	return i
}

// cdOffset returns the central directory offset z's EOCD records.
func cdOffset(t testing.TB, z []byte) int {
	t.Helper()
	return int(binary.LittleEndian.Uint32(z[eocdOffset(t, z)+16:]))
}
