// Package dex is a small, strict reader for Android DEX files. It reads the
// string table and the type table, and which types a file defines, which is
// what a scanner looking for embedded SDKs needs; it does not read code.
//
// Every input is treated as hostile. Parse checks the header and the bounds
// of every table it knows of (string_ids, type_ids, proto_ids, field_ids,
// method_ids, class_defs, the map_list, the link and data sections) against
// the data before anything is read from them, using 64-bit arithmetic so
// that no size or offset can overflow, and it never allocates memory in
// proportion to a count that has not been checked against the length of the
// data. Malformed input gives an error wrapping ErrNotDex, ErrUnsupported or
// ErrFormat; it never panics (FuzzParse exercises this). Work is linear in
// the size of the data: Strings and Types stop with an error when string
// data items are shared or overlap so much that one pass would decode more
// bytes than the data holds (up to 16 times that for a 041 container,
// whose logical files may share string data).
//
// Parse does not do everything ART's verifier does: it does not check the
// checksum or signature, the sort order of strings and types, the alignment
// of sections, or anything about code. It checks what is needed to read
// strings and types safely and correctly.
//
// # Versions and the 041 container
//
// Versions 035, 037, 038, 039 and 040 hold one dex file. 036 was never a
// valid version (ART rejects it) and is rejected here too.
//
// Version 041 is a container: several logical dex files are concatenated,
// each starting with a 0x78-byte header whose two extra fields are
// container_size (the size of the whole container) and header_offset (where
// this header starts). In each header file_size is the size of that logical
// file, so the headers are found by walking file_size from offset 0 until
// container_size is reached; data_size and data_off are unused. Every
// header must agree on container_size and give its own position as
// header_offset.
//
// Per the AOSP dex format document and ART's libdexfile, offsets in a 041
// header and the tables it points to are relative to the start of the whole
// container, not to the logical file's header, so that logical files can
// share data: string data may be anywhere in the container. This package
// additionally requires a section's own tables (the id tables, class_defs
// and the map_list) to lie inside that section, which keeps Parse linear on
// a container of many sections. That is how offsets are read first. As
// this is easy to get wrong for a writer, when a later section's tables do
// not fit under that reading but do fit when read relative to the
// section's own header (and within the section), the section is read that
// way instead. For the first section (header_offset 0) both readings are
// the same.
package dex

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Errors returned by Parse, Strings and Types wrap one of these, so callers
// can tell them apart with errors.Is.
var (
	// ErrNotDex means the data does not start with the DEX magic "dex\n".
	ErrNotDex = errors.New("dex: not a DEX file")
	// ErrUnsupported means the data is a DEX file this package does not
	// read: an unknown version, or big-endian byte order.
	ErrUnsupported = errors.New("dex: unsupported DEX file")
	// ErrFormat means the data is malformed: truncated, with a size or
	// offset out of range, an index out of range, or bad string data.
	ErrFormat = errors.New("dex: malformed DEX file")
)

// Header field offsets and constants from the DEX format.
const (
	offFileSize      = 0x20
	offHeaderSize    = 0x24
	offEndianTag     = 0x28
	offLinkSize      = 0x2c
	offLinkOff       = 0x30
	offMapOff        = 0x34
	offStringIDsSize = 0x38
	offStringIDsOff  = 0x3c
	offTypeIDsSize   = 0x40
	offTypeIDsOff    = 0x44
	offProtoIDsSize  = 0x48
	offProtoIDsOff   = 0x4c
	offFieldIDsSize  = 0x50
	offFieldIDsOff   = 0x54
	offMethodIDsSize = 0x58
	offMethodIDsOff  = 0x5c
	offClassDefsSize = 0x60
	offClassDefsOff  = 0x64
	offDataSize      = 0x68
	offDataOff       = 0x6c
	offContainerSize = 0x70 // v41
	offHeaderOffset  = 0x74 // v41

	headerSize    = 0x70
	headerSizeV41 = 0x78

	endianConstant        = 0x12345678
	reverseEndianConstant = 0x78563412

	maxTypeIDs  = 65535 // "at most 65535" for type_ids and proto_ids
	maxProtoIDs = 65535
)

