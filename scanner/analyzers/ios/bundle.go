// Package ios holds the analyzers for iOS packages: the bundles of an IPA or
// an unpacked .app / .framework folder (Info.plist, privacy manifests,
// provisioning profiles, framework and resource-bundle names) and Mach-O
// binaries (linked dylibs, Objective-C classes, Swift modules, code
// signature, FairPlay encryption, strings).
package ios

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/iosmeta"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

// bundleKinds maps a folder suffix to the kind of bundle it is.
var bundleKinds = map[string]string{".app": "app", ".appex": "extension", ".framework": "framework", ".bundle": "resources", ".xcframework": "xcframework"}

// bundleRef is one bundle folder inside a package.
type bundleRef struct {
	prefix string // entry-name prefix including the trailing "/", "" for the package root
	name   string // folder name, e.g. BUAdSDK.framework
	kind   string // app, extension, framework, resources, xcframework
	depth  int    // number of bundle folders it is nested in
}

// findBundles lists the bundle folders named by entry paths. root names the
// package itself when it is a bundle folder ("Demo.app"), else "".
func findBundles(names []string, root string) []bundleRef {
	seen := map[string]bool{}
	var out []bundleRef
	rootDepth := 0
	if k := kindOf(root); k != "" {
		out = append(out, bundleRef{prefix: "", name: path.Base(root), kind: k})
		seen[""] = true
		rootDepth = 1
	}
	for _, n := range names {
		// Prefixes are substrings of n: no copies, however long the name.
		depth, start := rootDepth, 0
		for i := strings.IndexByte(n, '/'); i >= 0 && depth < maxBundleDepth; {
			comp := n[start:i]
			if k := kindOf(comp); k != "" {
				if prefix := n[:i+1]; !seen[prefix] {
					seen[prefix] = true
					out = append(out, bundleRef{prefix: prefix, name: comp, kind: k, depth: depth})
				}
				depth++
			}
			start = i + 1
			j := strings.IndexByte(n[start:], '/')
			if j < 0 {
				break
			}
			i = start + j
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].prefix < out[j].prefix })
	return out
}

// maxBundleDepth bounds how deeply nested bundles are looked for: real
// packages nest an app, its extensions or frameworks, and their bundles.
const maxBundleDepth = 8

func kindOf(name string) string {
	return bundleKinds[path.Ext(strings.TrimSuffix(name, "/"))]
}

// Bundles reads every bundle of an IPA or a bundle folder.
var Bundles = analyze.PackageAnalyzer{
	Name:  "ios-bundles",
	Kinds: []filekind.Kind{filekind.IPA, filekind.Bundle, filekind.Zip},
	Analyze: func(ctx context.Context, p analyze.Package, out analyze.Out) error {
		root := ""
		if p.Kind() == filekind.Bundle {
			root = p.Path()
		}
		names := p.Names()
		has := make(map[string]bool, len(names))
		for _, n := range names {
			has[n] = true
		}
		bundles := findBundles(names, root)
		// The main app is the shallowest .app bundle.
		main := -1
		for i, b := range bundles {
			if b.kind == "app" && (main < 0 || b.depth < bundles[main].depth) {
				main = i
			}
		}
		var errs []error
		at := p.EntryPath
		for i, b := range bundles {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			where := p.Path()
			if b.prefix != "" {
				where = at(strings.TrimSuffix(b.prefix, "/"))
			}
			emit := func(k observation.Kind, v, detail, file string) {
				if v == "" {
					return
				}
				w := where
				if file != "" {
					w = at(file)
				}
				out.Observe(observation.Observation{Kind: k, Value: v, Detail: detail, Path: w, Offset: -1})
			}
			switch b.kind {
			case "framework":
				emit(observation.IOSFramework, strings.TrimSuffix(b.name, ".framework"), "", "")
			case "xcframework":
				emit(observation.IOSFramework, strings.TrimSuffix(b.name, ".xcframework"), "xcframework", "")
			case "resources":
				emit(observation.IOSBundle, b.name, "", "")
			}
			if infoName := b.prefix + "Info.plist"; has[infoName] {
				if err := readInfo(p, infoName, b, i == main, emit); err != nil {
					errs = append(errs, err)
				}
			}
			if pn := b.prefix + "PrivacyInfo.xcprivacy"; has[pn] {
				if err := readPrivacy(p, pn, emit); err != nil {
					errs = append(errs, err)
				}
			}
			if mp := b.prefix + "embedded.mobileprovision"; has[mp] {
				if err := readProfile(p, mp, emit); err != nil {
					errs = append(errs, err)
				}
			}
		}
		markFrameworks(names, func(fw, file string) {
			out.Observe(observation.Observation{Kind: observation.Framework, Value: fw, Path: at(file), Offset: -1})
		})
		return errors.Join(errs...)
	},
}

