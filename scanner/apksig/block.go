package apksig

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxSigningBlockSize bounds the APK Signing Block that FindSigningBlock will
// read and ParseSigningBlock will accept. Real blocks are a few kilobytes,
// padded to a multiple of 4096 bytes.
const MaxSigningBlockSize = 64 << 20

// IDs of the ID-value pairs of the APK Signing Block that carry signatures.
const (
	blockIDV2  = 0x7109871a
	blockIDV3  = 0xf05368c0
	blockIDV31 = 0x1b93ad61
)

// Zip and APK Signing Block framing.
const (
	eocdSig        = 0x06054b50 // "PK\x05\x06"
	eocdSize       = 22         // without the comment
	maxCommentSize = 0xffff
	zip64LocSig    = 0x07064b50 // "PK\x06\x07"
	zip64LocSize   = 20

	blockMagic      = "APK Sig Block 42"
	blockFooterSize = 8 + 16              // size field, magic
	blockMinSize    = 8 + blockFooterSize // leading size field, no pairs, footer
)

// FindSigningBlock locates the APK Signing Block of the zip file read through
// r, which is size bytes long. It finds the End of Central Directory record
// (searching back over at most a maximal zip comment), takes the central
// directory's offset from it and looks for the block immediately before the
// central directory.
//
// It returns the whole block, from its leading size field to the end of its
// "APK Sig Block 42" magic, as ParseSigningBlock expects it, and the block's
// offset in the file. A zip without a signing block (a v1-only or unsigned
// APK) yields (nil, -1, nil). A file that is not a zip, or whose block is
// malformed or larger than MaxSigningBlockSize, yields an error. ZIP64
// archives, which Android does not install, yield ErrZIP64.
func FindSigningBlock(r io.ReaderAt, size int64) ([]byte, int64, error) {
	if size < eocdSize {
		return nil, -1, malformed("zip: file is %d bytes, too small for an End of Central Directory record", size)
	}
	tailLen := int64(eocdSize + maxCommentSize)
	if tailLen > size {
		tailLen = size
	}
	tail := make([]byte, tailLen)
	if err := readAt(r, tail, size-tailLen); err != nil {
		return nil, -1, fmt.Errorf("zip: read end of file: %w", err)
	}
	eocdPos := findEOCD(tail)
	if eocdPos < 0 {
		return nil, -1, malformed("zip: no End of Central Directory record")
	}
	eocdOff := size - tailLen + int64(eocdPos)
	if eocdOff >= zip64LocSize {
		var loc [4]byte
		if err := readAt(r, loc[:], eocdOff-zip64LocSize); err != nil {
			return nil, -1, fmt.Errorf("zip: read ZIP64 locator: %w", err)
		}
		if binary.LittleEndian.Uint32(loc[:]) == zip64LocSig {
			return nil, -1, ErrZIP64
		}
	}
	eocd := tail[eocdPos:]
	cdSize := int64(binary.LittleEndian.Uint32(eocd[12:]))
	cdOff := int64(binary.LittleEndian.Uint32(eocd[16:]))
	if cdOff > eocdOff {
		return nil, -1, malformed("zip: central directory offset %d is past the End of Central Directory record at %d (file is %d bytes)", cdOff, eocdOff, size)
	}
	if cdOff+cdSize > eocdOff {
		return nil, -1, malformed("zip: central directory at %d, %d bytes, overlaps the End of Central Directory record at %d", cdOff, cdSize, eocdOff)
	}

	if cdOff < blockMinSize {
		return nil, -1, nil
	}
	var footer [blockFooterSize]byte
	if err := readAt(r, footer[:], cdOff-blockFooterSize); err != nil {
		return nil, -1, fmt.Errorf("signing block: read footer: %w", err)
	}
	if string(footer[8:]) != blockMagic {
		return nil, -1, nil
	}
	sizeField := binary.LittleEndian.Uint64(footer[:8])
	if sizeField < uint64(blockMinSize-8) {
		return nil, -1, malformed("signing block: size field %d is smaller than the block's footer", sizeField)
	}
	if sizeField > MaxSigningBlockSize-8 {
		return nil, -1, limit("signing block: size field %d exceeds the %d byte limit", sizeField, MaxSigningBlockSize)
	}
	total := int64(sizeField) + 8
	if total > cdOff {
		return nil, -1, malformed("signing block: %d bytes do not fit before the central directory at %d", total, cdOff)
	}
	blockOff := cdOff - total
	block := make([]byte, total)
	if err := readAt(r, block, blockOff); err != nil {
		return nil, -1, fmt.Errorf("signing block: read %d bytes at %d: %w", total, blockOff, err)
	}
	if lead := binary.LittleEndian.Uint64(block); lead != sizeField {
		return nil, -1, malformed("signing block at %d: leading size field %d disagrees with trailing size field %d", blockOff, lead, sizeField)
	}
	return block, blockOff, nil
}

// findEOCD returns the position in tail, the last bytes of a file, of the End
// of Central Directory record, or -1. As Android does, it takes the last
// record whose comment length reaches exactly to the end of the file, so a
// comment that contains the record's signature cannot mislead it.
func findEOCD(tail []byte) int {
	for i := len(tail) - eocdSize; i >= 0; i-- {
		if binary.LittleEndian.Uint32(tail[i:]) != eocdSig {
			continue
		}
		if int(binary.LittleEndian.Uint16(tail[i+20:])) == len(tail)-i-eocdSize {
			return i
		}
	}
	return -1
}

