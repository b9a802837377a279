package signatures_test

import (
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/match"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/signatures"
)

func loadFiles(files ...signatures.Source) (*signatures.DB, error) {
	return signatures.LoadWith(signatures.Options{Files: files})
}

// TestInMemoryFileAddsVendor: a file held in memory adds a vendor exactly
// as the same file in a --signatures directory does.
func TestInMemoryFileAddsVendor(t *testing.T) {
	db, err := loadFiles(signatures.Source{Name: "settings:examplecorp.yaml", Data: []byte(extraVendor)})
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	match.Compile(db).Match(observation.Observation{Kind: observation.JavaClass, Value: "org.examplecorp.tracker.Track"}, func(h match.Hit) { got = h.Rule.Subject })
	if got != "examplecorp.tracker" {
		t.Fatalf("in-memory vendor not matched: %q", got)
	}
	if db.Files[len(db.Files)-1] != "settings:examplecorp.yaml" {
		t.Errorf("files %v do not end with the in-memory file", db.Files)
	}
	dir := t.TempDir()
	write(t, dir, "examplecorp.yaml", extraVendor)
	if fromDir := load(t, dir); fromDir.Version == db.Version || load(t).Version == db.Version {
		// Names take part in the version, so the same content under another
		// name is another version; the base version must differ too.
		t.Errorf("version %s does not identify the in-memory file", db.Version)
	}
}

func TestInMemoryErrorsNameSourceAndLine(t *testing.T) {
	bad := strings.Replace(extraVendor, "      - source: https://example.org/docs\n", "      - source: \"\"\n", 1)
	_, err := loadFiles(signatures.Source{Name: "settings:bad.yaml", Data: []byte(bad)})
	if err == nil || !strings.Contains(err.Error(), "settings:bad.yaml:15: sdks[0].rules[0].source: required") {
		t.Fatalf("want file:line error, got %v", err)
	}
	_, err = loadFiles(signatures.Source{Name: "settings:syntax.yaml", Data: []byte("schema: 1\nvendor: [\n")})
	if err == nil || !strings.Contains(err.Error(), "settings:syntax.yaml") || !strings.Contains(err.Error(), "line") {
		t.Fatalf("want a YAML syntax error naming the file and line, got %v", err)
	}
}

func TestInMemoryCollisionsAndExtends(t *testing.T) {
	dup := strings.Replace(extraVendor, "org.examplecorp.tracker]", "com.tencent.mm.opensdk]", 1)
	if _, err := loadFiles(signatures.Source{Name: "dup.yaml", Data: []byte(dup)}); err == nil || !strings.Contains(err.Error(), "claimed by both") {
		t.Fatalf("collision with the embedded database accepted: %v", err)
	}
	twice := []signatures.Source{{Name: "a.yaml", Data: []byte(extraVendor)}, {Name: "b.yaml", Data: []byte(extraVendor)}}
	if _, err := loadFiles(twice...); err == nil || !strings.Contains(err.Error(), `vendor "examplecorp" is already defined in a.yaml`) {
		t.Fatalf("one vendor in two in-memory files accepted: %v", err)
	}
	ext := `schema: 1
extends: true
vendor: {id: tencent}
sdks:
  - id: tencent.site-extra
    name: Site extra
    category: ads
    description: An SDK the site added.
    rules:
      - source: observed in a vetted package
        java_packages: [com.tencent.siteextra.ads]
`
	db, err := loadFiles(signatures.Source{Name: "tencent-extra.yaml", Data: []byte(ext)})
	if err != nil {
		t.Fatal(err)
	}
	var hasBase, hasExtra bool
	for _, s := range db.SDKs {
		hasBase = hasBase || s.ID == "tencent.wechat-opensdk"
		hasExtra = hasExtra || (s.ID == "tencent.site-extra" && s.Vendor == "tencent")
	}
	if !hasBase || !hasExtra {
		t.Fatalf("extends did not add to tencent: base %v extra %v", hasBase, hasExtra)
	}
	orphan := strings.ReplaceAll(ext, "tencent", "nosuchvendor")
	if _, err := loadFiles(signatures.Source{Name: "orphan.yaml", Data: []byte(orphan)}); err == nil || !strings.Contains(err.Error(), "not loaded") {
		t.Fatalf("extends of an unknown vendor accepted: %v", err)
	}
}
