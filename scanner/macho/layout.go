package macho

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// This file is the parent's own reading of Mach-O headers: plain
// encoding/binary over the bytes, every offset checked before use, no
// allocation driven by a size field. It decides whether go-macho may see a
// file at all (PreCheck) and yields what needs no more than the headers
// (StringRanges, and the facts kept when a child dies).

// ErrMalformed is wrapped by errors about headers that are truncated or
// point outside the file.
var ErrMalformed = errors.New("malformed Mach-O")

// ErrNotMachO is wrapped by the error for input that does not start with a
// Mach-O or fat magic number.
var ErrNotMachO = errors.New("not a Mach-O file")

// Limits on header counts. Real files stay far below them: a universal
// binary holds a handful of slices, and the largest iOS apps have a few
// hundred load commands.
const (
	maxFatArch  = 64
	maxLoadCmds = 4096
)

// Magic numbers and load commands, from <mach-o/loader.h> and <mach-o/fat.h>.
const (
	fatMagic   = 0xcafebabe
	fatMagic64 = 0xcafebabf

	mhObject = 0x1

	lcReqDyld               = 0x80000000
	lcSegment               = 0x1
	lcSymtab                = 0x2
	lcThread                = 0x4
	lcUnixThread            = 0x5
	lcDysymtab              = 0xb
	lcLoadDylib             = 0xc
	lcIDDylib               = 0xd
	lcTwolevelHints         = 0x16
	lcLoadWeakDylib         = 0x18 | lcReqDyld
	lcSegment64             = 0x19
	lcCodeSignature         = 0x1d
	lcSegmentSplitInfo      = 0x1e
	lcReexportDylib         = 0x1f | lcReqDyld
	lcLazyLoadDylib         = 0x20
	lcEncryptionInfo        = 0x21
	lcDyldInfo              = 0x22
	lcDyldInfoOnly          = 0x22 | lcReqDyld
	lcLoadUpwardDylib       = 0x23 | lcReqDyld
	lcFunctionStarts        = 0x26
	lcDataInCode            = 0x29
	lcDylibCodeSignDRs      = 0x2b
	lcEncryptionInfo64      = 0x2c
	lcLinkerOptimizationHnt = 0x2e
	lcNote                  = 0x31
	lcDyldExportsTrie       = 0x33 | lcReqDyld
	lcDyldChainedFixups     = 0x34 | lcReqDyld
	lcAtomInfo              = 0x36
	lcFunctionVariants      = 0x37
	lcFunctionVariantFixups = 0x38
	lcLazyLoadDylibInfo     = 0x3a

	sectionTypeMask      = 0xff
	sZerofill            = 0x1
	sGBZerofill          = 0xc
	sThreadLocalZerofill = 0x12

	dylibUseMarker   = 0x1a741800
	dylibUseWeakLink = 0x1
	dylibUseReexport = 0x2
	dylibUseUpward   = 0x4
)

// linkeditDataCmds are the load commands shaped as linkedit_data_command:
// a dataoff and datasize in the file.
var linkeditDataCmds = map[uint32]string{
	lcCodeSignature:         "LC_CODE_SIGNATURE",
	lcSegmentSplitInfo:      "LC_SEGMENT_SPLIT_INFO",
	lcFunctionStarts:        "LC_FUNCTION_STARTS",
	lcDataInCode:            "LC_DATA_IN_CODE",
	lcDylibCodeSignDRs:      "LC_DYLIB_CODE_SIGN_DRS",
	lcLinkerOptimizationHnt: "LC_LINKER_OPTIMIZATION_HINT",
	lcDyldExportsTrie:       "LC_DYLD_EXPORTS_TRIE",
	lcDyldChainedFixups:     "LC_DYLD_CHAINED_FIXUPS",
	lcAtomInfo:              "LC_ATOM_INFO",
	lcFunctionVariants:      "LC_FUNCTION_VARIANTS",
	lcFunctionVariantFixups: "LC_FUNCTION_VARIANT_FIXUPS",
	lcLazyLoadDylibInfo:     "LC_LAZY_LOAD_DYLIB_INFO",
}

// dylibKinds names the dylib load commands as Dylib.Kind does.
var dylibKinds = map[uint32]string{
	lcLoadDylib:       "load",
	lcLoadWeakDylib:   "weak",
	lcReexportDylib:   "reexport",
	lcLazyLoadDylib:   "lazy",
	lcLoadUpwardDylib: "upward",
}

