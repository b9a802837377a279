// Package extractcodec encodes a scanner.Extract in the compact binary form
// the vetting service stores: a path table, one record per observation and
// zstd compression. Decoding is bounded and treats its input as hostile, so
// a damaged row yields an error, never a panic or an unbounded allocation.
package extractcodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/report"
)

// magic starts every encoded extract; the last byte is the format version.
var magic = [4]byte{'S', 'V', 'X', 1}

// MaxDecoded bounds the decompressed size of one extract.
const MaxDecoded = 512 << 20

var (
	encOnce sync.Once
	enc     *zstd.Encoder
	dec     *zstd.Decoder
)

func codecs() (*zstd.Encoder, *zstd.Decoder) {
	encOnce.Do(func() {
		var err error
		// EncodeAll and DecodeAll are safe for concurrent use.
		enc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
		if err != nil {
			panic(err)
		}
		dec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxDecoded), zstd.WithDecoderMaxWindow(64<<20))
		if err != nil {
			panic(err)
		}
	})
	return enc, dec
}

// Encode returns the stored form of e.
func Encode(e *scanner.Extract) []byte {
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(e.Path)
	str(e.Kind)
	str(e.SHA256)
	b = binary.AppendVarint(b, e.Size)

	// Tables of the values that repeat: paths and kinds.
	paths := map[string]uint64{}
	var pathList []string
	kinds := map[observation.Kind]uint64{}
	var kindList []observation.Kind
	for _, o := range e.Observations {
		if _, ok := paths[o.Path]; !ok {
			paths[o.Path] = uint64(len(pathList))
			pathList = append(pathList, o.Path)
		}
		if _, ok := kinds[o.Kind]; !ok {
			kinds[o.Kind] = uint64(len(kindList))
			kindList = append(kindList, o.Kind)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(pathList)))
	for _, p := range pathList {
		str(p)
	}
	b = binary.AppendUvarint(b, uint64(len(kindList)))
	for _, k := range kindList {
		str(string(k))
	}
	b = binary.AppendUvarint(b, uint64(len(e.Observations)))
	for _, o := range e.Observations {
		b = binary.AppendUvarint(b, kinds[o.Kind])
		b = binary.AppendUvarint(b, paths[o.Path])
		str(o.Value)
		str(o.Detail)
		b = binary.AppendVarint(b, o.Offset)
		b = binary.AppendUvarint(b, uint64(max(o.Line, 0)))
	}
	b = binary.AppendUvarint(b, uint64(len(e.Errors)))
	for _, er := range e.Errors {
		str(er.Path)
		str(er.Error)
	}
	en, _ := codecs()
	out := append([]byte(nil), magic[:]...)
	return en.EncodeAll(b, out)
}

// ErrFormat reports stored bytes that are not an encoded extract.
var ErrFormat = errors.New("not a stored extract")

// Decode reads an extract written by Encode.
func Decode(data []byte) (*scanner.Extract, error) {
	if len(data) < len(magic) || [4]byte(data[:4]) != magic {
		return nil, ErrFormat
	}
	_, de := codecs()
	raw, err := de.DecodeAll(data[4:], nil)
	if err != nil {
		return nil, fmt.Errorf("decode extract: %w", err)
	}
	if len(raw) > MaxDecoded {
		return nil, fmt.Errorf("decode extract: %d bytes exceeds %d", len(raw), MaxDecoded)
	}
	r := reader{b: raw}
	e := &scanner.Extract{}
	e.Path, e.Kind, e.SHA256 = r.str(), r.str(), r.str()
	e.Size = r.varint()
	pathList := make([]string, r.count(1))
	for i := range pathList {
		pathList[i] = r.str()
	}
	kindList := make([]observation.Kind, r.count(1))
	for i := range kindList {
		kindList[i] = observation.Kind(r.str())
	}
	// An observation takes at least 6 bytes.
	e.Observations = make([]observation.Observation, r.count(6))
	for i := range e.Observations {
		o := &e.Observations[i]
		ki, pi := r.uvarint(), r.uvarint()
		if r.err == nil && (ki >= uint64(len(kindList)) || pi >= uint64(len(pathList))) {
			r.err = fmt.Errorf("observation %d: table index out of range", i)
		}
		if r.err != nil {
			break
		}
		o.Kind, o.Path = kindList[ki], pathList[pi]
		o.Value, o.Detail = r.str(), r.str()
		o.Offset = r.varint()
		line := r.uvarint()
		if line > 1<<31 {
			r.fail("line out of range")
		}
		o.Line = int(line)
	}
	e.Errors = make([]report.Error, r.count(2))
	for i := range e.Errors {
		e.Errors[i] = report.Error{Path: r.str(), Error: r.str()}
	}
	if r.err == nil && r.off != len(r.b) {
		r.fail("trailing bytes")
	}
	if r.err != nil {
		return nil, fmt.Errorf("decode extract: %w", r.err)
	}
	return e, nil
}

// reader reads varints and strings, recording the first error.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("%s at byte %d", msg, r.off)
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.off += n
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.off += n
	return v
}

// count reads an element count and checks it against the bytes left, each
// element taking at least min bytes.
func (r *reader) count(min int) int {
	n := r.uvarint()
	if r.err != nil {
		return 0
	}
	if n > uint64(len(r.b)-r.off)/uint64(min) {
		r.fail("count exceeds the data")
		return 0
	}
	return int(n)
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail("string exceeds the data")
		return ""
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s
}
