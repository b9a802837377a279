package iosmeta

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/sdkvet/sdkvet/scanner/berguard"
	"time"

	"github.com/smallstep/pkcs7"
)

// Profile is what a provisioning profile (embedded.mobileprovision) says.
// A key that is missing or holds a value of another type leaves its field
// empty.
type Profile struct {
	Name      string // Name
	UUID      string // UUID
	AppIDName string // AppIDName
	TeamName  string // TeamName
	// TeamIDs is TeamIdentifier.
	TeamIDs []string
	// AppIDPrefixes is ApplicationIdentifierPrefix.
	AppIDPrefixes []string
	// ApplicationIdentifier is Entitlements["application-identifier"]:
	// the team or app ID prefix, a dot and the bundle ID.
	ApplicationIdentifier string
	// Entitlements are the entitlements the profile grants, as decoded:
	// string, bool, uint64, int64, float64, float32, []byte, time.Time,
	// plist.UID, []any and map[string]any values, uncapped (the decoded
	// tree is bounded as a whole).
	Entitlements map[string]any
	// ExpirationDate and CreationDate are in UTC.
	ExpirationDate, CreationDate time.Time
	// ProvisionedDevices is the number of device UDIDs the profile lists.
	ProvisionedDevices int
	// ProvisionsAllDevices is set for enterprise (in-house) profiles.
	ProvisionsAllDevices bool
	// Platforms is Platform: "iOS", "xrOS", "OSX"...
	Platforms []string
	// CertSubjects and CertSHA256 describe DeveloperCertificates, the
	// certificates allowed to sign apps with the profile, index by index:
	// the subject as crypto/x509 prints it ("" for a certificate it cannot
	// parse) and the SHA-256 of the DER, in lower-case hex.
	CertSubjects, CertSHA256 []string
}

// Limits on the BER structure handed to pkcs7.Parse, whose BER-to-DER
// conversion recurses once per nesting level, re-reads the rest of the
// input when a child overruns its parent, copies every constructed
// element's contents once per enclosing level and, after every child of an
// indefinite-length element, searches the rest of the input for the
// end-of-contents octets. checkBER refuses overruns and bounds the rest.
const ()

// ParseProfile reads a provisioning profile: a CMS SignedData, DER or
// BER, whose encapsulated content is a property list. When the CMS
// structure cannot be parsed (or is refused as too costly to parse), or its
// content is not a property list, ParseProfile falls back to the bytes from
// the first "<?xml" (or, without one, "<plist") to the next "</plist>", as
// many tools read profiles.
//
// ParseProfile verifies nothing: neither the CMS signature nor Apple's
// certificate chain. A profile says what whoever wrote it wants it to say.
func ParseProfile(der []byte) (*Profile, error) {
	if len(der) == 0 {
		return nil, fmt.Errorf("iosmeta: provisioning profile: %w", malformed("empty"))
	}
	if len(der) > MaxPlistSize {
		return nil, fmt.Errorf("iosmeta: provisioning profile: %w",
			limit("%d bytes, more than %d", len(der), MaxPlistSize))
	}
	content, cmsErr := cmsContent(der)
	if cmsErr == nil {
		p, err := profileFromPlist(content)
		if err == nil {
			return p, nil
		}
		cmsErr = fmt.Errorf("CMS content: %w", err)
	} else {
		cmsErr = fmt.Errorf("CMS: %w", cmsErr)
	}
	span := plistSpan(der)
	if span == nil {
		return nil, fmt.Errorf("iosmeta: provisioning profile: %w (and no XML property list in the bytes)", cmsErr)
	}
	p, err := profileFromPlist(span)
	if err != nil {
		return nil, fmt.Errorf("iosmeta: provisioning profile: %w", errors.Join(cmsErr, fmt.Errorf("XML in the bytes: %w", err)))
	}
	return p, nil
}

// cmsContent returns the encapsulated content of a CMS SignedData.
func cmsContent(der []byte) (content []byte, err error) {
	if err := guardBER(der); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			content, err = nil, malformed("pkcs7: %v", r)
		}
	}()
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, malformed("%v", err)
	}
	if len(p7.Content) == 0 {
		return nil, malformed("no encapsulated content")
	}
	return p7.Content, nil
}

// plistSpan returns the XML property list in b, or nil.
func plistSpan(b []byte) []byte {
	start := bytes.Index(b, []byte("<?xml"))
	if start < 0 {
		start = bytes.Index(b, []byte("<plist"))
	}
	if start < 0 {
		return nil
	}
	const endTag = "</plist>"
	end := bytes.Index(b[start:], []byte(endTag))
	if end < 0 {
		return nil
	}
	return b[start : start+end+len(endTag)]
}

// profileFromPlist reads the property list of a profile.
func profileFromPlist(data []byte) (*Profile, error) {
	d, err := decodeDict(data)
	if err != nil {
		return nil, err
	}
	p := &Profile{
		Name:          strOf(d, "Name"),
		UUID:          strOf(d, "UUID"),
		AppIDName:     strOf(d, "AppIDName"),
		TeamName:      strOf(d, "TeamName"),
		TeamIDs:       strListOf(d, "TeamIdentifier"),
		AppIDPrefixes: strListOf(d, "ApplicationIdentifierPrefix"),
		Platforms:     strListOf(d, "Platform"),
	}
	if ent, ok := d["Entitlements"].(map[string]any); ok {
		p.Entitlements = ent
		p.ApplicationIdentifier = strOf(ent, "application-identifier")
	}
	if t, ok := d["ExpirationDate"].(time.Time); ok {
		p.ExpirationDate = t.UTC()
	}
	if t, ok := d["CreationDate"].(time.Time); ok {
		p.CreationDate = t.UTC()
	}
	devices, _ := d["ProvisionedDevices"].([]any)
	for _, dev := range devices {
		if _, ok := dev.(string); ok {
			p.ProvisionedDevices++
		}
	}
	p.ProvisionsAllDevices, _ = d["ProvisionsAllDevices"].(bool)
	certs, _ := d["DeveloperCertificates"].([]any)
	for _, c := range certs {
		raw, ok := c.([]byte)
		if !ok {
			continue
		}
		if len(p.CertSHA256) >= MaxListItems {
			break
		}
		sum := sha256.Sum256(raw)
		subject := ""
		if cert, err := x509.ParseCertificate(raw); err == nil {
			subject = capString(cert.Subject.String())
		}
		p.CertSubjects = append(p.CertSubjects, subject)
		p.CertSHA256 = append(p.CertSHA256, hex.EncodeToString(sum[:]))
	}
	return p, nil
}

// guardBER refuses input that pkcs7 could not parse in bounded time, with
// this package's error kinds.
func guardBER(b []byte) error { return berguard.CheckAs(b, ErrMalformed, ErrLimit) }
