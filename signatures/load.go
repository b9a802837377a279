package signatures

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/publicsuffix"
)

//go:embed *.yaml packs
var embedded embed.FS

// Release is the date of the embedded database; Version adds a content hash.
const Release = "2026.11.24"

// DB is a loaded, validated signature database.
type DB struct {
	Vendors []Vendor
	SDKs    []SDK
	Apps    []App
	// Version identifies the exact content: release date plus a hash of
	// every file, so two reports with the same version used the same rules.
	Version string
	// Files lists the files that make up the database, in load order.
	Files []string
	// Packs are the extension packs switched on.
	Packs []Pack
}

// DefaultPolicy returns the embedded default policy file.
func DefaultPolicy() []byte {
	b, err := embedded.ReadFile("policy.yaml")
	if err != nil {
		panic("signatures: embedded policy.yaml missing: " + err.Error())
	}
	return b
}

// Load returns the embedded database extended by the YAML files in each of
// dirs, in order. A file whose vendor id is already loaded replaces that
// vendor (override) unless it says `extends: true`, which adds its SDKs,
// apps and domains to that vendor; any other collision is an error naming
// both files.
func Load(dirs ...string) (*DB, error) {
	return LoadWith(Options{Dirs: dirs})
}

// Options select what LoadWith loads besides the embedded base files.
type Options struct {
	// Packs are extension packs to switch on, by id (see Packs).
	Packs []string
	// Dirs are directories of extra vendor files, applied after the packs.
	Dirs []string
	// Files are extra vendor files held in memory (for example a service's
	// stored settings), applied as one layer after the directories. They
	// are validated exactly as files read from a directory; errors name
	// each Source by its Name.
	Files []Source
}

// Source is one vendor file held in memory.
type Source struct {
	// Name identifies the file in errors and in DB.Files.
	Name string
	Data []byte
}

// LoadWith returns the embedded database, then the selected packs, then the
// files of each directory, then the in-memory files.
func LoadWith(o Options) (*DB, error) {
	var layers [][]*File
	base, err := readFS(embedded, ".", "embedded:")
	if err != nil {
		return nil, err
	}
	layers = append(layers, base)
	var packs []Pack
	seenPack := map[string]bool{}
	for _, id := range o.Packs {
		if seenPack[id] {
			continue
		}
		seenPack[id] = true
		p, files, err := readPack(id)
		if err != nil {
			return nil, err
		}
		packs = append(packs, p)
		layers = append(layers, files)
	}
	for _, d := range o.Dirs {
		files, err := readFS(os.DirFS(d), ".", d+string(filepath.Separator))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("signatures %s: no vendor .yaml files", d)
		}
		layers = append(layers, files)
	}
	if len(o.Files) > 0 {
		files := make([]*File, 0, len(o.Files))
		for _, src := range o.Files {
			f, err := Parse(src.Name, src.Data)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
		layers = append(layers, files)
	}
	db, err := build(layers)
	if err != nil {
		return nil, err
	}
	db.Packs = packs
	if len(packs) > 0 {
		ids := make([]string, len(packs))
		for i, p := range packs {
			ids[i] = p.ID
		}
		db.Version += "+packs:" + strings.Join(ids, ",")
	}
	return db, nil
}

