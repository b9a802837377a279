// Package hostscan finds URLs, host names and IP literals inside strings:
// DEX string tables, resource strings, native library strings, JavaScript
// bundles. It knows nothing of vendors; the matcher decides which hosts matter.
package hostscan

import (
	"net/netip"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Hit is one URL or host found in a string.
type Hit struct {
	URL  string // the URL as written (truncated to MaxURL bytes), empty for a bare host
	Host string // lower-case host name or IP literal
	IsIP bool
	Pos  int // byte offset of the hit inside the scanned string
}

// MaxURL bounds the length of a reported URL.
const MaxURL = 512

// Scan calls fn for every URL and bare host name in s. Bare host names must
// end in an ICANN public suffix and contain no upper-case letters, which
// keeps Java identifiers such as "java.lang.String" out.
func Scan(s string, fn func(Hit)) {
	if strings.IndexByte(s, '.') < 0 && !strings.Contains(s, "://") {
		return
	}
	covered := 0 // bytes before this index belong to a URL already reported
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "://")
		if j < 0 {
			break
		}
		j += i
		start := j
		for start > 0 && isSchemeChar(s[start-1]) {
			start--
		}
		scheme := strings.ToLower(s[start:j])
		if scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" {
			end := j + 3
			for end < len(s) && isURLChar(s[end]) {
				end++
			}
			if start >= covered {
				scanBare(s, covered, start, fn)
			}
			if host, isIP, ok := urlHost(s[j+3 : end]); ok {
				u := s[start:end]
				if len(u) > MaxURL {
					u = u[:MaxURL]
				}
				fn(Hit{URL: u, Host: host, IsIP: isIP, Pos: start})
			}
			covered = end
			i = end
			continue
		}
		i = j + 3
	}
	if covered < len(s) {
		scanBare(s, covered, len(s), fn)
	}
}

func isSchemeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isURLChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '"', '\'', '<', '>', '\\', '^', '`', '{', '|', '}':
		return false
	}
	return true
}

// urlHost extracts the host from a URL's remainder after "scheme://".
func urlHost(rest string) (host string, isIP, ok bool) {
	if k := strings.IndexAny(rest, "/?#"); k >= 0 {
		rest = rest[:k]
	}
	if k := strings.LastIndexByte(rest, '@'); k >= 0 {
		rest = rest[k+1:]
	}
	if strings.HasPrefix(rest, "[") {
		k := strings.IndexByte(rest, ']')
		if k < 0 {
			return "", false, false
		}
		a, err := netip.ParseAddr(rest[1:k])
		if err != nil {
			return "", false, false
		}
		return a.String(), true, true
	}
	if k := strings.IndexByte(rest, ':'); k >= 0 {
		rest = rest[:k]
	}
	rest = strings.TrimSuffix(strings.ToLower(rest), ".")
	if a, err := netip.ParseAddr(rest); err == nil && a.Is4() {
		return a.String(), true, true
	}
	if !validHost(rest) {
		return "", false, false
	}
	return rest, false, true
}

func isHostChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c >= 'A' && c <= 'Z'
}

// scanBare reports bare host names in s[from:to].
func scanBare(s string, from, to int, fn func(Hit)) {
	for i := from; i < to; {
		if !isHostChar(s[i]) {
			i++
			continue
		}
		j := i
		upper, dots := false, 0
		for j < to && isHostChar(s[j]) {
			if s[j] >= 'A' && s[j] <= 'Z' {
				upper = true
			} else if s[j] == '.' {
				dots++
			}
			j++
		}
		tok := strings.Trim(s[i:j], ".-")
		// A token glued to an identifier character ($, _) is a Java name, not a host.
		glued := (i > 0 && (s[i-1] == '$' || s[i-1] == '_')) || (j < len(s) && (s[j] == '$' || s[j] == '_' || s[j] == '('))
		if dots > 0 && !upper && !glued && validHost(tok) && publicTLD(tok) && !reverseDNS(tok) {
			fn(Hit{Host: tok, Pos: i + strings.Index(s[i:j], tok)})
		}
		i = j
	}
}

// validHost checks label syntax and lengths.
func validHost(h string) bool {
	if len(h) < 4 || len(h) > 253 || strings.IndexByte(h, '.') < 0 {
		return false
	}
	labelLen := 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c == '.':
			if labelLen == 0 || h[i-1] == '-' {
				return false
			}
			labelLen = 0
			continue
		case c == '-':
			if labelLen == 0 {
				return false
			}
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
		default:
			return false
		}
		labelLen++
		if labelLen > 63 {
			return false
		}
	}
	if labelLen == 0 || h[len(h)-1] == '-' {
		return false
	}
	// The top-level label must start with a letter.
	tld := h[strings.LastIndexByte(h, '.')+1:]
	return tld[0] >= 'a' && tld[0] <= 'z'
}

// reverseDNS reports whether h looks like a Java package or Android
// application id ("com.tencent.mm") rather than a host: its first label is a
// top-level domain or a platform root package.
func reverseDNS(h string) bool {
	first := h
	if i := strings.IndexByte(h, '.'); i >= 0 {
		first = h[:i]
	}
	switch first {
	case "com", "org", "net", "cn", "io", "edu", "gov", "android", "androidx", "java", "javax", "kotlin", "kotlinx", "dalvik":
		return true
	}
	return false
}

// publicTLD reports whether h ends in an ICANN public suffix and has a label
// in front of it.
func publicTLD(h string) bool {
	ps, icann := publicsuffix.PublicSuffix(h)
	return icann && ps != h
}

// Suffixes calls fn for host and each parent domain on label boundaries,
// longest first: "a.b.qq.com", "b.qq.com", "qq.com", "com". It stops when fn
// returns false.
func Suffixes(host string, fn func(string) bool) {
	for {
		if !fn(host) {
			return
		}
		i := strings.IndexByte(host, '.')
		if i < 0 {
			return
		}
		host = host[i+1:]
	}
}
