package buildfile

import (
	"regexp"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/tokens"
)

// coordRe matches a Gradle/Maven dependency notation
// group:artifact[:version[:classifier]][@ext].
var coordRe = regexp.MustCompile(`^([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+)(?::([^\s:@/]*))?(?::[^\s:@/]*)?(?:@[A-Za-z0-9]+)?$`)

// maxGradleTokens bounds the tokens kept for one script.
const maxGradleTokens = 2_000_000

// parseGradle reads a Groovy (kts=false) or Kotlin DSL Gradle script:
// string dependency notations anywhere, map notations (group: / name: /
// version:), plugin ids in plugins {} blocks and apply plugin:, and
// repository URLs inside repositories {} blocks (pluginManagement and
// dependencyResolutionManagement included).
func parseGradle(data []byte, kts bool, c *collector) {
	syn := tokens.Groovy
	if kts {
		syn = tokens.Kotlin
	}
	var toks []tokens.Token
	tokens.Lex(data, syn, func(t tokens.Token) bool {
		toks = append(toks, t)
		return len(toks) < maxGradleTokens
	})
	var stack []string
	in := func(name string) bool {
		for _, s := range stack {
			if s == name {
				return true
			}
		}
		return false
	}
	isPunct := func(i int, p string) bool {
		return i >= 0 && i < len(toks) && toks[i].Kind == tokens.Punct && toks[i].Text == p
	}
	isIdent := func(i int, s string) bool {
		return i >= 0 && i < len(toks) && toks[i].Kind == tokens.Ident && toks[i].Text == s
	}
	// valueAfter returns the index of the string that follows the
	// identifier at i with ':' or '=' (or '(' for id("...")), else -1.
	valueAfter := func(i int) int {
		j := i + 1
		for j < len(toks) && j <= i+3 && toks[j].Kind == tokens.Punct && strings.Contains(":=(", toks[j].Text) {
			j++
		}
		if j < len(toks) && j > i && toks[j].Kind == tokens.String {
			return j
		}
		if j == i+1 && j < len(toks) && toks[j].Kind == tokens.String { // Groovy: id 'x'
			return j
		}
		return -1
	}
	used := map[int]bool{} // string tokens consumed by a map notation or plugin
	for i, t := range toks {
		switch t.Kind {
		case tokens.Punct:
			switch t.Text {
			case "{":
				stack = append(stack, blockName(toks, i))
				if len(stack) > 256 {
					stack = stack[1:]
				}
			case "}":
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		case tokens.Ident:
			switch {
			case t.Text == "group":
				// A map notation's group follows a configuration name on
				// its line, '(' or ','; a statement "group = ..." sets
				// the project's own group.
				if !isPunct(i-1, "(") && !isPunct(i-1, ",") && !(i > 0 && toks[i-1].Kind == tokens.Ident && toks[i-1].Line == t.Line) {
					continue
				}
				g := valueAfter(i)
				if g < 0 {
					continue
				}
				var name, version string
				for j := g + 1; j < len(toks) && j < g+16; j++ {
					if isPunct(j, ")") || isIdent(j, "group") {
						break
					}
					if toks[j].Kind != tokens.Ident {
						continue
					}
					if v := valueAfter(j); v >= 0 {
						switch toks[j].Text {
						case "name":
							name = toks[v].Text
							used[v] = true
						case "version":
							version = toks[v].Text
							used[v] = true
						}
					}
				}
				if name != "" {
					used[g] = true
					c.add(Item{Kind: observation.Gradle, Value: toks[g].Text + ":" + name, Version: version, Line: toks[g].Line, Column: bodyCol(toks[g])})
				}
			case t.Text == "id" && in("plugins"), t.Text == "plugin" && isIdent(i-1, "apply") || t.Text == "plugin" && isPunct(i-1, "(") && isIdent(i-2, "apply"):
				v := valueAfter(i)
				if v < 0 || used[v] {
					continue
				}
				used[v] = true
				id := toks[v].Text
				if !pluginIDRe.MatchString(id) {
					continue
				}
				var version string
				for j := v + 1; j < len(toks) && j < v+5 && toks[j].Line == toks[v].Line; j++ {
					if isIdent(j, "version") && j+1 < len(toks) && toks[j+1].Kind == tokens.String {
						version = toks[j+1].Text
						used[j+1] = true
						break
					}
				}
				c.add(Item{Kind: observation.Gradle, Value: id + ":" + id + ".gradle.plugin", Version: version, Line: toks[v].Line, Column: bodyCol(toks[v])})
			}
		case tokens.String:
			if used[i] {
				continue
			}
			s := strings.TrimSpace(t.Text)
			if in("repositories") && isRepoURL(s) {
				c.add(Item{Kind: observation.MavenRepo, Value: s, Line: t.Line, Column: bodyCol(t)})
				continue
			}
			if m := coordRe.FindStringSubmatch(t.Text); m != nil { // the whole literal, as written
				c.add(Item{Kind: observation.Gradle, Value: m[1] + ":" + m[2], Version: m[3], Line: t.Line, Column: bodyCol(t)})
			}
		}
	}
}

var pluginIDRe = regexp.MustCompile(`^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$`)

// blockName names the block whose '{' is toks[i]: the identifier before it,
// or before the parenthesised arguments before it.
func blockName(toks []tokens.Token, i int) string {
	j := i - 1
	if j >= 0 && toks[j].Kind == tokens.Punct && toks[j].Text == ")" {
		depth := 0
		for ; j >= 0 && i-j < 4096; j-- {
			if toks[j].Kind == tokens.Punct {
				switch toks[j].Text {
				case ")":
					depth++
				case "(":
					depth--
				}
			}
			if depth == 0 {
				break
			}
		}
		j--
	}
	if j >= 0 && toks[j].Kind == tokens.Ident {
		return toks[j].Text
	}
	return ""
}

func isRepoURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// bodyCol is the column of a string token's body (after its quote).
func bodyCol(t tokens.Token) int { return t.Col + t.BodyOff - t.Off }
