//go:build !cgo

package source

import (
	"context"

	"github.com/sdkvet/sdkvet/scanner/sourcetree"
)

// Grammars reports whether this build parses code with tree-sitter.
const Grammars = false

// parseTree: without cgo there are no tree-sitter grammars. The caller
// reports the file as not read; build manifests, Objective-C and Dart are
// still read.
func parseTree(_ context.Context, _ sourcetree.Language, _ []byte, _ *emitter) error {
	return ErrNeedsCgo
}
