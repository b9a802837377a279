package macho

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// A slice is sent to a child with its machine code left out: the request
// is packMagic, the slice's full size, the number of holes, each hole's
// offset and length, then the bytes outside the holes in order. The child
// rebuilds a buffer of the full size in which the holes read as zeros
// (pages it never touches cost nothing).
var packMagic = []byte("sdkvet-macho-holes\x00")

// minHole is the smallest section worth leaving out.
const minHole = 64 << 10

// codeRanges returns the slice-relative ranges of __TEXT,__text sections
// large enough to leave out.
func (s *sliceLayout) codeRanges() [][2]int64 {
	var out [][2]int64
	for _, sc := range s.sections {
		if sc.seg == "__TEXT" && sc.name == "__text" && sc.size >= minHole && sc.off >= 0 && sc.off+sc.size <= s.size {
			out = append(out, [2]int64{sc.off, sc.off + sc.size})
		}
	}
	return mergeRanges(out)
}

// packSlice encodes b without the given sorted, disjoint ranges; it returns
// b itself when there is nothing to leave out.
func packSlice(b []byte, holes [][2]int64) []byte {
	if len(holes) == 0 {
		return b
	}
	var skipped int64
	for _, h := range holes {
		skipped += h[1] - h[0]
	}
	out := make([]byte, 0, int64(len(packMagic))+12+16*int64(len(holes))+int64(len(b))-skipped)
	out = append(out, packMagic...)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(b)))
	out = binary.LittleEndian.AppendUint32(out, uint32(len(holes)))
	for _, h := range holes {
		out = binary.LittleEndian.AppendUint64(out, uint64(h[0]))
		out = binary.LittleEndian.AppendUint64(out, uint64(h[1]-h[0]))
	}
	var at int64
	for _, h := range holes {
		out = append(out, b[at:h[0]]...)
		at = h[1]
	}
	return append(out, b[at:]...)
}

// unpackSlice reverses packSlice; input without the magic is returned as is.
func unpackSlice(in []byte) ([]byte, error) {
	if !bytes.HasPrefix(in, packMagic) {
		return in, nil
	}
	p := in[len(packMagic):]
	if len(p) < 12 {
		return nil, errors.New("packed slice: truncated header")
	}
	total := binary.LittleEndian.Uint64(p)
	n := uint64(binary.LittleEndian.Uint32(p[8:]))
	p = p[12:]
	if n*16 > uint64(len(p)) || total > 1<<34 {
		return nil, errors.New("packed slice: bad header")
	}
	out := make([]byte, total)
	var at uint64
	body := p[n*16:]
	for i := uint64(0); i < n; i++ {
		off := binary.LittleEndian.Uint64(p[i*16:])
		size := binary.LittleEndian.Uint64(p[i*16+8:])
		if off < at || off > total || size > total-off || off-at > uint64(len(body)) {
			return nil, fmt.Errorf("packed slice: hole %d out of order or range", i)
		}
		copy(out[at:off], body[:off-at])
		body = body[off-at:]
		at = off + size
	}
	if uint64(len(body)) != total-at {
		return nil, errors.New("packed slice: length mismatch")
	}
	copy(out[at:], body)
	return out, nil
}