// readAt fills p from r at off. A short read is an error, even if r reports
// none.
func readAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// ParseSigningBlock returns the certificates of an APK Signing Block, as
// returned by FindSigningBlock: the whole block, size fields and magic
// included. It walks the block's ID-value pairs and decodes those of
// APK Signature Scheme v2 (ID 0x7109871a), v3 (0xf05368c0) and v3.1
// (0x1b93ad61): every certificate of every signer, in block order, with
// Scheme "v2", "v3" or "v3.1". Other pairs (verity padding, dependency
// metadata, v4 and source stamp data, unknown IDs) are skipped.
//
// No digest or signature is verified: the certificates say who claims to
// have signed the APK.
//
// ParseSigningBlock returns what it could decode even when it also returns an
// error: a certificate crypto/x509 rejects yields a *CertError, a malformed
// pair or signer yields an error wrapping ErrMalformed, and these are joined
// while the other certificates are still returned.
func ParseSigningBlock(block []byte) ([]Cert, error) {
	if len(block) < blockMinSize {
		return nil, malformed("signing block: %d bytes, shorter than the minimal %d", len(block), blockMinSize)
	}
	if len(block) > MaxSigningBlockSize {
		return nil, limit("signing block: %d bytes exceed the %d byte limit", len(block), MaxSigningBlockSize)
	}
	if string(block[len(block)-len(blockMagic):]) != blockMagic {
		return nil, malformed("signing block: no %q magic at its end", blockMagic)
	}
	lead := binary.LittleEndian.Uint64(block)
	trail := binary.LittleEndian.Uint64(block[len(block)-blockFooterSize:])
	if lead != trail {
		return nil, malformed("signing block: leading size field %d disagrees with trailing size field %d", lead, trail)
	}
	if lead != uint64(len(block)-8) {
		return nil, malformed("signing block: size field %d, but the block holds %d bytes after it", lead, len(block)-8)
	}

	p := &parser{}
	pairs := block[8 : len(block)-blockFooterSize]
	for i := 0; len(pairs) > 0; i++ {
		if len(pairs) < 8 {
			p.errs = append(p.errs, malformed("signing block pair %d: %d bytes left, too few for a length", i, len(pairs)))
			break
		}
		n := binary.LittleEndian.Uint64(pairs)
		pairs = pairs[8:]
		if n < 4 || n > uint64(len(pairs)) {
			p.errs = append(p.errs, malformed("signing block pair %d: length %d out of range (%d bytes left)", i, n, len(pairs)))
			break
		}
		id := binary.LittleEndian.Uint32(pairs)
		value := pairs[4:n]
		pairs = pairs[n:]
		var scheme string
		switch id {
		case blockIDV2:
			scheme = SchemeV2
		case blockIDV3:
			scheme = SchemeV3
		case blockIDV31:
			scheme = SchemeV31
		default:
			continue
		}
		if err := p.signers(scheme, value); err != nil {
			p.errs = append(p.errs, fmt.Errorf("signing block pair %d (%s, ID %#x): %w", i, scheme, id, err))
			if errors.Is(err, ErrLimit) {
				break
			}
		}
	}
	return p.certs, errors.Join(p.errs...)
}

// parser accumulates the certificates found in a signing block, and the
// errors met on the way.
type parser struct {
	certs []Cert
	errs  []error
	n     int // certificates seen, parsed or not
}

// signers decodes the value of a v2, v3 or v3.1 pair: a length-prefixed
// sequence of length-prefixed signers. All three schemes begin a signer with
// its length-prefixed signed data, which begins with the length-prefixed
// digests and then the length-prefixed certificates; what follows differs
// and is not needed here. A malformed signer does not stop the next one from
// being read.
func (p *parser) signers(scheme string, value []byte) error {
	v := lpReader(value)
	seq, err := v.next()
	if err != nil {
		return fmt.Errorf("signers: %w", err)
	}
	var errs []error
	for i := 0; len(seq) > 0; i++ {
		signer, err := seq.next()
		if err != nil {
			// The sequence itself is broken: nothing after is reliable.
			errs = append(errs, fmt.Errorf("signer %d: %w", i, err))
			break
		}
		if err := p.signer(scheme, signer); err != nil {
			errs = append(errs, fmt.Errorf("signer %d: %w", i, err))
			if errors.Is(err, ErrLimit) {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// signer decodes the certificates of one signer.
func (p *parser) signer(scheme string, signer lpReader) error {
	signedData, err := signer.next()
	if err != nil {
		return fmt.Errorf("signed data: %w", err)
	}
	if _, err := signedData.next(); err != nil {
		return fmt.Errorf("signed data: digests: %w", err)
	}
	certs, err := signedData.next()
	if err != nil {
		return fmt.Errorf("signed data: certificates: %w", err)
	}
	var errs []error
	for i := 0; len(certs) > 0; i++ {
		der, err := certs.next()
		if err != nil {
			errs = append(errs, fmt.Errorf("certificate %d: %w", i, err))
			break
		}
		if p.n == MaxCerts {
			errs = append(errs, limit("more than %d certificates", MaxCerts))
			break
		}
		p.n++
		c, err := newCert(scheme, i, der)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.certs = append(p.certs, c)
	}
	return errors.Join(errs...)
}

// lpReader reads the uint32 little-endian length-prefixed fields of the v2
// and v3 signature formats.
type lpReader []byte

// next returns the next length-prefixed field and advances past it.
func (r *lpReader) next() (lpReader, error) {
	b := *r
	if len(b) < 4 {
		return nil, malformed("%d bytes left, too few for a length prefix", len(b))
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, malformed("length prefix %d runs past the end (%d bytes left)", n, len(b)-4)
	}
	*r = b[4+n:]
	return lpReader(b[4 : 4+n]), nil
}
