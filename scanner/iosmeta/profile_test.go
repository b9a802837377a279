package iosmeta

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"github.com/sdkvet/sdkvet/scanner/berguard"
	"reflect"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture/iosfixture"
)

var expires = time.Date(2031, 6, 15, 12, 30, 45, 0, time.UTC)

// checkProfile asserts every field of a profile made by iosfixture.Profile.
func checkProfile(t *testing.T, p *Profile, certDER []byte) {
	t.Helper()
	sum := sha256.Sum256(certDER)
	want := &Profile{
		Name:                  "Demo Profile",
		UUID:                  p.UUID,
		AppIDName:             "Demo App",
		TeamName:              "Demo Team",
		TeamIDs:               []string{"TEAM123456"},
		AppIDPrefixes:         []string{"TEAM123456"},
		ApplicationIdentifier: "TEAM123456.com.example.demo",
		Entitlements: map[string]any{
			"application-identifier":              "TEAM123456.com.example.demo",
			"com.apple.developer.team-identifier": "TEAM123456",
			"get-task-allow":                      true,
			"keychain-access-groups":              []any{"TEAM123456.*"},
		},
		ExpirationDate:     expires,
		CreationDate:       expires.AddDate(0, 0, -365),
		ProvisionedDevices: 2,
		Platforms:          []string{"iOS"},
		CertSubjects:       []string{"CN=Apple Development: Jane Doe (ABCDE12345),OU=TEAM123456,O=Demo Corp,C=US"},
		CertSHA256:         []string{hex.EncodeToString(sum[:])},
	}
	if len(p.UUID) != 36 {
		t.Errorf("UUID %q", p.UUID)
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
}

func TestParseProfile(t *testing.T) {
	cert, key := devCert(t)
	der := iosfixture.Profile("TEAM123456", "com.example.demo", cert, key, expires)
	ber := toBER(t, der, 0)
	chunked := toBER(t, der, 100)
	if bytes.Equal(der, ber) || !bytes.HasPrefix(ber, []byte{0x30, 0x80}) {
		t.Fatal("toBER did not re-encode")
	}
	for name, data := range map[string][]byte{"DER": der, "BER": ber, "BER, chunked content": chunked} {
		t.Run(name, func(t *testing.T) {
			if _, err := cmsContent(data); err != nil {
				t.Fatalf("cmsContent: %v", err)
			}
			p, err := ParseProfile(data)
			if err != nil {
				t.Fatal(err)
			}
			checkProfile(t, p, cert.Raw)
		})
	}
	// Chunked, the XML is not contiguous: only the CMS path reads it.
	if plistSpan(chunked) != nil {
		if _, err := profileFromPlist(plistSpan(chunked)); err == nil {
			t.Error("the chunked profile reads without CMS")
		}
	}
}

func TestParseProfileFallback(t *testing.T) {
	cert, key := devCert(t)
	der := iosfixture.Profile("TEAM123456", "com.example.demo", cert, key, expires)
	xml := iosfixture.Plist(iosfixture.ProfilePlist("TEAM123456", "com.example.demo", cert, expires), false)
	// The signer's certificate with a negative serial number, which
	// crypto/x509 refuses, so that pkcs7.Parse fails.
	serial := []byte{0x02, 0x01, 42}
	i := bytes.Index(cert.Raw, serial)
	if i < 0 {
		t.Fatal("no serial number in the certificate")
	}
	badCert := bytes.Clone(cert.Raw)
	badCert[i+2] = 0xd6
	tests := map[string][]byte{
		// The signer infos cut off.
		"truncated CMS": der[:bytes.Index(der, []byte("</plist>"))+len("</plist>")+40],
		// Not CMS at all.
		"bare XML":          xml,
		"XML in junk":       append(append([]byte("\x00junk<plist"), xml...), "</plist>trailer"...),
		"bomb, then XML":    append(overlapping(45), xml...),
		"CMS with bad cert": bytes.Replace(der, cert.Raw, badCert, 1),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := cmsContent(data); err == nil {
				t.Fatal("cmsContent read it")
			}
			var p *Profile
			var err error
			quick(t, func() { p, err = ParseProfile(data) })
			if err != nil {
				t.Fatal(err)
			}
			checkProfile(t, p, cert.Raw)
		})
	}
}