func readFS(fsys fs.FS, dir, prefix string) ([]*File, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read signatures %s: %w", prefix, err)
	}
	var out []*File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) || name == "policy.yaml" || name == "pack.yaml" {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read %s%s: %w", prefix, name, err)
		}
		f, err := Parse(prefix+name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Parse decodes and validates one vendor file. Errors name the file, the
// line and the field.
func Parse(name string, data []byte) (*File, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f.Name = name
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	attachLines(&f, &root)
	if err := validateFile(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

// child returns the value node of key in a mapping node.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func item(n *yaml.Node, i int) *yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
		return nil
	}
	return n.Content[i]
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func attachLines(f *File, root *yaml.Node) {
	doms := child(child(root, "vendor"), "domains")
	for i := range f.Vendor.Domains {
		f.Vendor.Domains[i].Line = lineOf(item(doms, i))
	}
	sdks := child(root, "sdks")
	for i := range f.SDKs {
		n := item(sdks, i)
		f.SDKs[i].Line = lineOf(n)
		rules := child(n, "rules")
		for j := range f.SDKs[i].Rules {
			f.SDKs[i].Rules[j].Line = lineOf(item(rules, j))
		}
	}
	apps := child(root, "apps")
	for i := range f.Apps {
		n := item(apps, i)
		f.Apps[i].Line = lineOf(n)
		rules := child(n, "rules")
		for j := range f.Apps[i].Rules {
			f.Apps[i].Rules[j].Line = lineOf(item(rules, j))
		}
	}
}

var (
	idRe         = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	sdkIDRe      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*$`)
	javaRe       = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)+$`)
	hostRe       = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$`)
	libRe        = regexp.MustCompile(`^lib[A-Za-z0-9_.+-]+\.so$`)
	appIDRe      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$`)
	bundleRe     = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)
	gradleRe     = regexp.MustCompile(`^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$`)
	sha256Re     = regexp.MustCompile(`^[0-9a-f]{64}$`)
	teamRe       = regexp.MustCompile(`^[A-Z0-9]{10}$`)
	urlRe        = regexp.MustCompile(`^https?://[^\s]+$`)
	identRe      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	bundleFileRe = regexp.MustCompile(`^[A-Za-z0-9_.+-]+\.bundle$`)
	podRe        = regexp.MustCompile(`^[A-Za-z0-9_+.-]+(/[A-Za-z0-9_+.-]+)*$`)
	npmRe        = regexp.MustCompile(`^(@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*$`)
	pubRe        = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	schemeRe     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)
	sampleTys    = []string{"java_class", "manifest_component", "native_lib", "domain", "url", "android_app_id", "meta_data", "permission", "file_path", "string", "cert_sha256", "gradle",
		"ios_framework", "ios_bundle", "objc_class", "swift_module", "dylib", "url_scheme", "queried_scheme", "ios_bundle_id", "team_id",
		"maven_repo", "cocoapod", "spm", "carthage", "npm", "pub"}
)

// MinJavaSegments is the fewest dot-separated segments a Java package rule
// may have: two ("com.tencent") would attribute a whole company's code to one SDK.
const MinJavaSegments = 3

type errs struct {
	file string
	list []error
}

func (e *errs) at(line int, field, format string, a ...any) {
	e.list = append(e.list, fmt.Errorf("%s:%d: %s: %s", e.file, line, field, fmt.Sprintf(format, a...)))
}

