// Package tokens is a small, linear-time lexer for the C family of
// languages and the build DSLs written in them (Groovy and Kotlin Gradle
// scripts, Package.swift, Podfile's Ruby, Objective-C, Dart). It yields
// identifiers, string literals and punctuation with their line and column,
// and drops comments: a comment is never evidence. It is used where no
// grammar parser is available and for files too large to parse; it never
// fails, whatever the input.
package tokens

// Kind is a token's type.
type Kind uint8

// Token kinds.
const (
	Ident  Kind = iota + 1 // identifiers and keywords (ASCII letters, digits, _, $)
	String                 // a string literal; Text is its body without quotes
	Punct                  // one punctuation byte
	Number                 // a numeric literal
)

// Token is one lexical token.
type Token struct {
	Kind Kind
	// Text is the identifier, the punctuation byte, the number, or the
	// string's body as written (escapes are kept).
	Text string
	// Off is the byte offset of the token's first byte; for a string,
	// BodyOff is the offset of the body's first byte.
	Off, BodyOff int
	// Line and Col (1-based, Col in bytes) locate the token's start;
	// EndLine is the line of its last byte.
	Line, Col, EndLine int
}

// Syntax selects the lexical rules of a language.
type Syntax struct {
	SlashComments  bool // "//" and "/* */"
	NestedComments bool // "/* /* */ */" nests (Kotlin, Swift, Dart)
	HashComments   bool // "#" to the end of the line (Ruby), with =begin/=end blocks
	TripleQuotes   bool // """ and ''' strings span lines
	Backticks      bool // `template` strings span lines (JavaScript)
	AngleIncludes  bool // #import <a/b.h> and #include <...> yield the path as a String
	RawPrefix      bool // Dart r'...' and Swift #"..."# raw strings
}

// Predefined syntaxes.
var (
	Groovy = Syntax{SlashComments: true, TripleQuotes: true}
	Kotlin = Syntax{SlashComments: true, NestedComments: true, TripleQuotes: true}
	Swift  = Syntax{SlashComments: true, NestedComments: true, TripleQuotes: true, RawPrefix: true}
	Ruby   = Syntax{HashComments: true}
	ObjC   = Syntax{SlashComments: true, AngleIncludes: true}
	Dart   = Syntax{SlashComments: true, NestedComments: true, TripleQuotes: true, RawPrefix: true}
	JS     = Syntax{SlashComments: true, Backticks: true}
)

// MaxString bounds the body of a string token; longer bodies are cut.
const MaxString = 1 << 20

// Lex calls fn for each token of src in order. It stops early when fn
// returns false.
func Lex(src []byte, syn Syntax, fn func(Token) bool) {
	l := lexer{src: src, syn: syn, line: 1}
	l.run(fn)
}

type lexer struct {
	src       []byte
	syn       Syntax
	i         int
	line      int
	lineStart int
	// include is set after "#import"/"#include" so that <...> is a path.
	include bool
}

func (l *lexer) newline(at int) {
	l.line++
	l.lineStart = at + 1
}

