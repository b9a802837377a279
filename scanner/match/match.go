// Package match compiles the signature database once into lookup structures
// whose cost per observation does not grow with the number of rules: hash
// sets for exact values, boundary-aware prefix lookups for Java names and
// paths, label-boundary suffix lookups for hosts, and an Aho-Corasick
// automaton for marker substrings.
package match

import (
	"path"
	"sort"
	"strings"
	"unsafe"

	ahocorasick "github.com/BobuSumisu/aho-corasick"

	"github.com/sdkvet/sdkvet/scanner/hostscan"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/signatures"
)

// Subject kinds of a hit; they are the finding kinds of the report.
const (
	KindSDK        = "sdk"
	KindApp        = "app"
	KindEndpoint   = "endpoint"
	KindIdentifier = "identifier"
)

// Rule is one compiled pattern and what it points to.
type Rule struct {
	Kind    string // KindSDK, KindApp, KindEndpoint, KindIdentifier
	Subject string // SDK id, app id, or vendor id for endpoints
	Vendor  string
	Pattern string // the pattern as written in the database
	Source  string // where the fact comes from
}

// Hit is an observation attributed to a rule.
type Hit struct {
	Rule *Rule
	Obs  observation.Observation
}

// Matcher is a compiled signature database.
type Matcher struct {
	java          map[string]*Rule // package prefixes and class names
	javaRoots     map[string]bool  // first two segments of every Java rule
	components    map[string]*Rule
	compSuffix    map[string]*Rule // ".wxapi.WXEntryActivity"
	metaData      map[string]*Rule
	permissions   map[string]*Rule
	nativeLibs    map[string]*Rule
	filePaths     map[string]*Rule // without trailing slash
	hosts         map[string]*Rule
	vendorDomain  map[string]*Rule
	appIDs        map[string]*Rule
	queriedPkg    map[string]*Rule
	bundleIDs     map[string]*Rule
	certs         map[string]*Rule
	gradle        map[string]*Rule
	iosFrameworks map[string]*Rule
	iosBundles    map[string]*Rule
	objcClasses   map[string]*Rule
	objcPrefixes  []*Rule // few; checked in order, longest first
	swiftModules  map[string]*Rule
	dylibs        map[string]*Rule // by base name
	urlSchemes    []*Rule          // prefixes, longest first
	queried       map[string]*Rule
	teamIDs       map[string]*Rule
	exact         map[string]map[string]*Rule // schema kind -> exact-value lookup
	mavenRepos    map[string]*Rule            // normalized repository URLs (see NormalizeURL)
	cocoapods     map[string]*Rule
	spm           map[string]*Rule // normalized repository URLs
	carthage      map[string]*Rule // normalized origins
	npm           map[string]*Rule
	pub           map[string]*Rule
	markers       *ahocorasick.Trie
	markerRules   []*Rule
}

