// Package project holds the analyzers of app source trees: Code reads
// source files (see package source) and BuildManifests reads build
// manifests and lockfiles (see package buildfile), AndroidManifest.xml in
// text form and Info.plist in source form. The walker hands them the files
// of a source-tree target by name and sniffed content.
package project

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	ahocorasick "github.com/BobuSumisu/aho-corasick"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/buildfile"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/iosmeta"
	"github.com/sdkvet/sdkvet/scanner/manifest"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/source"
	"github.com/sdkvet/sdkvet/scanner/sourcetree"
)

// MaxManifest is the largest build manifest or lockfile read.
const MaxManifest = 64 << 20

// Prefilter is a cheap test run on a source file's bytes before it is
// parsed: an Aho-Corasick automaton over keywords that any file able to
// produce a match must contain (the signature database's hosts, package
// prefixes, class, module and package names).
type Prefilter struct {
	trie *ahocorasick.Trie
}

// NewPrefilter builds a pre-filter over keywords; nil when there are none.
func NewPrefilter(keywords []string) *Prefilter {
	if len(keywords) == 0 {
		return nil
	}
	return &Prefilter{trie: ahocorasick.NewTrieBuilder().AddStrings(keywords).Build()}
}

// Match reports whether data contains any keyword. A nil Prefilter
// matches everything.
func (p *Prefilter) Match(data []byte) bool {
	if p == nil {
		return true
	}
	found := false
	p.trie.Walk(data, func(end, n, pattern int64) bool {
		found = true
		return false
	})
	return found
}

// Code returns the analyzer of source files. With a non-nil filter, a
// file is parsed only when the filter matches its bytes. In test code
// (see sourcetree.IsTestPath) string literals are not evidence: tests
// name hosts and packages to check the app against them; imports and
// references still are.
func Code(filter *Prefilter) analyze.FileAnalyzer {
	return analyze.FileAnalyzer{
		Name:  "source",
		Kinds: []filekind.Kind{filekind.SourceCode},
		Bytes: func(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
			lang := sourcetree.LanguageOf(f.Name)
			if lang == sourcetree.NoLanguage || !filter.Match(data) {
				return nil
			}
			test := sourcetree.IsTestPath(f.Name)
			return source.Extract(ctx, lang, data, func(o observation.Observation) {
				if test && source.FromLiteral(o) {
					return
				}
				o.Path = f.Path
				out.Observe(o)
			})
		},
	}
}

// BuildManifests is the analyzer of build manifests and lockfiles.
var BuildManifests = analyze.FileAnalyzer{
	Name:  "build-manifest",
	Kinds: []filekind.Kind{filekind.BuildManifest},
	Bytes: func(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
		if len(data) > MaxManifest {
			return fmt.Errorf("%d bytes is more than the %d-byte limit for a build manifest", len(data), MaxManifest)
		}
		switch m := sourcetree.ManifestOf(f.Name); m {
		case sourcetree.NoManifest:
			return nil
		case sourcetree.AndroidManifest:
			return androidManifest(f.Path, data, out)
		case sourcetree.InfoPlist:
			return infoPlist(f.Path, data, out)
		default:
			items, err := buildfile.Parse(m, data)
			for _, it := range items {
				out.Observe(observation.Observation{Kind: it.Kind, Value: it.Value, Detail: it.Version,
					Path: f.Path, Offset: -1, Line: it.Line, Column: it.Column})
			}
			return err
		}
	},
}

// androidManifest reads an AndroidManifest.xml in text form, as a source
// tree holds it, with the manifest package's extractor.
func androidManifest(path string, data []byte, out analyze.Out) error {
	root, err := manifest.ParseXML(data)
	if err != nil {
		return fmt.Errorf("parse AndroidManifest.xml: %w", err)
	}
	manifest.Extract(root, path, observation.SinkFunc(func(o observation.Observation) {
		if o.Line == 0 {
			o.Line, o.Column = locate(data, o.Value)
		}
		out.Observe(o)
	}))
	return nil
}

// infoPlist reads an Info.plist in source form: the URL schemes an app
// registers and queries, and its App Transport Security exception domains.
// Build-setting placeholders such as $(PRODUCT_BUNDLE_IDENTIFIER) are not
// values and are skipped.
func infoPlist(path string, data []byte, out analyze.Out) error {
	info, err := iosmeta.ParseInfo(data)
	if err != nil {
		return fmt.Errorf("parse Info.plist: %w", err)
	}
	emit := func(k observation.Kind, v, detail string) {
		if v == "" || strings.Contains(v, "$(") || strings.Contains(v, "${") {
			return
		}
		line, col := locate(data, v)
		out.Observe(observation.Observation{Kind: k, Value: v, Detail: detail, Path: path, Offset: -1, Line: line, Column: col})
	}
	for _, s := range info.URLSchemes {
		emit(observation.URLScheme, s, "")
	}
	for _, s := range info.QueriedSchemes {
		emit(observation.QueriedScheme, s, "")
	}
	for _, d := range info.ATSExceptionDomains {
		emit(observation.Domain, strings.TrimPrefix(strings.ToLower(d), "*."), "NSAppTransportSecurity exception")
	}
	return nil
}

// locate returns the line and column of the first occurrence of v in
// data, or zeros.
func locate(data []byte, v string) (int, int) {
	i := bytes.Index(data, []byte(v))
	if i < 0 || v == "" {
		return 0, 0
	}
	line := 1 + bytes.Count(data[:i], []byte("\n"))
	return line, i - (bytes.LastIndexByte(data[:i], '\n') + 1) + 1
}
