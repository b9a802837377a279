// Package arfile lists the members of Unix ar archives: the static
// libraries (.a) that iOS SDKs ship their object files in, in the BSD
// flavour Apple's tools write and the GNU flavour binutils writes.
//
// The input is hostile: every size and offset is checked against the
// input before use, decimal fields are parsed strictly, and names and the
// member count are capped. Malformed input yields an error wrapping
// ErrMalformed (or ErrLimit when a cap is hit), never a panic.
package arfile

import (
	"bytes"
	"errors"
	"fmt"
)

// Limits on the archives Members reads.
const (
	// MaxNameLen caps a member name, long or short.
	MaxNameLen = 4096
	// MaxMembers caps the number of headers, symbol tables and name
	// tables included.
	MaxMembers = 1_000_000
)

const (
	magic     = "!<arch>\n"
	thinMagic = "!<thin>\n"
	headerLen = 60
)

var (
	// ErrNotAr is returned for input that does not start with the ar
	// magic "!<arch>\n".
	ErrNotAr = errors.New("arfile: not an ar archive")
	// ErrThin is returned for a GNU thin archive ("!<thin>\n"), whose
	// members are files outside the archive that Members cannot read.
	ErrThin = errors.New("arfile: thin archive: members are stored outside the archive")
	// ErrMalformed is wrapped by every error that reports an archive
	// which does not follow the ar format.
	ErrMalformed = errors.New("arfile: malformed archive")
	// ErrLimit is wrapped by every error that reports an archive exceeding
	// MaxNameLen or MaxMembers.
	ErrLimit = errors.New("arfile: limit exceeded")
)

// Member is one member of an ar archive.
type Member struct {
	// Name is the member's name as the archive stores it, without the
	// format's decoration (trailing spaces, GNU's '/', the NULs that pad
	// BSD long names). It is raw bytes: callers escape it before showing
	// it.
	Name string
	// Offset and Size locate the member's data in the archive, after the
	// header and, for a BSD long name, after the name. The size is the
	// header's: it includes the padding that some writers (Apple's libtool,
	// llvm-ar --format=darwin) add to align members to 8 bytes, but not the
	// byte that aligns the next header to 2.
	Offset, Size int64
}

// Members calls fn for each member of the ar archive data, in order, until
// fn returns false. Symbol tables (GNU "/" and "/SYM64/", BSD "__.SYMDEF",
// "__.SYMDEF SORTED" and their _64 variants) and the GNU name table ("//")
// are not members and are skipped.
//
// Members returns an error for input that is not an ar archive (ErrNotAr),
// for a thin archive (ErrThin) and for a malformed archive (ErrMalformed,
// ErrLimit); fn may have been called for the members before the fault. A
// final odd-sized member's missing padding byte is tolerated.
func Members(data []byte, fn func(m Member) bool) error {
	if len(data) < len(magic) || string(data[:len(magic)]) != magic {
		if len(data) >= len(thinMagic) && string(data[:len(thinMagic)]) == thinMagic {
			return ErrThin
		}
		return ErrNotAr
	}
	var nameTable []byte
	haveTable := false
	off := len(magic)
	for i := 0; off < len(data); i++ {
		if i >= MaxMembers {
			return fmt.Errorf("%w: more than %d members", ErrLimit, MaxMembers)
		}
		fail := func(sentinel error, format string, args ...any) error {
			return fmt.Errorf("%w: ar member %d at %#x: %s", sentinel, i, off, fmt.Sprintf(format, args...))
		}
		if len(data)-off < headerLen {
			return fail(ErrMalformed, "truncated header: %d bytes left, want %d", len(data)-off, headerLen)
		}
		h := data[off : off+headerLen]
		if h[58] != '`' || h[59] != '\n' {
			return fail(ErrMalformed, "bad header terminator %q", h[58:60])
		}
		size, ok := parseDecimal(h[48:58])
		if !ok {
			return fail(ErrMalformed, "size field %q is not a decimal number", h[48:58])
		}
		body := off + headerLen
		if size > int64(len(data)-body) {
			return fail(ErrMalformed, "size %d runs past the end of the archive (%d bytes left)", size, len(data)-body)
		}
		end := body + int(size)

		field := string(bytes.TrimRight(h[:16], " "))
		m := Member{Offset: int64(body), Size: size}
		skip := false
		switch {
		case field == "/" || field == "/SYM64/":
			skip = true
		case field == "//":
			if haveTable {
				return fail(ErrMalformed, "second GNU name table")
			}
			nameTable, haveTable, skip = data[body:end], true, true
		case len(field) > 1 && field[0] == '/':
			// GNU long name: "/<offset>" into the name table.
			n, ok := parseDecimal([]byte(field[1:]))
			if !ok {
				return fail(ErrMalformed, "long name reference %q is not a decimal number", field)
			}
			if !haveTable {
				return fail(ErrMalformed, "long name reference %q before any GNU name table", field)
			}
			if n >= int64(len(nameTable)) {
				return fail(ErrMalformed, "long name offset %d is outside the %d-byte name table", n, len(nameTable))
			}
			rest := nameTable[n:]
			if len(rest) > MaxNameLen+2 {
				rest = rest[:MaxNameLen+2]
			}
			j := bytes.Index(rest, []byte("/\n"))
			if j < 0 {
				if len(nameTable)-int(n) > MaxNameLen+2 {
					return fail(ErrLimit, "long name at table offset %d is longer than %d bytes", n, MaxNameLen)
				}
				return fail(ErrMalformed, "long name at table offset %d is not terminated by \"/\\n\"", n)
			}
			m.Name = string(rest[:j])
		case len(field) > 3 && field[:3] == "#1/":
			// BSD long name: the first n bytes of the body.
			n, ok := parseDecimal([]byte(field[3:]))
			if !ok {
				return fail(ErrMalformed, "BSD long name length %q is not a decimal number", field)
			}
			if n > MaxNameLen {
				return fail(ErrLimit, "BSD long name length %d is more than %d", n, MaxNameLen)
			}
			if n > size {
				return fail(ErrMalformed, "BSD long name length %d is more than the member size %d", n, size)
			}
			m.Name = string(bytes.TrimRight(data[body:body+int(n)], "\x00"))
			m.Offset += n
			m.Size -= n
			skip = isBSDSymtab(m.Name)
		default:
			// A short name; GNU ends it with '/'.
			name := field
			if len(name) > 0 && name[len(name)-1] == '/' {
				name = name[:len(name)-1]
			}
			m.Name = name
			skip = isBSDSymtab(name)
		}
		if !skip && m.Name == "" {
			return fail(ErrMalformed, "empty name")
		}
		if !skip && !fn(m) {
			return nil
		}
		off = end
		if off%2 == 1 && off < len(data) {
			off++
		}
	}
	return nil
}

// isBSDSymtab reports whether name is a BSD (ranlib) symbol table.
func isBSDSymtab(name string) bool {
	switch name {
	case "__.SYMDEF", "__.SYMDEF SORTED", "__.SYMDEF_64", "__.SYMDEF_64 SORTED":
		return true
	}
	return false
}

// parseDecimal parses a header field: one or more ASCII digits followed by
// nothing but spaces. Signs, other white space and values above 10^15 are
// refused.
func parseDecimal(f []byte) (int64, bool) {
	f = bytes.TrimRight(f, " ")
	if len(f) == 0 || len(f) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range f {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