// fileLayout is what the parent reads from the headers of a whole file.
type fileLayout struct {
	fat    bool
	slices []*sliceLayout
}

// sliceLayout is what the parent reads from the headers of one thin image.
// Offsets are relative to the slice unless named otherwise.
type sliceLayout struct {
	off, size int64 // of the slice in the file
	cpu, sub  uint32
	fileType  uint32
	is64      bool
	sections  []sectionLayout
	dylibs    []Dylib
	crypt     *Encryption // relative to the slice; the last command wins, as in dyld
	codeSig   [2]int64    // dataoff, datasize; zero without LC_CODE_SIGNATURE
}

type sectionLayout struct {
	seg, name string
	off, size int64 // zero for zerofill sections
}

// encrypted returns the slice-relative range FairPlay encrypts, or false.
func (s *sliceLayout) encrypted() (lo, hi int64, ok bool) {
	if s.crypt == nil || s.crypt.CryptID == 0 || s.crypt.CryptSize == 0 {
		return 0, 0, false
	}
	return s.crypt.CryptOff, s.crypt.CryptOff + s.crypt.CryptSize, true
}

// section returns the first section called seg,name, or nil.
func (s *sliceLayout) section(seg, name string) *sectionLayout {
	for i := range s.sections {
		if s.sections[i].seg == seg && s.sections[i].name == name {
			return &s.sections[i]
		}
	}
	return nil
}

// hasObjCLists reports whether the image lists classes or protocols in
// the sections go-macho's ObjC walk starts from.
func (s *sliceLayout) hasObjCLists() bool {
	for _, sc := range s.sections {
		if len(sc.seg) >= 6 && sc.seg[:6] == "__DATA" && (sc.name == "__objc_classlist" || sc.name == "__objc_protolist") {
			return true
		}
	}
	return false
}

// PreCheck reads the headers of a thin or fat Mach-O file (32- or 64-bit,
// either byte order) and returns an error wrapping ErrMalformed that names
// the first field pointing outside the file or its slice: a fat header
// with more than 64 architectures or a slice past the end of the file; a
// thin header with more than 4096 load commands, or load commands longer
// than the file; a load command shorter than 8 bytes, not a multiple of 4
// (32-bit) or 8 (64-bit) bytes, or past sizeofcmds; a segment, a section
// (zerofill sections excepted) or its relocations, the symbol or string
// table, LC_DYSYMTAB's tables, LC_DYLD_INFO's opcodes, a linkedit_data
// command's data (code signature, chained fixups, …), LC_NOTE's data, the
// two-level hints or the encrypted range outside the slice; or a thread
// state longer than its command. It returns an error wrapping ErrNotMachO
// for other input.
//
// Only input that passes may be handed to go-macho, which allocates
// whatever these fields claim.
func PreCheck(data []byte) error {
	_, err := parseLayout(data)
	return err
}

func parseLayout(data []byte) (*fileLayout, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("%w: %d bytes are too short for a Mach-O header", ErrMalformed, len(data))
	}
	be := binary.BigEndian
	switch magic := be.Uint32(data); magic {
	case fatMagic, fatMagic64:
		return parseFat(data, magic == fatMagic64)
	}
	sl, err := parseThin(data)
	if err != nil {
		return nil, err
	}
	sl.size = int64(len(data))
	return &fileLayout{slices: []*sliceLayout{sl}}, nil
}

func parseFat(data []byte, is64 bool) (*fileLayout, error) {
	be := binary.BigEndian
	n := be.Uint32(data[4:])
	if n == 0 {
		return nil, fmt.Errorf("%w: fat header lists no architectures", ErrMalformed)
	}
	if n > maxFatArch {
		return nil, fmt.Errorf("%w: fat header lists %d architectures (at most %d)", ErrMalformed, n, maxFatArch)
	}
	entSize := uint64(20)
	if is64 {
		entSize = 32
	}
	if !fits(8, uint64(n)*entSize, uint64(len(data))) {
		return nil, fmt.Errorf("%w: fat header lists %d architectures but the file ends at %#x", ErrMalformed, n, len(data))
	}
	fl := &fileLayout{fat: true}
	for i := range uint64(n) {
		e := data[8+i*entSize:]
		var off, size uint64
		if is64 {
			off, size = be.Uint64(e[8:]), be.Uint64(e[16:])
		} else {
			off, size = uint64(be.Uint32(e[8:])), uint64(be.Uint32(e[12:]))
		}
		if !fits(off, size, uint64(len(data))) {
			return nil, fmt.Errorf("%w: fat architecture %d: offset %#x + size %#x is past the end of the file (%#x bytes)",
				ErrMalformed, i, off, size, len(data))
		}
		sl, err := parseThin(data[off : off+size])
		if err != nil {
			return nil, fmt.Errorf("fat architecture %d at %#x: %w", i, off, err)
		}
		sl.off, sl.size = int64(off), int64(size)
		fl.slices = append(fl.slices, sl)
	}
	return fl, nil
}

