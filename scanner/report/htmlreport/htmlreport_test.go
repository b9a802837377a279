package htmlreport_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/sdkvet/sdkvet/scanner/report/htmlreport"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

func render(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	if err := htmlreport.Write(&buf, reporttest.Sample()); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// text returns the text content of the parsed document, and the names of
// every element in it.
func parse(t *testing.T, doc string) (string, map[string]int) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	tags := map[string]int{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			tags[n.Data]++
			if n.Data == "style" {
				return
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return b.String(), tags
}

func TestPageContent(t *testing.T) {
	doc := render(t)
	text, tags := parse(t, doc)
	space := regexp.MustCompile(`\s+`)
	text = space.ReplaceAllString(text, " ")
	for _, want := range []string{
		"Verdict: FAIL",
		"Policy state-policy version 7",
		"WeChat OpenSDK", "Pangle", "MMKV",
		"com.example.feed", "2.4.1 (241)", "CN=Example Agency Release",
		reporttest.Sample().Targets[0].SHA256,
		"120.6 KiB (123456 bytes)",
		"What could not be analysed", "apps/feed.apk!/lib/x86/libbroken.so : truncated ELF header",
		"Endpoints by owner", "log.byteoversea.com , mon.snssdk.com",
		"Signatures 2026.11.20",
		"reviewed: storage only",
		"incomplete:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	// The verdict comes before any package.
	if strings.Index(text, "Verdict: FAIL") > strings.Index(text, "com.example.feed") {
		t.Error("verdict is not at the top")
	}
	if tags["article"] != 5 {
		t.Errorf("%d SDK cards, want 5 (one per SDK finding)", tags["article"])
	}
	// Self-contained: no script, no external resource of any kind.
	if tags["script"] != 0 || tags["link"] != 0 || tags["img"] != 0 || tags["iframe"] != 0 {
		t.Errorf("unexpected elements: %v", tags)
	}
	if regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`).MatchString(strings.ReplaceAll(doc, `<a href="https://`, "")) {
		t.Error("page references an external resource")
	}
	if !strings.Contains(doc, "default-src 'none'") {
		t.Error("no Content-Security-Policy")
	}
	if !strings.Contains(doc, "@media print") {
		t.Error("no print stylesheet")
	}
}

func TestHostileLabelIsEscaped(t *testing.T) {
	doc := render(t)
	_, tags := parse(t, doc)
	if strings.Contains(doc, "<script>alert(1)</script>") || strings.Contains(doc, "<img src=x") {
		t.Fatal("app label written as markup")
	}
	if tags["script"] != 0 || tags["img"] != 0 {
		t.Fatalf("label created elements: %v", tags)
	}
	if !strings.Contains(doc, "Feed&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;") {
		t.Error("label not shown as text")
	}
}

func TestNonWebSourceIsNotALink(t *testing.T) {
	r := reporttest.Sample()
	r.Targets[0].Findings[0].Evidence[0].Source = "javascript:alert(3)"
	var buf bytes.Buffer
	if err := htmlreport.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `href="javascript:`) {
		t.Fatal("javascript: source became a link")
	}
}

func TestBodyFragment(t *testing.T) {
	var buf bytes.Buffer
	if err := htmlreport.WriteBody(&buf, reporttest.Sample()); err != nil {
		t.Fatal(err)
	}
	frag := strings.TrimSpace(buf.String())
	if !strings.HasPrefix(frag, `<div class="sdkvet-report">`) || strings.Contains(frag, "<html") || strings.Contains(frag, "<style") {
		t.Fatalf("fragment starts %q", frag[:60])
	}
	if !strings.Contains(frag, "WeChat OpenSDK") {
		t.Error("fragment lacks findings")
	}
	// Every CSS rule is scoped, so the stylesheet cannot restyle a host page.
	css := regexp.MustCompile(`@media print\s*{`).ReplaceAllString(htmlreport.CSS(), "")
	for _, rule := range regexp.MustCompile(`(?m)^\s*([^{}@\s][^{}]*){`).FindAllStringSubmatch(css, -1) {
		for _, sel := range strings.Split(rule[1], ",") {
			if !strings.HasPrefix(strings.TrimSpace(sel), ".sdkvet-report") {
				t.Errorf("unscoped CSS selector %q", strings.TrimSpace(sel))
			}
		}
	}
}

func TestCleanReport(t *testing.T) {
	var buf bytes.Buffer
	if err := htmlreport.Write(&buf, reporttest.Clean()); err != nil {
		t.Fatal(err)
	}
	text, _ := parse(t, buf.String())
	if !strings.Contains(text, "PASS") || !strings.Contains(text, "No SDK, app or endpoint") {
		t.Fatalf("clean page text: %s", text)
	}
}
