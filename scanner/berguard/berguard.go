// Package berguard checks BER/DER-encoded ASN.1 (CMS/PKCS#7 envelopes of APK
// signatures, provisioning profiles and code signatures) before
// smallstep/pkcs7 sees it. pkcs7's BER-to-DER conversion recurses without a
// nesting bound, and a crafted 200-byte input makes its work double at each
// level; Check walks the same structure without recursion and refuses input
// whose traversal would not stay linear in its size.
package berguard

import (
	"bytes"
	"errors"
	"fmt"
)

// Errors wrapped by Check.
var (
	ErrMalformed = errors.New("malformed BER")
	ErrLimit     = errors.New("BER limit exceeded")
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

func limit(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrLimit, fmt.Sprintf(format, args...))
}

// MaxSize bounds the input Check accepts.
const MaxSize = 8 << 20

// Limits on the walk: nesting depth and element count, and the bytes
// pkcs7 would copy (nested contents) and search (for end-of-contents).
const (
	MaxDepth    = 64
	MaxElements = 1 << 15
	maxBERCopy  = 128 << 20 // bytes of constructed contents, summed
	maxBERScan  = 64 << 20  // bytes searched for end-of-contents, summed
)

// berFrame is one open constructed element during checkBER.
type berFrame struct {
	start      int  // first byte of the contents
	end        int  // end of the contents; set on closing when indefinite
	indefinite bool // length octet 0x80, ended by 00 00
	children   int
}

// Check walks the BER element at the start of b as pkcs7's BER-to-DER
// conversion does (same header rules; an indefinite-length element always
// has a first child, even 00 00; bytes after the element are ignored), but
// without recursion, and fails unless every element lies within its parent
// and the walk stays within the caps above, which makes pkcs7's work on an
// accepted input linear in its size.
func Check(b []byte) error {
	if len(b) > MaxSize {
		return limit("BER: %d bytes, more than %d", len(b), MaxSize)
	}
	var stack [MaxDepth]berFrame
	depth, off, elements, copied, scanned := 0, 0, 0, 0, 0
	eoc := -1 // the first 00 00 at or after some offset ≤ off, len(b) if none
	for {
		// Close the elements that end at off.
		for depth > 0 {
			top := &stack[depth-1]
			if top.indefinite {
				if top.children == 0 {
					break
				}
				if len(b)-off < 2 {
					return malformed("BER: unterminated indefinite-length element at offset %d", top.start-2)
				}
				// pkcs7 searches b[off:] for 00 00, and stops at the first.
				if eoc < off {
					if i := bytes.Index(b[off:], []byte{0, 0}); i >= 0 {
						eoc = off + i
					} else {
						eoc = len(b)
					}
				}
				if scanned += eoc - off + 2; scanned > maxBERScan {
					return limit("BER: more than %d bytes searched for end-of-contents", maxBERScan)
				}
				if eoc != off {
					break
				}
				off += 2
				top.end = off - 2
			} else if off < top.end {
				break
			}
			if copied += top.end - top.start; copied > maxBERCopy {
				return limit("BER: more than %d bytes of nested contents", maxBERCopy)
			}
			depth--
			if depth > 0 && !stack[depth-1].indefinite && off > stack[depth-1].end {
				return malformed("BER: element overruns its parent at offset %d", off)
			}
		}
		if depth == 0 && elements > 0 {
			return nil
		}

		// The header at off.
		start := off
		if off+1 >= len(b) {
			return malformed("BER: truncated header at offset %d", start)
		}
		id := b[off]
		off++
		if id&0x1f == 0x1f {
			for b[off] >= 0x80 {
				off++
				if off >= len(b) {
					return malformed("BER: truncated tag at offset %d", start)
				}
			}
			off++
			if off >= len(b) {
				return malformed("BER: truncated tag at offset %d", start)
			}
		}
		constructed := id&0x20 != 0
		l := b[off]
		off++
		length, indefinite := 0, false
		switch {
		case l == 0x80:
			indefinite = true
		case l > 0x80:
			n := int(l & 0x7f)
			if n > 4 || off+n > len(b) || b[off] == 0 || (n == 4 && b[off] > 0x7f) {
				return malformed("BER: bad length at offset %d", start)
			}
			for range n {
				length = length<<8 | int(b[off])
				off++
			}
		default:
			length = int(l)
		}
		if length > len(b)-off {
			return malformed("BER: length %d at offset %d runs past the end", length, start)
		}
		if indefinite && !constructed {
			return malformed("BER: primitive element with indefinite length at offset %d", start)
		}
		if elements++; elements > MaxElements {
			return limit("BER: more than %d elements", MaxElements)
		}
		end := off + length
		if depth > 0 {
			parent := &stack[depth-1]
			parent.children++
			if !parent.indefinite && !indefinite && end > parent.end {
				return malformed("BER: element at offset %d overruns its parent", start)
			}
		}
		if !constructed {
			off = end
			continue
		}
		if depth == MaxDepth {
			return limit("BER: nested deeper than %d", MaxDepth)
		}
		stack[depth] = berFrame{start: off, end: end, indefinite: indefinite}
		depth++
	}
}

// CheckAs is Check with the caller's error kinds: a refusal wraps
// malformedErr or limitErr, so that callers keep their own sentinels.
func CheckAs(b []byte, malformedErr, limitErr error) error {
	err := Check(b)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrLimit):
		return fmt.Errorf("%w: %v", limitErr, err)
	}
	return fmt.Errorf("%w: %v", malformedErr, err)
}
