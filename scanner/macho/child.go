package macho

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/sdkvet/sdkvet/scanner/berguard"
	"io"
	"log"
	"os"

	gomacho "github.com/blacktop/go-macho"
	"github.com/blacktop/go-macho/pkg/codesign"
	"github.com/blacktop/go-macho/types"
	"github.com/smallstep/pkcs7"

	"github.com/sdkvet/sdkvet/scanner/sandbox"
)

// This file runs in the sandbox child only. go-macho allocates whatever a
// size field claims ("fatal error: out of memory" cannot be recovered),
// dereferences nil on damaged bind opcodes and can loop forever walking
// Objective-C metadata. Each handler reads one thin image that PreCheck
// accepted, recovers the panics it can, and records the part that failed;
// what it cannot survive, the sandbox turns into an error for the parent.

// Sandbox handler names. Both read one thin Mach-O image on standard input.
const (
	// handlerFacts returns a Slice as JSON: dylibs, the names in the
	// symbol table, __objc_classname of an object file, and the code
	// signature.
	handlerFacts = "macho"
	// handlerObjC returns an objcFacts as JSON: the classes and protocols
	// of a linked image's Objective-C metadata, go-macho's riskiest walk,
	// kept apart so that it cannot cost the other facts.
	handlerObjC = "macho-objc"
	// handlerAll does both in one process.
	handlerAll = "macho-all"
)

func init() {
	sandbox.Register(handlerFacts, child(readFacts))
	sandbox.Register(handlerObjC, child(readObjC))
	sandbox.Register(handlerAll, child(readAll))
}

// objcFacts is the output of handlerObjC.
type objcFacts struct {
	Classes   []string `json:"classes,omitempty"`
	Protocols []string `json:"protocols,omitempty"`
	Errors    []string `json:"errors,omitempty"`
}

// excludedLoads are load commands go-macho need not parse for the facts
// read here. Each of them makes go-macho read or allocate data whose size
// the command claims, and a damaged one fails the whole file; the code
// signature is parsed below, after its own checks.
var excludedLoads = []types.LoadCmd{
	types.LC_CODE_SIGNATURE, types.LC_SEGMENT_SPLIT_INFO, types.LC_FUNCTION_STARTS,
	types.LC_DATA_IN_CODE, types.LC_DYLIB_CODE_SIGN_DRS, types.LC_LINKER_OPTIMIZATION_HINT,
	types.LC_NOTE, types.LC_THREAD, types.LC_UNIXTHREAD, types.LC_TWOLEVEL_HINTS,
	types.LC_ATOM_INFO, types.LC_FUNCTION_VARIANTS, types.LC_FUNCTION_VARIANT_FIXUPS,
}

// quiet silences go-macho's chatter for the life of the child: it logs
// unknown load commands through the standard logger and prints
// unsupported code directory versions with fmt.Printf, which would
// corrupt the JSON the child writes to standard output.
func quiet() (restore func()) {
	log.SetOutput(io.Discard)
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return func() {}
	}
	stdout := os.Stdout
	os.Stdout = null
	return func() {
		os.Stdout = stdout
		null.Close()
	}
}

// guard runs one part of the analysis, turning an error or a panic into
// an entry of errs named after the part.
func guard(errs *[]string, part string, fn func() error) {
	defer func() {
		if r := recover(); r != nil {
			*errs = append(*errs, fmt.Sprintf("%s: go-macho panicked: %v", part, r))
		}
	}()
	if err := fn(); err != nil {
		*errs = append(*errs, fmt.Sprintf("%s: %v", part, err))
	}
}

// openThin opens one thin image with go-macho.
func openThin(b []byte) (f *gomacho.File, err error) {
	if len(b) >= 4 {
		if m := binary.BigEndian.Uint32(b); m == fatMagic || m == fatMagic64 {
			return nil, errors.New("open: a fat file; the handler reads one slice")
		}
	}
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("open: go-macho panicked: %v", r)
		}
	}()
	f, err = gomacho.NewFile(bytes.NewReader(b), gomacho.FileConfig{LoadExcluding: excludedLoads})
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	return f, nil
}

