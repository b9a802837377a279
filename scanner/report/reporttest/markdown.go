package reporttest

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// Hostile is text a package controls (a label, a file name, an error that
// quotes one) that tries every way into a pull-request comment: a link, an
// image, raw HTML, bare autolinks, a mention, a table break, a new block
// and a bidirectional override.
const Hostile = "[x](https://evil.example/a) ![i](https://evil.example/i.png) <img src=x onerror=alert(1)> " +
	"<a href=https://evil.example>y</a> www.evil.example https://evil.example/u mailto:a@evil.example " +
	"<https://evil.example/auto> @someone | cell `tick` \n# heading\n\u202egnp.exe"

// MarkdownToHTML renders Markdown as GitHub does: CommonMark with the GFM
// tables, strikethrough and autolink (www., scheme and e-mail) extensions,
// raw HTML passed through.
func MarkdownToHTML(t testing.TB, md string) string {
	t.Helper()
	var out bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	if err := gm.Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

var tagRE = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)`)

// reporterTags are the elements the Markdown reporters write themselves.
var reporterTags = map[string]bool{"h2": true, "h3": true, "p": true, "table": true, "thead": true, "tbody": true, "tr": true,
	"th": true, "td": true, "code": true, "del": true, "strong": true, "ul": true, "li": true, "details": true, "summary": true}

// AssertInertMarkdown fails t when md, rendered, holds a link, an image or
// any element a reporter does not write, or when md holds a bidirectional
// override.
func AssertInertMarkdown(t testing.TB, md string) {
	t.Helper()
	h := MarkdownToHTML(t, md)
	for _, m := range tagRE.FindAllStringSubmatch(h, -1) {
		if !reporterTags[strings.ToLower(m[2])] {
			t.Errorf("rendered comment holds <%s>:\n%s\n---\n%s", m[2], md, h)
		}
	}
	if strings.ContainsRune(md, '\u202e') {
		t.Error("bidirectional override reached the comment")
	}
}
