// Package buildfile reads the build manifests and lockfiles of app source
// trees — Gradle scripts (Groovy and Kotlin DSL), version catalogs, Maven
// POMs, Podfile, Podfile.lock and podspecs, Package.swift and Package.resolved,
// Cartfiles, package.json and npm / yarn / pnpm lockfiles, pubspec.yaml and
// pubspec.lock — and lists the dependencies, plugins and repositories they
// declare, with the line that declares each and the version a lockfile
// resolved. Each format has its proper parser: TOML, XML, JSON and YAML
// libraries for data formats, a lexer for the Groovy, Kotlin, Swift and
// Ruby build DSLs. Nothing here knows of vendors.
package buildfile

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/sourcetree"
	"github.com/sdkvet/sdkvet/scanner/tokens"
)

// Item is one thing a manifest declares.
type Item struct {
	Kind observation.Kind // Gradle, MavenRepo, CocoaPod, SPM, Carthage, NPM or Pub
	// Value is the dependency's name (group:artifact, pod, package) or the
	// repository URL.
	Value string
	// Version is the version asked for or resolved, when the file states one.
	Version string
	// Line and Column (1-based) locate the declaration; 0 when unknown.
	Line, Column int
}

// MaxItems bounds the items read from one file.
const MaxItems = 50_000

// ErrTooMany is returned with the first MaxItems items of a file that
// declares more.
var ErrTooMany = fmt.Errorf("more than %d dependencies declared", MaxItems)

// Parse reads a manifest of kind m. It returns what it could read even
// when it also returns an error.
func Parse(m sourcetree.Manifest, data []byte) ([]Item, error) {
	var c collector
	var err error
	switch m {
	case sourcetree.Gradle:
		parseGradle(data, false, &c)
	case sourcetree.GradleKotlin:
		parseGradle(data, true, &c)
	case sourcetree.VersionCatalog:
		err = parseCatalog(data, &c)
	case sourcetree.Maven:
		err = parsePOM(data, &c)
	case sourcetree.Podfile:
		parsePodfile(data, false, &c)
	case sourcetree.Podspec:
		parsePodfile(data, true, &c)
	case sourcetree.PodfileLock:
		err = parsePodfileLock(data, &c)
	case sourcetree.PackageSwift:
		parsePackageSwift(data, &c)
	case sourcetree.PackageResolved:
		err = parsePackageResolved(data, &c)
	case sourcetree.Cartfile:
		parseCartfile(data, &c)
	case sourcetree.PackageJSON:
		err = parsePackageJSON(data, &c)
	case sourcetree.NPMLock:
		err = parseNPMLock(data, &c)
	case sourcetree.YarnLock:
		parseYarnLock(data, &c)
	case sourcetree.PNPMLock:
		err = parsePNPMLock(data, &c)
	case sourcetree.Pubspec:
		err = parsePubspec(data, &c)
	case sourcetree.PubspecLock:
		err = parsePubspecLock(data, &c)
	default:
		return nil, fmt.Errorf("no parser for %q manifests", m)
	}
	if c.full {
		err = errors.Join(err, ErrTooMany)
	}
	return c.items, err
}

// collector gathers items up to MaxItems.
type collector struct {
	items []Item
	full  bool
}

func (c *collector) add(it Item) {
	if it.Value == "" {
		return
	}
	if len(c.items) >= MaxItems {
		c.full = true
		return
	}
	c.items = append(c.items, it)
}

// lines maps byte offsets of a manifest to line and column.
type lines struct {
	data []byte
	*tokens.Lines
}

func newLines(data []byte) *lines {
	return &lines{data: data, Lines: tokens.NewLines(data)}
}

// find returns the position of the first occurrence of needle at or after
// offset from, and the offset just past it, or ok=false.
func (l *lines) find(needle string, from int) (line, col, next int, ok bool) {
	if from < 0 || from > len(l.data) || needle == "" {
		return 0, 0, from, false
	}
	i := bytes.Index(l.data[from:], []byte(needle))
	if i < 0 {
		return 0, 0, from, false
	}
	line, col = l.At(from + i)
	return line, col, from + i + len(needle), true
}

// jsonKeys indexes the offsets of every JSON object key (a string followed
// by ':') by its raw text, quotes included, in one pass over data.
func jsonKeys(data []byte) map[string][]int {
	idx := map[string][]int{}
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(data) && data[j] != '"' {
			if data[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(data) {
			break
		}
		k := j + 1
		for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\n' || data[k] == '\r') {
			k++
		}
		if k < len(data) && data[k] == ':' {
			key := string(data[i : j+1])
			if len(idx[key]) < 16 {
				idx[key] = append(idx[key], i)
			}
		}
		i = j
	}
	return idx
}

// keyAt returns the position of the first occurrence of key (raw JSON,
// quotes included) at or after offset from, or zeros.
func (l *lines) keyAt(keys map[string][]int, key string, from int) (line, col int) {
	for _, off := range keys[key] {
		if off >= from {
			return l.At(off)
		}
	}
	return 0, 0
}
