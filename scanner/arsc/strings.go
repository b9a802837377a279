// Package arsc reads the global string pool of Android compiled resources
// (resources.arsc) and binary XML files. Endpoints hide in these strings.
// The reader checks every offset and length before use; it is the
// in-process companion of the sandboxed resource-table parser.
package arsc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

const (
	typeStringPool = 0x0001
	typeTable      = 0x0002
	typeXML        = 0x0003
	utf8Flag       = 1 << 8
)

// MaxStrings bounds the number of strings read from one pool.
const MaxStrings = 4_000_000

// Strings calls fn for every string of the first string pool in a resource
// table or binary XML file, with the file offset of its data. It stops early
// when fn returns false.
func Strings(data []byte, fn func(s string, off int64) bool) error {
	if len(data) < 8 {
		return errors.New("arsc: file shorter than a chunk header")
	}
	typ := binary.LittleEndian.Uint16(data)
	hdr := int(binary.LittleEndian.Uint16(data[2:]))
	if typ != typeTable && typ != typeXML {
		return fmt.Errorf("arsc: chunk type 0x%04x is not a resource table or binary XML", typ)
	}
	if hdr < 8 || hdr > len(data) {
		return fmt.Errorf("arsc: header size %d out of range", hdr)
	}
	// Find the first string pool among the top-level chunks.
	end := int(min(uint64(binary.LittleEndian.Uint32(data[4:])), uint64(len(data))))
	for off := hdr; off+8 <= end; {
		ctype := binary.LittleEndian.Uint16(data[off:])
		csize := binary.LittleEndian.Uint32(data[off+4:])
		if csize < 8 || uint64(off)+uint64(csize) > uint64(len(data)) {
			return fmt.Errorf("arsc: chunk at 0x%x has size %d out of range", off, csize)
		}
		if ctype == typeStringPool {
			return pool(data[off:off+int(csize)], int64(off), fn)
		}
		off += int(csize)
	}
	return errors.New("arsc: no string pool")
}

func pool(c []byte, base int64, fn func(string, int64) bool) error {
	if len(c) < 28 {
		return errors.New("arsc: string pool header truncated")
	}
	hdr := uint64(binary.LittleEndian.Uint16(c[2:]))
	count := uint64(binary.LittleEndian.Uint32(c[8:]))
	flags := binary.LittleEndian.Uint32(c[16:])
	start := uint64(binary.LittleEndian.Uint32(c[20:]))
	if hdr < 28 || hdr > uint64(len(c)) {
		return fmt.Errorf("arsc: string pool header size %d out of range", hdr)
	}
	if count > MaxStrings {
		return fmt.Errorf("arsc: %d strings is more than %d", count, MaxStrings)
	}
	if hdr+count*4 > uint64(len(c)) {
		return fmt.Errorf("arsc: %d string offsets do not fit in a %d-byte pool", count, len(c))
	}
	if start > uint64(len(c)) {
		return fmt.Errorf("arsc: strings start 0x%x past the pool end", start)
	}
	isUTF8 := flags&utf8Flag != 0
	// Offsets may repeat or overlap; never hand out more string data than
	// the pool could hold (UTF-16 decoding at most doubles nothing, so twice
	// the pool size is generous).
	room := 2 * len(c)
	for i := uint64(0); i < count; i++ {
		rel := uint64(binary.LittleEndian.Uint32(c[hdr+i*4:]))
		at := start + rel
		if at >= uint64(len(c)) {
			return fmt.Errorf("arsc: string %d at 0x%x past the pool end", i, at)
		}
		var s string
		var err error
		if isUTF8 {
			s, err = readUTF8(c[at:])
		} else {
			s, err = readUTF16(c[at:])
		}
		if err != nil {
			return fmt.Errorf("arsc: string %d: %w", i, err)
		}
		if room -= len(s); room < 0 {
			return fmt.Errorf("arsc: string %d: strings overlap (more string data than the pool holds)", i)
		}
		if !fn(s, base+int64(at)) {
			return nil
		}
	}
	return nil
}

func readUTF8(b []byte) (string, error) {
	// Length in UTF-16 units, then in bytes; each one or two bytes.
	_, n1, err := len8(b)
	if err != nil {
		return "", err
	}
	blen, n2, err := len8(b[n1:])
	if err != nil {
		return "", err
	}
	p := n1 + n2
	if p+blen > len(b) {
		return "", fmt.Errorf("utf-8 length %d past the pool end", blen)
	}
	return string(b[p : p+blen]), nil
}

func len8(b []byte) (int, int, error) {
	if len(b) < 1 {
		return 0, 0, errors.New("truncated length")
	}
	if b[0]&0x80 == 0 {
		return int(b[0]), 1, nil
	}
	if len(b) < 2 {
		return 0, 0, errors.New("truncated length")
	}
	return int(b[0]&0x7f)<<8 | int(b[1]), 2, nil
}

func readUTF16(b []byte) (string, error) {
	if len(b) < 2 {
		return "", errors.New("truncated length")
	}
	n := int(binary.LittleEndian.Uint16(b))
	p := 2
	if n&0x8000 != 0 {
		if len(b) < 4 {
			return "", errors.New("truncated length")
		}
		n = (n&0x7fff)<<16 | int(binary.LittleEndian.Uint16(b[2:]))
		p = 4
	}
	if uint64(p)+uint64(n)*2 > uint64(len(b)) {
		return "", fmt.Errorf("utf-16 length %d past the pool end", n)
	}
	ascii := true
	for i := 0; i < n; i++ {
		if u := binary.LittleEndian.Uint16(b[p+2*i:]); u >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		out := make([]byte, n)
		for i := range out {
			out[i] = b[p+2*i]
		}
		return string(out), nil
	}
	units := make([]uint16, n)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(b[p+2*i:])
	}
	return string(utf16.Decode(units)), nil
}
