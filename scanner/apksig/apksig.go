// Package apksig reads the signing certificates of an Android package: the
// JAR signature (scheme v1, a PKCS#7 SignedData in META-INF/*.RSA, *.DSA or
// *.EC) and the APK Signing Block that sits just before the zip central
// directory (schemes v2, v3 and v3.1).
//
// The package reports who signed an APK, not whether the signature is valid:
// no digest is recomputed and no signature is verified. A certificate found
// here is therefore a claim made by the file, which the scanner reports as
// such.
//
// Every input is treated as hostile. Each length read from the input is
// checked against the bytes that are actually there before it is used to
// slice or to allocate; the signing block is bounded by MaxSigningBlockSize
// and the PKCS#7 block by MaxV1BlockSize; nesting and element counts are
// capped. Malformed input yields an error wrapping ErrMalformed (or ErrLimit
// when a cap is hit), never a panic.
package apksig

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrMalformed is wrapped by every error that reports input which does not
// follow the zip, APK Signing Block or PKCS#7 format.
var ErrMalformed = errors.New("apksig: malformed input")

// ErrLimit is wrapped by every error that reports input exceeding one of the
// package's limits (block size, certificate count, ASN.1 nesting).
var ErrLimit = errors.New("apksig: limit exceeded")

// ErrZIP64 is returned by FindSigningBlock for a ZIP64 archive. Android
// refuses to install ZIP64 APKs, so such a file has no signing block that any
// device would read.
var ErrZIP64 = errors.New("apksig: ZIP64 archives are not supported (Android rejects them)")

// Signature scheme names, as they appear in Cert.Scheme.
const (
	SchemeV1  = "v1"
	SchemeV2  = "v2"
	SchemeV3  = "v3"
	SchemeV31 = "v3.1"
)

// MaxCerts caps the number of certificates one call to ParseV1 or
// ParseSigningBlock decodes. Real APKs carry one to a handful.
const MaxCerts = 256

// Cert is one X.509 certificate found in an APK signature.
type Cert struct {
	// Scheme is the signature scheme the certificate was found in: "v1"
	// (JAR signature), "v2", "v3" or "v3.1" (APK Signing Block).
	Scheme string
	// Subject is the certificate's subject distinguished name, formatted by
	// pkix.Name.String (RFC 2253 style, most specific RDN first, e.g.
	// "CN=Android Debug,O=Android,C=US").
	Subject string
	// Issuer is the issuer distinguished name, formatted like Subject.
	Issuer string
	// SHA256 is the lower-case hex SHA-256 of the certificate's DER encoding
	// as stored in the APK: the fingerprint apksigner and keytool print.
	SHA256 string
	// NotBefore and NotAfter bound the certificate's validity period.
	NotBefore, NotAfter time.Time
}

// CertError reports a certificate that was found in a signature but that
// crypto/x509 could not parse. Its fingerprint is still known, so a caller can
// report it with errors.As.
type CertError struct {
	// Scheme is the signature scheme the certificate was found in.
	Scheme string
	// Index is the certificate's position within its signer's list (v2 and
	// later) or within the PKCS#7 certificates set (v1), counting from 0.
	Index int
	// SHA256 is the lower-case hex SHA-256 of the certificate bytes.
	SHA256 string
	// Err is the parse error.
	Err error
}

// Error implements error.
func (e *CertError) Error() string {
	return fmt.Sprintf("%s certificate %d (sha256 %s): %v", e.Scheme, e.Index, e.SHA256, e.Err)
}

// Unwrap returns the parse error.
func (e *CertError) Unwrap() error { return e.Err }

// newCert parses one DER certificate found in the given scheme.
func newCert(scheme string, index int, der []byte) (Cert, error) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		sum := sha256.Sum256(der)
		return Cert{}, &CertError{Scheme: scheme, Index: index, SHA256: hex.EncodeToString(sum[:]), Err: err}
	}
	return certOf(scheme, c), nil
}

// certOf describes a parsed certificate found in the given scheme.
func certOf(scheme string, c *x509.Certificate) Cert {
	sum := sha256.Sum256(c.Raw)
	return Cert{
		Scheme:    scheme,
		Subject:   c.Subject.String(),
		Issuer:    c.Issuer.String(),
		SHA256:    hex.EncodeToString(sum[:]),
		NotBefore: c.NotBefore,
		NotAfter:  c.NotAfter,
	}
}

// malformed returns an error wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// limit returns an error wrapping ErrLimit.
func limit(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrLimit}, args...)...)
}
