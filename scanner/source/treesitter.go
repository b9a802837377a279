//go:build cgo

package source

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/c"
	"github.com/smacker/go-tree-sitter/cpp"
	"github.com/smacker/go-tree-sitter/java"
	"github.com/smacker/go-tree-sitter/javascript"
	"github.com/smacker/go-tree-sitter/kotlin"
	"github.com/smacker/go-tree-sitter/swift"
	"github.com/smacker/go-tree-sitter/typescript/tsx"
	"github.com/smacker/go-tree-sitter/typescript/typescript"

	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/sourcetree"
)

// ParseTimeout bounds the time tree-sitter spends on one file.
const ParseTimeout = 10 * time.Second

// grammar is a tree-sitter language and the node types that matter in it.
type grammar struct {
	lang    *sitter.Language
	strings map[string]bool // string literal nodes (read whole, not descended)
	dotted  map[string]bool // qualified-name nodes (a.b.C)
	parsers sync.Pool       // of *sitter.Parser
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

var grammars = map[sourcetree.Language]*grammar{
	sourcetree.Java: {lang: java.GetLanguage(), strings: set("string_literal"),
		dotted: set("scoped_identifier", "field_access", "scoped_type_identifier")},
	sourcetree.Kotlin: {lang: kotlin.GetLanguage(), strings: set("string_literal", "line_string_literal", "multi_line_string_literal"),
		dotted: set("navigation_expression", "user_type")},
	sourcetree.Swift:      {lang: swift.GetLanguage(), strings: set("line_string_literal", "multi_line_string_literal", "raw_string_literal")},
	sourcetree.JavaScript: {lang: javascript.GetLanguage(), strings: set("string", "template_string")},
	sourcetree.TypeScript: {lang: typescript.GetLanguage(), strings: set("string", "template_string")},
	sourcetree.TSX:        {lang: tsx.GetLanguage(), strings: set("string", "template_string")},
	sourcetree.C:          {lang: c.GetLanguage(), strings: set("string_literal")},
	sourcetree.CPP:        {lang: cpp.GetLanguage(), strings: set("string_literal", "raw_string_literal")},
}

// Grammars reports whether this build parses code with tree-sitter.
const Grammars = true

func parseTree(ctx context.Context, lang sourcetree.Language, data []byte, e *emitter) error {
	g := grammars[lang]
	if g == nil {
		lexGeneric(lang, data, e)
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p, _ := g.parsers.Get().(*sitter.Parser)
	if p == nil {
		p = sitter.NewParser()
		p.SetLanguage(g.lang)
		// tree-sitter's own timeout, not a cancellable context: the
		// binding's cancellation flag can be left set on a pooled parser
		// when the context ends just after a parse.
		p.SetOperationLimit(int(ParseTimeout / time.Microsecond))
	}
	tree, err := p.ParseCtx(context.Background(), nil, data)
	if err != nil {
		p.Close() // a stopped parser keeps partial state: do not reuse it
		return fmt.Errorf("parse %s: %w", lang, err)
	}
	g.parsers.Put(p)
	defer tree.Close()
	// A tree with errors is still read: grammars flag recoverable
	// problems (Kotlin's missing automatic semicolons) in usable trees.
	w := treeWalker{g: g, lang: lang, src: data, e: e}
	w.walk(tree.RootNode())
	return nil
}

type treeWalker struct {
	g    *grammar
	lang sourcetree.Language
	src  []byte
	e    *emitter
}

// walk visits the tree depth-first with a cursor, skipping comments.
func (w *treeWalker) walk(root *sitter.Node) {
	cur := sitter.NewTreeCursor(root)
	defer cur.Close()
	for {
		if w.e.full {
			return
		}
		if w.visit(cur.CurrentNode()) && cur.GoToFirstChild() {
			continue
		}
		for !cur.GoToNextSibling() {
			if !cur.GoToParent() {
				return
			}
		}
	}
}

func (w *treeWalker) text(n *sitter.Node) string {
	s, e := int(n.StartByte()), int(n.EndByte())
	if s < 0 || e > len(w.src) || s > e {
		return ""
	}
	return string(w.src[s:e])
}

// visit reports the facts of node n and whether to descend into it.
func (w *treeWalker) visit(n *sitter.Node) bool {
	t := n.Type()
	switch {
	case strings.Contains(t, "comment"):
		return false
	case w.g.strings[t]:
		w.stringNode(n)
		return t == "template_string" // ${...} may hold more strings
	case w.g.dotted[t]:
		txt := w.text(n)
		if strings.ContainsAny(txt, "(\"'") {
			return true // a call inside: the plain chains are further down
		}
		w.e.javaName(txt, "", int(n.StartByte()))
		return false
	}
	switch w.lang {
	case sourcetree.Java:
		if t == "import_declaration" {
			for i := 0; i < int(n.NamedChildCount()); i++ {
				if c := n.NamedChild(i); c.Type() == "scoped_identifier" || c.Type() == "identifier" {
					w.e.javaName(w.text(c), "import", int(c.StartByte()))
				}
			}
			return false
		}
		if t == "package_declaration" {
			return false // the app's own package
		}
	case sourcetree.Kotlin:
		switch t {
		case "import_header":
			for i := 0; i < int(n.NamedChildCount()); i++ {
				if c := n.NamedChild(i); c.Type() == "identifier" {
					w.e.javaName(w.text(c), "import", int(c.StartByte()))
				}
			}
			return false
		case "package_header":
			return false
		}
	case sourcetree.Swift:
		switch t {
		case "import_declaration":
			for i := 0; i < int(n.NamedChildCount()); i++ {
				if c := n.NamedChild(i); c.Type() == "identifier" {
					mod, _, _ := strings.Cut(w.text(c), ".")
					w.e.add(observation.SwiftModule, strings.TrimSpace(mod), "import", int(c.StartByte()))
				}
			}
			return false
		case "navigation_expression":
			if c := n.ChildByFieldName("target"); c != nil && c.Type() == "simple_identifier" {
				if name := w.text(c); isUpper(name) {
					w.e.add(observation.ObjCClass, name, "", int(c.StartByte()))
				}
			}
		}
	case sourcetree.JavaScript, sourcetree.TypeScript, sourcetree.TSX:
		switch t {
		case "import_statement", "export_statement":
			if s := n.ChildByFieldName("source"); s != nil {
				w.e.add(observation.NPM, npmName(unquote(w.text(s))), "import", int(s.StartByte())+1)
			}
		case "call_expression":
			f := n.ChildByFieldName("function")
			args := n.ChildByFieldName("arguments")
			if f != nil && args != nil && (f.Type() == "import" || f.Type() == "identifier" && w.text(f) == "require") && args.NamedChildCount() > 0 {
				if a := args.NamedChild(0); a.Type() == "string" {
					w.e.add(observation.NPM, npmName(unquote(w.text(a))), "import", int(a.StartByte())+1)
				}
			}
		}
	}
	return true
}

// stringNode reports the facts of a string literal node.
func (w *treeWalker) stringNode(n *sitter.Node) {
	s, e := int(n.StartByte()), int(n.EndByte())
	if s < 0 || e > len(w.src) || s >= e {
		return
	}
	raw := string(w.src[s:e])
	body := unquote(raw)
	w.e.literal(body, s+strings.Index(raw, body))
}

// unquote strips a literal's delimiters: quotes, backticks, Swift's #,
// C's prefixes (L, u8, R"(...)").
func unquote(s string) string {
	s = strings.TrimLeft(s, "#@LuUR8")
	s = strings.TrimRight(s, "#")
	for _, q := range []string{`"""`, `'''`, `"`, `'`, "`"} {
		if len(s) >= 2*len(q) && strings.HasPrefix(s, q) && strings.HasSuffix(s, q) {
			return s[len(q) : len(s)-len(q)]
		}
	}
	return strings.Trim(s, "\"'`")
}
