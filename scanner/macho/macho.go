// Package macho reads the facts an SDK scanner needs from Mach-O files
// (iOS and macOS executables, dylibs, frameworks and the objects of static
// libraries, thin or fat): per architecture slice, the linked dylibs,
// Objective-C classes and protocols, Swift modules, FairPlay encryption,
// the code signature's identity, and where the strings are.
//
// Every input is hostile. The package reads the headers itself, checking
// every offset (PreCheck), and hands only files that pass to
// github.com/blacktop/go-macho, and only in a sandbox child process
// (package sandbox): go-macho allocates whatever a size field claims,
// panics on damaged data and can loop forever. When a child dies the
// parent keeps what it read from the headers and reports which part
// failed.
//
// Programs that call Analyze must call sandbox.MainIfWorker first thing in
// main (and test binaries in TestMain).
package macho

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sdkvet/sdkvet/scanner/sandbox"
)

// Facts are what Analyze reads from a Mach-O file.
type Facts struct {
	// Slices holds one entry per architecture: one for a thin file, one
	// per fat_arch entry, in order, for a universal file.
	Slices []Slice `json:"slices"`
}

// Slice holds the facts of one architecture slice.
type Slice struct {
	Arch     string `json:"arch"`   // "arm64", "arm64e", "x86_64", "armv7", …
	Offset   int64  `json:"offset"` // of the slice in the file
	Size     int64  `json:"size"`
	FileType string `json:"file_type"` // "execute", "dylib", "object", "bundle", …
	// Dylibs are the dylib load commands, in order.
	Dylibs []Dylib `json:"dylibs,omitempty"`
	// ObjCClasses are the Objective-C classes the slice defines, sorted:
	// from __objc_classlist in a linked image, from _OBJC_CLASS_$_ and
	// _OBJC_METACLASS_$_ symbols, and from __objc_classname in an object
	// file (less the protocol and category names found in its symbols).
	// Swift classes keep their runtime names ("_TtC7BUAdSDK6Splash").
	ObjCClasses []string `json:"objc_classes,omitempty"`
	// ObjCProtocols are the Objective-C protocols the slice defines,
	// sorted: from __objc_protolist and __OBJC_PROTOCOL_$_ symbols.
	ObjCProtocols []string `json:"objc_protocols,omitempty"`
	// SwiftModules are the Swift modules the slice's symbols and Swift
	// class names name, sorted. Undefined symbols count: a stripped app
	// keeps the Swift symbols it imports from a framework.
	SwiftModules []string `json:"swift_modules,omitempty"`
	// Encryption is the LC_ENCRYPTION_INFO(_64) command, if any; CryptID
	// 0 means the range has been decrypted.
	Encryption *Encryption `json:"encryption,omitempty"`
	// CodeSignature is the embedded signature, if any.
	CodeSignature *CodeSignature `json:"code_signature,omitempty"`
	// StringRanges are the absolute file ranges [start, end) of the
	// slice's string sections, sorted and merged, without the encrypted
	// range (see StringRanges).
	StringRanges [][2]int64 `json:"string_ranges,omitempty"`
	// Errors name the parts of this slice that could not be read; the
	// other fields hold what could.
	Errors []string `json:"errors,omitempty"`
}

// Dylib is one dylib load command.
type Dylib struct {
	Name string `json:"name"`
	// Kind is "load", "weak", "reexport", "lazy" or "upward", from the
	// command (LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, …) or from the flags of
	// a dylib_use_command.
	Kind string `json:"kind"`
}

// Encryption is an LC_ENCRYPTION_INFO(_64) command.
type Encryption struct {
	CryptOff  int64  `json:"cryptoff"` // absolute file offset
	CryptSize int64  `json:"cryptsize"`
	CryptID   uint32 `json:"cryptid"` // non-zero: the range is encrypted
}

