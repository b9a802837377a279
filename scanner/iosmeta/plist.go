package iosmeta

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"howett.net/plist"
)

// Limits on the property lists and the facts the package returns.
const (
	// MaxPlistSize caps a property list, and a provisioning profile.
	MaxPlistSize = 8 << 20
	// MaxListItems caps every list of strings a Parse function returns.
	MaxListItems = 10_000
	// MaxStringLen caps every string a Parse function returns, in bytes.
	// A longer string is cut at a rune boundary when the cut would split a
	// valid rune, and exactly at MaxStringLen otherwise.
	MaxStringLen = 4096
)

// Limits on the values a property list decodes to, checked before
// howett.net/plist decodes it. Its parsers recurse once per nesting level
// without a bound, its binary parser checks for cycles in time linear in the
// depth, and it expands a binary property list's shared objects into a tree,
// so that a few kilobytes referring to one array from every slot of another,
// level after level, would decode to billions of values.
const (
	maxPlistDepth      = 128     // nesting of arrays and dictionaries
	maxPlistValues     = 1 << 20 // values of the decoded tree, and binary objects
	maxPlistContainers = 1 << 16 // arrays and dictionaries of the decoded tree
)

var (
	// ErrMalformed is wrapped by every error that reports input which
	// does not follow the property list, CMS or ASN.1 format, or whose
	// top-level value is not a dictionary.
	ErrMalformed = errors.New("malformed input")
	// ErrLimit is wrapped by every error that reports input exceeding one
	// of the package's limits (size, nesting, number of values).
	ErrLimit = errors.New("limit exceeded")
)

// malformed returns an error wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// limit returns an error wrapping ErrLimit.
func limit(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrLimit}, args...)...)
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// decodeDict decodes an XML or binary property list whose top-level value
// is a dictionary. OpenStep and GNUstep text property lists are refused:
// iOS does not use them, and howett.net/plist parses them recursively
// without a bound on nesting.
func decodeDict(data []byte) (map[string]any, error) {
	if len(data) == 0 {
		return nil, malformed("empty property list")
	}
	if len(data) > MaxPlistSize {
		return nil, limit("property list is %d bytes, more than %d", len(data), MaxPlistSize)
	}
	if bytes.HasPrefix(data, []byte("bplist")) {
		if err := checkBinaryPlist(data); err != nil {
			return nil, err
		}
	} else {
		// encoding/xml does not skip a byte order mark; with one, the
		// property list decoder would fall back to the text formats.
		data = bytes.TrimPrefix(data, utf8BOM)
		body := bytes.TrimLeft(data, " \t\r\n")
		if len(body) == 0 || body[0] != '<' {
			return nil, malformed("neither an XML nor a binary property list")
		}
		// Any text format fallback howett.net/plist takes from here reads
		// a single <hex data> value, which is not a dictionary.
		if err := checkXMLPlist(data); err != nil {
			return nil, err
		}
	}
	v, err := unmarshal(data)
	if err != nil {
		return nil, err
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, malformed("top-level value is %s, not a dictionary", typeName(v))
	}
	return dict, nil
}

// unmarshal runs howett.net/plist, turning its panics into errors: it
// re-raises runtime errors (an index out of range on a crafted binary
// property list) and panics on a non-error value.
func unmarshal(data []byte) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, malformed("property list: decoder failed: %v", r)
		}
	}()
	if _, err := plist.Unmarshal(data, &v); err != nil {
		return nil, malformed("property list: %v", err)
	}
	return v, nil
}

// typeName names the type of a decoded property list value for errors.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case []any:
		return "an array"
	case string:
		return "a string"
	case []byte:
		return "data"
	case bool:
		return "a boolean"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// checkXMLPlist bounds the nesting and the number of elements of the first
// element of an XML document and everything in it, which is all
// howett.net/plist reads. It reads tokens with encoding/xml as the plist
// decoder does, without recursion.
func checkXMLPlist(data []byte) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	depth, elements, containers := 0, 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return malformed("XML property list: no complete element")
			}
			return malformed("XML property list: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			elements++
			if t.Name.Local == "dict" || t.Name.Local == "array" {
				containers++
			}
			switch {
			case depth > maxPlistDepth:
				return limit("XML property list nested deeper than %d", maxPlistDepth)
			case elements > maxPlistValues:
				return limit("XML property list has more than %d elements", maxPlistValues)
			case containers > maxPlistContainers:
				return limit("XML property list has more than %d arrays and dictionaries", maxPlistContainers)
			}
		case xml.EndElement:
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
}

// bplist is a binary property list ("bplist00") being checked.
type bplist struct {
	b        []byte
	offSize  int    // bytes of an offset table entry
	refSize  int    // bytes of an object reference
	nObjects uint64 // entries of the offset table
	table    uint64 // offset of the offset table, the end of the objects
}