func validateFile(f *File) error {
	e := &errs{file: f.Name}
	if f.Schema != SchemaVersion {
		e.at(1, "schema", "must be %d, got %d", SchemaVersion, f.Schema)
	}
	v := &f.Vendor
	if !idRe.MatchString(v.ID) {
		e.at(1, "vendor.id", "%q must be lower-case letters, digits and '-'", v.ID)
	}
	if v.Name == "" && !f.Extends {
		e.at(1, "vendor.name", "required")
	}
	for i, d := range v.Domains {
		field := fmt.Sprintf("vendor.domains[%d]", i)
		if d.Source == "" {
			e.at(d.Line, field+".source", "required: say where this fact comes from")
		}
		if len(d.Values) == 0 {
			e.at(d.Line, field+".values", "required")
		}
		for _, val := range d.Values {
			if !hostRe.MatchString(val) {
				e.at(d.Line, field+".values", "%q is not a lower-case domain name", val)
				continue
			}
			if etld1, err := publicsuffix.EffectiveTLDPlusOne(val); err != nil || etld1 != val {
				e.at(d.Line, field+".values", "%q is not a registrable domain (use the SDK's hosts for subdomains)", val)
			}
		}
	}
	for i := range f.SDKs {
		s := &f.SDKs[i]
		s.Vendor = v.ID
		field := fmt.Sprintf("sdks[%d]", i)
		if !sdkIDRe.MatchString(s.ID) || !strings.HasPrefix(s.ID, v.ID+".") {
			e.at(s.Line, field+".id", "%q must be %q followed by a lower-case slug", s.ID, v.ID+".")
		}
		if s.Name == "" {
			e.at(s.Line, field+".name", "required")
		}
		if !slices.Contains(Categories, s.Category) {
			e.at(s.Line, field+".category", "%q is not one of %s", s.Category, strings.Join(Categories, ", "))
		}
		if s.Description == "" {
			e.at(s.Line, field+".description", "required")
		}
		if len(s.Rules) == 0 {
			e.at(s.Line, field+".rules", "an SDK needs at least one rule")
		}
		for j := range s.Rules {
			validateRule(e, &s.Rules[j], fmt.Sprintf("%s.rules[%d]", field, j))
		}
		for j, smp := range append(append([]Sample{}, s.Samples.Positive...), s.Samples.Negative...) {
			if !slices.Contains(sampleTys, smp.Type) || smp.Value == "" {
				e.at(s.Line, fmt.Sprintf("%s.samples[%d]", field, j), "type %q must be one of %s with a value", smp.Type, strings.Join(sampleTys, ", "))
			}
		}
	}
	for i := range f.Apps {
		a := &f.Apps[i]
		a.Vendor = v.ID
		field := fmt.Sprintf("apps[%d]", i)
		if !sdkIDRe.MatchString(a.ID) || !strings.HasPrefix(a.ID, v.ID+".") {
			e.at(a.Line, field+".id", "%q must be %q followed by a lower-case slug", a.ID, v.ID+".")
		}
		if a.Name == "" {
			e.at(a.Line, field+".name", "required")
		}
		if len(a.Rules) == 0 {
			e.at(a.Line, field+".rules", "an app needs at least one rule")
		}
		for j := range a.Rules {
			r := &a.Rules[j]
			rf := fmt.Sprintf("%s.rules[%d]", field, j)
			if r.Source == "" {
				e.at(r.Line, rf+".source", "required: say where this fact comes from")
			}
			if len(r.AndroidAppIDs)+len(r.IOSBundleIDs)+len(r.CertSHA256)+len(r.TeamIDs) == 0 {
				e.at(r.Line, rf, "a rule needs at least one identifier")
			}
			check(e, r.Line, rf+".android_app_ids", r.AndroidAppIDs, appIDRe, "an Android application id")
			check(e, r.Line, rf+".ios_bundle_ids", r.IOSBundleIDs, bundleRe, "an iOS bundle id")
			check(e, r.Line, rf+".cert_sha256", r.CertSHA256, sha256Re, "64 lower-case hex digits")
			check(e, r.Line, rf+".team_ids", r.TeamIDs, teamRe, "a 10-character Apple team id")
		}
	}
	return errors.Join(e.list...)
}

func check(e *errs, line int, field string, vals []string, re *regexp.Regexp, what string) {
	for _, v := range vals {
		if !re.MatchString(v) {
			e.at(line, field, "%q is not %s", v, what)
		}
	}
}

