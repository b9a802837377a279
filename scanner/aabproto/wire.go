// Package aabproto decodes the protobuf encodings that aapt2 writes into an
// Android App Bundle: the manifest (base/manifest/AndroidManifest.xml, an
// aapt.pb.XmlNode) and the resource table (base/resources.pb, an
// aapt.pb.ResourceTable).
//
// The messages are read field by field with protowire; no generated code is
// used. Field numbers follow the proto3 schema in AOSP
// frameworks/base/tools/aapt2/Resources.proto (checked against
// aosp-mirror/platform_frameworks_base at commit
// a9a19d7ebbbc1ebde3b1d8a9fd4f5728905fb4dd), which is the schema bundletool
// and every aapt2 that can build a bundle write. The older proto2 draft of that
// file numbers Entry, Value and Primitive differently and is not supported.
//
// Every input is treated as hostile: lengths are only ever taken from
// protowire, which bounds them by the buffer; nesting and the number of
// decoded nodes are capped; malformed input yields an error wrapping
// ErrMalformed or ErrLimit, never a panic.
package aabproto

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// ErrMalformed is wrapped by every error reporting input that is not valid
// protobuf, or that uses a known field with the wrong wire type.
var ErrMalformed = errors.New("aabproto: malformed protobuf")

// ErrLimit is wrapped by every error reporting input that exceeds one of the
// decoder's limits (nesting depth, node count).
var ErrLimit = errors.New("aabproto: limit exceeded")

// span is a slice of the input together with the offset of its first byte in
// the whole input, so that errors and Element.Offset can name a position.
type span struct {
	b   []byte
	off int
}

// field is one decoded field of a message.
type field struct {
	num protowire.Number
	typ protowire.Type
	v   uint64 // value of a varint, fixed32 or fixed64 field
	b   span   // value of a length-delimited field
	off int    // offset of the field's tag in the whole input
	end int    // offset just past the field's value in the whole input
}

// walkFields calls fn for every field of the message in p, in order, and stops
// at the first error. Groups (unused by aapt2) are skipped by protowire, which
// bounds their nesting.
//
// A singular message field that occurs several times is, in protobuf, the merge
// of all its occurrences. Callers get that by folding every occurrence into the
// same state as they meet it, rather than by collecting the occurrences, so
// that a hostile repetition costs no memory.
func walkFields(msg string, p span, fn func(f *field) error) error {
	b := p.b
	pos := 0
	for pos < len(b) {
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return malformed(msg, p.off+pos, "bad tag: %v", protowire.ParseError(n))
		}
		f := field{num: num, typ: typ, off: p.off + pos}
		pos += n
		rest := b[pos:]
		switch typ {
		case protowire.VarintType:
			f.v, n = protowire.ConsumeVarint(rest)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(rest)
			f.v = uint64(v)
		case protowire.Fixed64Type:
			f.v, n = protowire.ConsumeFixed64(rest)
		case protowire.BytesType:
			var v []byte
			v, n = protowire.ConsumeBytes(rest)
			if n >= 0 {
				f.b = span{b: v, off: p.off + pos + n - len(v)}
			}
		default:
			n = protowire.ConsumeFieldValue(num, typ, rest)
		}
		if n < 0 {
			return malformed(msg, f.off, "field %d: %v", num, protowire.ParseError(n))
		}
		pos += n
		f.end = p.off + pos
		if err := fn(&f); err != nil {
			return err
		}
	}
	return nil
}

// expect reports an error unless f has wire type want.
func expect(msg, name string, f *field, want protowire.Type) error {
	if f.typ == want {
		return nil
	}
	return malformed(msg, f.off, "field %d (%s): wire type %s, want %s",
		f.num, name, typeName(f.typ), typeName(want))
}

func typeName(t protowire.Type) string {
	switch t {
	case protowire.VarintType:
		return "varint"
	case protowire.Fixed32Type:
		return "fixed32"
	case protowire.Fixed64Type:
		return "fixed64"
	case protowire.BytesType:
		return "bytes"
	case protowire.StartGroupType:
		return "start-group"
	case protowire.EndGroupType:
		return "end-group"
	}
	return fmt.Sprintf("%d", t)
}

func malformed(msg string, off int, format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d: %s", ErrMalformed, msg, off, fmt.Sprintf(format, args...))
}

// eachString calls fn with field 1 of the message in p, as a string, for each
// occurrence of that field. It serves String, RawString, StyledString and
// FileReference, whose text is field 1 in each.
func eachString(msg string, p span, fn func(s []byte) error) error {
	return walkFields(msg, p, func(f *field) error {
		if f.num != 1 {
			return nil
		}
		if err := expect(msg, "value", f, protowire.BytesType); err != nil {
			return err
		}
		return fn(f.b.b)
	})
}
