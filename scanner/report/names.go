package report

import (
	"net/url"
	"sort"
	"strings"
	"unicode"
)

// Title is the name a reader knows a finding by: the SDK's or the app's
// name, "<vendor> endpoints" for an endpoint finding, else the rule id.
func (f *Finding) Title() string {
	switch {
	case f.SDK != "":
		return f.SDK
	case f.App != "":
		return f.App
	case f.Kind == "endpoint":
		return f.Vendor + " endpoints"
	}
	return f.Rule
}

// Hosts returns the hosts named by the finding's evidence (the host of a
// URL, the value of any other piece), sorted and without repeats.
func (f *Finding) Hosts() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range f.Evidence {
		h := e.Value
		if e.Type == "url" {
			if u, err := url.Parse(e.Value); err == nil && u.Host != "" {
				h = u.Hostname()
			}
		}
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

// Printable replaces control characters, the Unicode line and paragraph
// separators and bidirectional controls with '?', so that a file name or
// a label from a package cannot move the cursor, break a line or reorder
// what a terminal shows.
func Printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			return '?'
		}
		return r
	}, s)
}