// parseThin reads the headers of one thin image; b is exactly the slice.
func parseThin(b []byte) (*sliceLayout, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w: %d bytes are too short for a Mach-O header", ErrMalformed, len(b))
	}
	var bo binary.ByteOrder
	sl := &sliceLayout{}
	switch binary.LittleEndian.Uint32(b) {
	case 0xfeedface:
		bo = binary.LittleEndian
	case 0xfeedfacf:
		bo, sl.is64 = binary.LittleEndian, true
	case 0xcefaedfe:
		bo = binary.BigEndian
	case 0xcffaedfe:
		bo, sl.is64 = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("%w (magic %#08x)", ErrNotMachO, binary.BigEndian.Uint32(b))
	}
	hdr := uint64(28)
	ptrAlign := uint32(4)
	if sl.is64 {
		hdr, ptrAlign = 32, 8
	}
	size := uint64(len(b))
	if size < hdr {
		return nil, fmt.Errorf("%w: truncated header: %d of %d bytes", ErrMalformed, size, hdr)
	}
	sl.cpu, sl.sub, sl.fileType = bo.Uint32(b[4:]), bo.Uint32(b[8:]), bo.Uint32(b[12:])
	ncmds, sizeofcmds := bo.Uint32(b[16:]), uint64(bo.Uint32(b[20:]))
	if ncmds > maxLoadCmds {
		return nil, fmt.Errorf("%w: %d load commands (at most %d)", ErrMalformed, ncmds, maxLoadCmds)
	}
	if !fits(hdr, sizeofcmds, size) {
		return nil, fmt.Errorf("%w: sizeofcmds %#x is past the end of the file (%#x bytes)", ErrMalformed, sizeofcmds, size)
	}
	cmdsEnd := hdr + sizeofcmds
	// in checks that [off, off+n) lies inside the slice.
	in := func(what string, off, n uint64) error {
		if !fits(off, n, size) {
			return fmt.Errorf("%w: %s: offset %#x + size %#x is past the end of the slice (%#x bytes)", ErrMalformed, what, off, n, size)
		}
		return nil
	}
	// table checks count entries of entSize bytes at off.
	table := func(what string, off, count, entSize uint64) error {
		if count > (size-min(off, size))/entSize || off > size {
			return fmt.Errorf("%w: %s: %d entries of %d bytes at %#x are past the end of the slice (%#x bytes)", ErrMalformed, what, count, entSize, off, size)
		}
		return nil
	}
	p := hdr
	for i := range ncmds {
		if p+8 > cmdsEnd {
			return nil, fmt.Errorf("%w: load command %d at %#x: past sizeofcmds (%#x)", ErrMalformed, i, p, sizeofcmds)
		}
		cmd, cmdsize := bo.Uint32(b[p:]), bo.Uint32(b[p+4:])
		if cmdsize < 8 {
			return nil, fmt.Errorf("%w: load command %d (%#x) at %#x: cmdsize %d is less than 8", ErrMalformed, i, cmd, p, cmdsize)
		}
		if cmdsize%ptrAlign != 0 {
			return nil, fmt.Errorf("%w: load command %d (%#x) at %#x: cmdsize %d is not a multiple of %d", ErrMalformed, i, cmd, p, cmdsize, ptrAlign)
		}
		if uint64(cmdsize) > cmdsEnd-p {
			return nil, fmt.Errorf("%w: load command %d (%#x) at %#x: cmdsize %#x is past sizeofcmds (%#x)", ErrMalformed, i, cmd, p, cmdsize, sizeofcmds)
		}
		c := b[p : p+uint64(cmdsize)]
		where := fmt.Sprintf("load command %d (%s)", i, cmdName(cmd))
		short := func(need int) error {
			if len(c) < need {
				return fmt.Errorf("%w: %s: cmdsize %d is less than %d", ErrMalformed, where, len(c), need)
			}
			return nil
		}
		u32 := func(at int) uint64 { return uint64(bo.Uint32(c[at:])) }
		u64 := func(at int) uint64 { return bo.Uint64(c[at:]) }
		switch cmd {
		case lcSegment, lcSegment64:
			segHdr, secSize := 56, 68
			if cmd == lcSegment64 {
				segHdr, secSize = 72, 80
			}
			if err := short(segHdr); err != nil {
				return nil, err
			}
			seg := cstr(c[8:24])
			var fileoff, filesize, nsects uint64
			if cmd == lcSegment64 {
				fileoff, filesize, nsects = u64(40), u64(48), u32(64)
			} else {
				fileoff, filesize, nsects = u32(32), u32(36), u32(48)
			}
			where += " " + seg
			if err := in(where, fileoff, filesize); err != nil {
				return nil, err
			}
			if nsects > uint64(len(c)-segHdr)/uint64(secSize) {
				return nil, fmt.Errorf("%w: %s: %d sections do not fit in cmdsize %d", ErrMalformed, where, nsects, len(c))
			}
			for j := range nsects {
				s := c[uint64(segHdr)+j*uint64(secSize):]
				sec := sectionLayout{name: cstr(s[0:16]), seg: cstr(s[16:32])}
				var secOff, secSz, reloff, nreloc, flags uint64
				if cmd == lcSegment64 {
					secSz, secOff, reloff, nreloc, flags = bo.Uint64(s[40:]), uint64(bo.Uint32(s[48:])), uint64(bo.Uint32(s[56:])), uint64(bo.Uint32(s[60:])), uint64(bo.Uint32(s[64:]))
				} else {
					secSz, secOff, reloff, nreloc, flags = uint64(bo.Uint32(s[36:])), uint64(bo.Uint32(s[40:])), uint64(bo.Uint32(s[48:])), uint64(bo.Uint32(s[52:])), uint64(bo.Uint32(s[56:]))
				}
				swhere := fmt.Sprintf("%s: section %s,%s", where, sec.seg, sec.name)
				switch flags & sectionTypeMask {
				case sZerofill, sGBZerofill, sThreadLocalZerofill:
					// No bytes in the file, whatever offset it claims.
				default:
					if err := in(swhere, secOff, secSz); err != nil {
						return nil, err
					}
					sec.off, sec.size = int64(secOff), int64(secSz)
				}
				if nreloc > 0 {
					if err := table(swhere+" relocations", reloff, nreloc, 8); err != nil {
						return nil, err
					}
				}
				sl.sections = append(sl.sections, sec)
			}
		case lcSymtab:
			if err := short(24); err != nil {
				return nil, err
			}
			nlist := uint64(12)
			if sl.is64 {
				nlist = 16
			}
			if err := table(where+" symbols", u32(8), u32(12), nlist); err != nil {
				return nil, err
			}
			if err := in(where+" string table", u32(16), u32(20)); err != nil {
				return nil, err
			}
		case lcDysymtab:
			if err := short(80); err != nil {
				return nil, err
			}
			modSize := uint64(52)
			if sl.is64 {
				modSize = 56
			}
			for _, t := range []struct {
				name    string
				at      int
				entSize uint64
			}{{"table of contents", 32, 8}, {"module table", 40, modSize}, {"referenced symbols", 48, 4},
				{"indirect symbols", 56, 4}, {"external relocations", 64, 8}, {"local relocations", 72, 8}} {
				if err := table(where+" "+t.name, u32(t.at), u32(t.at+4), t.entSize); err != nil {
					return nil, err
				}
			}
		case lcLoadDylib, lcLoadWeakDylib, lcReexportDylib, lcLazyLoadDylib, lcLoadUpwardDylib, lcIDDylib:
			if err := short(24); err != nil {
				return nil, err
			}
			nameOff := u32(8)
			if nameOff >= uint64(len(c)) {
				return nil, fmt.Errorf("%w: %s: name offset %d is outside the command (%d bytes)", ErrMalformed, where, nameOff, len(c))
			}
			if cmd == lcIDDylib {
				break
			}
			kind := dylibKinds[cmd]
			if cmd == lcLoadDylib && nameOff == 28 && u32(12) == dylibUseMarker {
				// dylib_use_command (as dyld tells it: the name right
				// after its 28 bytes, the marker for a timestamp):
				// the kind is in its flags.
				switch f := u32(24); {
				case f&dylibUseWeakLink != 0:
					kind = "weak"
				case f&dylibUseReexport != 0:
					kind = "reexport"
				case f&dylibUseUpward != 0:
					kind = "upward"
				}
			}
			sl.dylibs = append(sl.dylibs, Dylib{Name: cstr(c[nameOff:]), Kind: kind})
		case lcEncryptionInfo, lcEncryptionInfo64:
			if err := short(20); err != nil {
				return nil, err
			}
			off, n := u32(8), u32(12)
			if err := in(where+" encrypted range", off, n); err != nil {
				return nil, err
			}
			sl.crypt = &Encryption{CryptOff: int64(off), CryptSize: int64(n), CryptID: uint32(u32(16))}
		case lcDyldInfo, lcDyldInfoOnly:
			if err := short(48); err != nil {
				return nil, err
			}
			for j, name := range []string{"rebase", "bind", "weak bind", "lazy bind", "export"} {
				if err := in(where+" "+name+" info", u32(8+8*j), u32(12+8*j)); err != nil {
					return nil, err
				}
			}
		case lcNote:
			if err := short(40); err != nil {
				return nil, err
			}
			if err := in(where+" data", u64(24), u64(32)); err != nil {
				return nil, err
			}
		case lcTwolevelHints:
			if err := short(16); err != nil {
				return nil, err
			}
			if err := table(where, u32(8), u32(12), 4); err != nil {
				return nil, err
			}
		case lcThread, lcUnixThread:
			// go-macho reads a flavor and count and allocates count
			// words; they must fit in the command.
			for q := 8; q+8 <= len(c); {
				count := u32(q + 4)
				if count > uint64(len(c)-q-8)/4 {
					return nil, fmt.Errorf("%w: %s: thread state of %d words does not fit in cmdsize %d", ErrMalformed, where, count, len(c))
				}
				q += 8 + int(count)*4
			}
		default:
			if name, ok := linkeditDataCmds[cmd]; ok {
				if err := short(16); err != nil {
					return nil, err
				}
				if err := in(name+" data", u32(8), u32(12)); err != nil {
					return nil, err
				}
				if cmd == lcCodeSignature {
					sl.codeSig = [2]int64{int64(u32(8)), int64(u32(12))}
				}
			}
		}
		p += uint64(cmdsize)
	}
	return sl, nil
}

