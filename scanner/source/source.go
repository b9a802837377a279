// Package source extracts evidence from app source code: imports and
// fully-qualified references (Java/Kotlin classes, Swift and Objective-C
// modules and classes, npm and pub packages) and the URLs and hosts inside
// string literals, each with its line and column. Comments and
// documentation are never evidence.
//
// Java, Kotlin, Swift, JavaScript, TypeScript/TSX, C and C++ are parsed
// with tree-sitter grammars (github.com/smacker/go-tree-sitter), which
// need a cgo build. Objective-C and Dart, for which no tree-sitter grammar
// with Go bindings usable with that runtime is available, are read with a
// lexer (package tokens) that knows their comments, string literals,
// #import / @import and import 'package:...' forms. Files larger than
// MaxParse are read with the same lexer: string literals and imports only.
package source

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/hostscan"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/sourcetree"
	"github.com/sdkvet/sdkvet/scanner/tokens"
)

// MaxParse is the largest file handed to a tree-sitter grammar; larger
// files (minified bundles, generated code) are read with the lexer.
const MaxParse = 1 << 20

// MaxRefs bounds the facts reported for one file.
const MaxRefs = 20_000

// ErrNeedsCgo is returned for languages parsed with tree-sitter when the
// binary was built without cgo.
var ErrNeedsCgo = errors.New("source code parsing needs a cgo build (CGO_ENABLED=1)")

// ErrTooMany is returned with the first MaxRefs facts of a file that holds more.
var ErrTooMany = errors.New("more facts than the per-file limit; the rest were not read")

// Extract reads one source file of language lang and calls emit for each
// fact, with Offset, Line and Column set (Path is left to the caller).
func Extract(ctx context.Context, lang sourcetree.Language, data []byte, emit func(observation.Observation)) error {
	e := &emitter{ln: tokens.NewLines(data), emit: emit}
	var err error
	switch {
	case lang == sourcetree.ObjC:
		lexObjC(data, e)
	case lang == sourcetree.Dart:
		lexDart(data, e)
	case len(data) > MaxParse:
		lexGeneric(lang, data, e)
	default:
		err = parseTree(ctx, lang, data, e)
	}
	if e.full {
		err = errors.Join(err, ErrTooMany)
	}
	return err
}

// emitter positions facts and applies the per-file bound.
type emitter struct {
	ln   *tokens.Lines
	emit func(observation.Observation)
	n    int
	full bool
}

func (e *emitter) add(kind observation.Kind, value, detail string, off int) {
	if value == "" {
		return
	}
	if e.n >= MaxRefs {
		e.full = true
		return
	}
	e.n++
	line, col := e.ln.At(off)
	e.emit(observation.Observation{Kind: kind, Value: value, Detail: detail, Offset: int64(off), Line: line, Column: col})
}

// fqnRe matches a fully-qualified Java name: a lower-case first segment and
// at least three segments.
var fqnRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[A-Za-z_$][A-Za-z0-9_$]*){2,}$`)

// jniRe matches a JNI class descriptor, com/tencent/mm/Foo.
var jniRe = regexp.MustCompile(`^L?[a-z_][a-z0-9_]*(/[A-Za-z_$][A-Za-z0-9_$]*){2,};?$`)

// literal reports the facts in a string literal's body, which starts at
// byte offset off: URLs and hosts, and a fully-qualified class name
// (Class.forName("..."), JNI FindClass("a/b/C")).
func (e *emitter) literal(body string, off int) {
	if len(body) < 4 {
		return
	}
	hostscan.Scan(body, func(h hostscan.Hit) {
		k := observation.Domain
		if h.IsIP {
			k = observation.IP
		}
		e.add(k, h.Host, h.URL, off+h.Pos)
	})
	if len(body) <= 256 {
		if fqnRe.MatchString(body) {
			e.add(observation.JavaClass, body, literalDetail, off)
		} else if jniRe.MatchString(body) {
			e.add(observation.JavaClass, strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(body, "L"), ";"), "/", "."), literalDetail, off)
		}
	}
}

// literalDetail marks a class name read from a string literal.
const literalDetail = "string"

// FromLiteral reports whether fact o came from a string literal's text (a
// URL, a host or a class name written as a string) rather than from an
// import or a reference in code.
func FromLiteral(o observation.Observation) bool {
	return o.Kind == observation.Domain || o.Kind == observation.IP || o.Detail == literalDetail
}

// javaName reports a dotted name written in code (import, qualified
// reference), without spaces, if it looks fully qualified.
func (e *emitter) javaName(text, detail string, off int) {
	name := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '`' {
			return -1
		}
		return r
	}, text)
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".*"), ".")
	if len(name) <= 512 && fqnRe.MatchString(name) {
		e.add(observation.JavaClass, name, detail, off)
	}
}