func TestParseProfileWrongTypes(t *testing.T) {
	cert, key := devCert(t)
	content := iosfixture.Plist(map[string]any{
		"Name":                        42,
		"TeamIdentifier":              "TEAM123456",
		"ApplicationIdentifierPrefix": []any{"A", 1, "B"},
		"Entitlements":                []any{"application-identifier"},
		"ExpirationDate":              "2031-01-01T00:00:00Z",
		"CreationDate":                expires,
		"ProvisionedDevices":          []any{"udid1", 2, "udid3", []any{}},
		"ProvisionsAllDevices":        true,
		"Platform":                    "iOS",
		"DeveloperCertificates":       []any{"not data", []byte("not a certificate"), cert.Raw},
	}, true)
	p, err := ParseProfile(iosfixture.SignProfile(content, cert, key))
	if err != nil {
		t.Fatal(err)
	}
	junk := sha256.Sum256([]byte("not a certificate"))
	good := sha256.Sum256(cert.Raw)
	want := &Profile{
		AppIDPrefixes:        []string{"A", "B"},
		CreationDate:         expires,
		ProvisionedDevices:   2,
		ProvisionsAllDevices: true,
		CertSubjects:         []string{"", "CN=Apple Development: Jane Doe (ABCDE12345),OU=TEAM123456,O=Demo Corp,C=US"},
		CertSHA256:           []string{hex.EncodeToString(junk[:]), hex.EncodeToString(good[:])},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
	// Entitlements keep every value as decoded.
	content = iosfixture.Plist(map[string]any{"Entitlements": map[string]any{
		"application-identifier": 7,
		"n":                      -3,
		"u":                      uint64(1) << 63,
		"d":                      []byte{1, 2},
		"t":                      expires,
		"nested":                 map[string]any{"a": []any{1.5}},
	}}, false)
	p, err = ParseProfile(iosfixture.SignProfile(content, cert, key))
	if err != nil {
		t.Fatal(err)
	}
	wantEnt := map[string]any{
		"application-identifier": uint64(7),
		"n":                      int64(-3),
		"u":                      uint64(1) << 63,
		"d":                      []byte{1, 2},
		"t":                      expires,
		"nested":                 map[string]any{"a": []any{1.5}},
	}
	if p.ApplicationIdentifier != "" || !reflect.DeepEqual(p.Entitlements, wantEnt) {
		t.Errorf("ApplicationIdentifier %q, entitlements %#v", p.ApplicationIdentifier, p.Entitlements)
	}
	if _, ok := p.Entitlements["u"].(uint64); !ok {
		t.Error("no uint64")
	}
}

func TestParseProfileMalformed(t *testing.T) {
	cert, key := devCert(t)
	tests := []struct {
		name     string
		data     []byte
		sentinel error
		msg      string
	}{
		{"empty", nil, ErrMalformed, "empty"},
		{"garbage", []byte("not a profile"), ErrMalformed, "no XML property list"},
		{"content not a plist", iosfixture.SignProfile([]byte("hello"), cert, key), ErrMalformed, "CMS content"},
		{"content an array", iosfixture.SignProfile(iosfixture.Plist([]any{"a"}, false), cert, key), ErrMalformed, "not a dictionary"},
		{"too large", make([]byte, MaxPlistSize+1), ErrLimit, "more than"},
		{"XML without end", []byte("<?xml version=\"1.0\"?><plist><dict>"), ErrMalformed, "no XML property list"},
		{"broken XML", []byte("<?xml version=\"1.0\"?><plist><dict><key>a</plist>"), ErrMalformed, "XML in the bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseProfile(tt.data)
			wantErr(t, err, tt.sentinel, tt.msg)
			if p != nil {
				t.Errorf("got %+v", p)
			}
		})
	}
}

// nested returns n SEQUENCEs of indefinite length, one in the other.
func nested(n int) []byte {
	b := bytes.Repeat([]byte{0x30, 0x80}, n)
	b = append(b, 0x05, 0x00)
	return append(b, make([]byte, 2*n)...)
}

// overlapping is a chain of elements each of which claims 3 content bytes,
// the header of its only child, whose length then covers the rest of the
// input. pkcs7's BER-to-DER conversion parses that rest once inside the
// child and once more as the parent's sibling: 2^levels times in all.
func overlapping(levels int) []byte {
	b := []byte{0x05, 0x00}
	for range levels {
		b = append([]byte{0x30, 0x03, 0x30, 0x81, byte(len(b))}, b...)
	}
	return b
}