var le = binary.LittleEndian

// File is a parsed DEX file. It refers to the data given to Parse, which
// must not be modified while the File is in use. A File is safe for
// concurrent use by several goroutines.
type File struct {
	data     []byte
	version  string
	sections []section
	nStrings int
	nTypes   int
}

// section is one logical dex file: the whole file for versions up to 040,
// one entry of the container for 041. All offsets are absolute positions
// in File.data, already checked.
type section struct {
	hdr       uint64 // position of the header
	base      uint64 // added to every offset read from this section
	limit     uint64 // end of the data this section may refer to
	stringIDs uint64
	nStrings  uint32
	typeIDs   uint64
	nTypes    uint32
	defined   []uint64 // bit set, indexed by type index
}

func errf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// Parse checks data as a DEX file and returns it. It reads no more than the
// header, the map_list, type_ids and class_defs; strings are decoded by
// Strings and Types.
//
// When the file_size (or, for version 041, container_size) in the header is
// smaller than data, the bytes after it are ignored; when it is larger, the
// file is truncated and Parse returns an error.
func Parse(data []byte) (*File, error) {
	if len(data) < 4 || string(data[:4]) != "dex\n" {
		return nil, ErrNotDex
	}
	if len(data) < 8 {
		return nil, errf("truncated header: %d bytes", len(data))
	}
	if data[7] != 0 || !isDigit(data[4]) || !isDigit(data[5]) || !isDigit(data[6]) {
		return nil, fmt.Errorf("%w: bad version bytes %q in magic", ErrUnsupported, data[4:8])
	}
	v := string(data[4:7])
	switch v {
	case "035", "037", "038", "039", "040", "041":
	default:
		return nil, fmt.Errorf("%w: version %s", ErrUnsupported, v)
	}
	f := &File{data: data, version: v}
	var err error
	if v == "041" {
		err = f.parseContainer()
	} else {
		err = f.parseSingle()
	}
	if err != nil {
		return nil, err
	}
	for i := range f.sections {
		f.nStrings += int(f.sections[i].nStrings)
		f.nTypes += int(f.sections[i].nTypes)
	}
	return f, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// checkEndian reports a clear error for big-endian or garbage endian tags.
func checkEndian(data []byte, h uint64) error {
	switch tag := le.Uint32(data[h+offEndianTag:]); tag {
	case endianConstant:
		return nil
	case reverseEndianConstant:
		return fmt.Errorf("%w: big-endian DEX (endian_tag 0x%08x at 0x%x) is not supported", ErrUnsupported, tag, h+offEndianTag)
	default:
		return errf("invalid endian_tag 0x%08x at 0x%x (want 0x%08x)", tag, h+offEndianTag, endianConstant)
	}
}

func (f *File) parseSingle() error {
	data := f.data
	if len(data) < headerSize {
		return errf("truncated header: %d bytes, need %d", len(data), headerSize)
	}
	if err := checkEndian(data, 0); err != nil {
		return err
	}
	if hs := le.Uint32(data[offHeaderSize:]); hs != headerSize {
		return errf("header_size 0x%x, want 0x%x for version %s", hs, headerSize, f.version)
	}
	fs := uint64(le.Uint32(data[offFileSize:]))
	if fs > uint64(len(data)) {
		return errf("file_size %d exceeds data length %d (truncated file?)", fs, len(data))
	}
	if fs < headerSize {
		return errf("file_size %d is smaller than the header", fs)
	}
	f.data = data[:fs]
	s, err := f.parseSection(0, 0, fs, fs, headerSize, false)
	if err != nil {
		return errf("%v", err)
	}
	f.sections = []section{s}
	return nil
}

func (f *File) parseContainer() error {
	data := f.data
	if len(data) < headerSizeV41 {
		return errf("truncated header: %d bytes, need %d", len(data), headerSizeV41)
	}
	if err := checkEndian(data, 0); err != nil {
		return err
	}
	if ho := le.Uint32(data[offHeaderOffset:]); ho != 0 {
		return errf("header_offset of the first header is 0x%x, want 0", ho)
	}
	cs := uint64(le.Uint32(data[offContainerSize:]))
	if cs > uint64(len(data)) {
		return errf("container_size %d exceeds data length %d (truncated file?)", cs, len(data))
	}
	if cs < headerSizeV41 {
		return errf("container_size %d is smaller than a header", cs)
	}
	data = data[:cs]
	f.data = data
	for h := uint64(0); h < cs; {
		if cs-h < headerSizeV41 {
			return errf("truncated header of section at 0x%x: %d bytes left, need %d", h, cs-h, headerSizeV41)
		}
		if string(data[h:h+8]) != string(data[:8]) {
			return errf("section at 0x%x has magic %q, want %q", h, data[h:h+8], data[:8])
		}
		if err := checkEndian(data, h); err != nil {
			return err
		}
		if hs := le.Uint32(data[h+offHeaderSize:]); hs != headerSizeV41 {
			return errf("section at 0x%x: header_size 0x%x, want 0x%x for version 041", h, hs, headerSizeV41)
		}
		if ho := uint64(le.Uint32(data[h+offHeaderOffset:])); ho != h {
			return errf("section at 0x%x: header_offset is 0x%x", h, ho)
		}
		if c := uint64(le.Uint32(data[h+offContainerSize:])); c != cs {
			return errf("section at 0x%x: container_size %d differs from the first header's %d", h, c, cs)
		}
		fs := uint64(le.Uint32(data[h+offFileSize:]))
		if fs < headerSizeV41 || fs > cs-h {
			return errf("section at 0x%x: file_size %d out of range (container_size %d)", h, fs, cs)
		}
		// Offsets relative to the container (AOSP), else relative to
		// this section's header (see the package documentation).
		s, err := f.parseSection(h, 0, h+fs, cs, headerSizeV41, true)
		if err != nil && h > 0 {
			if s2, err2 := f.parseSection(h, h, h+fs, h+fs, headerSizeV41, true); err2 == nil {
				s, err = s2, nil
			}
		}
		if err != nil {
			return errf("section at 0x%x: %v", h, err)
		}
		f.sections = append(f.sections, s)
		h += fs
	}
	return nil
}

// parseSection checks the tables of the header at h, with offsets taken
// relative to base. The header's own tables (the id tables, class_defs and
// the map_list) must end by tableLimit, the end of the logical file; other
// data it refers to (string data, link data) by limit (tableLimit <= limit
// <= len(f.data)). Keeping the tables of each section inside it makes the
// work and memory of Parse linear in the size of the data even for a
// container of many sections. Its errors are wrapped by the caller.
func (f *File) parseSection(h, base, tableLimit, limit, hsize uint64, v41 bool) (section, error) {
	d := f.data
	u32 := func(o uint64) uint32 { return le.Uint32(d[h+o:]) }
	hdrEnd := h + hsize
	s := section{hdr: h, base: base, limit: limit}

	// table checks that count items of itemSize bytes at offset off fit
	// in [hdrEnd, end) and returns their absolute position.
	table := func(name string, count uint32, off, itemSize, limit uint64) (uint64, error) {
		if count == 0 {
			return 0, nil
		}
		start := base + off
		if start < hdrEnd {
			return 0, fmt.Errorf("%s_off 0x%x points into or before the header", name, off)
		}
		if end := start + uint64(count)*itemSize; end > limit {
			what := "the data"
			if limit == tableLimit && tableLimit != f.dataEnd() {
				what = "its section"
			}
			return 0, fmt.Errorf("%s (%d items of %d bytes at 0x%x) extends past the end of %s (0x%x)",
				name, count, itemSize, start, what, limit)
		}
		return start, nil
	}

	var err error
	s.nStrings = u32(offStringIDsSize)
	if s.stringIDs, err = table("string_ids", s.nStrings, uint64(u32(offStringIDsOff)), 4, tableLimit); err != nil {
		return s, err
	}
	s.nTypes = u32(offTypeIDsSize)
	if s.nTypes > maxTypeIDs {
		return s, fmt.Errorf("type_ids_size %d exceeds %d", s.nTypes, maxTypeIDs)
	}
	if s.typeIDs, err = table("type_ids", s.nTypes, uint64(u32(offTypeIDsOff)), 4, tableLimit); err != nil {
		return s, err
	}
	if n := u32(offProtoIDsSize); n > maxProtoIDs {
		return s, fmt.Errorf("proto_ids_size %d exceeds %d", n, maxProtoIDs)
	}
	if _, err = table("proto_ids", u32(offProtoIDsSize), uint64(u32(offProtoIDsOff)), 12, tableLimit); err != nil {
		return s, err
	}
	if _, err = table("field_ids", u32(offFieldIDsSize), uint64(u32(offFieldIDsOff)), 8, tableLimit); err != nil {
		return s, err
	}
	if _, err = table("method_ids", u32(offMethodIDsSize), uint64(u32(offMethodIDsOff)), 8, tableLimit); err != nil {
		return s, err
	}
	nClasses := u32(offClassDefsSize)
	classDefs, err := table("class_defs", nClasses, uint64(u32(offClassDefsOff)), 32, tableLimit)
	if err != nil {
		return s, err
	}
	if _, err = table("link", u32(offLinkSize), uint64(u32(offLinkOff)), 1, limit); err != nil {
		return s, err
	}
	if !v41 { // data_size and data_off are unused from version 041
		if _, err = table("data", u32(offDataSize), uint64(u32(offDataOff)), 1, limit); err != nil {
			return s, err
		}
	}

	// map_list: must be present; a uint count then 12-byte map_items.
	mapOff := u32(offMapOff)
	if mapOff == 0 {
		return s, errors.New("map_off is 0")
	}
	if m := base + uint64(mapOff); m < hdrEnd || m > tableLimit || tableLimit-m < 4 {
		return s, fmt.Errorf("map_off 0x%x out of range", mapOff)
	}
	mapStart := base + uint64(mapOff)
	nItems := le.Uint32(d[mapStart:])
	if _, err = table("map_list", nItems, uint64(mapOff)+4, 12, tableLimit); err != nil {
		return s, err
	}
	for i := uint64(0); i < uint64(nItems); i++ {
		item := mapStart + 4 + 12*i
		if off := base + uint64(le.Uint32(d[item+8:])); off > limit {
			return s, fmt.Errorf("map_list item %d (type 0x%04x) has offset 0x%x past the end of the data",
				i, le.Uint16(d[item:]), off)
		}
	}

	// Indices: every type descriptor must name a string, every class_def
	// a type. The bit set is bounded by maxTypeIDs.
	for i := uint64(0); i < uint64(s.nTypes); i++ {
		if idx := le.Uint32(d[s.typeIDs+4*i:]); idx >= s.nStrings {
			return s, fmt.Errorf("type_id %d: descriptor_idx %d out of range (%d strings)", i, idx, s.nStrings)
		}
	}
	s.defined = make([]uint64, (uint64(s.nTypes)+63)/64)
	for i := uint64(0); i < uint64(nClasses); i++ {
		idx := le.Uint32(d[classDefs+32*i:])
		if idx >= s.nTypes {
			return s, fmt.Errorf("class_def %d: class_idx %d out of range (%d types)", i, idx, s.nTypes)
		}
		s.defined[idx/64] |= 1 << (idx % 64)
	}
	return s, nil
}

// dataEnd is the end of all the data the File reads.
func (f *File) dataEnd() uint64 { return uint64(len(f.data)) }

// Version returns the three-digit DEX version, such as "035" or "041".
func (f *File) Version() string { return f.version }

// NumStrings returns the number of entries in the string tables of all
// sections.
func (f *File) NumStrings() int { return f.nStrings }

// NumTypes returns the number of entries in the type tables of all
// sections, of any kind (classes, arrays and primitives).
func (f *File) NumTypes() int { return f.nTypes }

// where names an item for error messages, with its section when the file
// is a container of several.
func (f *File) where(si int, kind string, i uint32) string {
	if len(f.sections) > 1 {
		return fmt.Sprintf("section %d (at 0x%x) %s %d", si, f.sections[si].hdr, kind, i)
	}
	return fmt.Sprintf("%s %d", kind, i)
}

// Strings calls fn for every entry of the string table, in table order
// (section after section for a 041 container), with the string converted
// from MUTF-8 to UTF-8 and the file offset of its string_data_item (the
// string_data_off of the string, made absolute). Decoding follows the DEX
// rules: U+0000 is written as 0xC0 0x80 and becomes a NUL byte; a
// surrogate pair written as two 3-byte sequences becomes one 4-byte UTF-8
// sequence; an unpaired surrogate, which valid DEX may hold but UTF-8
// cannot, becomes U+FFFD. The resulting strings are always valid UTF-8.
//
// Iteration stops when fn returns false. A malformed entry (offset out of
// range, bad uleb128 length, bad MUTF-8, length mismatch or missing
// terminator) stops it with an error wrapping ErrFormat that names the
// string and its offset.
func (f *File) Strings(fn func(s string, off int64) bool) error {
	return f.StringBytes(func(b []byte, off int64) bool { return fn(string(b), off) })
}

// StringBytes is Strings without a copy: b is valid only during the call
// to fn (it may point into the file or into a reused decode buffer). It is
// for callers that keep little of what they see.
func (f *File) StringBytes(fn func(b []byte, off int64) bool) error {
	var buf []byte
	budget := f.decodeBudget()
	for si := range f.sections {
		s := &f.sections[si]
		for i := uint32(0); i < s.nStrings; i++ {
			rel := le.Uint32(f.data[s.stringIDs+4*uint64(i):])
			b, off, end, err := f.stringData(s, rel, &buf)
			if err == nil {
				err = budget.spend(end - off)
			}
			if err != nil {
				return errf("%s at 0x%x: %v", f.where(si, "string", i), off, err)
			}
			if !fn(b, int64(off)) {
				return nil
			}
		}
	}
	return nil
}

// Types calls fn for every type_id whose descriptor is a class type, or an
// array of one, in table order (section after section for a 041
// container). The name is the class in Java form: "Lcom/foo/Bar$Inner;"
// and "[[Lcom/foo/Bar$Inner;" both give "com.foo.Bar$Inner". Primitive
// types and arrays of them are skipped. defined reports whether the type
// is defined by a class_def of the same section, and off is the file
// offset of the descriptor's string_data_item. Names are not deduplicated.
//
// Iteration stops when fn returns false. A malformed descriptor string or
// an invalid descriptor stops it with an error wrapping ErrFormat.
func (f *File) Types(fn func(name string, defined bool, off int64) bool) error {
	return f.TypeBytes(func(name []byte, defined bool, off int64) bool { return fn(string(name), defined, off) })
}

// TypeBytes is Types without a copy: name is valid only during the call to
// fn.
func (f *File) TypeBytes(fn func(name []byte, defined bool, off int64) bool) error {
	var buf, name []byte
	budget := f.decodeBudget()
	for si := range f.sections {
		s := &f.sections[si]
		for t := uint32(0); t < s.nTypes; t++ {
			sidx := le.Uint32(f.data[s.typeIDs+4*uint64(t):]) // checked by Parse
			rel := le.Uint32(f.data[s.stringIDs+4*uint64(sidx):])
			desc, off, end, err := f.stringData(s, rel, &buf)
			if err == nil {
				err = budget.spend(end - off)
			}
			if err != nil {
				return errf("%s (string %d) at 0x%x: %v", f.where(si, "type", t), sidx, off, err)
			}
			var ok bool
			name, ok, err = javaName(name[:0], desc)
			if err != nil {
				return errf("%s (string %d) at 0x%x: %v", f.where(si, "type", t), sidx, off, err)
			}
			if !ok {
				continue
			}
			if !fn(name, s.defined[t/64]&(1<<(t%64)) != 0, int64(off)) {
				return nil
			}
		}
	}
	return nil
}

// maxSharing bounds how many times, on average, Strings and Types may
// decode each byte of the data. In a valid DEX file string_data_items do
// not overlap and every string_ids entry (and every type_ids entry) names a
// different one, so one pass over a single dex file never decodes more
// bytes than the file holds; logical files of a 041 container may share
// string data, so a container is allowed up to maxSharing passes. Without
// the bound, a hostile file pointing many entries at one huge string would
// cost time quadratic in its size.
const maxSharing = 16

// budget counts the string data bytes left to decode in one iteration.
type budget struct{ left, total uint64 }

func (f *File) decodeBudget() budget {
	n := uint64(len(f.data)) * uint64(min(len(f.sections), maxSharing))
	return budget{n, n}
}

func (b *budget) spend(n uint64) error {
	if n > b.left {
		return fmt.Errorf("string data items shared or overlapping: more than %d bytes of string data decoded in all", b.total)
	}
	b.left -= n
	return nil
}

// javaName appends the Java name of the class in descriptor desc to dst.
// ok is false, with no error, for primitive types and arrays of them.
func javaName(dst, desc []byte) (_ []byte, ok bool, _ error) {
	k := 0
	for k < len(desc) && desc[k] == '[' {
		k++
	}
	if k == len(desc) {
		return dst, false, fmt.Errorf("invalid type descriptor %q", desc)
	}
	elem := desc[k:]
	switch elem[0] {
	case 'Z', 'B', 'S', 'C', 'I', 'J', 'F', 'D':
		if len(elem) == 1 {
			return dst, false, nil
		}
	case 'V':
		if len(elem) == 1 && k == 0 {
			return dst, false, nil
		}
	case 'L':
		if len(elem) >= 3 && elem[len(elem)-1] == ';' {
			start := len(dst)
			dst = append(dst, elem[1:len(elem)-1]...)
			segStart := true // at the start of a package or class name
			for i := start; i < len(dst); i++ {
				switch nameByte[dst[i]] {
				case nameOK:
					segStart = false
				case nameSep:
					if segStart {
						return dst[:start], false, fmt.Errorf("invalid type descriptor %q: empty name segment", desc)
					}
					dst[i] = '.'
					segStart = true
				default:
					return dst[:start], false, fmt.Errorf("invalid type descriptor %q: bad character %q", desc, dst[i])
				}
			}
			if segStart {
				return dst[:start], false, fmt.Errorf("invalid type descriptor %q: empty name segment", desc)
			}
			return dst, true, nil
		}
	}
	return dst, false, fmt.Errorf("invalid type descriptor %q", desc)
}

// Classes of bytes in the class name part of a descriptor.
const (
	nameOK  = iota // part of a name
	nameSep        // '/', the package separator
	nameBad        // not allowed: '.', ';', '[', ASCII control characters
)

var nameByte = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = nameBad
	}
	t[0x7f] = nameBad
	t['.'], t[';'], t['['] = nameBad, nameBad, nameBad
	t['/'] = nameSep
	return t
}()

