package formats_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/report/formats"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

func TestLookup(t *testing.T) {
	for name, want := range map[string]string{
		"json": "json", " Markdown ": "md", "CDX": "cyclonedx", "txt": "text", "sarif": "sarif",
	} {
		f, ok := formats.Lookup(name)
		if !ok || f.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", name, f.Name, ok, want)
		}
	}
	for _, bad := range []string{"", "xml", "../json", "json\x00"} {
		if f, ok := formats.Lookup(bad); ok {
			t.Errorf("Lookup(%q) = %q, want no format", bad, f.Name)
		}
	}
	if got := strings.Join(formats.Names(), ","); got != "csv,cyclonedx,html,json,md,pdf,sarif,text" {
		t.Errorf("Names() = %s", got)
	}
}

// TestWritersMatchTheirNames checks that each name is wired to its own
// writer: the JSON-based formats parse, and each says what it is.
func TestWritersMatchTheirNames(t *testing.T) {
	rep := reporttest.Sample()
	marks := map[string]string{
		"json": `"schema_version"`, "sarif": `"$schema"`, "cyclonedx": `"bomFormat"`,
		"html": "<!DOCTYPE html>", "csv": "severity", "md": "|", "text": rep.Verdict,
	}
	for name, mark := range marks {
		f, _ := formats.Lookup(name)
		var b bytes.Buffer
		if err := f.Write(&b, rep, formats.Options{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(b.String(), mark) {
			t.Errorf("%s output lacks %q", name, mark)
		}
		if strings.HasSuffix(f.ContentType, "json") && !json.Valid(b.Bytes()) {
			t.Errorf("%s (%s) is not valid JSON", name, f.ContentType)
		}
	}
}
