package android

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/apksig"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/observation"
)

// Signature reads the signing certificates of an APK (v1 JAR signature and
// the v2/v3/v3.1 APK Signing Block) and the JAR signature of other archives.
// Signatures are reported, not verified.
var Signature = analyze.PackageAnalyzer{
	Name:  "signature",
	Kinds: []filekind.Kind{filekind.APK, filekind.AAB, filekind.JAR, filekind.AAR},
	Analyze: func(ctx context.Context, p analyze.Package, out analyze.Out) error {
		var errs []error
		emit := func(c apksig.Cert, where string) {
			o := observation.Observation{Path: where, Offset: -1, Detail: c.Scheme}
			o.Kind, o.Value = observation.CertSHA256, c.SHA256
			out.Observe(o)
			o.Kind, o.Value = observation.CertSubject, c.Subject
			o.Detail = c.SHA256 + " " + c.Scheme + " " + c.Issuer
			out.Observe(o)
		}
		for _, name := range p.Names() {
			dir, base := path.Split(name)
			ext := strings.ToUpper(path.Ext(base))
			if dir != "META-INF/" || (ext != ".RSA" && ext != ".DSA" && ext != ".EC") {
				continue
			}
			data, err := p.ReadFile(name)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			certs, err := apksig.ParseV1(data)
			for _, c := range certs {
				emit(c, p.EntryPath(name))
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
		if p.Kind() == filekind.APK {
			r, size := p.ReaderAt()
			block, off, err := apksig.FindSigningBlock(r, size)
			if err != nil {
				errs = append(errs, fmt.Errorf("signing block: %w", err))
			} else if block != nil {
				certs, err := apksig.ParseSigningBlock(block)
				where := fmt.Sprintf("%s!/<APK Signing Block@0x%x>", p.Path(), off)
				for _, c := range certs {
					emit(c, where)
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("signing block: %w", err))
				}
			}
		}
		return errors.Join(errs...)
	},
}

// frameworkMarkers are entry names that reveal a cross-platform framework.
var frameworkMarkers = []struct {
	framework string
	match     func(name, base string) bool
}{
	{"flutter", func(n, b string) bool { return b == "libflutter.so" || strings.HasPrefix(n, "assets/flutter_assets/") }},
	{"react-native", func(n, b string) bool {
		return n == "assets/index.android.bundle" || b == "libreactnativejni.so" || b == "libreactnative.so"
	}},
	{"hermes", func(n, b string) bool { return b == "libhermes.so" }},
	{"unity", func(n, b string) bool { return b == "libunity.so" || strings.HasPrefix(n, "assets/bin/Data/") }},
	{"cordova", func(n, b string) bool { return n == "assets/www/cordova.js" }},
	{"capacitor", func(n, b string) bool {
		return n == "assets/capacitor.config.json" || n == "assets/capacitor.plugins.json"
	}},
	{"xamarin", func(n, b string) bool {
		return b == "libmonodroid.so" || b == "libxamarin-app.so" || strings.HasPrefix(n, "assemblies/")
	}},
}

// Entries reports the names of a package's entries: file paths (SDKs ship
// assets and resources under their own names), Java classes of a JAR by
// their .class entry names, and framework markers.
var Entries = analyze.PackageAnalyzer{
	Name:  "entries",
	Kinds: []filekind.Kind{filekind.APK, filekind.AAB, filekind.AAR, filekind.JAR, filekind.XAPK, filekind.Zip},
	Analyze: func(ctx context.Context, p analyze.Package, out analyze.Out) error {
		seen := map[string]bool{}
		for _, name := range p.Names() {
			if strings.HasSuffix(name, "/") {
				continue
			}
			where := p.EntryPath(name)
			out.Observe(observation.Observation{Kind: observation.FilePath, Value: name, Path: where, Offset: -1})
			if strings.HasSuffix(name, ".class") {
				cls := strings.TrimSuffix(name, ".class")
				if i := strings.Index(cls, "classes/"); p.Kind() == filekind.AAB && i >= 0 {
					cls = cls[i+len("classes/"):]
				}
				if !strings.HasPrefix(cls, "META-INF/") {
					out.Observe(observation.Observation{Kind: observation.JavaClass, Value: strings.ReplaceAll(cls, "/", "."), Path: where, Offset: -1})
				}
			}
			base := path.Base(name)
			for _, m := range frameworkMarkers {
				if !seen[m.framework] && m.match(name, base) {
					seen[m.framework] = true
					out.Observe(observation.Observation{Kind: observation.Framework, Value: m.framework, Path: where, Offset: -1})
				}
			}
		}
		return nil
	},
}
