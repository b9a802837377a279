package walk

import (
	"archive/zip"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// wholeInflater inflates a complete raw DEFLATE stream src into dst and
// returns the number of bytes written. It fails with errTooLong when the
// stream holds more than len(dst) bytes. It is set only in builds that
// have a whole-buffer inflater (libdeflate, see inflate_libdeflate.go);
// otherwise entries are inflated as streams.
var wholeInflater func(dst, src []byte) (int, error)

// inflateEngine names the inflater used for entries read whole.
var inflateEngine = "klauspost/compress/flate (streaming)"

// InflateEngine names the DEFLATE implementation this build uses for
// entries that analyzers read whole.
func InflateEngine() string { return inflateEngine }

var errTooLong = errors.New("entry longer than its header says")

// wholeDeflated returns a function that inflates the deflated zip entry f
// of outer in one call into a caller's buffer of its declared size, or nil
// when this build has no whole-buffer inflater. The compressed bytes are
// read into memory first (they are at most the entry's share of a file
// already open), the inflated size is charged to the budget before any
// work, and the CRC-32 is checked as archive/zip does.
func (s *session) wholeDeflated(f *zip.File, outer io.ReaderAt) func(dst []byte) ([]byte, error) {
	if wholeInflater == nil || f.Method != zip.Deflate {
		return nil
	}
	return func(dst []byte) ([]byte, error) {
		if err := s.ctx.Err(); err != nil {
			return nil, err
		}
		if err := s.budget.take(int64(len(dst))); err != nil {
			return nil, err
		}
		off, err := f.DataOffset()
		if err != nil {
			return nil, fmt.Errorf("open entry: %w", err)
		}
		csize := int64(f.CompressedSize64)
		if csize < 0 || int64(f.CompressedSize64) > 1<<40 {
			return nil, fmt.Errorf("open entry: compressed size %d out of range", f.CompressedSize64)
		}
		src := getBuffer(csize)
		defer putBuffer(src)
		if n, err := outer.ReadAt(*src, off); n < len(*src) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("read compressed entry: %w", err)
		}
		n, err := wholeInflater(dst, *src)
		if err != nil {
			return dst[:n], err
		}
		if n < len(dst) {
			return dst[:n], fmt.Errorf("truncated: read %d of %d bytes", n, len(dst))
		}
		if f.CRC32 != 0 && crc32.ChecksumIEEE(dst) != f.CRC32 {
			return dst, zip.ErrChecksum
		}
		return dst, nil
	}
}
