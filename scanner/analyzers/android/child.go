package android

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shogo82148/androidbinary"

	"github.com/sdkvet/sdkvet/scanner/sandbox"
)

// This file runs in the sandbox child only: androidbinary panics on
// truncated resource tables and, on a zero-sized chunk, loops forever while
// allocating. The parent sees a clean error when that happens.

func init() {
	sandbox.Register(sandboxXML, childXML)
	sandbox.Register(sandboxLabel, childLabel)
}

// childXML decodes binary XML into XML text.
func childXML(in []byte) ([]byte, error) {
	xf, err := androidbinary.NewXMLFile(bytes.NewReader(in))
	if err != nil {
		return nil, fmt.Errorf("binary xml: %w", err)
	}
	return io.ReadAll(xf.Reader())
}

// childLabel resolves the application label of a binary manifest through
// the resource table.
func childLabel(in []byte) ([]byte, error) {
	var req labelRequest
	if err := json.Unmarshal(in, &req); err != nil {
		return nil, fmt.Errorf("sandbox input: %w", err)
	}
	xf, err := androidbinary.NewXMLFile(bytes.NewReader(req.Manifest))
	if err != nil {
		return nil, fmt.Errorf("binary xml: %w", err)
	}
	label, err := resolveLabel(xf, req.Table)
	if err != nil {
		return nil, err
	}
	return []byte(label), nil
}

func resolveLabel(xf *androidbinary.XMLFile, table []byte) (label string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("resource table: parser failed: %v", r)
		}
	}()
	tf, err := androidbinary.NewTableFile(bytes.NewReader(table))
	if err != nil {
		return "", fmt.Errorf("resource table: %w", err)
	}
	var m struct {
		App struct {
			Label androidbinary.String `xml:"http://schemas.android.com/apk/res/android label,attr"`
		} `xml:"application"`
	}
	if err := xf.Decode(&m, tf, &androidbinary.ResTableConfig{}); err != nil {
		return "", fmt.Errorf("resolve label: %w", err)
	}
	s, err := m.App.Label.String()
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			return "", nil
		}
		return "", fmt.Errorf("resolve label: %w", err)
	}
	if strings.HasPrefix(s, "@") {
		return "", errors.New("resolve label: reference not found in the resource table")
	}
	return s, nil
}
