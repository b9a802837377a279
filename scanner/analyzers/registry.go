// Package analyzers registers every analyzer sdkvet runs, in one place.
package analyzers

import (
	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/analyzers/android"
	"github.com/sdkvet/sdkvet/scanner/analyzers/ios"
	"github.com/sdkvet/sdkvet/scanner/analyzers/nativelib"
	"github.com/sdkvet/sdkvet/scanner/analyzers/textstrings"
)

// Default returns the registry of all analyzers.
func Default() *analyze.Registry {
	return analyze.NewRegistry(
		[]analyze.FileAnalyzer{
			android.DEX,
			android.ResourceStrings,
			nativelib.ELF,
			ios.MachO,
			textstrings.Analyzer,
		},
		[]analyze.PackageAnalyzer{
			android.Manifest,
			android.Signature,
			android.Entries,
			ios.Bundles,
		},
	)
}