// fits reports whether [off, off+n) lies inside [0, limit), without
// overflow.
func fits(off, n, limit uint64) bool {
	return off <= limit && n <= limit-off
}

// cstr returns b up to its first NUL.
func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func cmdName(cmd uint32) string {
	switch cmd {
	case lcSegment:
		return "LC_SEGMENT"
	case lcSegment64:
		return "LC_SEGMENT_64"
	case lcSymtab:
		return "LC_SYMTAB"
	case lcDysymtab:
		return "LC_DYSYMTAB"
	case lcEncryptionInfo:
		return "LC_ENCRYPTION_INFO"
	case lcEncryptionInfo64:
		return "LC_ENCRYPTION_INFO_64"
	case lcDyldInfo:
		return "LC_DYLD_INFO"
	case lcDyldInfoOnly:
		return "LC_DYLD_INFO_ONLY"
	case lcIDDylib:
		return "LC_ID_DYLIB"
	case lcLoadDylib:
		return "LC_LOAD_DYLIB"
	case lcLoadWeakDylib:
		return "LC_LOAD_WEAK_DYLIB"
	case lcReexportDylib:
		return "LC_REEXPORT_DYLIB"
	case lcLazyLoadDylib:
		return "LC_LAZY_LOAD_DYLIB"
	case lcLoadUpwardDylib:
		return "LC_LOAD_UPWARD_DYLIB"
	case lcNote:
		return "LC_NOTE"
	case lcTwolevelHints:
		return "LC_TWOLEVEL_HINTS"
	case lcThread:
		return "LC_THREAD"
	case lcUnixThread:
		return "LC_UNIXTHREAD"
	}
	if name, ok := linkeditDataCmds[cmd]; ok {
		return name
	}
	return fmt.Sprintf("%#x", cmd)
}

