// Package apksigtest builds APK Signing Blocks for tests, byte for byte in the
// layout apksigner writes, and inserts them into zip files. The digests,
// signatures and SDK bounds in the blocks are placeholders: the blocks carry
// real certificates but would not verify, which is all that a reader of
// signing certificates (package apksig) needs.
//
// The helpers panic on misuse; they are meant for test code only.
package apksigtest

import (
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"slices"
)

// Pair IDs of the APK Signing Block.
const (
	IDV2      = 0x7109871a // APK Signature Scheme v2
	IDV3      = 0xf05368c0 // APK Signature Scheme v3
	IDV31     = 0x1b93ad61 // APK Signature Scheme v3.1
	IDPadding = 0x42726577 // verity padding, which apksigner adds
)

// Magic ends every APK Signing Block.
const Magic = "APK Sig Block 42"

// scheme describes one signature scheme Block can write.
type scheme struct {
	name   string
	id     uint32
	v3     bool // v3 layout: SDK bounds in signed data and signer
	minSDK uint32
}

// schemes lists the keys Block accepts, in the order it writes their pairs.
var schemes = []scheme{
	{"v2", IDV2, false, 0},
	{"v3", IDV3, true, 28},
	{"v3.1", IDV31, true, 33},
}

// Block returns an APK Signing Block holding, for each key of certs ("v2",
// "v3" or "v3.1"), a pair of that scheme with one signer whose certificates
// are the given ones, in order. The pairs are written in the order v2, v3,
// v3.1, followed by a verity padding pair that makes the block's size a
// multiple of 4096 bytes, as apksigner does. The whole block is returned,
// from its leading size field to the end of its magic. Block panics on any
// other key.
func Block(certs map[string][]*x509.Certificate) []byte {
	for k := range certs {
		if !slices.ContainsFunc(schemes, func(s scheme) bool { return s.name == k }) {
			panic(fmt.Sprintf("apksigtest: unknown scheme %q", k))
		}
	}
	var pairs []byte
	for _, s := range schemes {
		cs, ok := certs[s.name]
		if !ok {
			continue
		}
		pairs = Pair(pairs, s.id, lp(nil, lp(nil, signer(cs, s.v3, s.minSDK))))
	}
	// leading size + pairs + padding pair header + trailing size + magic
	base := 8 + len(pairs) + 12 + 8 + len(Magic)
	pad := (4096 - base%4096) % 4096
	pairs = Pair(pairs, IDPadding, make([]byte, pad))
	return Frame(pairs)
}

// Pair appends to dst one ID-value pair of the APK Signing Block: its uint64
// length (of ID and value), its uint32 ID and the value.
func Pair(dst []byte, id uint32, value []byte) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, uint64(4+len(value)))
	dst = binary.LittleEndian.AppendUint32(dst, id)
	return append(dst, value...)
}

// Frame wraps encoded ID-value pairs into an APK Signing Block: the uint64
// size field, the pairs, the size field again and the magic.
func Frame(pairs []byte) []byte {
	size := uint64(len(pairs) + 8 + len(Magic))
	b := binary.LittleEndian.AppendUint64(nil, size)
	b = append(b, pairs...)
	b = binary.LittleEndian.AppendUint64(b, size)
	return append(b, Magic...)
}

// signer encodes one v2 or v3 signer.
func signer(certs []*x509.Certificate, v3 bool, minSDK uint32) []byte {
	const algo = 0x0103 // ECDSA with SHA2-256, a placeholder
	digest := binary.LittleEndian.AppendUint32(nil, algo)
	digest = lp(digest, make([]byte, 32))
	var certSeq []byte
	for _, c := range certs {
		certSeq = lp(certSeq, c.Raw)
	}
	sd := lp(nil, lp(nil, digest))
	sd = lp(sd, certSeq)
	if v3 {
		sd = binary.LittleEndian.AppendUint32(sd, minSDK)
		sd = binary.LittleEndian.AppendUint32(sd, 0x7fffffff)
	}
	sd = lp(sd, nil) // additional attributes

	sig := binary.LittleEndian.AppendUint32(nil, algo)
	sig = lp(sig, make([]byte, 64))
	var pub []byte
	if len(certs) > 0 {
		pub = certs[0].RawSubjectPublicKeyInfo
	}
	out := lp(nil, sd)
	if v3 {
		out = binary.LittleEndian.AppendUint32(out, minSDK)
		out = binary.LittleEndian.AppendUint32(out, 0x7fffffff)
	}
	out = lp(out, lp(nil, sig))
	return lp(out, pub)
}

// lp appends b to dst with a uint32 little-endian length prefix.
func lp(dst, b []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}

// AppendToZip returns a copy of the zip file zipBytes with block inserted
// immediately before its central directory, and the End of Central Directory
// record's central directory offset moved accordingly: where apksigner puts
// the APK Signing Block. The local file headers do not move, so the result
// is a valid zip. AppendToZip panics if zipBytes has no End of Central
// Directory record or if its central directory offset is out of range.
func AppendToZip(zipBytes []byte, block []byte) []byte {
	eocd := -1
	for i := len(zipBytes) - 22; i >= 0 && i >= len(zipBytes)-22-0xffff; i-- {
		if binary.LittleEndian.Uint32(zipBytes[i:]) == 0x06054b50 &&
			int(binary.LittleEndian.Uint16(zipBytes[i+20:])) == len(zipBytes)-i-22 {
			eocd = i
			break
		}
	}
	if eocd < 0 {
		panic("apksigtest: no End of Central Directory record")
	}
	cd := binary.LittleEndian.Uint32(zipBytes[eocd+16:])
	if int64(cd) > int64(eocd) {
		panic(fmt.Sprintf("apksigtest: central directory offset %d past the End of Central Directory record at %d", cd, eocd))
	}
	out := make([]byte, 0, len(zipBytes)+len(block))
	out = append(out, zipBytes[:cd]...)
	out = append(out, block...)
	out = append(out, zipBytes[cd:]...)
	binary.LittleEndian.PutUint32(out[eocd+len(block)+16:], cd+uint32(len(block)))
	return out
}
