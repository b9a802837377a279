package buildfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sdkvet/sdkvet/scanner/observation"
)

var depSections = []string{"dependencies", "devDependencies", "peerDependencies", "optionalDependencies"}

// parsePackageJSON reads package.json: the packages of every dependency
// section, with the version range asked for.
func parsePackageJSON(data []byte, c *collector) error {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("parse package.json: %w", err)
	}
	ln := newLines(data)
	keys := jsonKeys(data)
	for _, sec := range depSections {
		raw, ok := doc[sec]
		if !ok {
			continue
		}
		var deps map[string]any
		if json.Unmarshal(raw, &deps) != nil {
			continue
		}
		from := 0
		if offs := keys[jsonString(sec)]; len(offs) > 0 {
			from = offs[0]
		}
		for _, name := range sortedKeys(deps) {
			v, _ := deps[name].(string)
			line, col := ln.keyAt(keys, jsonString(name), from)
			c.add(Item{Kind: observation.NPM, Value: name, Version: v, Line: line, Column: col})
		}
	}
	return nil
}

// parseNPMLock reads package-lock.json / npm-shrinkwrap.json: the
// "packages" map of lockfile versions 2 and 3 (keys are install paths
// ending in node_modules/NAME), else the nested "dependencies" of version 1.
func parseNPMLock(data []byte, c *collector) error {
	type dep struct {
		Version      string          `json:"version"`
		Dependencies json.RawMessage `json:"dependencies"`
	}
	var doc struct {
		Packages     map[string]dep  `json:"packages"`
		Dependencies json.RawMessage `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("parse npm lockfile: %w", err)
	}
	ln := newLines(data)
	keys := jsonKeys(data)
	if len(doc.Packages) > 0 {
		for _, key := range sortedKeys(doc.Packages) {
			i := strings.LastIndex(key, "node_modules/")
			if i < 0 {
				continue
			}
			line, col := ln.keyAt(keys, jsonString(key), 0)
			c.add(Item{Kind: observation.NPM, Value: key[i+len("node_modules/"):], Version: doc.Packages[key].Version, Line: line, Column: col})
		}
		return nil
	}
	var walk func(raw json.RawMessage, depth int)
	walk = func(raw json.RawMessage, depth int) {
		var deps map[string]dep
		if depth > 64 || len(raw) == 0 || json.Unmarshal(raw, &deps) != nil {
			return
		}
		for _, name := range sortedKeys(deps) {
			line, col := ln.keyAt(keys, jsonString(name), 0)
			c.add(Item{Kind: observation.NPM, Value: name, Version: deps[name].Version, Line: line, Column: col})
			walk(deps[name].Dependencies, depth+1)
		}
	}
	walk(doc.Dependencies, 0)
	return nil
}

// parseYarnLock reads yarn.lock in the classic (v1) and Berry formats: each
// entry's header names one or more "name@range" descriptors, and its
// indented "version" line the resolved version.
func parseYarnLock(data []byte, c *collector) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	var names []string
	headLine := 0
	flush := func(version string) {
		for _, n := range names {
			c.add(Item{Kind: observation.NPM, Value: n, Version: version, Line: headLine, Column: 1})
		}
		names = nil
	}
	for sc.Scan() {
		line++
		s := sc.Text()
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if s[0] != ' ' && strings.HasSuffix(s, ":") {
			flush("")
			headLine = line
			seen := map[string]bool{}
			for _, d := range strings.Split(strings.TrimSuffix(s, ":"), ",") {
				for _, n := range yarnNames(strings.Trim(strings.TrimSpace(d), `"`)) {
					if !seen[n] && n != "__metadata" {
						seen[n] = true
						names = append(names, n)
					}
				}
			}
			continue
		}
		t := strings.TrimSpace(s)
		if v, ok := strings.CutPrefix(t, "version"); ok && len(names) > 0 && (strings.HasPrefix(v, " ") || strings.HasPrefix(v, ":")) {
			flush(strings.Trim(strings.TrimSpace(strings.TrimPrefix(v, ":")), `"`))
		}
	}
	flush("")
}

