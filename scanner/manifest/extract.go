package manifest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/observation"
)

// Limits on plain-text XML, against deeply nested or huge hostile files.
const (
	MaxDepth    = 256
	MaxElements = 1_000_000
)

// ParseXML reads a plain-text XML document into an Element tree, with line
// numbers. It never resolves external entities.
func ParseXML(data []byte) (*Element, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	var root *Element
	var stack []*Element
	count := 0
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return root, fmt.Errorf("xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > MaxElements {
				return root, fmt.Errorf("xml: more than %d elements", MaxElements)
			}
			if len(stack) >= MaxDepth {
				return root, fmt.Errorf("xml: nested deeper than %d", MaxDepth)
			}
			line, _ := dec.InputPos()
			e := &Element{Name: t.Name.Local, Offset: off, Line: line}
			for _, a := range t.Attr {
				e.Attrs = append(e.Attrs, Attr{Namespace: a.Name.Space, Name: a.Name.Local, Value: a.Value})
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, e)
			} else if root == nil {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if root == nil {
		return nil, errors.New("xml: no root element")
	}
	return root, nil
}

// Facts is what the manifest says about the package's identity.
type Facts struct {
	Package     string
	VersionName string
	VersionCode string
	MinSDK      string
	TargetSDK   string
	Label       string // literal label, or a reference "@0x7f..."
}

// Extract emits the observations of a manifest tree found at path and
// returns its identity facts.
func Extract(root *Element, path string, out observation.Sink) Facts {
	var f Facts
	if root == nil || root.Name != "manifest" {
		return f
	}
	emit := func(k observation.Kind, value, detail string, e *Element) {
		if value == "" {
			return
		}
		out.Observe(observation.Observation{Kind: k, Value: value, Detail: detail, Path: path, Offset: e.Offset, Line: e.Line})
	}
	f.Package, _ = root.Attr("", "package")
	f.VersionName, _ = root.Attr(AndroidNS, "versionName")
	f.VersionCode, _ = root.Attr(AndroidNS, "versionCode")
	emit(observation.AppID, f.Package, "", root)
	emit(observation.AppVersion, f.VersionName, f.VersionCode, root)
	// Component names may be relative to the package (".MainActivity").
	qualify := func(name string) string {
		if strings.HasPrefix(name, ".") {
			return f.Package + name
		}
		if !strings.Contains(name, ".") && f.Package != "" && name != "" {
			return f.Package + "." + name
		}
		return name
	}
	var walk func(e *Element, depth int, parent string)
	walk = func(e *Element, depth int, parent string) {
		if depth > MaxDepth {
			return
		}
		name, _ := e.Attr(AndroidNS, "name")
		switch e.Name {
		case "uses-sdk":
			f.MinSDK, _ = e.Attr(AndroidNS, "minSdkVersion")
			f.TargetSDK, _ = e.Attr(AndroidNS, "targetSdkVersion")
			emit(observation.SDKVersion, f.MinSDK, "min", e)
			emit(observation.SDKVersion, f.TargetSDK, "target", e)
		case "uses-permission", "uses-permission-sdk-23", "permission":
			emit(observation.Permission, name, e.Name, e)
		case "application":
			f.Label, _ = e.Attr(AndroidNS, "label")
			if cls, ok := e.Attr(AndroidNS, "name"); ok {
				emit(observation.Component, qualify(cls), "application", e)
			}
		case "activity", "activity-alias", "service", "receiver", "provider":
			emit(observation.Component, qualify(name), e.Name, e)
			if e.Name == "activity-alias" {
				if t, ok := e.Attr(AndroidNS, "targetActivity"); ok {
					emit(observation.Component, qualify(t), "activity-alias-target", e)
				}
			}
			if e.Name == "provider" {
				if auth, ok := e.Attr(AndroidNS, "authorities"); ok {
					emit(observation.Component, qualify(name), "provider "+auth, e)
				}
			}
		case "meta-data":
			v, _ := e.Attr(AndroidNS, "value")
			if v == "" {
				v, _ = e.Attr(AndroidNS, "resource")
			}
			emit(observation.MetaData, name, v, e)
		case "data":
			if s, ok := e.Attr(AndroidNS, "scheme"); ok {
				emit(observation.IntentScheme, s, "", e)
			}
			if h, ok := e.Attr(AndroidNS, "host"); ok {
				emit(observation.IntentHost, h, "", e)
				if h != "*" && !strings.HasPrefix(h, "@") {
					emit(observation.Domain, strings.TrimPrefix(strings.ToLower(h), "*."), "intent-filter host", e)
				}
			}
		case "package":
			if parent == "queries" {
				emit(observation.QueriedPackage, name, "", e)
			}
		}
		for _, c := range e.Children {
			walk(c, depth+1, e.Name)
		}
	}
	walk(root, 0, "")
	return f
}
