// Package textstrings finds printable strings in text and binary files
// (JavaScript bundles, Hermes bytecode, configuration files, unknown
// assets) and hands them to the string scanners, streaming so that a large
// file costs little memory.
package textstrings

import (
	"context"
	"io"
	"sync"
	"unsafe"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/filekind"
)

// MinRun is the shortest printable run reported: shorter runs cannot hold a host.
const MinRun = 6

// MaxRun caps one reported run; longer runs are split.
const MaxRun = 4096

// Analyzer streams text-like and unknown binary files.
var Analyzer = analyze.FileAnalyzer{
	Name:  "strings",
	Kinds: []filekind.Kind{filekind.Text, filekind.Binary, filekind.Hermes, filekind.Plist},
	Stream: func(ctx context.Context, f *analyze.File, r io.Reader, out analyze.Out) error {
		return Stream(ctx, r, func(s string, off int64) { out.String(f.Path, s, off) })
	},
}

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

const chunkSize = 256 << 10

// Stream reads r in chunks and calls fn for each printable ASCII run of at
// least MinRun bytes, with its offset in the stream.
// The string passed to fn is valid only during the call.
func Stream(ctx context.Context, r io.Reader, fn func(s string, off int64)) error {
	bp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(bp)
	buf := *bp
	var carry []byte
	var base int64 // stream offset of buf[0] (including carry)
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		n, err := io.ReadFull(r, buf[len(carry):])
		copy(buf, carry)
		data := buf[:len(carry)+n]
		last := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !last {
			return err
		}
		// Keep an unfinished run at the end for the next chunk.
		cut := len(data)
		if !last {
			for cut > 0 && printable(data[cut-1]) && len(data)-cut < MaxRun {
				cut--
			}
			if cut == 0 {
				cut = len(data)
			}
		}
		Runs(data[:cut], base, fn)
		carry = append(carry[:0], data[cut:]...)
		base += int64(cut)
		if last {
			return nil
		}
	}
}

func printable(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' }

// Runs calls fn for every printable run of at least MinRun bytes in data;
// base is the offset of data[0]. The string passed to fn views data without
// a copy and is valid only during the call.
func Runs(data []byte, base int64, fn func(s string, off int64)) {
	start := -1
	flush := func(end int) {
		for start >= 0 && end-start >= MinRun {
			stop := min(end, start+MaxRun)
			fn(unsafe.String(&data[start], stop-start), base+int64(start))
			start = stop
		}
		start = -1
	}
	for i, c := range data {
		if printable(c) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			flush(i)
		}
	}
	if start >= 0 {
		flush(len(data))
	}
}