// yarnNames returns the package names of a descriptor: "name@range",
// "@scope/name@npm:range" (Berry), "name@patch:name@npm%3A1.0#..." (Berry
// patches), and, for an alias "alias@npm:real@range", both the alias and
// the package it installs.
func yarnNames(d string) []string {
	name, rng, ok := cutDescriptor(d)
	if name == "" {
		return nil
	}
	out := []string{name}
	if !ok {
		return out
	}
	if r, isNPM := strings.CutPrefix(rng, "npm:"); isNPM {
		if real, _, ok := cutDescriptor(r); ok && real != "" && real != name {
			out = append(out, real)
		}
	}
	return out
}

// cutDescriptor splits "name@range" at the '@' that ends the name (a
// scope's leading '@' is part of it); ok is false when there is no range.
func cutDescriptor(d string) (name, rng string, ok bool) {
	if d == "" || d == "@" {
		return "", "", false
	}
	i := strings.IndexByte(d[1:], '@')
	if i < 0 {
		if strings.HasPrefix(d, "@") && !strings.Contains(d, "/") {
			return "", "", false
		}
		return d, "", false
	}
	return d[:i+1], d[i+2:], true
}

var pnpmKeyRe = regexp.MustCompile(`^/?((?:@[^/@]+/)?[^/@(]+)[@/]([^/(@]+)`)

// parsePNPMLock reads pnpm-lock.yaml: the "packages" (and v9 "snapshots")
// keys, "/name@version" or "/name/version" (peer suffixes dropped).
func parsePNPMLock(data []byte, c *collector) error {
	root, err := yamlRoot(data)
	if err != nil {
		return fmt.Errorf("parse pnpm-lock.yaml: %w", err)
	}
	pkgs := mapValue(root, "packages")
	if pkgs == nil || pkgs.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(pkgs.Content); i += 2 {
		k := pkgs.Content[i]
		if m := pnpmKeyRe.FindStringSubmatch(k.Value); m != nil {
			c.add(Item{Kind: observation.NPM, Value: m[1], Version: m[2], Line: k.Line, Column: k.Column})
		}
	}
	return nil
}

// parsePubspec reads pubspec.yaml: dependencies, dev_dependencies and
// dependency_overrides, with the constraint when it is a plain string.
func parsePubspec(data []byte, c *collector) error {
	root, err := yamlRoot(data)
	if err != nil {
		return fmt.Errorf("parse pubspec.yaml: %w", err)
	}
	for _, sec := range []string{"dependencies", "dev_dependencies", "dependency_overrides"} {
		deps := mapValue(root, sec)
		if deps == nil || deps.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(deps.Content); i += 2 {
			k, v := deps.Content[i], deps.Content[i+1]
			ver := ""
			if v.Kind == yaml.ScalarNode {
				ver = v.Value
			} else if vv := mapValue(v, "version"); vv != nil && vv.Kind == yaml.ScalarNode {
				ver = vv.Value
			}
			c.add(Item{Kind: observation.Pub, Value: k.Value, Version: ver, Line: k.Line, Column: k.Column})
		}
	}
	return nil
}

// parsePubspecLock reads pubspec.lock: every package and its resolved version.
func parsePubspecLock(data []byte, c *collector) error {
	root, err := yamlRoot(data)
	if err != nil {
		return fmt.Errorf("parse pubspec.lock: %w", err)
	}
	pkgs := mapValue(root, "packages")
	if pkgs == nil || pkgs.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(pkgs.Content); i += 2 {
		k, v := pkgs.Content[i], pkgs.Content[i+1]
		ver := ""
		if vv := mapValue(v, "version"); vv != nil && vv.Kind == yaml.ScalarNode {
			ver = vv.Value
		}
		c.add(Item{Kind: observation.Pub, Value: k.Value, Version: ver, Line: k.Line, Column: k.Column})
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
