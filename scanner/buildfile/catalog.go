package buildfile

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/sdkvet/sdkvet/scanner/observation"
)

// parseCatalog reads a Gradle version catalog (gradle/libs.versions.toml):
// [libraries] and [plugins], with versions resolved through [versions].
// Each entry is reported at the line of its alias.
func parseCatalog(data []byte, c *collector) error {
	var cat struct {
		Versions  map[string]any `toml:"versions"`
		Libraries map[string]any `toml:"libraries"`
		Plugins   map[string]any `toml:"plugins"`
	}
	if err := toml.Unmarshal(data, &cat); err != nil {
		return fmt.Errorf("parse version catalog: %w", err)
	}
	ln := newLines(data)
	version := func(v any) string {
		switch v := v.(type) {
		case string:
			return v
		case map[string]any:
			if r, ok := v["ref"].(string); ok {
				return versionRef(cat.Versions, r)
			}
			for _, k := range []string{"strictly", "require", "prefer"} {
				if s, ok := v[k].(string); ok {
					return s
				}
			}
		}
		return ""
	}
	entryVersion := func(m map[string]any) string {
		if v, ok := m["version"]; ok {
			return version(v)
		}
		if r, ok := m["version.ref"].(string); ok { // only when quoted as one key
			return versionRef(cat.Versions, r)
		}
		return ""
	}
	for _, alias := range sortedKeys(cat.Libraries) {
		var value, ver string
		switch v := cat.Libraries[alias].(type) {
		case string:
			if m := coordRe.FindStringSubmatch(v); m != nil {
				value, ver = m[1]+":"+m[2], m[3]
			}
		case map[string]any:
			if mod, ok := v["module"].(string); ok {
				value = mod
			} else if g, ok := v["group"].(string); ok {
				if n, ok := v["name"].(string); ok {
					value = g + ":" + n
				}
			}
			ver = entryVersion(v)
		}
		if value == "" || !coordRe.MatchString(value) {
			continue
		}
		line, col := aliasLine(ln, "libraries", alias)
		c.add(Item{Kind: observation.Gradle, Value: value, Version: ver, Line: line, Column: col})
	}
	for _, alias := range sortedKeys(cat.Plugins) {
		var id, ver string
		switch v := cat.Plugins[alias].(type) {
		case string:
			id, ver, _ = strings.Cut(v, ":")
		case map[string]any:
			id, _ = v["id"].(string)
			ver = entryVersion(v)
		}
		if !pluginIDRe.MatchString(id) {
			continue
		}
		line, col := aliasLine(ln, "plugins", alias)
		c.add(Item{Kind: observation.Gradle, Value: id + ":" + id + ".gradle.plugin", Version: ver, Line: line, Column: col})
	}
	return nil
}

func versionRef(versions map[string]any, ref string) string {
	switch v := versions[ref].(type) {
	case string:
		return v
	case map[string]any:
		for _, k := range []string{"strictly", "require", "prefer"} {
			if s, ok := v[k].(string); ok {
				return s
			}
		}
	}
	return ""
}

var tableRe = regexp.MustCompile(`(?m)^[ \t]*\[[ \t]*([A-Za-z0-9_.\-"]+)[ \t]*\][ \t]*(?:#.*)?$`)

// aliasLine finds the line of key alias inside table [table], or 0.
func aliasLine(ln *lines, table, alias string) (int, int) {
	locs := tableRe.FindAllSubmatchIndex(ln.data, -1)
	for i, loc := range locs {
		if strings.Trim(string(ln.data[loc[2]:loc[3]]), `"`) != table {
			continue
		}
		end := len(ln.data)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		keyRe := regexp.MustCompile(`(?m)^[ \t]*"?` + regexp.QuoteMeta(alias) + `"?[ \t]*=`)
		if k := keyRe.FindIndex(ln.data[loc[1]:end]); k != nil {
			off := loc[1] + k[0]
			for off < len(ln.data) && (ln.data[off] == ' ' || ln.data[off] == '\t' || ln.data[off] == '\n' || ln.data[off] == '\r') {
				off++
			}
			return ln.At(off)
		}
	}
	return 0, 0
}
