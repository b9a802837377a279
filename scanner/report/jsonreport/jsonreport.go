// Package jsonreport writes the report as the JSON contract described by
// schema/report.schema.json.
package jsonreport

import (
	"encoding/json"
	"io"

	"github.com/sdkvet/sdkvet/scanner/report"
)

// Write encodes r as indented JSON followed by a newline.
func Write(w io.Writer, r *report.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