func validateRule(e *errs, r *Rule, field string) {
	if r.Source == "" {
		e.at(r.Line, field+".source", "required: say where this fact comes from")
	}
	if r.Count() == 0 {
		e.at(r.Line, field, "a rule needs at least one pattern")
	}
	for _, p := range r.JavaPackages {
		if !javaRe.MatchString(p) {
			e.at(r.Line, field+".java_packages", "%q is not a Java package name", p)
		} else if strings.Count(p, ".")+1 < MinJavaSegments {
			e.at(r.Line, field+".java_packages", "%q is too short to be safe (fewer than %d segments)", p, MinJavaSegments)
		}
	}
	check(e, r.Line, field+".java_classes", r.JavaClasses, javaRe, "a fully-qualified class name")
	for _, c := range r.ManifestComponents {
		// ".wxapi.WXEntryActivity" matches that suffix of any component
		// (SDKs that require a callback class in the app's own package).
		name := strings.TrimPrefix(c, ".")
		if !javaRe.MatchString(name) {
			e.at(r.Line, field+".manifest_components", "%q is not a fully-qualified class name or a .suffix of at least two segments", c)
		}
	}
	check(e, r.Line, field+".native_libs", r.NativeLibs, libRe, "a native library file name (libX.so)")
	check(e, r.Line, field+".hosts", r.Hosts, hostRe, "a lower-case host name")
	check(e, r.Line, field+".gradle", r.Gradle, gradleRe, "a group:artifact coordinate")
	check(e, r.Line, field+".maven_repos", r.MavenRepos, urlRe, "an http(s) URL")
	check(e, r.Line, field+".spm", r.SPM, urlRe, "an http(s) repository URL")
	check(e, r.Line, field+".ios_frameworks", r.IOSFrameworks, identRe, "a framework name without extension")
	check(e, r.Line, field+".ios_bundles", r.IOSBundles, bundleFileRe, "a bundle name ending in .bundle")
	check(e, r.Line, field+".objc_classes", r.ObjCClasses, identRe, "an Objective-C class name")
	check(e, r.Line, field+".swift_modules", r.SwiftModules, identRe, "a Swift module name")
	check(e, r.Line, field+".cocoapods", r.CocoaPods, podRe, "a CocoaPods name")
	check(e, r.Line, field+".npm", r.NPM, npmRe, "an npm package name")
	check(e, r.Line, field+".pub", r.Pub, pubRe, "a pub.dev package name")
	check(e, r.Line, field+".url_schemes", r.URLSchemes, schemeRe, "a URL scheme (prefix)")
	check(e, r.Line, field+".queried_schemes", r.QueriedSchemes, schemeRe, "a URL scheme")
	for _, p := range r.ObjCPrefixes {
		if !identRe.MatchString(p) || len(p) < 4 {
			e.at(r.Line, field+".objc_prefixes", "%q must be an identifier of at least 4 characters", p)
		}
	}
	for _, d := range r.Dylibs {
		if d == "" || strings.ContainsAny(d, " \t\n") {
			e.at(r.Line, field+".dylibs", "%q is not a dylib name", d)
		}
	}
	for _, c := range r.Carthage {
		if c == "" || strings.ContainsAny(c, " \t\n") {
			e.at(r.Line, field+".carthage", "%q is not a Cartfile origin", c)
		}
	}
	for _, s := range r.Strings {
		if len(s) < 8 {
			e.at(r.Line, field+".strings", "%q is shorter than 8 bytes: too weak to be evidence", s)
		}
	}
	for _, p := range r.FilePaths {
		if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
			e.at(r.Line, field+".file_paths", "%q must be a relative entry path prefix", p)
		}
	}
	for _, m := range append(append([]string{}, r.MetaData...), r.Permissions...) {
		if strings.TrimSpace(m) == "" {
			e.at(r.Line, field, "empty meta-data or permission name")
		}
	}
}