// stringData decodes the string_data_item at section offset rel. The
// result is valid UTF-8; it aliases f.data (pure ASCII) or *buf, and is
// only valid until the next call. off is the absolute offset of the item
// and end the offset just past its terminating NUL.
func (f *File) stringData(s *section, rel uint32, buf *[]byte) (_ []byte, off, end uint64, _ error) {
	off = s.base + uint64(rel)
	if off >= s.limit {
		return nil, off, 0, fmt.Errorf("string_data_off 0x%x past the end of the data (0x%x)", rel, s.limit)
	}
	d := f.data[:s.limit]
	p := off

	// uleb128 utf16_size: at most 5 bytes, at most 32 bits.
	var n uint64
	for shift := 0; ; shift += 7 {
		if p >= uint64(len(d)) {
			return nil, off, 0, errors.New("truncated uleb128 length")
		}
		c := d[p]
		p++
		if shift == 28 && c > 0x0f {
			return nil, off, 0, errors.New("uleb128 length longer than 32 bits")
		}
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}

	// Fast path: n ASCII bytes, none NUL, then the terminator.
	if rest := uint64(len(d)) - p; n < rest && d[p+n] == 0 && asciiNoNUL(d[p:p+n]) {
		return d[p : p+n], off, p + n + 1, nil
	}

	// General MUTF-8: exactly n UTF-16 code units, then a NUL.
	b := (*buf)[:0]
	for i := uint64(0); i < n; i++ {
		if p >= uint64(len(d)) {
			return nil, off, 0, fmt.Errorf("truncated string data (%d of %d UTF-16 units)", i, n)
		}
		c := d[p]
		switch {
		case c == 0:
			return nil, off, 0, fmt.Errorf("NUL at 0x%x after %d of %d UTF-16 units", p, i, n)
		case c < 0x80:
			b = append(b, c)
			p++
		case c < 0xc0 || c >= 0xf0:
			return nil, off, 0, fmt.Errorf("invalid MUTF-8 byte 0x%02x at 0x%x", c, p)
		case c < 0xe0:
			if uint64(len(d))-p < 2 || d[p+1]&0xc0 != 0x80 {
				return nil, off, 0, fmt.Errorf("bad MUTF-8 sequence at 0x%x", p)
			}
			v := rune(c&0x1f)<<6 | rune(d[p+1]&0x3f)
			if v != 0 && v < 0x80 {
				return nil, off, 0, fmt.Errorf("overlong MUTF-8 sequence at 0x%x", p)
			}
			b = utf8.AppendRune(b, v) // v == 0 appends a NUL byte
			p += 2
		default: // 3-byte sequence
			v, ok := three(d, p)
			if !ok {
				return nil, off, 0, fmt.Errorf("bad MUTF-8 sequence at 0x%x", p)
			}
			if v < 0x800 {
				return nil, off, 0, fmt.Errorf("overlong MUTF-8 sequence at 0x%x", p)
			}
			p += 3
			if v >= 0xd800 && v <= 0xdbff && i+1 < n {
				// High surrogate: pair it with a following low one.
				if lo, ok := three(d, p); ok && lo >= 0xdc00 && lo <= 0xdfff {
					v = 0x10000 + (v-0xd800)<<10 + (lo - 0xdc00)
					p += 3
					i++
				}
			}
			if v >= 0xd800 && v <= 0xdfff {
				v = utf8.RuneError // unpaired surrogate
			}
			b = utf8.AppendRune(b, v)
		}
	}
	*buf = b
	if p >= uint64(len(d)) || d[p] != 0 {
		return nil, off, 0, fmt.Errorf("string not NUL-terminated after %d UTF-16 units (at 0x%x)", n, p)
	}
	return b, off, p + 1, nil
}

// three decodes the 3-byte MUTF-8 sequence at d[p:].
func three(d []byte, p uint64) (rune, bool) {
	if uint64(len(d))-p < 3 || d[p]&0xf0 != 0xe0 || d[p+1]&0xc0 != 0x80 || d[p+2]&0xc0 != 0x80 {
		return 0, false
	}
	return rune(d[p]&0x0f)<<12 | rune(d[p+1]&0x3f)<<6 | rune(d[p+2]&0x3f), true
}

// asciiNoNUL reports whether every byte of b is in 0x01..0x7f, eight bytes
// at a time.
func asciiNoNUL(b []byte) bool {
	const hi = 0x8080808080808080
	const lo = 0x0101010101010101
	for len(b) >= 8 {
		w := le.Uint64(b)
		if w&hi != 0 || (w-lo)&^w&hi != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c-1 >= 0x7f {
			return false
		}
	}
	return true
}
