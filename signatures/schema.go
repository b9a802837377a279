// Package signatures holds the embedded database of vendors, SDKs and apps
// that sdkvet looks for, and the loader that validates it. The database is
// data, not code: one YAML file per vendor, extended or overridden by files
// from other directories without a new release.
package signatures

// SchemaVersion is the only file schema this loader accepts.
const SchemaVersion = 1

// File is one vendor's YAML file.
type File struct {
	Schema int    `yaml:"schema"`
	Vendor Vendor `yaml:"vendor"`
	SDKs   []SDK  `yaml:"sdks"`
	Apps   []App  `yaml:"apps"`

	// Extends adds this file's SDKs, apps and domains to a vendor loaded
	// before it (from the base database or an earlier pack) instead of
	// replacing that vendor. The vendor block then needs only its id.
	Extends bool `yaml:"extends"`

	// Name is the file the data was loaded from (not part of the YAML).
	Name string `yaml:"-"`
}

// Vendor is a company whose SDKs, apps and domains the database describes.
type Vendor struct {
	ID         string       `yaml:"id"`
	Name       string       `yaml:"name"`
	Parent     string       `yaml:"parent"`
	Country    string       `yaml:"country"`
	Aliases    []string     `yaml:"aliases"`
	References []string     `yaml:"references"`
	Domains    []DomainRule `yaml:"domains"`
}

// DomainRule lists registrable domains owned by a vendor, with the source of
// that fact. A domain matches itself and every subdomain, on label boundaries.
type DomainRule struct {
	Source string   `yaml:"source"`
	Values []string `yaml:"values"`
	Line   int      `yaml:"-"`
}

// SDK is one software development kit and the evidence that reveals it.
type SDK struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Category    string   `yaml:"category"`
	Description string   `yaml:"description"`
	References  []string `yaml:"references"`
	Rules       []Rule   `yaml:"rules"`
	Samples     Samples  `yaml:"samples"`

	// Vendor is filled in by the loader from the enclosing file.
	Vendor string `yaml:"-"`
	Line   int    `yaml:"-"`
}

// Rule is a group of evidence patterns that share one source.
type Rule struct {
	Source             string   `yaml:"source"`
	JavaPackages       []string `yaml:"java_packages"`
	JavaClasses        []string `yaml:"java_classes"`
	ManifestComponents []string `yaml:"manifest_components"`
	MetaData           []string `yaml:"meta_data"`
	Permissions        []string `yaml:"permissions"`
	NativeLibs         []string `yaml:"native_libs"`
	FilePaths          []string `yaml:"file_paths"`
	Hosts              []string `yaml:"hosts"`
	Strings            []string `yaml:"strings"`
	Gradle             []string `yaml:"gradle"`
	// MavenRepos are Maven repository URLs; declaring one in a build is
	// itself evidence (e.g. a vendor's private repository).
	MavenRepos []string `yaml:"maven_repos"`
	// iOS evidence.
	IOSFrameworks  []string `yaml:"ios_frameworks"`  // framework names without ".framework"
	IOSBundles     []string `yaml:"ios_bundles"`     // resource bundle names, e.g. BUAdSDK.bundle
	ObjCClasses    []string `yaml:"objc_classes"`    // exact Objective-C class names
	ObjCPrefixes   []string `yaml:"objc_prefixes"`   // Objective-C class-name prefixes (at least 4 characters)
	SwiftModules   []string `yaml:"swift_modules"`   // Swift module names
	Dylibs         []string `yaml:"dylibs"`          // linked dylib install names or file names
	URLSchemes     []string `yaml:"url_schemes"`     // URL scheme prefixes an app must register (e.g. "wx" + app id)
	QueriedSchemes []string `yaml:"queried_schemes"` // LSApplicationQueriesSchemes / <queries> schemes the SDK needs
	// Package managers.
	CocoaPods []string `yaml:"cocoapods"` // pod names
	SPM       []string `yaml:"spm"`       // Swift package repository URLs
	Carthage  []string `yaml:"carthage"`  // Cartfile origins
	NPM       []string `yaml:"npm"`       // npm package names
	Pub       []string `yaml:"pub"`       // pub.dev package names
	Line      int      `yaml:"-"`
}

// Samples are values a test checks against the compiled database: every
// positive must be attributed to the SDK, every negative to nothing.
type Samples struct {
	Positive []Sample `yaml:"positive"`
	Negative []Sample `yaml:"negative"`
}

// Sample is one observation type and value.
type Sample struct {
	Type  string `yaml:"type"`
	Value string `yaml:"value"`
}

// App is an application that is itself the subject of a ban.
type App struct {
	ID    string    `yaml:"id"`
	Name  string    `yaml:"name"`
	Rules []AppRule `yaml:"rules"`

	Vendor string `yaml:"-"`
	Line   int    `yaml:"-"`
}

// AppRule identifies an app by its package identifiers or signer.
type AppRule struct {
	Source        string   `yaml:"source"`
	AndroidAppIDs []string `yaml:"android_app_ids"`
	IOSBundleIDs  []string `yaml:"ios_bundle_ids"`
	CertSHA256    []string `yaml:"cert_sha256"`
	TeamIDs       []string `yaml:"team_ids"` // Apple developer team identifiers
	Line          int      `yaml:"-"`
}

// Categories are the SDK categories the schema accepts.
var Categories = []string{
	"ads", "analytics", "attribution", "crash-apm", "login-share", "payments", "push",
	"web-engine", "rtc-media", "im", "maps-location", "storage", "hotfix",
	"security-fingerprinting", "packer", "ui-framework", "cloud", "utility",
}

// PatternGroup is one evidence kind of a rule and its values.
type PatternGroup struct {
	Kind   string // the YAML key, e.g. "java_packages"
	Values []string
}

// Patterns lists the rule's non-empty evidence kinds, in schema order.
func (r *Rule) Patterns() []PatternGroup {
	all := []PatternGroup{
		{"java_packages", r.JavaPackages}, {"java_classes", r.JavaClasses},
		{"manifest_components", r.ManifestComponents}, {"meta_data", r.MetaData},
		{"permissions", r.Permissions}, {"native_libs", r.NativeLibs}, {"file_paths", r.FilePaths},
		{"hosts", r.Hosts}, {"strings", r.Strings}, {"gradle", r.Gradle}, {"maven_repos", r.MavenRepos},
		{"ios_frameworks", r.IOSFrameworks}, {"ios_bundles", r.IOSBundles}, {"objc_classes", r.ObjCClasses},
		{"objc_prefixes", r.ObjCPrefixes}, {"swift_modules", r.SwiftModules}, {"dylibs", r.Dylibs},
		{"url_schemes", r.URLSchemes}, {"queried_schemes", r.QueriedSchemes}, {"cocoapods", r.CocoaPods},
		{"spm", r.SPM}, {"carthage", r.Carthage}, {"npm", r.NPM}, {"pub", r.Pub},
	}
	out := all[:0]
	for _, g := range all {
		if len(g.Values) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// Count is the number of pattern values in the rule.
func (r *Rule) Count() int {
	n := 0
	for _, g := range r.Patterns() {
		n += len(g.Values)
	}
	return n
}
