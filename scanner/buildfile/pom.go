package buildfile

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/observation"
)

// maxXMLDepth bounds element nesting in a POM.
const maxXMLDepth = 64

// parsePOM reads a Maven pom.xml: dependencies (managed ones included),
// build plugins and extensions, and repository / pluginRepository URLs.
// Properties are not interpolated: a version "${x}" is reported as written.
func parsePOM(data []byte, c *collector) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var path []string
	type coord struct {
		group, artifact, version string
		line, col                int
	}
	var cur *coord
	var text strings.Builder
	var textLine, textCol int // where the current element's text starts
	for {
		line, col := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse pom.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(path) >= maxXMLDepth {
				return fmt.Errorf("parse pom.xml: elements nested deeper than %d", maxXMLDepth)
			}
			path = append(path, t.Name.Local)
			text.Reset()
			textLine, textCol = d.InputPos()
			switch t.Name.Local {
			case "dependency", "plugin", "extension":
				cur = &coord{line: line, col: col}
			}
		case xml.CharData:
			if text.Len() < 4096 {
				text.Write(t)
			}
		case xml.EndElement:
			if len(path) == 0 {
				continue
			}
			name := path[len(path)-1]
			parent := ""
			if len(path) > 1 {
				parent = path[len(path)-2]
			}
			v := strings.TrimSpace(text.String())
			switch {
			case cur != nil && name == "groupId" && isCoordParent(parent):
				cur.group = v
			case cur != nil && name == "artifactId" && isCoordParent(parent):
				cur.artifact = v
			case cur != nil && name == "version" && isCoordParent(parent):
				cur.version = v
			case name == "url" && (parent == "repository" || parent == "pluginRepository" || parent == "snapshotRepository"):
				if isRepoURL(v) {
					c.add(Item{Kind: observation.MavenRepo, Value: v, Line: textLine, Column: textCol})
				}
			case cur != nil && isCoordParent(name):
				if cur.group == "" && name == "plugin" {
					cur.group = "org.apache.maven.plugins"
				}
				if cur.group != "" && cur.artifact != "" {
					c.add(Item{Kind: observation.Gradle, Value: cur.group + ":" + cur.artifact, Version: cur.version, Line: cur.line, Column: cur.col})
				}
				cur = nil
			}
			path = path[:len(path)-1]
			text.Reset()
		}
	}
}

func isCoordParent(name string) bool {
	return name == "dependency" || name == "plugin" || name == "extension"
}
