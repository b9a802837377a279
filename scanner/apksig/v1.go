package apksig

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/sdkvet/sdkvet/scanner/berguard"

	"github.com/smallstep/pkcs7"
)

// MaxV1BlockSize bounds the PKCS#7 block ParseV1 accepts. A JAR signature
// block is a few kilobytes, tens with a long certificate chain.
const MaxV1BlockSize = 1 << 20

// Limits on the BER structure handed to pkcs7.Parse. Its BER-to-DER
// conversion recurses once per nesting level, copies each constructed element
// once per enclosing level and, for every child of an indefinite-length
// element, searches the rest of the input for an end-of-contents marker; these
// caps keep all three linear in the input size.
const ()

// oidSignedData is the PKCS#7 signedData content type, 1.2.840.113549.1.7.2.
var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// ParseV1 returns the certificates of a JAR signature block: the contents of
// META-INF/*.RSA, *.DSA or *.EC, a PKCS#7 (CMS) SignedData in DER or BER.
// Every certificate of the SignedData's certificates set is returned, in
// order, with Scheme "v1"; that set normally holds the signer's certificate
// and sometimes its chain.
//
// ParseV1 does not verify anything: neither the signature over the .SF file
// nor the certificate chain. It reports who claims to have signed the APK,
// not whether the claim holds.
//
// A certificate that crypto/x509 cannot parse yields a *CertError, joined
// into the returned error, while the certificates that do parse are still
// returned. A block without any certificate is an error.
func ParseV1(pkcs7DER []byte) ([]Cert, error) {
	if len(pkcs7DER) == 0 {
		return nil, malformed("v1: empty PKCS#7 block")
	}
	if len(pkcs7DER) > MaxV1BlockSize {
		return nil, limit("v1: PKCS#7 block is %d bytes, more than %d", len(pkcs7DER), MaxV1BlockSize)
	}
	if err := guardBER(pkcs7DER); err != nil {
		return nil, fmt.Errorf("v1: %w", err)
	}
	p7, err := pkcs7.Parse(pkcs7DER)
	if err == nil {
		if len(p7.Certificates) == 0 {
			return nil, malformed("v1: PKCS#7 block has no certificates")
		}
		if len(p7.Certificates) > MaxCerts {
			return nil, limit("v1: %d certificates, more than %d", len(p7.Certificates), MaxCerts)
		}
		certs := make([]Cert, 0, len(p7.Certificates))
		for _, c := range p7.Certificates {
			certs = append(certs, certOf(SchemeV1, c))
		}
		return certs, nil
	}
	// pkcs7.Parse parses the certificates set all or nothing. Split a DER
	// block by hand so that one certificate crypto/x509 rejects (a negative
	// serial number, say, which old signing tools produced) does not hide
	// the others.
	raws, splitErr := splitV1Certs(pkcs7DER)
	if len(raws) == 0 {
		return nil, fmt.Errorf("v1: %w: %w", ErrMalformed, err)
	}
	if len(raws) > MaxCerts {
		return nil, limit("v1: %d certificates, more than %d", len(raws), MaxCerts)
	}
	var certs []Cert
	var errs []error
	for i, raw := range raws {
		cert, err := newCert(SchemeV1, i, raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		certs = append(certs, cert)
	}
	if splitErr != nil {
		errs = append(errs, malformed("certificates set: %v", splitErr))
	}
	if len(errs) == 0 {
		// The certificates parse; something else in the SignedData does not.
		errs = append(errs, fmt.Errorf("%w: %w", ErrMalformed, err))
	}
	return certs, fmt.Errorf("v1: %w", errors.Join(errs...))
}

// splitV1Certs returns the raw certificates of a DER-encoded PKCS#7
// SignedData, without parsing them.
func splitV1Certs(der []byte) ([][]byte, error) {
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue // [0] EXPLICIT SignedData
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, err
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("content type %v is not signedData", ci.ContentType)
	}
	if ci.Content.Class != asn1.ClassContextSpecific || ci.Content.Tag != 0 || !ci.Content.IsCompound {
		return nil, errors.New("signedData content is not tagged [0]")
	}
	// Fields after the certificates are ignored: encoding/asn1 allows a
	// struct to stop short of the end of its SEQUENCE.
	var sd struct {
		Version          int
		DigestAlgorithms asn1.RawValue
		ContentInfo      asn1.RawValue
		Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	}
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, err
	}
	var raws [][]byte
	for rest := sd.Certificates.Bytes; len(rest) > 0; {
		var v asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &v); err != nil {
			return raws, err
		}
		if len(raws) == MaxCerts+1 {
			break
		}
		raws = append(raws, v.FullBytes)
	}
	return raws, nil
}

// guardBER refuses input that pkcs7 could not parse in bounded time, with
// this package's error kinds.
func guardBER(b []byte) error { return berguard.CheckAs(b, ErrMalformed, ErrLimit) }
