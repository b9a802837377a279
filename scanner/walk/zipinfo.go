package walk

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"io"
	"sort"
)

// centralDirCount reads the entry count from the End Of Central Directory
// record without parsing the directory, so that a hostile count is refused
// before archive/zip allocates per entry.
func centralDirCount(r io.ReaderAt, size int64) (uint64, error) {
	const eocdLen = 22
	if size < eocdLen {
		return 0, errors.New("too short for a zip archive")
	}
	n := int64(65535 + eocdLen)
	if n > size {
		n = size
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return 0, err
	}
	for i := len(buf) - eocdLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) != 0x06054b50 {
			continue
		}
		count := uint64(binary.LittleEndian.Uint16(buf[i+10:]))
		if count == 0xffff && i >= 20 && binary.LittleEndian.Uint32(buf[i-20:]) == 0x07064b50 {
			// ZIP64: follow the locator to the ZIP64 EOCD record.
			off := int64(binary.LittleEndian.Uint64(buf[i-20+8:]))
			var rec [56]byte
			if off < 0 || off > size-56 {
				return 0, errors.New("zip64 end of central directory out of range")
			}
			if _, err := r.ReadAt(rec[:], off); err != nil {
				return 0, err
			}
			if binary.LittleEndian.Uint32(rec[:]) != 0x06064b50 {
				return 0, errors.New("bad zip64 end of central directory")
			}
			count = binary.LittleEndian.Uint64(rec[32:])
		}
		return count, nil
	}
	return 0, errors.New("no end of central directory record")
}

// sharedData returns the entries whose compressed data overlaps that of an
// entry earlier in the file, and the first of them.
func sharedData(files []*zip.File) (map[*zip.File]bool, *zip.File) {
	type span struct {
		start, end uint64
		f          *zip.File
	}
	spans := make([]span, 0, len(files))
	for _, f := range files {
		if off, err := f.DataOffset(); err == nil {
			spans = append(spans, span{uint64(off), uint64(off) + f.CompressedSize64, f})
		}
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var skip map[*zip.File]bool
	var first *zip.File
	var end uint64
	for i, sp := range spans {
		if i > 0 && sp.start < end {
			if skip == nil {
				skip = map[*zip.File]bool{}
				first = sp.f
			}
			skip[sp.f] = true
		}
		end = max(end, sp.end)
	}
	return skip, first
}