// stringSections are the sections whose bytes are strings worth a URL
// scan: C string literals (and UTF-16 ones), read-only constants in
// __TEXT, and Objective-C class names. Method names and __cfstring (which
// holds pointers) are left out.
func isStringSection(seg, name string) bool {
	switch name {
	case "__cstring", "__ustring", "__objc_classname":
		return true
	case "__const":
		return seg == "__TEXT"
	}
	return seg == "__RODATA"
}

// StringRanges returns the absolute file ranges [start, end) of the
// sections that hold strings, in every slice: __cstring, __ustring and
// __objc_classname in any segment, __TEXT,__const, and the sections of a
// __RODATA segment. Ranges are sorted and merged, and leave out the range
// an LC_ENCRYPTION_INFO(_64) command with a non-zero cryptid marks as
// encrypted in that slice (its bytes are ciphertext).
//
// It reads the headers itself, never through go-macho, so the strings can
// be scanned even when go-macho fails on the file. It returns PreCheck's
// error for headers PreCheck rejects; callers then scan the whole file.
func StringRanges(data []byte) ([][2]int64, error) {
	fl, err := parseLayout(data)
	if err != nil {
		return nil, err
	}
	var out [][2]int64
	for _, sl := range fl.slices {
		out = append(out, sl.stringRanges()...)
	}
	return mergeRanges(out), nil
}

