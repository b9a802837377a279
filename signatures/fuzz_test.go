package signatures_test

import (
	"testing"

	"github.com/sdkvet/sdkvet/signatures"
)

// FuzzLoadSource feeds arbitrary YAML to the loader as a site's signature
// file (the service accepts them from its admins): it must return a
// database or an error naming the file, never panic.
func FuzzLoadSource(f *testing.F) {
	f.Add([]byte("schema: 1\nvendor:\n  id: examplevendor\n  name: Example\n  country: XX\nsdks:\n  - id: examplevendor.ads\n    name: Ads\n    category: ads\n    description: d\n    rules:\n      - source: observed\n        java_packages: [com.examplevendor.ads]\n"))
	f.Add([]byte("schema: 1\nextends: true\nvendor: {id: tencent}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("sdks: [{rules: [{hosts: ['..'], java_packages: ['a']}]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := signatures.LoadWith(signatures.Options{Files: []signatures.Source{{Name: "site.yaml", Data: data}}})
		if err == nil && db == nil {
			t.Fatal("no database and no error")
		}
	})
}