// readBE reads an n-byte big-endian unsigned integer at off, n ≤ 8, which
// the caller has checked lies in p.b.
func (p *bplist) readBE(off uint64, n int) uint64 {
	var v uint64
	for _, c := range p.b[off : off+uint64(n)] {
		v = v<<8 | uint64(c)
	}
	return v
}

// count returns the count of the object at off, as howett.net/plist
// reads it: the tag's low nibble or, when it is 0xF, the integer object
// that follows the tag; and where the object's contents start.
func (p *bplist) count(off uint64) (cnt, start uint64, err error) {
	cnt = uint64(p.b[off] & 0x0f)
	if cnt != 0x0f {
		return cnt, off + 1, nil
	}
	n := uint64(1) << (p.b[off+1] & 0x0f)
	if n > 8 && n != 16 {
		return 0, 0, malformed("binary property list: object at %#x has a %d-byte count", off, n)
	}
	start = off + 2 + n
	if start > p.table {
		return 0, 0, malformed("binary property list: object at %#x runs into the offset table", off)
	}
	if n == 16 {
		// The low 64 bits of a 128-bit integer.
		return p.readBE(off+2+8, 8), start, nil
	}
	return p.readBE(off+2, int(n)), start, nil
}

// Kinds of binary property list objects for checkBinaryPlist.
const (
	bpLeaf = iota
	bpArray
	bpDict
)

// object returns the kind of object idx and, for arrays and dictionaries,
// where its object references start and how many there are.
func (p *bplist) object(idx uint64) (kind int, refs, n uint64, err error) {
	off := p.readBE(p.table+idx*uint64(p.offSize), p.offSize)
	if off < 8 || off >= p.table {
		return 0, 0, 0, malformed("binary property list: object %d at %#x is outside the object area", idx, off)
	}
	tag := p.b[off]
	switch tag & 0xf0 {
	case 0x00: // false, true; null and fill are not supported
		if tag != 0x08 && tag != 0x09 {
			return 0, 0, 0, malformed("binary property list: unsupported object %#02x at %#x", tag, off)
		}
		return bpLeaf, 0, 0, nil
	case 0x10, 0x20, 0x30, 0x80: // integer, real, date, UID
		return bpLeaf, 0, 0, nil
	case 0x40, 0x50, 0x60: // data, ASCII string, UTF-16 string
		cnt, start, err := p.count(off)
		if err != nil {
			return 0, 0, 0, err
		}
		unit := uint64(1)
		if tag&0xf0 == 0x60 {
			unit = 2
		}
		if cnt > (p.table-start)/unit {
			return 0, 0, 0, malformed("binary property list: object at %#x runs into the offset table", off)
		}
		return bpLeaf, 0, 0, nil
	case 0xa0, 0xd0: // array, dictionary (keys then values)
		cnt, start, err := p.count(off)
		if err != nil {
			return 0, 0, 0, err
		}
		per := uint64(p.refSize)
		kind := bpArray
		if tag&0xf0 == 0xd0 {
			per *= 2
			kind = bpDict
		}
		if cnt > (p.table-start)/per {
			return 0, 0, 0, malformed("binary property list: container at %#x runs into the offset table", off)
		}
		if kind == bpDict {
			cnt *= 2
		}
		return kind, start, cnt, nil
	}
	return 0, 0, 0, malformed("binary property list: unsupported object %#02x at %#x", tag, off)
}

