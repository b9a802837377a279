package macho

import (
	"slices"
	"strings"
)

// Objective-C symbol prefixes, as clang names the data it emits. Classes
// have one leading underscore (the C prefix); protocol and category
// records are compiler-private and have two, or "l_" while still in an
// object file.
var (
	classPrefixes    = []string{"_OBJC_CLASS_$_", "_OBJC_METACLASS_$_"}
	protocolPrefixes = []string{"__OBJC_PROTOCOL_$_", "__OBJC_LABEL_PROTOCOL_$_", "l_OBJC_PROTOCOL_$_", "l_OBJC_LABEL_PROTOCOL_$_", "_OBJC_PROTOCOL_$_"}
	categoryPrefixes = []string{"__OBJC_$_CATEGORY_", "l_OBJC_$_CATEGORY_", "_OBJC_$_CATEGORY_"}
)

// nameSet collects names once each.
type nameSet map[string]struct{}

func (s nameSet) add(n string) {
	if n != "" {
		s[n] = struct{}{}
	}
}

// sorted returns the names in order, or nil for none.
func (s nameSet) sorted() []string {
	if len(s) == 0 {
		return nil
	}
	out := make([]string, 0, len(s))
	for n := range s {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// symbolNames sorts the names in a symbol table.
type symbolNames struct {
	classes, protocols, categories, swift nameSet
}

func newSymbolNames() *symbolNames {
	return &symbolNames{classes: nameSet{}, protocols: nameSet{}, categories: nameSet{}, swift: nameSet{}}
}

// add files one symbol. defined is false for undefined (imported)
// symbols: they name classes of other images, but the Swift modules they
// name are still modules this image uses.
func (s *symbolNames) add(name string, defined bool) {
	if m, ok := swiftSymbolModule(name); ok {
		s.swift.add(m)
	}
	if !defined {
		return
	}
	if n, ok := cutAnyPrefix(name, classPrefixes); ok {
		s.classes.add(n)
	} else if n, ok := cutAnyPrefix(name, protocolPrefixes); ok {
		s.protocols.add(n)
	} else if n, ok := cutAnyPrefix(name, categoryPrefixes); ok {
		// <Class>_$_<Category>; the list-of-methods records
		// (__OBJC_$_CATEGORY_INSTANCE_METHODS_…) end the same way.
		if i := strings.LastIndex(n, "_$_"); i >= 0 {
			s.categories.add(n[i+3:])
		}
	}
}

func cutAnyPrefix(s string, prefixes []string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return "", false
}

// swiftSymbolModule returns the module of a Swift mangled symbol: the
// first identifier after the mangling prefix ("$s" since Swift 5, "$S" in
// 4.2, "_T0" in 4.0; with Mach-O's leading underscore), written as its
// decimal length and its characters: "_$s7BUAdSDK10BUNativeAdC…" is in
// module BUAdSDK. Symbols that start with a substitution instead ("$sSo…"
// for imported Objective-C, "$ss…" for the standard library) yield
// nothing.
func swiftSymbolModule(sym string) (string, bool) {
	for _, p := range []string{"_$s", "$s", "_$S", "$S", "__T0", "_T0"} {
		if rest, ok := strings.CutPrefix(sym, p); ok {
			return swiftIdentifier(rest)
		}
	}
	return "", false
}

// swiftClassModule returns the module of a Swift class as the Objective-C
// runtime names it: "_TtC7BUAdSDK10BUNativeAd" (class BUNativeAd in module
// BUAdSDK), with more kind letters for nested or generic types
// ("_TtCC…", "_TtGC…") and P for protocols ("_TtP7BUAdSDK8Delegate_").
func swiftClassModule(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "_Tt")
	if !ok {
		return "", false
	}
	i := 0
	for i < len(rest) && i < 8 && rest[i] >= 'A' && rest[i] <= 'Z' {
		i++
	}
	if i == 0 {
		return "", false
	}
	return swiftIdentifier(rest[i:])
}

// swiftIdentifier decodes a mangled identifier at the start of s: a
// decimal length without leading zeros (a leading 0 marks word
// substitutions or Punycode, which module names do not need) and that
// many identifier characters.
func swiftIdentifier(s string) (string, bool) {
	n, i := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if s[0] == '0' {
			return "", false
		}
		n = n*10 + int(s[i]-'0')
		i++
		if n > 1024 {
			return "", false
		}
	}
	if n == 0 || n > len(s)-i {
		return "", false
	}
	id := s[i : i+n]
	for j := 0; j < len(id); j++ {
		c := id[j]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (j == 0 || c < '0' || c > '9') {
			return "", false
		}
	}
	return id, true
}

// cstrings splits a section of NUL-terminated strings, keeping the
// non-empty ones.
func cstrings(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != 0 {
			i++
		}
		if i > 0 {
			out = append(out, string(b[:i]))
		}
		if i == len(b) {
			break
		}
		b = b[i+1:]
	}
	return out
}
