package apksig

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestApksigner signs a tiny zip with the real apksigner (Debian packages
// apksigner and zipalign, which need Java) and reads the result back. It is
// skipped when apksigner is not on PATH; zipalign is used when present.
func TestApksigner(t *testing.T) {
	apksigner, err := exec.LookPath("apksigner")
	if err != nil {
		t.Skip("apksigner not on PATH (apt-get install apksigner zipalign)")
	}
	if testing.Short() {
		t.Skip("starts a JVM; skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	dir := t.TempDir()
	key := rsaKey()
	cert := makeCert(t, nameA, key, 0x5eed, nil, nil)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "key.pk8")
	certFile := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(keyFile, keyDER, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	unsigned := filepath.Join(dir, "unsigned.apk")
	if err := os.WriteFile(unsigned, makeZip(t, ""), 0o600); err != nil {
		t.Fatal(err)
	}
	in := unsigned
	if zipalign, err := exec.LookPath("zipalign"); err == nil {
		in = filepath.Join(dir, "aligned.apk")
		run(zipalign, "-f", "-p", "4", unsigned, in)
	}
	signed := filepath.Join(dir, "signed.apk")
	// --min-sdk-version spares apksigner from reading minSdkVersion out of
	// a binary AndroidManifest.xml, which this zip does not have.
	run(apksigner, "sign",
		"--key", keyFile, "--cert", certFile,
		"--min-sdk-version", "21",
		"--v1-signing-enabled", "true",
		"--v2-signing-enabled", "true",
		"--v3-signing-enabled", "true",
		"--v4-signing-enabled", "false",
		"--out", signed, in)

	want := fingerprint(cert)
	printed := run(apksigner, "verify", "--min-sdk-version", "21", "--print-certs", "-v", signed)
	t.Logf("apksigner verify:\n%s", printed)
	if m := regexp.MustCompile(`certificate SHA-256 digest: ([0-9a-f]{64})`).FindStringSubmatch(printed); m == nil || m[1] != want {
		t.Fatalf("apksigner prints SHA-256 %v, want %s", m, want)
	}

	f, err := os.Open(signed)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	block, off, err := FindSigningBlock(f, st.Size())
	if err != nil || block == nil {
		t.Fatalf("FindSigningBlock: %d bytes at %d, %v", len(block), off, err)
	}
	certs, err := ParseSigningBlock(block)
	if err != nil {
		t.Fatalf("ParseSigningBlock: %v", err)
	}
	schemes := map[string]bool{}
	for _, c := range certs {
		schemes[c.Scheme] = true
		if c.SHA256 != want || c.Subject != subjA || c.Issuer != subjA {
			t.Errorf("%s certificate %+v, want subject %q sha256 %s", c.Scheme, c, subjA, want)
		}
	}
	t.Logf("signing block at %d, %d bytes, schemes %v", off, len(block), schemes)
	if !schemes["v2"] || !schemes["v3"] {
		t.Errorf("schemes %v, want v2 and v3", schemes)
	}

	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	var v1 int
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "META-INF/") || !strings.HasSuffix(zf.Name, ".RSA") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		der, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseV1(der)
		if err != nil {
			t.Fatalf("ParseV1(%s): %v", zf.Name, err)
		}
		assertCerts(t, got, []Cert{wantCert("v1", subjA, subjA, cert)})
		v1++
	}
	if v1 != 1 {
		t.Errorf("found %d META-INF/*.RSA entries, want 1", v1)
	}

	// Signed with v1 only, the APK has no signing block, which is no error.
	v1Only := filepath.Join(dir, "v1only.apk")
	run(apksigner, "sign",
		"--key", keyFile, "--cert", certFile,
		"--min-sdk-version", "21",
		"--v1-signing-enabled", "true",
		"--v2-signing-enabled", "false",
		"--v3-signing-enabled", "false",
		"--v4-signing-enabled", "false",
		"--out", v1Only, in)
	data, err := os.ReadFile(v1Only)
	if err != nil {
		t.Fatal(err)
	}
	block, off, err = FindSigningBlock(bytes.NewReader(data), int64(len(data)))
	if block != nil || off != -1 || err != nil {
		t.Errorf("v1-only APK: %d bytes at %d, %v; want nil, -1, nil", len(block), off, err)
	}
}