// stringRanges returns the absolute string ranges of one slice, merged.
func (s *sliceLayout) stringRanges() [][2]int64 {
	var out [][2]int64
	lo, hi, enc := s.encrypted()
	for _, sc := range s.sections {
		if sc.size == 0 || !isStringSection(sc.seg, sc.name) {
			continue
		}
		a, b := sc.off, sc.off+sc.size
		if !enc || b <= lo || a >= hi {
			out = append(out, [2]int64{a, b})
			continue
		}
		if a < lo {
			out = append(out, [2]int64{a, lo})
		}
		if b > hi {
			out = append(out, [2]int64{hi, b})
		}
	}
	for i := range out {
		out[i][0] += s.off
		out[i][1] += s.off
	}
	return mergeRanges(out)
}

// mergeRanges sorts ranges and merges those that overlap or touch.
func mergeRanges(r [][2]int64) [][2]int64 {
	if len(r) == 0 {
		return nil
	}
	slices.SortFunc(r, func(a, b [2]int64) int {
		if a[0] != b[0] {
			return int(sign(a[0] - b[0]))
		}
		return int(sign(a[1] - b[1]))
	})
	out := r[:1]
	for _, x := range r[1:] {
		last := &out[len(out)-1]
		if x[0] <= last[1] {
			last[1] = max(last[1], x[1])
			continue
		}
		out = append(out, x)
	}
	return out
}

func sign(x int64) int64 {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// archName names a CPU type and subtype as Apple's tools do.
func archName(cpu, sub uint32) string {
	sub &^= 0xff000000 // capability bits (arm64e's pointer authentication ABI version)
	switch cpu {
	case 0x0100000c:
		switch sub {
		case 2:
			return "arm64e"
		case 1:
			return "arm64v8"
		}
		return "arm64"
	case 0x0200000c:
		return "arm64_32"
	case 12:
		switch sub {
		case 6:
			return "armv6"
		case 9:
			return "armv7"
		case 11:
			return "armv7s"
		case 12:
			return "armv7k"
		}
		return "arm"
	case 0x01000007:
		if sub == 8 {
			return "x86_64h"
		}
		return "x86_64"
	case 7:
		return "i386"
	case 18:
		return "ppc"
	case 0x01000012:
		return "ppc64"
	}
	return fmt.Sprintf("cpu%#x.%#x", cpu, sub)
}

// fileTypeName names an MH_ file type in lower case, without the prefix.
func fileTypeName(ft uint32) string {
	names := []string{1: "object", "execute", "fvmlib", "core", "preload", "dylib", "dylinker", "bundle", "dylib_stub", "dsym", "kext_bundle", "fileset"}
	if ft > 0 && int(ft) < len(names) {
		return names[ft]
	}
	return fmt.Sprintf("filetype%#x", ft)
}
