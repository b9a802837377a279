// Package cyclonedxreport writes the report as a CycloneDX 1.6 JSON bill of
// materials: each scanned package is an application component; each SDK
// found in it is a nested library component with its supplier (the
// vendor), its version where the evidence names one, and the evidence
// (identity methods and occurrences); endpoints owned by a vendor are
// services with their hosts. sdkvet's judgement (severity, confidence,
// suppression) is kept as "sdkvet:" properties.
package cyclonedxreport

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/url"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/sdkvet/sdkvet/scanner/report"
)

// SpecVersion is the CycloneDX version written.
const SpecVersion = cdx.SpecVersion1_6

// Write renders r as pretty-printed CycloneDX JSON.
func Write(w io.Writer, r *report.Report) error {
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	enc.SetEscapeHTML(true)
	if err := enc.EncodeVersion(Build(r), SpecVersion); err != nil {
		return fmt.Errorf("write cyclonedx: %w", err)
	}
	return nil
}

// Build converts r to a BOM.
func Build(r *report.Report) *cdx.BOM {
	bom := cdx.NewBOM()
	bom.SerialNumber = serial(r)
	bom.Metadata = &cdx.Metadata{
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: r.Tool.Name, Version: r.Tool.Version,
			Supplier: &cdx.OrganizationalEntity{Name: "sdkvet"},
		}}},
		Properties: &[]cdx.Property{
			{Name: "sdkvet:verdict", Value: r.Verdict},
			{Name: "sdkvet:complete", Value: fmt.Sprint(r.Complete)},
			{Name: "sdkvet:signatures_version", Value: r.Tool.SignaturesVersion},
			{Name: "sdkvet:policy", Value: r.Policy.ID + " " + r.Policy.Version},
		},
	}
	var comps []cdx.Component
	var services []cdx.Service
	var deps []cdx.Dependency
	for ti, t := range r.Targets {
		app := targetComponent(ti, t)
		var children []cdx.Component
		var childRefs []string
		for _, f := range t.Findings {
			switch f.Kind {
			case "sdk":
				c := sdkComponent(app.BOMRef, f)
				children = append(children, c)
				childRefs = append(childRefs, c.BOMRef)
			case "endpoint":
				s := endpointService(app.BOMRef, f)
				services = append(services, s)
				childRefs = append(childRefs, s.BOMRef)
			default: // app, identifier: facts about the package itself
				props := append(*app.Properties,
					cdx.Property{Name: "sdkvet:" + f.Kind, Value: f.Title() + " (" + f.Vendor + ")"},
					cdx.Property{Name: "sdkvet:" + f.Kind + ":severity", Value: f.Severity})
				app.Properties = &props
			}
		}
		if len(children) > 0 {
			app.Components = &children
		}
		comps = append(comps, app)
		d := cdx.Dependency{Ref: app.BOMRef}
		if len(childRefs) > 0 {
			d.Dependencies = &childRefs
		}
		deps = append(deps, d)
		for _, c := range children {
			deps = append(deps, cdx.Dependency{Ref: c.BOMRef})
		}
	}
	if len(r.Targets) == 1 {
		// One package: it is what the BOM describes.
		main := comps[0]
		bom.Metadata.Component = &main
		comps = nil
		if main.Components != nil {
			comps = *main.Components
			bom.Metadata.Component.Components = nil
		}
	}
	if comps == nil {
		comps = []cdx.Component{}
	}
	bom.Components = &comps
	if len(services) > 0 {
		bom.Services = &services
	}
	bom.Dependencies = &deps
	return bom
}

func targetComponent(i int, t report.Target) cdx.Component {
	id := t.Identity
	c := cdx.Component{
		BOMRef: fmt.Sprintf("target-%d", i+1),
		Type:   cdx.ComponentTypeApplication,
		Name:   t.Path,
	}
	switch {
	case id.Label != nil && *id.Label != "":
		c.Name = *id.Label
	case id.AppID != nil:
		c.Name = *id.AppID
	case id.BundleID != nil:
		c.Name = *id.BundleID
	}
	if id.Version != nil {
		c.Version = *id.Version
	}
	if t.SHA256 != "" {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: t.SHA256}}
	}
	props := []cdx.Property{
		{Name: "sdkvet:path", Value: t.Path},
		{Name: "sdkvet:kind", Value: t.Kind},
		{Name: "sdkvet:verdict", Value: t.Verdict},
		{Name: "sdkvet:complete", Value: fmt.Sprint(t.Complete)},
	}
	if id.AppID != nil {
		props = append(props, cdx.Property{Name: "sdkvet:app_id", Value: *id.AppID})
		c.PackageURL = purl("android", "", *id.AppID, c.Version)
	}
	if id.BundleID != nil {
		props = append(props, cdx.Property{Name: "sdkvet:bundle_id", Value: *id.BundleID})
	}
	if id.TeamID != nil {
		props = append(props, cdx.Property{Name: "sdkvet:team_id", Value: *id.TeamID})
	}
	for _, s := range id.Signers {
		props = append(props, cdx.Property{Name: "sdkvet:signer", Value: s.Subject + " sha256:" + s.SHA256})
	}
	for _, e := range t.Errors {
		props = append(props, cdx.Property{Name: "sdkvet:not_analysed", Value: e.Path + ": " + e.Error})
	}
	c.Properties = &props
	return c
}

var confidence = map[string]float32{"high": 0.9, "medium": 0.6, "low": 0.3}

