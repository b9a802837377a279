// Package sariftest gives tests the official SARIF 2.1.0 JSON schema,
// compiled, to validate sdkvet's SARIF output independently of the library
// that writes it (see README.md for where the schema comes from).
package sariftest

import (
	"bytes"
	_ "embed"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed sarif-schema-2.1.0.json
var schemaJSON []byte

// Schema compiles the SARIF 2.1.0 schema, with format assertions on.
func Schema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	return c.MustCompile("sarif-schema-2.1.0.json")
}