type emitFunc func(k observation.Kind, v, detail, file string)

func readInfo(p analyze.Package, name string, b bundleRef, main bool, emit emitFunc) error {
	data, err := p.ReadFile(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	info, err := iosmeta.ParseInfo(data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	role := b.kind
	if main {
		role = "app"
	} else if b.kind == "app" {
		role = "nested-app" // a watch app or an app inside an app
	}
	emit(observation.BundleID, info.BundleID, role, name)
	for _, s := range info.URLSchemes {
		emit(observation.URLScheme, s, "", name)
	}
	for _, s := range info.QueriedSchemes {
		emit(observation.QueriedScheme, s, "", name)
	}
	for _, d := range info.ATSExceptionDomains {
		emit(observation.Domain, strings.TrimPrefix(strings.ToLower(d), "*."), "NSAppTransportSecurity exception", name)
	}
	if main {
		label := info.DisplayName
		if label == "" {
			label = info.Name
		}
		emit(observation.AppLabel, label, "", name)
		emit(observation.AppVersion, info.Version, info.Build, name)
		emit(observation.SDKVersion, info.MinOS, "min", name)
	}
	return nil
}

func readPrivacy(p analyze.Package, name string, emit emitFunc) error {
	data, err := p.ReadFile(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	pr, err := iosmeta.ParsePrivacy(data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, d := range pr.TrackingDomains {
		emit(observation.Domain, strings.ToLower(d), "NSPrivacyTrackingDomains", name)
	}
	for _, t := range pr.DataTypes {
		emit(observation.PrivacyDataType, t, "", name)
	}
	return nil
}

func readProfile(p analyze.Package, name string, emit emitFunc) error {
	data, err := p.ReadFile(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	pr, err := iosmeta.ParseProfile(data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, t := range pr.TeamIDs {
		emit(observation.TeamID, t, "provisioning profile "+pr.TeamName, name)
	}
	keys := make([]string, 0, len(pr.Entitlements))
	for k := range pr.Entitlements {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := fmt.Sprint(pr.Entitlements[k])
		if len(v) > 200 {
			v = v[:200]
		}
		emit(observation.Entitlement, k, v, name)
	}
	return nil
}

// markFrameworks reports cross-platform frameworks by their files.
func markFrameworks(names []string, fn func(fw, file string)) {
	seen := map[string]bool{}
	for _, n := range names {
		base := path.Base(n)
		fw := ""
		switch {
		case base == "main.jsbundle":
			fw = "react-native"
		case strings.HasSuffix(path.Dir(n), "Flutter.framework") || strings.Contains(n, "/App.framework/flutter_assets/"):
			fw = "flutter"
		case base == "cordova.js" && strings.Contains(n, "/www/"):
			fw = "cordova"
		case base == "capacitor.config.json":
			fw = "capacitor"
		case strings.HasSuffix(path.Dir(n), "UnityFramework.framework"):
			fw = "unity"
		case strings.HasSuffix(base, ".dll") && strings.Contains(n, ".app/"):
			fw = "xamarin"
		}
		if fw != "" && !seen[fw] {
			seen[fw] = true
			fn(fw, n)
		}
	}
}