func build(layers [][]*File) (*DB, error) {
	byVendor := map[string]*File{}
	var order []string
	for li, layer := range layers {
		seen := map[string]string{}
		for _, f := range layer {
			if prev, ok := seen[f.Vendor.ID]; ok {
				return nil, fmt.Errorf("%s: vendor %q is already defined in %s", f.Name, f.Vendor.ID, prev)
			}
			seen[f.Vendor.ID] = f.Name
			prev, ok := byVendor[f.Vendor.ID]
			switch {
			case f.Extends && !ok:
				return nil, fmt.Errorf("%s: extends vendor %q, which is not loaded", f.Name, f.Vendor.ID)
			case f.Extends:
				merged := *prev
				merged.Name = prev.Name + ", " + f.Name
				merged.Vendor.Domains = append(append([]DomainRule{}, prev.Vendor.Domains...), f.Vendor.Domains...)
				merged.SDKs = append(append([]SDK{}, prev.SDKs...), f.SDKs...)
				merged.Apps = append(append([]App{}, prev.Apps...), f.Apps...)
				byVendor[f.Vendor.ID] = &merged
				continue
			case !ok:
				order = append(order, f.Vendor.ID)
			case li == 0:
				return nil, fmt.Errorf("%s: vendor %q defined twice", f.Name, f.Vendor.ID)
			}
			byVendor[f.Vendor.ID] = f
		}
	}
	db := &DB{}
	h := sha256.New()
	sdkOwner := map[string]string{}
	appOwner := map[string]string{}
	var errList []error
	for _, id := range order {
		f := byVendor[id]
		db.Files = append(db.Files, f.Name)
		db.Vendors = append(db.Vendors, f.Vendor)
		for _, s := range f.SDKs {
			if prev, ok := sdkOwner[s.ID]; ok {
				errList = append(errList, fmt.Errorf("%s:%d: sdk %q already defined in %s", f.Name, s.Line, s.ID, prev))
			}
			sdkOwner[s.ID] = f.Name
			db.SDKs = append(db.SDKs, s)
		}
		for _, a := range f.Apps {
			if prev, ok := appOwner[a.ID]; ok {
				errList = append(errList, fmt.Errorf("%s:%d: app %q already defined in %s", f.Name, a.Line, a.ID, prev))
			}
			appOwner[a.ID] = f.Name
			db.Apps = append(db.Apps, a)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f.Name, len(f.SDKs))
		enc, _ := yaml.Marshal(f)
		h.Write(enc)
	}
	if err := checkCollisions(db); err != nil {
		errList = append(errList, err)
	}
	if len(errList) > 0 {
		return nil, errors.Join(errList...)
	}
	db.Version = Release + "+" + hex.EncodeToString(h.Sum(nil))[:12]
	return db, nil
}

// checkCollisions rejects one exact pattern claimed by two different SDKs or
// apps: the match would be ambiguous.
func checkCollisions(db *DB) error {
	type key struct{ kind, value string }
	owner := map[key]string{}
	var out []string
	claim := func(kind, value, who string) {
		k := key{kind, strings.ToLower(value)}
		if prev, ok := owner[k]; ok && prev != who {
			out = append(out, fmt.Sprintf("%s %q is claimed by both %s and %s", kind, value, prev, who))
			return
		}
		owner[k] = who
	}
	for _, s := range db.SDKs {
		for _, r := range s.Rules {
			for _, g := range r.Patterns() {
				kind := g.Kind
				if kind == "java_classes" {
					kind = "java_packages" // one namespace: a class is also a prefix
				}
				for _, v := range g.Values {
					claim(kind, v, s.ID)
				}
			}
		}
	}
	for _, a := range db.Apps {
		for _, r := range a.Rules {
			for _, v := range r.AndroidAppIDs {
				claim("android_app_id", v, a.ID)
			}
			for _, v := range r.IOSBundleIDs {
				claim("ios_bundle_id", v, a.ID)
			}
			for _, v := range r.CertSHA256 {
				claim("cert", v, a.ID)
			}
			for _, v := range r.TeamIDs {
				claim("team_id", v, a.ID)
			}
		}
	}
	for _, v := range db.Vendors {
		for _, d := range v.Domains {
			for _, val := range d.Values {
				claim("vendor_domain", val, v.ID)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	sort.Strings(out)
	return errors.New("signature collisions:\n  " + strings.Join(out, "\n  "))
}

// VendorByID returns the vendor with the given id, or nil.
func (db *DB) VendorByID(id string) *Vendor {
	for i := range db.Vendors {
		if db.Vendors[i].ID == id {
			return &db.Vendors[i]
		}
	}
	return nil
}