// CodeSignature is what an embedded code signature says about who signed
// the slice.
type CodeSignature struct {
	Identifier   string   `json:"identifier,omitempty"`    // CodeDirectory identifier, e.g. the bundle ID
	TeamID       string   `json:"team_id,omitempty"`       // CodeDirectory team ID (version 0x20200 and later)
	Entitlements string   `json:"entitlements,omitempty"`  // XML plist text
	CertSubjects []string `json:"cert_subjects,omitempty"` // of the CMS signature's certificates, in order
	CertSHA256   []string `json:"cert_sha256,omitempty"`   // lower-case hex of each certificate's DER, same order
}

// Analyze reads the facts of a thin or fat Mach-O file. It runs PreCheck
// and returns its error for headers that point outside the file. Otherwise
// it fills each slice's Arch, Offset, Size, FileType, Dylibs, Encryption
// and StringRanges from the headers, then reads the rest with go-macho in
// sandbox children, two per slice: one for the symbols, __objc_classname
// and the code signature; one for a linked image's Objective-C class and
// protocol lists. The second is skipped when the slice is encrypted (the
// names it would follow are ciphertext); the slice's Errors say so.
//
// Children run with sandbox.LimitsFrom(ctx), defaults filling zero
// fields; all children of one file share a time budget of twice the
// timeout. When a child crashes, runs out of memory or time, or fails,
// Analyze still returns the facts it has, with the failure in the slice's
// Errors, together with an error that names the slice and go-macho.
func Analyze(ctx context.Context, data []byte) (*Facts, error) {
	fl, err := parseLayout(data)
	if err != nil {
		return nil, err
	}
	lim := sandbox.LimitsFrom(ctx)
	def := sandbox.DefaultLimits()
	if lim.Memory <= 0 {
		lim.Memory = def.Memory
	}
	if lim.Timeout <= 0 {
		lim.Timeout = def.Timeout
	}
	if lim.Output <= 0 {
		lim.Output = def.Output
	}
	a := &analysis{ctx: ctx, lim: lim, deadline: time.Now().Add(2 * lim.Timeout)}
	facts := &Facts{Slices: make([]Slice, 0, len(fl.slices))}
	seen := map[[2]int64]int{}
	for _, sl := range fl.slices {
		key := [2]int64{sl.off, sl.size}
		if i, ok := seen[key]; ok {
			// A fat header may list the same bytes twice; read them once.
			facts.Slices = append(facts.Slices, facts.Slices[i])
			continue
		}
		seen[key] = len(facts.Slices)
		facts.Slices = append(facts.Slices, a.slice(data[sl.off:sl.off+sl.size], sl))
	}
	return facts, errors.Join(a.errs...)
}

type analysis struct {
	ctx      context.Context
	lim      sandbox.Limits
	deadline time.Time
	errs     []error
}

// run runs a handler on one slice within the file's time budget.
func (a *analysis) run(name string, b []byte) ([]byte, error) {
	if err := a.ctx.Err(); err != nil {
		return nil, err
	}
	lim := a.lim
	left := time.Until(a.deadline)
	if left <= 0 {
		return nil, fmt.Errorf("%w: not run: the file's time budget of %s is spent", sandbox.ErrContained, 2*a.lim.Timeout)
	}
	lim.Timeout = min(lim.Timeout, left)
	return sandbox.Run(a.ctx, name, b, lim)
}

// fail records a failed part of sl.
func (a *analysis) fail(s *Slice, part string, err error) {
	s.Errors = append(s.Errors, part+": "+err.Error())
	a.errs = append(a.errs, fmt.Errorf("macho: %s slice at %#x: %s: %w", s.Arch, s.Offset, part, err))
}