// npmName returns the package of an import specifier ("@s/p/x" -> "@s/p",
// "p/x" -> "p"), or "" for relative paths, URLs and Node built-ins.
func npmName(spec string) string {
	if spec == "" || strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") || strings.Contains(spec, ":") {
		return ""
	}
	parts := strings.SplitN(spec, "/", 3)
	if strings.HasPrefix(spec, "@") {
		if len(parts) < 2 {
			return ""
		}
		return parts[0] + "/" + parts[1]
	}
	return parts[0]
}

// pubName returns the package of a Dart import "package:name/x.dart".
func pubName(uri string) string {
	rest, ok := strings.CutPrefix(uri, "package:")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// lexObjC reads Objective-C (and C headers): #import/#include paths,
// @import modules, class names that receive messages ([Class msg]) and
// string literals.
func lexObjC(data []byte, e *emitter) {
	var prev, prev2 tokens.Token
	tokens.Lex(data, tokens.ObjC, func(t tokens.Token) bool {
		switch {
		case t.Kind == tokens.String && prev.Kind == tokens.Ident && (prev.Text == "import" || prev.Text == "include") && prev2.Text == "#":
			header := strings.TrimSpace(t.Text)
			if fw, file, ok := strings.Cut(header, "/"); ok {
				e.add(observation.IOSFramework, fw, "import", t.BodyOff)
				header = file
			}
			if i := strings.LastIndexByte(header, '/'); i >= 0 {
				header = header[i+1:]
			}
			e.add(observation.ObjCClass, strings.TrimSuffix(header, ".h"), "import", t.BodyOff)
		case t.Kind == tokens.String:
			e.literal(t.Text, t.BodyOff)
		case t.Kind == tokens.Ident && prev.Kind == tokens.Ident && prev.Text == "import" && prev2.Text == "@":
			e.add(observation.IOSFramework, t.Text, "import", t.Off)
		case t.Kind == tokens.Ident && prev.Kind == tokens.Punct && prev.Text == "[" && isUpper(t.Text):
			e.add(observation.ObjCClass, t.Text, "", t.Off)
		case t.Kind == tokens.Ident && prev.Text == ":" && prev2.Kind == tokens.Ident && isUpper(t.Text) && isUpper(prev2.Text):
			e.add(observation.ObjCClass, t.Text, "superclass", t.Off) // @interface X : Super
		}
		prev2, prev = prev, t
		return true
	})
}

// lexDart reads Dart: import/export 'package:name/...' and string literals.
func lexDart(data []byte, e *emitter) {
	var prev tokens.Token
	tokens.Lex(data, tokens.Dart, func(t tokens.Token) bool {
		if t.Kind == tokens.String {
			if prev.Kind == tokens.Ident && (prev.Text == "import" || prev.Text == "export") {
				e.add(observation.Pub, pubName(t.Text), "import", t.BodyOff)
			} else {
				e.literal(t.Text, t.BodyOff)
			}
		}
		prev = t
		return true
	})
}

// lexGeneric reads a large file of any language with the lexer: string
// literals, and JavaScript module specifiers (import ... from "x",
// require("x")).
func lexGeneric(lang sourcetree.Language, data []byte, e *emitter) {
	syn := tokens.Kotlin
	js := false
	switch lang {
	case sourcetree.JavaScript, sourcetree.TypeScript, sourcetree.TSX:
		syn, js = tokens.JS, true
	case sourcetree.Java, sourcetree.C, sourcetree.CPP:
		syn = tokens.ObjC
	case sourcetree.Swift:
		syn = tokens.Swift
	}
	var prev, prev2 tokens.Token
	tokens.Lex(data, syn, func(t tokens.Token) bool {
		if t.Kind == tokens.String {
			switch {
			case js && prev.Kind == tokens.Ident && (prev.Text == "from" || prev.Text == "import"),
				js && prev.Text == "(" && prev2.Kind == tokens.Ident && (prev2.Text == "require" || prev2.Text == "import"):
				e.add(observation.NPM, npmName(t.Text), "import", t.BodyOff)
			default:
				e.literal(t.Text, t.BodyOff)
			}
		}
		prev2, prev = prev, t
		return true
	})
}
