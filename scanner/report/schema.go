package report

import _ "embed"

// JSONSchema is the JSON Schema (draft 2020-12) of the report contract.
//
//go:embed report.schema.json
var JSONSchema []byte