// Compile builds a Matcher from a database.
func Compile(db *signatures.DB) *Matcher {
	m := &Matcher{
		java: map[string]*Rule{}, javaRoots: map[string]bool{}, components: map[string]*Rule{}, compSuffix: map[string]*Rule{},
		metaData: map[string]*Rule{}, permissions: map[string]*Rule{}, nativeLibs: map[string]*Rule{},
		filePaths: map[string]*Rule{}, hosts: map[string]*Rule{}, vendorDomain: map[string]*Rule{},
		appIDs: map[string]*Rule{}, queriedPkg: map[string]*Rule{}, bundleIDs: map[string]*Rule{},
		certs: map[string]*Rule{}, gradle: map[string]*Rule{},
		iosFrameworks: map[string]*Rule{}, iosBundles: map[string]*Rule{}, objcClasses: map[string]*Rule{},
		swiftModules: map[string]*Rule{}, dylibs: map[string]*Rule{}, queried: map[string]*Rule{}, teamIDs: map[string]*Rule{},
		mavenRepos: map[string]*Rule{}, cocoapods: map[string]*Rule{}, spm: map[string]*Rule{}, carthage: map[string]*Rule{},
		npm: map[string]*Rule{}, pub: map[string]*Rule{},
	}
	var markers []string
	for _, s := range db.SDKs {
		for _, r := range s.Rules {
			mk := func(p string) *Rule {
				return &Rule{Kind: KindSDK, Subject: s.ID, Vendor: s.Vendor, Pattern: p, Source: r.Source}
			}
			for _, g := range r.Patterns() {
				for _, p := range g.Values {
					m.add(g.Kind, p, mk(p), &markers)
				}
			}
		}
	}
	for _, a := range db.Apps {
		for _, r := range a.Rules {
			for _, p := range r.AndroidAppIDs {
				m.appIDs[p] = &Rule{Kind: KindApp, Subject: a.ID, Vendor: a.Vendor, Pattern: p, Source: r.Source}
				m.queriedPkg[p] = &Rule{Kind: KindIdentifier, Subject: a.ID, Vendor: a.Vendor, Pattern: p, Source: r.Source}
			}
			for _, p := range r.IOSBundleIDs {
				m.bundleIDs[p] = &Rule{Kind: KindApp, Subject: a.ID, Vendor: a.Vendor, Pattern: p, Source: r.Source}
			}
			for _, p := range r.CertSHA256 {
				m.certs[p] = &Rule{Kind: KindApp, Subject: a.ID, Vendor: a.Vendor, Pattern: p, Source: r.Source}
			}
			for _, p := range r.TeamIDs {
				m.teamIDs[p] = &Rule{Kind: KindApp, Subject: a.ID, Vendor: a.Vendor, Pattern: p, Source: r.Source}
			}
		}
	}
	for _, v := range db.Vendors {
		for _, d := range v.Domains {
			for _, p := range d.Values {
				m.vendorDomain[p] = &Rule{Kind: KindEndpoint, Subject: v.ID, Vendor: v.ID, Pattern: p, Source: d.Source}
			}
		}
	}
	if len(markers) > 0 {
		m.markers = ahocorasick.NewTrieBuilder().AddStrings(markers).Build()
	}
	longestFirst := func(rs []*Rule) {
		sort.SliceStable(rs, func(i, j int) bool { return len(rs[i].Pattern) > len(rs[j].Pattern) })
	}
	longestFirst(m.objcPrefixes)
	longestFirst(m.urlSchemes)
	return m
}

// firstPrefix returns the longest rule whose pattern prefixes v.
func firstPrefix(rs []*Rule, v string, fold bool) *Rule {
	for _, r := range rs {
		if strings.HasPrefix(v, r.Pattern) || fold && len(v) >= len(r.Pattern) && strings.EqualFold(v[:len(r.Pattern)], r.Pattern) {
			return r
		}
	}
	return nil
}

// add files one pattern of the given schema kind under its lookup.
func (m *Matcher) add(kind, p string, r *Rule, markers *[]string) {
	if m.exact == nil {
		m.exact = map[string]map[string]*Rule{
			"meta_data": m.metaData, "permissions": m.permissions, "native_libs": m.nativeLibs,
			"hosts": m.hosts, "gradle": m.gradle, "ios_frameworks": m.iosFrameworks,
			"ios_bundles": m.iosBundles, "objc_classes": m.objcClasses, "swift_modules": m.swiftModules,
		}
	}
	switch kind {
	case "java_packages", "java_classes":
		m.java[p] = r
		m.javaRoots[javaRoot(p)] = true
	case "manifest_components":
		if strings.HasPrefix(p, ".") {
			m.compSuffix[p] = r
		} else {
			m.components[p] = r
		}
	case "file_paths":
		m.filePaths[strings.TrimSuffix(p, "/")] = r
	case "strings":
		*markers = append(*markers, p)
		m.markerRules = append(m.markerRules, r)
	case "objc_prefixes":
		m.objcPrefixes = append(m.objcPrefixes, r)
	case "url_schemes":
		m.urlSchemes = append(m.urlSchemes, r)
	case "dylibs":
		m.dylibs[path.Base(p)] = r
	case "queried_schemes":
		m.queried[strings.ToLower(p)] = r
	case "maven_repos":
		m.mavenRepos[NormalizeURL(p)] = r
	case "spm":
		m.spm[NormalizeURL(p)] = r
	case "carthage":
		m.carthage[NormalizeCarthage(p)] = r
	case "cocoapods":
		m.cocoapods[p] = r
	case "npm":
		m.npm[p] = r
	case "pub":
		m.pub[p] = r
	default:
		if mp := m.exact[kind]; mp != nil {
			mp[p] = r
		}
	}
}

// javaRoot returns the first two segments of a Java name.
func javaRoot(name string) string {
	i := strings.IndexByte(name, '.')
	if i < 0 {
		return name
	}
	j := strings.IndexByte(name[i+1:], '.')
	if j < 0 {
		return name
	}
	return name[:i+1+j]
}