// slice reads one slice: b is its bytes, sl its pre-checked headers.
func (a *analysis) slice(b []byte, sl *sliceLayout) Slice {
	s := Slice{
		Arch:         archName(sl.cpu, sl.sub),
		Offset:       sl.off,
		Size:         sl.size,
		FileType:     fileTypeName(sl.fileType),
		Dylibs:       sl.dylibs,
		StringRanges: sl.stringRanges(),
	}
	if sl.crypt != nil {
		e := *sl.crypt
		e.CryptOff += sl.off
		s.Encryption = &e
	}

	// Machine code is most of a binary and nothing the children read;
	// it is left out of what crosses the pipe.
	b = packSlice(b, sl.codeRanges())
	_, _, enc := sl.encrypted()
	wantObjC := sl.fileType != mhObject && sl.hasObjCLists()
	if wantObjC && !enc {
		// Both readings in one child; only if that child is lost does
		// each reading get its own, so that a crash in the ObjC walk
		// costs nothing but class names.
		out, err := a.run(handlerAll, b)
		var all allFacts
		if err == nil {
			if jerr := json.Unmarshal(out, &all); jerr != nil {
				err = fmt.Errorf("unreadable output from the %s child: %w", handlerAll, jerr)
			}
		}
		if err == nil {
			a.takeFacts(&s, &all.Facts)
			a.takeObjC(&s, &all.ObjC)
			return finishSlice(s)
		}
		if !errors.Is(err, sandbox.ErrContained) {
			a.fail(&s, "go-macho", err) // go-macho refused the file
			return finishSlice(s)
		}
	}
	out, err := a.run(handlerFacts, b)
	var c Slice
	if err == nil {
		if jerr := json.Unmarshal(out, &c); jerr != nil {
			err = fmt.Errorf("unreadable output from the %s child: %w", handlerFacts, jerr)
		}
	}
	if err != nil {
		a.fail(&s, "go-macho", err)
	} else {
		a.takeFacts(&s, &c)
	}

	// An ordinary error is go-macho refusing the file; the ObjC child
	// would open it the same way. A contained one may be specific to
	// what the first child read.
	opened := err == nil || errors.Is(err, sandbox.ErrContained)
	if opened && wantObjC {
		if lo, hi, enc := sl.encrypted(); enc {
			s.Errors = append(s.Errors, fmt.Sprintf(
				"objc metadata: not read: bytes %#x-%#x of the slice are encrypted (cryptid %d); class names come from symbols only",
				lo, hi, sl.crypt.CryptID))
		} else {
			out, err := a.run(handlerObjC, b)
			var o objcFacts
			if err == nil {
				if jerr := json.Unmarshal(out, &o); jerr != nil {
					err = fmt.Errorf("unreadable output from the %s child: %w", handlerObjC, jerr)
				}
			}
			if err != nil {
				a.fail(&s, "go-macho objc metadata", err)
			} else {
				a.takeObjC(&s, &o)
			}
		}
	}
	return finishSlice(s)
}

// takeFacts merges the facts child's reading into s.
func (a *analysis) takeFacts(s *Slice, c *Slice) {
	// go-macho's dylibs replace the parent's; the two agree on every file
	// PreCheck accepts, which the tests check.
	s.Dylibs = c.Dylibs
	s.ObjCClasses, s.ObjCProtocols, s.SwiftModules = c.ObjCClasses, c.ObjCProtocols, c.SwiftModules
	s.CodeSignature = c.CodeSignature
	s.Errors = append(s.Errors, c.Errors...)
}

// takeObjC merges the ObjC child's reading into s.
func (a *analysis) takeObjC(s *Slice, o *objcFacts) {
	s.ObjCClasses = union(s.ObjCClasses, o.Classes)
	s.ObjCProtocols = union(s.ObjCProtocols, o.Protocols)
	s.Errors = append(s.Errors, o.Errors...)
}

// finishSlice derives Swift modules from Swift class names.
func finishSlice(s Slice) Slice {
	var mods []string
	for _, n := range append(append([]string(nil), s.ObjCClasses...), s.ObjCProtocols...) {
		if m, ok := swiftClassModule(n); ok {
			mods = append(mods, m)
		}
	}
	s.SwiftModules = union(s.SwiftModules, mods)
	return s
}

// union returns the sorted names in a or b, once each.
func union(a, b []string) []string {
	set := nameSet{}
	for _, n := range a {
		set.add(n)
	}
	for _, n := range b {
		set.add(n)
	}
	return set.sorted()
}