func TestBERBomb(t *testing.T) {
	bomb := overlapping(45)
	if len(bomb) > 256 {
		t.Fatalf("bomb of %d bytes", len(bomb))
	}
	quick(t, func() {
		p, err := ParseProfile(bomb)
		wantErr(t, err, ErrMalformed, "overruns its parent")
		if p != nil {
			t.Errorf("got %+v", p)
		}
	})
	quick(t, func() {
		_, err := ParseProfile(nested(berguard.MaxDepth + 1))
		wantErr(t, err, ErrLimit, "nested deeper than 64")
	})
}

func TestCheckBER(t *testing.T) {
	cert, key := devCert(t)
	der := iosfixture.Profile("TEAM123456", "com.example.demo", cert, key, expires)
	for name, b := range map[string][]byte{
		"DER":             der,
		"BER":             toBER(t, der, 0),
		"BER chunked":     toBER(t, der, 64),
		"trailing bytes":  append(bytes.Clone(der), 0xff, 0xff),
		"empty SEQUENCE":  {0x30, 0x00},
		"nested under":    nested(berguard.MaxDepth),
		"primitive":       {0x05, 0x00},
		"high tag":        {0x3f, 0x81, 0x01, 0x00},
		"EOC first child": {0x30, 0x80, 0x00, 0x00, 0x00, 0x00},
	} {
		if err := guardBER(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// manyChildren is an indefinite-length element of n children with no
	// 00 00 before its end: pkcs7 searches the rest of the input after
	// each child.
	manyChildren := func(n int) []byte {
		b := append([]byte{0x30, 0x80}, bytes.Repeat([]byte{0x04, 0x01, 0x41}, n)...)
		return append(b, 0, 0)
	}
	// deepCopy nests a 4 MiB OCTET STRING in 40 SEQUENCEs, each of which
	// pkcs7 copies.
	deepCopy := func() []byte {
		b := derElement(0x04, make([]byte, 4<<20))
		for range 40 {
			b = derElement(0x30, b)
		}
		return b
	}
	tests := []struct {
		name     string
		b        []byte
		sentinel error
		msg      string
	}{
		{"empty", nil, ErrMalformed, "truncated header"},
		{"one byte", []byte{0x30}, ErrMalformed, "truncated header"},
		{"nested too deep", nested(berguard.MaxDepth + 1), ErrLimit, "nested deeper"},
		{"unterminated indefinite", []byte{0x30, 0x80, 0x05, 0x00}, ErrMalformed, "unterminated"},
		{"primitive indefinite", []byte{0x04, 0x80, 0x00, 0x00}, ErrMalformed, "primitive element with indefinite length"},
		{"child overruns parent", overlapping(40), ErrMalformed, "overruns"},
		{"indefinite child overruns", []byte{0x30, 0x03, 0x30, 0x80, 0x05, 0x00, 0x00, 0x00}, ErrMalformed, "overruns its parent at offset"},
		{"too many elements", derElement(0x30, bytes.Repeat([]byte{0x05, 0x00}, berguard.MaxElements)), ErrLimit, "elements"},
		{"end-of-contents search", manyChildren(8000), ErrLimit, "searched for end-of-contents"},
		{"nested copies", deepCopy(), ErrLimit, "nested contents"},
		{"length with leading zero", []byte{0x30, 0x81, 0x00}, ErrMalformed, "bad length"},
		{"length too long", []byte{0x30, 0x85, 1, 1, 1, 1, 1}, ErrMalformed, "bad length"},
		{"negative length", []byte{0x30, 0x84, 0x80, 0, 0, 0}, ErrMalformed, "bad length"},
		{"length past end", []byte{0x30, 0x82, 0x01, 0x00, 0x05}, ErrMalformed, "runs past the end"},
		{"truncated high tag", []byte{0x1f, 0x81, 0x82}, ErrMalformed, "truncated tag"},
		{"high tag, no length", []byte{0x1f, 0x01}, ErrMalformed, "truncated tag"},
		{"too large", make([]byte, MaxPlistSize+1), ErrLimit, "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quick(t, func() { wantErr(t, guardBER(tt.b), tt.sentinel, tt.msg) })
		})
	}
}