// lookupJava finds the longest rule that is name itself or a prefix of name
// ending on a package or inner-class boundary ('.' or '$').
func (m *Matcher) lookupJava(name string) *Rule {
	if !m.javaRoots[javaRoot(name)] {
		return nil // the common case: androidx, kotlin, the app's own code
	}
	if r := m.java[name]; r != nil {
		return r
	}
	for i := len(name) - 1; i > 0; i-- {
		if c := name[i]; c == '.' || c == '$' {
			if r := m.java[name[:i]]; r != nil {
				return r
			}
		}
	}
	return nil
}

// lookupHost returns the most specific SDK host rule, else the vendor
// domain family, for host and its parents on label boundaries.
func (m *Matcher) lookupHost(host string) *Rule {
	var found *Rule
	hostscan.Suffixes(host, func(h string) bool {
		if r := m.hosts[h]; r != nil {
			found = r
			return false
		}
		return true
	})
	if found != nil {
		return found
	}
	hostscan.Suffixes(host, func(h string) bool {
		if r := m.vendorDomain[h]; r != nil {
			found = r
			return false
		}
		return true
	})
	return found
}

func (m *Matcher) lookupPath(p string) *Rule {
	p = strings.TrimSuffix(p, "/")
	for {
		if r := m.filePaths[p]; r != nil {
			return r
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return nil
		}
		p = p[:i]
	}
}

// Match calls fn for each rule that o supports.
func (m *Matcher) Match(o observation.Observation, fn func(Hit)) {
	hit := func(r *Rule) {
		if r != nil {
			fn(Hit{Rule: r, Obs: o})
		}
	}
	switch o.Kind {
	case observation.JavaClass, observation.JavaPackage:
		hit(m.lookupJava(o.Value))
	case observation.Component:
		if r := m.components[o.Value]; r != nil {
			hit(r)
		} else if r := m.lookupJava(o.Value); r != nil {
			hit(r)
		} else if len(m.compSuffix) > 0 {
			for i := 0; i < len(o.Value); i++ {
				if o.Value[i] == '.' {
					if r := m.compSuffix[o.Value[i:]]; r != nil {
						hit(r)
						break
					}
				}
			}
		}
	case observation.MetaData:
		hit(m.metaData[o.Value])
	case observation.Permission:
		hit(m.permissions[o.Value])
	case observation.NativeLib, observation.NeededLib:
		hit(m.nativeLibs[path.Base(o.Value)])
	case observation.FilePath:
		hit(m.lookupPath(o.Value))
	case observation.Domain:
		hit(m.lookupHost(o.Value))
	case observation.AppID:
		hit(m.appIDs[o.Value])
	case observation.QueriedPackage:
		hit(m.queriedPkg[o.Value])
	case observation.BundleID:
		hit(m.bundleIDs[o.Value])
	case observation.TeamID:
		hit(m.teamIDs[o.Value])
	case observation.IOSFramework:
		hit(m.iosFrameworks[o.Value])
	case observation.IOSBundle:
		hit(m.iosBundles[o.Value])
	case observation.ObjCClass:
		if r := m.objcClasses[o.Value]; r != nil {
			hit(r)
		} else {
			hit(firstPrefix(m.objcPrefixes, o.Value, false))
		}
	case observation.SwiftModule:
		// A Swift "import X" names a module that a framework X provides.
		if r := m.swiftModules[o.Value]; r != nil {
			hit(r)
		} else {
			hit(m.iosFrameworks[o.Value])
		}
	case observation.Gradle:
		hit(m.gradle[o.Value])
	case observation.MavenRepo:
		hit(m.lookupMavenRepo(o.Value))
	case observation.CocoaPod:
		// A subspec "Pod/Sub" belongs to its pod unless a rule names it.
		if r := m.cocoapods[o.Value]; r != nil {
			hit(r)
		} else if i := strings.IndexByte(o.Value, '/'); i > 0 {
			hit(m.cocoapods[o.Value[:i]])
		}
	case observation.SPM:
		hit(m.spm[NormalizeURL(o.Value)])
	case observation.Carthage:
		hit(m.carthage[NormalizeCarthage(o.Value)])
	case observation.NPM:
		hit(m.npm[o.Value])
	case observation.Pub:
		hit(m.pub[o.Value])
	case observation.Dylib:
		// "@rpath/BUAdSDK.framework/BUAdSDK" names the framework too.
		if r := m.dylibs[path.Base(o.Value)]; r != nil {
			hit(r)
		} else if fw := frameworkOf(o.Value); fw != "" {
			hit(m.iosFrameworks[fw])
		}
	case observation.URLScheme:
		hit(firstPrefix(m.urlSchemes, o.Value, true))
	case observation.QueriedScheme:
		hit(m.queried[strings.ToLower(o.Value)])
	case observation.CertSHA256:
		hit(m.certs[o.Value])
	case observation.StringMarker:
		if m.markers == nil {
			return
		}
		seen := map[int64]bool{}
		m.markers.Walk(bytesOf(o.Value), func(end, n, pattern int64) bool {
			if !seen[pattern] {
				seen[pattern] = true
				hit(m.markerRules[pattern])
			}
			return true
		})
	}
}

