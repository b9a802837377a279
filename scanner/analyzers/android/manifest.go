package android

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/sdkvet/sdkvet/scanner/aabproto"
	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/manifest"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/sandbox"
)

// Manifest reads the manifest of an APK (binary XML, with the label resolved
// through resources.arsc), an AAB (aapt2 protobuf) or an AAR (plain XML).
var Manifest = analyze.PackageAnalyzer{
	Name:  "manifest",
	Kinds: []filekind.Kind{filekind.APK, filekind.AAB, filekind.AAR},
	Analyze: func(ctx context.Context, p analyze.Package, out analyze.Out) error {
		switch p.Kind() {
		case filekind.APK:
			return apkManifest(ctx, p, out)
		case filekind.AAB:
			return aabManifest(p, out)
		case filekind.AAR:
			return textManifest(p, "AndroidManifest.xml", out)
		}
		return nil
	},
}

func apkManifest(ctx context.Context, p analyze.Package, out analyze.Out) error {
	mpath := p.EntryPath("AndroidManifest.xml")
	mdata, err := p.ReadFile("AndroidManifest.xml")
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	if filekind.Sniff(mdata[:min(len(mdata), 16)]) != filekind.AXML {
		// Some packers and tools leave a text manifest.
		return textManifest(p, "AndroidManifest.xml", out)
	}
	lim := sandbox.LimitsFrom(ctx)
	text, err := sandbox.Run(ctx, sandboxXML, mdata, lim)
	if err != nil {
		out.Error(mpath, fmt.Errorf("parse manifest: %w", err))
		return nil
	}
	root, err := manifest.ParseXML(text)
	if err != nil {
		out.Error(mpath, fmt.Errorf("parse manifest: %w", err))
		return nil
	}
	clearPositions(root) // positions in the decoded text are not offsets in the file
	facts := manifest.Extract(root, mpath, out)
	label := facts.Label
	if strings.HasPrefix(label, "@") {
		// A resource reference: resolve it through resources.arsc, in its
		// own child so that a hostile table cannot cost the manifest.
		label = ""
		table, err := p.ReadFile("resources.arsc")
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			out.Error(p.EntryPath("resources.arsc"), fmt.Errorf("read: %w", err))
		default:
			req, _ := json.Marshal(labelRequest{Manifest: mdata, Table: table})
			l, err := sandbox.Run(ctx, sandboxLabel, req, lim)
			if err != nil {
				out.Error(p.EntryPath("resources.arsc"), fmt.Errorf("resolve app label: %w", err))
			}
			label = string(l)
		}
	}
	if label != "" {
		out.Observe(observation.Observation{Kind: observation.AppLabel, Value: label, Path: mpath, Offset: -1})
	}
	return nil
}

func clearPositions(e *manifest.Element) {
	e.Offset, e.Line = -1, 0
	for _, c := range e.Children {
		clearPositions(c)
	}
}

func aabManifest(p analyze.Package, out analyze.Out) error {
	var errs []error
	for _, name := range p.Names() {
		// base/manifest/AndroidManifest.xml, and one per feature module.
		if !strings.HasSuffix(name, "/manifest/AndroidManifest.xml") || strings.Count(name, "/") != 2 {
			continue
		}
		data, err := p.ReadFile(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		root, err := aabproto.DecodeXML(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		mpath := p.EntryPath(name)
		facts := manifest.Extract(root, mpath, out)
		if name == "base/manifest/AndroidManifest.xml" && facts.Label != "" && !strings.HasPrefix(facts.Label, "@") {
			out.Observe(observation.Observation{Kind: observation.AppLabel, Value: facts.Label, Path: mpath, Offset: -1})
		}
	}
	for _, name := range p.Names() {
		if !strings.HasSuffix(name, "/resources.pb") || strings.Count(name, "/") != 1 {
			continue
		}
		data, err := p.ReadFile(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		rpath := p.EntryPath(name)
		if err := aabproto.ResourceStrings(data, func(s string) bool { out.String(rpath, s, -1); return true }); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func textManifest(p analyze.Package, name string, out analyze.Out) error {
	data, err := p.ReadFile(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	root, err := manifest.ParseXML(data)
	if root != nil {
		facts := manifest.Extract(root, p.EntryPath(name), out)
		if facts.Label != "" && !strings.HasPrefix(facts.Label, "@") {
			out.Observe(observation.Observation{Kind: observation.AppLabel, Value: facts.Label, Path: p.EntryPath(name), Offset: -1})
		}
	}
	if err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	return nil
}

// labelRequest is the input of the label-resolving child.
type labelRequest struct {
	Manifest []byte `json:"manifest"`
	Table    []byte `json:"table"`
}

// Handlers that run androidbinary in a child process.
const (
	sandboxXML   = "androidbinary-xml"
	sandboxLabel = "androidbinary-label"
)
