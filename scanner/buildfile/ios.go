package buildfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/tokens"
)

// parsePodfile reads a Podfile (a Ruby DSL) with a Ruby-aware lexer:
// every "pod 'Name', 'version'" statement, outside comments and strings.
// With podspec set it reads a .podspec instead: every
// "s.dependency 'Name', 'version'".
func parsePodfile(data []byte, podspec bool, c *collector) {
	var prev2 tokens.Token
	var prev tokens.Token
	var pending *Item // a pod whose version may follow
	lastLine := 0
	tokens.Lex(data, tokens.Ruby, func(t tokens.Token) bool {
		continued := prev.Kind == tokens.Punct && prev.Text == "," // a version on the next line
		if pending != nil && (t.Line != lastLine && !continued || t.Kind == tokens.Ident) {
			c.add(*pending)
			pending = nil
		}
		switch {
		case t.Kind == tokens.String && prev.Kind == tokens.Ident && pending == nil &&
			(!podspec && prev.Text == "pod" || podspec && prev.Text == "dependency" && prev2.Text == "."):
			pending = &Item{Kind: observation.CocoaPod, Value: strings.TrimSpace(t.Text), Line: t.Line, Column: bodyCol(t)}
		case t.Kind == tokens.String && pending != nil && prev.Kind == tokens.Punct && prev.Text == "," && pending.Version == "" && podVersionRe.MatchString(t.Text):
			pending.Version = strings.TrimSpace(t.Text)
		}
		if t.Kind != tokens.Punct || t.Text != "(" {
			prev2, prev = prev, t // pod('Name') reads like pod 'Name'
		}
		lastLine = t.EndLine
		return true
	})
	if pending != nil {
		c.add(*pending)
	}
}

var podVersionRe = regexp.MustCompile(`^\s*(?:[~><=!]+\s*)?[0-9][0-9A-Za-z.\-+]*\s*$`)

var podLockRe = regexp.MustCompile(`^([^\s(]+)(?:\s+\(([^)]*)\))?$`)

// parsePodfileLock reads Podfile.lock (YAML): the PODS list, each entry
// "Name (version)" or a map of it to its dependencies.
func parsePodfileLock(data []byte, c *collector) error {
	root, err := yamlRoot(data)
	if err != nil {
		return fmt.Errorf("parse Podfile.lock: %w", err)
	}
	pods := mapValue(root, "PODS")
	if pods == nil || pods.Kind != yaml.SequenceNode {
		return nil
	}
	for _, e := range pods.Content {
		n := e
		if e.Kind == yaml.MappingNode && len(e.Content) > 0 {
			n = e.Content[0]
		}
		if n.Kind != yaml.ScalarNode {
			continue
		}
		if m := podLockRe.FindStringSubmatch(strings.TrimSpace(n.Value)); m != nil {
			c.add(Item{Kind: observation.CocoaPod, Value: m[1], Version: m[2], Line: n.Line, Column: n.Column})
		}
	}
	return nil
}

// parsePackageSwift reads Package.swift with a Swift-aware lexer: the URL
// of every dependency declared as .package(url: "...", ...).
func parsePackageSwift(data []byte, c *collector) {
	var toks []tokens.Token
	tokens.Lex(data, tokens.Swift, func(t tokens.Token) bool {
		toks = append(toks, t)
		return len(toks) < maxGradleTokens
	})
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Kind == tokens.Ident && toks[i].Text == "url" && toks[i+1].Text == ":" && toks[i+2].Kind == tokens.String {
			u := strings.TrimSpace(toks[i+2].Text)
			if u == "" {
				continue
			}
			var version string
			for j := i + 3; j+2 < len(toks) && j < i+10 && toks[j].Text != ")"; j++ {
				if toks[j].Kind == tokens.Ident && (toks[j].Text == "from" || toks[j].Text == "exact" || toks[j].Text == "branch" || toks[j].Text == "revision") &&
					toks[j+1].Text == ":" && toks[j+2].Kind == tokens.String {
					version = toks[j+2].Text
					break
				}
			}
			c.add(Item{Kind: observation.SPM, Value: u, Version: version, Line: toks[i+2].Line, Column: bodyCol(toks[i+2])})
		}
	}
}

// parsePackageResolved reads Package.resolved, format versions 1 to 3.
func parsePackageResolved(data []byte, c *collector) error {
	type pin struct {
		Package       string `json:"package"`
		RepositoryURL string `json:"repositoryURL"` // v1
		Identity      string `json:"identity"`
		Location      string `json:"location"` // v2, v3
		State         struct {
			Version  *string `json:"version"`
			Branch   *string `json:"branch"`
			Revision string  `json:"revision"`
		} `json:"state"`
	}
	var doc struct {
		Pins   []pin `json:"pins"`
		Object struct {
			Pins []pin `json:"pins"`
		} `json:"object"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("parse Package.resolved: %w", err)
	}
	ln := newLines(data)
	from := 0
	for _, p := range append(doc.Pins, doc.Object.Pins...) {
		u := p.Location
		if u == "" {
			u = p.RepositoryURL
		}
		if u == "" {
			continue
		}
		v := p.State.Revision
		if p.State.Version != nil && *p.State.Version != "" {
			v = *p.State.Version
		} else if p.State.Branch != nil && *p.State.Branch != "" {
			v = *p.State.Branch
		}
		line, col, next, ok := ln.find(jsonString(u), from)
		if !ok { // Swift's encoder of format 1 escapes slashes
			line, col, next, ok = ln.find(strings.ReplaceAll(jsonString(u), "/", `\/`), from)
		}
		if ok {
			from = next
		}
		c.add(Item{Kind: observation.SPM, Value: u, Version: v, Line: line, Column: col})
	}
	return nil
}

var cartRe = regexp.MustCompile(`^\s*(github|git|binary)\s+"([^"]+)"(?:\s+(.*))?$`)

// parseCartfile reads a Cartfile, Cartfile.private or Cartfile.resolved:
// one origin per line ("github", "git" or "binary"), then a version.
func parseCartfile(data []byte, c *collector) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if i := strings.Index(s, "#"); i >= 0 && strings.Count(s[:i], `"`)%2 == 0 {
			s = s[:i]
		}
		m := cartRe.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		v := strings.Trim(strings.TrimSpace(m[3]), `"`)
		c.add(Item{Kind: observation.Carthage, Value: m[2], Version: v, Line: line, Column: strings.Index(sc.Text(), m[2]) + 1})
	}
}

// jsonString is s as JSON writes it, quotes included.
func jsonString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSpace(buf.String())
}

// yamlRoot decodes a YAML document into its root mapping node. Aliases
// are never followed, so an alias bomb costs nothing.
func yamlRoot(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0], nil
	}
	return &doc, nil
}

// mapValue returns the value node of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
