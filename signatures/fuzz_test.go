package signatures_test

import (
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/signatures"
)

// FuzzParse feeds arbitrary YAML to the vendor-file parser (the service
// accepts site files from its admins): a validated file or an error naming
// the file, never a panic. Parse is what the loader runs on each file
// before layering; the whole loader is run on the inputs that parse, so
// collisions with the embedded database are exercised too.
func FuzzParse(f *testing.F) {
	f.Add([]byte("schema: 1\nvendor:\n  id: examplevendor\n  name: Example\n  country: XX\nsdks:\n  - id: examplevendor.ads\n    name: Ads\n    category: ads\n    description: d\n    rules:\n      - source: observed\n        java_packages: [com.examplevendor.ads]\n"))
	f.Add([]byte("schema: 1\nextends: true\nvendor: {id: tencent}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("sdks: [{rules: [{hosts: ['..'], java_packages: ['a']}]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := signatures.Parse("site.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "site.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if file == nil {
			t.Fatal("no file and no error")
		}
		if db, err := signatures.LoadWith(signatures.Options{Files: []signatures.Source{{Name: "site.yaml", Data: data}}}); err == nil && db == nil {
			t.Fatal("no database and no error")
		}
	})
}