// skipTo advances to end, counting newlines.
func (l *lexer) skipTo(end int) {
	for ; l.i < end; l.i++ {
		if l.src[l.i] == '\n' {
			l.newline(l.i)
		}
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdent(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func (l *lexer) hasPrefix(p string) bool {
	return len(l.src)-l.i >= len(p) && string(l.src[l.i:l.i+len(p)]) == p
}

func (l *lexer) run(fn func(Token) bool) {
	src := l.src
	atLineStart := true
	for l.i < len(src) {
		c := src[l.i]
		switch {
		case c == '\n':
			l.newline(l.i)
			l.i++
			l.include = false
			atLineStart = true
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			l.i++
			continue
		}
		startLine, startCol, start := l.line, l.i-l.lineStart+1, l.i
		tok := Token{Off: start, Line: startLine, Col: startCol, EndLine: startLine}
		lineStart := atLineStart
		atLineStart = false
		switch {
		case l.syn.SlashComments && l.hasPrefix("//"):
			for l.i < len(src) && src[l.i] != '\n' {
				l.i++
			}
			continue
		case l.syn.SlashComments && l.hasPrefix("/*"):
			l.blockComment()
			continue
		case l.syn.HashComments && lineStart && l.hasPrefix("=begin"):
			for l.i < len(src) {
				if src[l.i] == '\n' && len(src)-l.i > 4 && string(src[l.i+1:l.i+5]) == "=end" {
					l.skipTo(l.i + 5)
					break
				}
				l.skipTo(l.i + 1)
			}
			continue
		case l.syn.HashComments && c == '#' && !l.hasPrefix("#{"):
			for l.i < len(src) && src[l.i] != '\n' {
				l.i++
			}
			continue
		case l.syn.AngleIncludes && l.include && c == '<':
			end := l.i + 1
			for end < len(src) && src[end] != '>' && src[end] != '\n' {
				end++
			}
			tok.Kind, tok.BodyOff, tok.Text = String, l.i+1, string(src[l.i+1:min(end, l.i+1+MaxString)])
			l.i = min(end+1, len(src))
			l.include = false
		case c == '"' || c == '\'' || (c == '`' && l.syn.Backticks):
			l.str(&tok, 0)
		case l.syn.RawPrefix && c == 'r' && l.i+1 < len(src) && (src[l.i+1] == '\'' || src[l.i+1] == '"') && (l.i == 0 || !isIdent(src[l.i-1])):
			l.i++
			l.str(&tok, 0)
		case l.syn.RawPrefix && c == '#' && l.countHashes() > 0:
			n := l.countHashes()
			l.i += n
			l.str(&tok, n)
		case c == '@' && l.i+1 < len(src) && src[l.i+1] == '"':
			l.i++ // Objective-C @"..."
			l.str(&tok, 0)
		case isIdentStart(c):
			end := l.i + 1
			for end < len(src) && isIdent(src[end]) {
				end++
			}
			tok.Kind, tok.Text = Ident, string(src[l.i:end])
			l.i = end
			if l.syn.AngleIncludes && (tok.Text == "import" || tok.Text == "include" || tok.Text == "include_next") {
				l.include = true
			}
		case c >= '0' && c <= '9':
			end := l.i + 1
			for end < len(src) && (isIdent(src[end]) || src[end] == '.') {
				end++
			}
			tok.Kind, tok.Text = Number, string(src[l.i:end])
			l.i = end
		default:
			tok.Kind, tok.Text = Punct, string(src[l.i:l.i+1])
			l.i++
		}
		if tok.Kind == 0 {
			continue
		}
		tok.EndLine = l.line
		if !fn(tok) {
			return
		}
	}
}

// countHashes counts the '#' before a '"' of a Swift raw string, or 0.
func (l *lexer) countHashes() int {
	n := 0
	for l.i+n < len(l.src) && l.src[l.i+n] == '#' {
		n++
	}
	if l.i+n < len(l.src) && l.src[l.i+n] == '"' {
		return n
	}
	return 0
}

func (l *lexer) blockComment() {
	depth := 0
	for l.i < len(l.src) {
		switch {
		case l.hasPrefix("/*"):
			depth++
			l.i += 2
			if !l.syn.NestedComments {
				depth = 1
			}
		case l.hasPrefix("*/"):
			l.i += 2
			depth--
			if depth <= 0 {
				return
			}
		default:
			l.skipTo(l.i + 1)
		}
	}
}

// str lexes a string starting at the quote at l.i; hashes is the number of
// '#' of a Swift raw string's delimiter (0 otherwise).
func (l *lexer) str(tok *Token, hashes int) {
	src := l.src
	q := src[l.i]
	closing := string([]byte{q})
	multi := q == '`'
	if l.syn.TripleQuotes && len(src)-l.i >= 3 && src[l.i+1] == q && src[l.i+2] == q {
		closing = string([]byte{q, q, q})
		multi = true
	}
	for j := 0; j < hashes; j++ {
		closing += "#"
	}
	l.i += len(closing) - hashes
	body := l.i
	end := -1
	for l.i < len(src) {
		c := src[l.i]
		if c == '\\' && hashes == 0 && l.i+1 < len(src) {
			if src[l.i+1] == '\n' {
				l.newline(l.i + 1)
			}
			l.i += 2
			continue
		}
		if c == '\n' {
			if !multi {
				break // an unterminated one-line string ends at the line's end
			}
			l.newline(l.i)
		}
		if c == closing[0] && l.hasPrefix(closing) {
			end = l.i
			l.i += len(closing)
			break
		}
		l.i++
	}
	if end < 0 {
		end = l.i
	}
	tok.Kind, tok.BodyOff = String, body
	tok.Text = string(src[body:min(end, body+MaxString)])
}

// Lines maps the byte offsets of a text to lines and columns.
type Lines struct{ starts []int }

// NewLines indexes the line starts of data.
func NewLines(data []byte) *Lines {
	l := &Lines{starts: []int{0}}
	for i, c := range data {
		if c == '\n' {
			l.starts = append(l.starts, i+1)
		}
	}
	return l
}

// At returns the 1-based line and column (in bytes) of offset off.
func (l *Lines) At(off int) (line, col int) {
	lo, hi := 0, len(l.starts)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if l.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1, off - l.starts[lo] + 1
}