// Matches reports whether any rule supports o. For Java classes, the common
// case, it costs one map lookup when the class is outside every rule's root.
func (m *Matcher) Matches(o observation.Observation) bool {
	if o.Kind == observation.JavaClass {
		return m.lookupJava(o.Value) != nil
	}
	found := false
	m.Match(o, func(Hit) { found = true })
	return found
}

// frameworkOf returns X for an install name ".../X.framework/X" (or
// ".../X.framework/Versions/A/X"), else "".
func frameworkOf(install string) string {
	i := strings.LastIndex(install, ".framework/")
	if i < 0 {
		return ""
	}
	j := strings.LastIndexByte(install[:i], '/')
	return install[j+1 : i]
}

// HasMarker reports whether s contains any marker substring.
func (m *Matcher) HasMarker(s string) bool {
	_, ok := m.FirstMarker(s)
	return ok
}

// FirstMarker returns the end offset of the first marker substring in s.
// The scanner uses it as a cheap filter before keeping a string, and keeps
// the part of a long string that ends there.
func (m *Matcher) FirstMarker(s string) (end int, ok bool) {
	if m.markers == nil {
		return 0, false
	}
	m.markers.Walk(bytesOf(s), func(e, n, pattern int64) bool {
		end, ok = int(e)+1, true
		return false
	})
	return end, ok
}

// bytesOf views a string's bytes without copying; the automaton only reads.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// NormalizeURL reduces a repository URL to a comparable form: lower case,
// no scheme, user or "git@host:" prefix, no ".git" suffix, no trailing slash.
func NormalizeURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	} else if strings.HasPrefix(u, "git@") {
		u = strings.Replace(u[len("git@"):], ":", "/", 1)
	}
	if i := strings.IndexByte(u, '@'); i >= 0 && i < strings.IndexByte(u+"/", '/') {
		u = u[i+1:] // user@host
	}
	u = strings.TrimRight(u, "/")
	u = strings.TrimSuffix(u, ".git")
	return strings.TrimRight(u, "/")
}

// NormalizeCarthage reduces a Carthage origin ("Owner/Repo" for GitHub, or a
// URL) to "owner/repo" for GitHub and to NormalizeURL otherwise.
func NormalizeCarthage(origin string) string {
	n := NormalizeURL(origin)
	return strings.TrimPrefix(n, "github.com/")
}

// lookupMavenRepo returns the rule whose repository URL is u or a parent
// of u, else the vendor that owns u's host: a vendor's private repository
// is evidence even when no SDK rule names it.
func (m *Matcher) lookupMavenRepo(u string) *Rule {
	n := NormalizeURL(u)
	for p := n; p != ""; {
		if r := m.mavenRepos[p]; r != nil {
			return r
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	host := n
	if i := strings.IndexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return m.lookupHost(host)
}

// Keywords lists substrings that any source file able to produce a hit must
// contain: hosts and vendor domains, Java package prefixes and class names
// (dotted, and with slashes as JNI writes them), Objective-C classes and prefixes, framework and module names, and npm and
// pub package names. A source scanner uses them as a cheap pre-filter before
// parsing a file.
func (m *Matcher) Keywords() []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, mp := range []map[string]*Rule{m.hosts, m.vendorDomain, m.java, m.objcClasses, m.iosFrameworks, m.swiftModules, m.npm, m.pub} {
		for k := range mp {
			add(k)
		}
	}
	for _, r := range m.objcPrefixes {
		add(r.Pattern)
	}
	// JNI code names classes with slashes: FindClass("com/tencent/...").
	for k := range m.java {
		if strings.Contains(k, ".") {
			add(strings.ReplaceAll(k, ".", "/"))
		}
	}
	sort.Strings(out)
	return out
}
