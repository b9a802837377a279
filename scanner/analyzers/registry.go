// Package analyzers registers every analyzer sdkvet runs, in one place.
package analyzers

import (
	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/analyzers/android"
	"github.com/sdkvet/sdkvet/scanner/analyzers/ios"
	"github.com/sdkvet/sdkvet/scanner/analyzers/nativelib"
	"github.com/sdkvet/sdkvet/scanner/analyzers/project"
	"github.com/sdkvet/sdkvet/scanner/analyzers/textstrings"
)

// Options tune the analyzers.
type Options struct {
	// SourceKeywords, when set, is the pre-filter of source files: a file
	// is parsed only when it contains one of them (match.Matcher.Keywords
	// lists them for a signature database). Empty: every file is parsed.
	SourceKeywords []string
}

// Default returns the registry of all analyzers, parsing every source file.
func Default() *analyze.Registry { return New(Options{}) }

// New returns the registry of all analyzers.
func New(opts Options) *analyze.Registry {
	return analyze.NewRegistry(
		[]analyze.FileAnalyzer{
			android.DEX,
			android.ResourceStrings,
			nativelib.ELF,
			ios.MachO,
			textstrings.Analyzer,
			project.Code(project.NewPrefilter(opts.SourceKeywords)),
			project.BuildManifests,
		},
		[]analyze.PackageAnalyzer{
			android.Manifest,
			android.Signature,
			android.Entries,
			ios.Bundles,
		},
	)
}
