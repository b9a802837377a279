// Package walk presents a file, a folder, or archives inside archives as one
// virtual tree, and hands each entry that some analyzer wants to that
// analyzer. Nothing from an archive is ever written to disk. Every limit on
// hostile input (inflated bytes, compression ratio, nesting depth, entry
// count, entry size, wall time) is enforced here, once.
package walk

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Limits bound the work and memory spent on one target.
type Limits struct {
	MaxDepth     int           // archives nested inside archives
	MaxEntries   int           // entries in one archive
	MaxEntrySize int64         // inflated bytes of one entry
	MaxTotal     int64         // inflated bytes of the whole target
	MaxRatio     int64         // inflated:compressed ratio of one entry (above 1 MiB)
	MaxTime      time.Duration // wall time for one target
	// IncludeGenerated makes a source-tree scan descend into folders of
	// generated output (build/, .gradle/, DerivedData/, .git/, ...), which
	// are skipped by default, and reads every file of installed npm
	// dependencies (node_modules), of which only package manifests and
	// native binaries are read by default.
	IncludeGenerated bool
}

// DefaultLimits are generous for real packages and refuse bombs quickly.
func DefaultLimits() Limits {
	return Limits{
		MaxDepth:     4,
		MaxEntries:   100_000,
		MaxEntrySize: 512 << 20,
		MaxTotal:     4 << 30,
		MaxRatio:     200,
		MaxTime:      5 * time.Minute,
	}
}

// ErrLimit is wrapped by every error that reports an exceeded limit.
var ErrLimit = errors.New("limit exceeded")

func limitErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrLimit, fmt.Sprintf(format, a...))
}

// budget counts inflated bytes for one target.
type budget struct {
	max  int64
	used atomic.Int64
}

func (b *budget) take(n int64) error {
	if b.used.Add(n) > b.max {
		return limitErr("more than %d inflated bytes in this target (--max-total)", b.max)
	}
	return nil
}