func sdkComponent(parent string, f report.Finding) cdx.Component {
	c := cdx.Component{
		BOMRef:      parent + "/" + f.ID,
		Type:        cdx.ComponentTypeLibrary,
		Supplier:    &cdx.OrganizationalEntity{Name: f.Vendor},
		Group:       f.VendorID,
		Name:        f.Title(),
		Description: f.Description,
	}
	version, p := versionOf(f)
	c.Version, c.PackageURL = version, p
	props := []cdx.Property{
		{Name: "sdkvet:rule", Value: f.Rule},
		{Name: "sdkvet:finding_id", Value: f.ID},
		{Name: "sdkvet:severity", Value: f.Severity},
		{Name: "sdkvet:confidence", Value: f.Confidence},
		{Name: "sdkvet:evidence_count", Value: fmt.Sprint(f.EvidenceCount)},
	}
	if f.Category != "" {
		props = append(props, cdx.Property{Name: "sdkvet:category", Value: f.Category})
	}
	if f.Exception != nil {
		state := "suppressed"
		if f.Exception.Expired {
			state = "exception expired"
		}
		props = append(props, cdx.Property{Name: "sdkvet:exception", Value: state + ": " + f.Exception.Reason + " (until " + f.Exception.Expires + ")"})
	}
	c.Properties = &props

	conf := confidence[f.Confidence]
	var methods []cdx.EvidenceIdentityMethod
	seen := map[string]bool{}
	var occ []cdx.EvidenceOccurrence
	for _, e := range f.Evidence {
		tech := technique(e.Type)
		key := string(tech) + "\x00" + e.Value
		if !seen[key] {
			seen[key] = true
			m := conf
			methods = append(methods, cdx.EvidenceIdentityMethod{Technique: tech, Confidence: &m, Value: e.Type + " " + e.Value})
		}
		o := cdx.EvidenceOccurrence{Location: e.Path, Symbol: e.Value, AdditionalContext: e.Type + " matched " + e.Matched}
		if e.Line != nil {
			l := *e.Line
			o.Line = &l
		}
		if e.Offset != nil && *e.Offset <= int64(^uint32(0)>>1) {
			off := int(*e.Offset)
			o.Offset = &off
		}
		occ = append(occ, o)
	}
	if len(methods) > 0 {
		ids := []cdx.EvidenceIdentity{{Field: cdx.EvidenceIdentityFieldTypeName, Confidence: &conf, ConcludedValue: c.Name, Methods: &methods}}
		c.Evidence = &cdx.Evidence{Identity: &cdx.EvidenceIdentityChoice{Identities: &ids}, Occurrences: &occ}
	}
	var refs []cdx.ExternalReference
	for _, e := range f.Evidence {
		if u, err := url.Parse(e.Source); err == nil && (u.Scheme == "https" || u.Scheme == "http") && !hasRef(refs, e.Source) {
			refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeDocumentation, URL: e.Source, Comment: "source of the signature rule"})
		}
	}
	if len(refs) > 0 {
		c.ExternalReferences = &refs
	}
	return c
}

func endpointService(parent string, f report.Finding) cdx.Service {
	hosts := f.Hosts()
	s := cdx.Service{
		BOMRef:      parent + "/" + f.ID,
		Provider:    &cdx.OrganizationalEntity{Name: f.Vendor},
		Group:       f.VendorID,
		Name:        f.Vendor + " endpoints",
		Description: f.Description,
		Properties: &[]cdx.Property{
			{Name: "sdkvet:rule", Value: f.Rule},
			{Name: "sdkvet:finding_id", Value: f.ID},
			{Name: "sdkvet:severity", Value: f.Severity},
			{Name: "sdkvet:confidence", Value: f.Confidence},
		},
	}
	if len(hosts) > 0 {
		s.Endpoints = &hosts
	}
	return s
}

// versionOf reads an SDK version from build-dependency evidence: a Gradle
// coordinate group:artifact:version.
func versionOf(f report.Finding) (version, purlStr string) {
	for _, e := range f.Evidence {
		if e.Type != "gradle_dependency" {
			continue
		}
		parts := strings.Split(e.Value, ":")
		if len(parts) >= 3 && parts[2] != "" {
			return parts[2], purl("maven", parts[0], parts[1], parts[2])
		}
	}
	return "", ""
}

func purl(typ, namespace, n, version string) string {
	esc := func(s string) string { return strings.ReplaceAll(url.PathEscape(s), "%2F", "/") }
	p := "pkg:" + typ + "/"
	if namespace != "" {
		p += esc(namespace) + "/"
	}
	p += esc(n)
	if version != "" {
		p += "@" + esc(version)
	}
	return p
}

func technique(typ string) cdx.EvidenceIdentityTechnique {
	switch typ {
	case "java_class", "java_package", "objc_class", "native_lib", "framework", "linked_dylib", "symbol", "string_marker":
		return cdx.EvidenceIdentityTechniqueBinaryAnalysis
	case "gradle_dependency", "cocoapod", "spm_package", "npm_package", "pub_package",
		"manifest_component", "permission", "meta_data", "queried_package", "queried_scheme", "url_scheme", "app_id", "bundle_id":
		return cdx.EvidenceIdentityTechniqueManifestAnalysis
	case "source_import":
		return cdx.EvidenceIdentityTechniqueSourceCodeAnalysis
	case "cert_sha256", "cert_subject", "team_id":
		return cdx.EvidenceIdentityTechniqueAttestation
	}
	return cdx.EvidenceIdentityTechniqueOther
}

func hasRef(refs []cdx.ExternalReference, u string) bool {
	for _, r := range refs {
		if r.URL == u {
			return true
		}
	}
	return false
}

// serial derives a stable urn:uuid from what was scanned, so that the same
// scan gives the same BOM.
func serial(r *report.Report) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", r.Tool.Version, r.Tool.SignaturesVersion, r.Policy.Version)
	for _, t := range r.Targets {
		fmt.Fprintf(h, "%s\x00%s\x00", t.Path, t.SHA256)
	}
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8: vendor-specific
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