// readFacts reads everything but the Objective-C metadata from one thin
// image. Offsets in the result are relative to b.
func readFacts(b []byte) (*Slice, error) {
	f, err := openThin(b)
	if err != nil {
		return nil, err
	}
	s := &Slice{
		Arch:     archName(uint32(f.CPU), uint32(f.SubCPU)),
		Size:     int64(len(b)),
		FileType: fileTypeName(uint32(f.Type)),
	}
	guard(&s.Errors, "load commands", func() error {
		for _, l := range f.Loads {
			switch l := l.(type) {
			case *gomacho.LoadDylib:
				kind := "load"
				switch {
				case l.Flags&types.DYLIB_USE_WEAK_LINK != 0:
					kind = "weak"
				case l.Flags&types.DYLIB_USE_REEXPORT != 0:
					kind = "reexport"
				case l.Flags&types.DYLIB_USE_UPWARD != 0:
					kind = "upward"
				}
				s.Dylibs = append(s.Dylibs, Dylib{Name: l.Name, Kind: kind})
			case *gomacho.WeakDylib:
				s.Dylibs = append(s.Dylibs, Dylib{Name: l.Name, Kind: "weak"})
			case *gomacho.ReExportDylib:
				s.Dylibs = append(s.Dylibs, Dylib{Name: l.Name, Kind: "reexport"})
			case *gomacho.LazyLoadDylib:
				s.Dylibs = append(s.Dylibs, Dylib{Name: l.Name, Kind: "lazy"})
			case *gomacho.UpwardDylib:
				s.Dylibs = append(s.Dylibs, Dylib{Name: l.Name, Kind: "upward"})
			case *gomacho.EncryptionInfo:
				s.Encryption = &Encryption{CryptOff: int64(l.Offset), CryptSize: int64(l.Size), CryptID: uint32(l.CryptID)}
			case *gomacho.EncryptionInfo64:
				s.Encryption = &Encryption{CryptOff: int64(l.Offset), CryptSize: int64(l.Size), CryptID: uint32(l.CryptID)}
			}
		}
		return nil
	})

	names := newSymbolNames()
	guard(&s.Errors, "symbols", func() error {
		if f.Symtab == nil {
			return nil
		}
		for _, sym := range f.Symtab.Syms {
			if sym.Type.IsDebugSym() {
				continue
			}
			t := sym.Type & types.N_TYPE
			names.add(sym.Name, t == types.N_SECT || t == types.N_ABS || t == types.N_INDR)
		}
		return nil
	})
	if f.Type == types.MH_OBJECT {
		// Class names of an object file: the metadata's pointers are
		// zero until link time, so read the names themselves. The
		// section also holds protocol and category names.
		guard(&s.Errors, "__objc_classname", func() error {
			for _, sec := range f.Sections {
				if sec.Name != "__objc_classname" || sec.Size == 0 {
					continue
				}
				off, size := uint64(sec.Offset), sec.Size
				if !fits(off, size, uint64(len(b))) {
					return fmt.Errorf("section %s,%s at %#x+%#x is past the end of the file", sec.Seg, sec.Name, off, size)
				}
				if e := s.Encryption; e != nil && e.CryptID != 0 && int64(off) < e.CryptOff+e.CryptSize && e.CryptOff < int64(off+size) {
					return fmt.Errorf("section %s,%s is encrypted", sec.Seg, sec.Name)
				}
				for _, n := range cstrings(b[off : off+size]) {
					if _, p := names.protocols[n]; p {
						continue
					}
					if _, c := names.categories[n]; c {
						continue
					}
					names.classes.add(n)
				}
			}
			return nil
		})
	}
	s.ObjCClasses, s.ObjCProtocols, s.SwiftModules = names.classes.sorted(), names.protocols.sorted(), names.swift.sorted()

	// The code signature, located by the parent's own header reader
	// (go-macho is told to skip LC_CODE_SIGNATURE).
	guard(&s.Errors, "code signature", func() error {
		sl, err := parseThin(b)
		if err != nil {
			return err
		}
		if sl.codeSig[1] == 0 {
			return nil
		}
		s.CodeSignature, err = readCodeSignature(b[sl.codeSig[0] : sl.codeSig[0]+sl.codeSig[1]])
		return err
	})
	return s, nil
}

// Code-signing magic numbers and slots, from xnu's cs_blobs.h.
const (
	csMagicEmbeddedSignature = 0xfade0cc0
	csMagicCodeDirectory     = 0xfade0c02
	csSlotCodeDirectory      = 0
	csSlotAltCodeDirectories = 0x1000 // up to 0x1004
	cdVersionLinkage         = 0x20600
)