// checkBinaryPlist checks the trailer and offset table of a binary
// property list as howett.net/plist does, and walks the objects reachable
// from the top object, without recursion, to bound the tree they decode to:
// its depth, its number of values and of containers, with every shared
// object counted once per reference, as the decoder expands it. It refuses
// cycles, which the decoder also refuses, and objects that run past their
// area, on which the decoder may allocate without bound.
func checkBinaryPlist(b []byte) error {
	if len(b) < 40 {
		return malformed("binary property list: %d bytes, too short", len(b))
	}
	tr := b[len(b)-32:]
	p := &bplist{
		b:        b,
		offSize:  int(tr[6]),
		refSize:  int(tr[7]),
		nObjects: binary.BigEndian.Uint64(tr[8:]),
		table:    binary.BigEndian.Uint64(tr[24:]),
	}
	top := binary.BigEndian.Uint64(tr[16:])
	end := uint64(len(b) - 32)
	switch {
	case p.offSize < 1 || p.offSize > 8 || p.refSize < 1 || p.refSize > 8:
		return malformed("binary property list: offset size %d, reference size %d", p.offSize, p.refSize)
	case p.table < 9 || p.table >= end:
		return malformed("binary property list: offset table at %#x", p.table)
	case p.nObjects == 0 || p.nObjects > maxPlistValues:
		if p.nObjects > maxPlistValues && p.nObjects <= end {
			return limit("binary property list has %d objects, more than %d", p.nObjects, maxPlistValues)
		}
		return malformed("binary property list: %d objects", p.nObjects)
	case p.table+p.nObjects*uint64(p.offSize) != end:
		return malformed("binary property list: offset table does not end at the trailer")
	case top >= p.nObjects:
		return malformed("binary property list: top object %d of %d", top, p.nObjects)
	}

	const (
		unseen = iota
		open
		done
	)
	type frame struct {
		idx, refs, n, next uint64
		values, containers uint32 // of the expanded tree, capped
	}
	state := make([]uint8, p.nObjects)
	values := make([]uint32, p.nObjects) // of done containers
	containers := make([]uint32, p.nObjects)
	var stack []frame
	refs := 0 // references followed: each adds at least one value to the tree

	// add counts a done child into the frame on top of the stack.
	add := func(v, c uint32) error {
		f := &stack[len(stack)-1]
		f.values = min(f.values+v, maxPlistValues+1)
		f.containers = min(f.containers+c, maxPlistContainers+1)
		if f.values > maxPlistValues {
			return limit("binary property list decodes to more than %d values", maxPlistValues)
		}
		if f.containers > maxPlistContainers {
			return limit("binary property list decodes to more than %d arrays and dictionaries", maxPlistContainers)
		}
		return nil
	}
	// enter starts object idx: a leaf is done at once, a container is
	// pushed.
	enter := func(idx uint64) (leaf bool, err error) {
		kind, r, n, err := p.object(idx)
		if err != nil {
			return false, err
		}
		if kind == bpLeaf {
			state[idx] = done
			values[idx] = 1
			return true, nil
		}
		if len(stack) == maxPlistDepth {
			return false, limit("binary property list nested deeper than %d", maxPlistDepth)
		}
		state[idx] = open
		stack = append(stack, frame{idx: idx, refs: r, n: n, values: 1, containers: 1})
		return false, nil
	}

	if _, err := enter(top); err != nil {
		return err
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next == f.n {
			values[f.idx], containers[f.idx] = f.values, f.containers
			state[f.idx] = done
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				if err := add(values[f.idx], containers[f.idx]); err != nil {
					return err
				}
			}
			continue
		}
		child := p.readBE(f.refs+f.next*uint64(p.refSize), p.refSize)
		f.next++
		if refs++; refs > maxPlistValues {
			return limit("binary property list decodes to more than %d values", maxPlistValues)
		}
		if child >= p.nObjects {
			return malformed("binary property list: reference to object %d of %d", child, p.nObjects)
		}
		switch state[child] {
		case open:
			return malformed("binary property list: object %d contains itself", child)
		case done:
			if err := add(values[child], containers[child]); err != nil {
				return err
			}
		default:
			leaf, err := enter(child)
			if err != nil {
				return err
			}
			if leaf {
				if err := add(1, 0); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// capString cuts s to MaxStringLen bytes, or to the start of the valid
// rune that the cut would split.
func capString(s string) string {
	if len(s) <= MaxStringLen {
		return s
	}
	cut := MaxStringLen
	for j := cut - 1; j > cut-utf8.UTFMax; j-- {
		if utf8.RuneStart(s[j]) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if (r != utf8.RuneError || size > 1) && j+size > cut {
				cut = j
			}
			break
		}
	}
	return s[:cut]
}

// str returns v as a capped string, if it is one.
func str(v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	return capString(s), true
}

// strOf returns dict[key] as a capped string, or "" if it is not a string.
func strOf(dict map[string]any, key string) string {
	s, _ := str(dict[key])
	return s
}

// strList returns the strings of the array v, capped, skipping values of
// other types, up to MaxListItems in all in *out.
func strList(out *[]string, v any) {
	arr, _ := v.([]any)
	for _, e := range arr {
		if len(*out) >= MaxListItems {
			return
		}
		if s, ok := str(e); ok {
			*out = append(*out, s)
		}
	}
}

// strListOf returns dict[key] as a list of strings.
func strListOf(dict map[string]any, key string) []string {
	var out []string
	strList(&out, dict[key])
	return out
}

// dictList returns the dictionaries of the array v, skipping other values.
func dictList(v any) []map[string]any {
	arr, _ := v.([]any)
	var out []map[string]any
	for _, e := range arr {
		if d, ok := e.(map[string]any); ok {
			out = append(out, d)
		}
	}
	return out
}

// lowerKeys returns the keys of the dictionary v lower-cased (Unicode
// lower case for valid UTF-8, ASCII lower case otherwise, so that invalid
// bytes are kept), capped, without duplicates, sorted, up to MaxListItems.
func lowerKeys(v any) []string {
	dict, _ := v.(map[string]any)
	if len(dict) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(dict))
	out := make([]string, 0, min(len(dict), MaxListItems))
	for k := range dict {
		if len(k) > 4*MaxStringLen {
			k = k[:4*MaxStringLen]
		}
		if utf8.ValidString(k) {
			k = strings.ToLower(k)
		} else {
			k = asciiLower(k)
		}
		k = capString(k)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	if len(out) > MaxListItems {
		out = out[:MaxListItems]
	}
	return out
}

// asciiLower lower-cases the ASCII letters of s and keeps every other byte.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