// checkSuperBlob checks the counts and offsets in an embedded signature
// that go-macho's codesign parser would trust: the index count (it
// allocates that many entries), and in each CodeDirectory the hash slots
// (a zero hash size makes it loop four billion times) and the linkage data
// (it allocates the claimed size).
func checkSuperBlob(b []byte) error {
	be := binary.BigEndian
	if len(b) < 12 {
		return fmt.Errorf("%d bytes are too short for a SuperBlob", len(b))
	}
	if m := be.Uint32(b); m != csMagicEmbeddedSignature {
		return fmt.Errorf("not an embedded signature (magic %#x)", m)
	}
	count := be.Uint32(b[8:])
	if uint64(count) > uint64(len(b)-12)/8 {
		return fmt.Errorf("SuperBlob index of %d entries does not fit in %d bytes", count, len(b))
	}
	for i := range count {
		typ, off := be.Uint32(b[12+8*i:]), uint64(be.Uint32(b[16+8*i:]))
		if off+8 > uint64(len(b)) {
			return fmt.Errorf("blob %d (slot %#x) at %#x is past the end of the signature (%d bytes)", i, typ, off, len(b))
		}
		if typ != csSlotCodeDirectory && (typ < csSlotAltCodeDirectories || typ > csSlotAltCodeDirectories+4) {
			continue
		}
		cd := b[off:]
		length := uint64(be.Uint32(cd[4:]))
		if be.Uint32(cd) != csMagicCodeDirectory || length < 44 || length > uint64(len(cd)) {
			return fmt.Errorf("CodeDirectory %d at %#x: bad magic %#x or length %d", i, off, be.Uint32(cd), length)
		}
		cd = cd[:length]
		version := be.Uint32(cd[8:])
		hashOff, nSpecial, nCode := uint64(be.Uint32(cd[16:])), uint64(be.Uint32(cd[24:])), uint64(be.Uint32(cd[28:]))
		hashSize := uint64(cd[36])
		if nSpecial+nCode > 0 && (hashSize == 0 || nSpecial*hashSize > hashOff || hashOff > length || nCode > (length-hashOff)/hashSize) {
			return fmt.Errorf("CodeDirectory %d: %d special and %d code slots of %d bytes at %#x do not fit in %d bytes", i, nSpecial, nCode, hashSize, hashOff, length)
		}
		if version >= cdVersionLinkage && length >= 108 {
			if lo, ls := uint64(be.Uint32(cd[100:])), uint64(be.Uint32(cd[104:])); lo > 0 && !fits(lo, ls, length) {
				return fmt.Errorf("CodeDirectory %d: linkage data at %#x+%#x is past its end (%d bytes)", i, lo, ls, length)
			}
		}
	}
	return nil
}

// readCodeSignature reads an embedded signature with go-macho's codesign
// parser, and the certificates of its CMS blob with pkcs7.
func readCodeSignature(b []byte) (*CodeSignature, error) {
	if err := checkSuperBlob(b); err != nil {
		return nil, err
	}
	cs, err := codesign.ParseCodeSignature(b)
	if err != nil {
		return nil, err
	}
	out := &CodeSignature{Entitlements: cs.Entitlements}
	for _, cd := range cs.CodeDirectories {
		if out.Identifier == "" {
			out.Identifier = cd.ID
		}
		if out.TeamID == "" {
			out.TeamID = cd.TeamID
		}
	}
	if len(cs.CMSSignature) == 0 {
		return out, nil
	}
	if err := berguard.Check(cs.CMSSignature); err != nil {
		return out, fmt.Errorf("CMS signature: %w", err)
	}
	p7, err := pkcs7.Parse(cs.CMSSignature)
	if err != nil {
		return out, fmt.Errorf("CMS signature: %w", err)
	}
	for _, c := range p7.Certificates {
		sum := sha256.Sum256(c.Raw)
		out.CertSubjects = append(out.CertSubjects, c.Subject.String())
		out.CertSHA256 = append(out.CertSHA256, hex.EncodeToString(sum[:]))
	}
	return out, nil
}

// child makes a sandbox handler of a reading: it silences go-macho's
// printing, rebuilds a packed slice, reads it and encodes the result.
func child[T any](read func([]byte) (T, error)) sandbox.Handler {
	return func(in []byte) ([]byte, error) {
		defer quiet()()
		in, err := unpackSlice(in)
		if err != nil {
			return nil, err
		}
		v, err := read(in)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	}
}

// allFacts is the output of handlerAll.
type allFacts struct {
	Facts Slice     `json:"facts"`
	ObjC  objcFacts `json:"objc"`
}

// readAll is handlerAll's reading: both in one child, which saves a process
// and a copy of the slice. A crash in the ObjC walk makes the parent fall
// back to one child per reading.
func readAll(b []byte) (*allFacts, error) {
	s, err := readFacts(b)
	if err != nil {
		return nil, err
	}
	o, err := readObjC(b)
	if err != nil {
		o = &objcFacts{Errors: []string{"objc metadata: " + err.Error()}}
	}
	return &allFacts{Facts: *s, ObjC: *o}, nil
}

// readObjC walks the Objective-C class and protocol lists of one thin
// linked image with go-macho. The parent runs it only when the image has
// such lists and no encrypted range.
func readObjC(b []byte) (*objcFacts, error) {
	f, err := openThin(b)
	if err != nil {
		return nil, err
	}
	o := &objcFacts{}
	classes, protocols := nameSet{}, nameSet{}
	guard(&o.Errors, "objc classes", func() error {
		cls, err := f.GetObjCClasses()
		for _, c := range cls {
			classes.add(c.Name)
		}
		return err
	})
	guard(&o.Errors, "objc protocols", func() error {
		ps, err := f.GetObjCProtocols()
		for _, p := range ps {
			protocols.add(p.Name)
		}
		return err
	})
	o.Classes, o.Protocols = classes.sorted(), protocols.sorted()
	return o, nil
}
