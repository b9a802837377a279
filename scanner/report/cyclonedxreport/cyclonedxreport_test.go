package cyclonedxreport_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sdkvet/sdkvet/scanner/report/cyclonedxreport"
	"github.com/sdkvet/sdkvet/scanner/report/reporttest"
)

func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for file, id := range map[string]string{
		"bom-1.6.SNAPSHOT.schema.json":  "http://cyclonedx.org/schema/bom-1.6.schema.json",
		"spdx.SNAPSHOT.schema.json":     "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
		"jsf-0.82.SNAPSHOT.schema.json": "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
	} {
		data, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
	}
	return c.MustCompile("http://cyclonedx.org/schema/bom-1.6.schema.json")
}

func validate(t *testing.T, data []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := schema(t).Validate(doc); err != nil {
		t.Fatalf("BOM does not match the CycloneDX 1.6 schema: %v\n%s", err, data)
	}
}

func decode(t *testing.T, data []byte) *cdx.BOM {
	t.Helper()
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	return &bom
}

func prop(ps *[]cdx.Property, name string) string {
	if ps == nil {
		return ""
	}
	for _, p := range *ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

func TestSchemaRejectsBrokenBOM(t *testing.T) {
	doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "x"}]}`))
	if err := schema(t).Validate(doc); err == nil {
		t.Fatal("a component without type passed the schema")
	}
}

func TestSDKsAsComponents(t *testing.T) {
	var buf bytes.Buffer
	if err := cyclonedxreport.Write(&buf, reporttest.Sample()); err != nil {
		t.Fatal(err)
	}
	validate(t, buf.Bytes())
	bom := decode(t, buf.Bytes())
	if bom.SpecVersion != cdx.SpecVersion1_6 || !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") {
		t.Fatalf("spec %v serial %q", bom.SpecVersion, bom.SerialNumber)
	}
	apps := *bom.Components
	if len(apps) != 3 {
		t.Fatalf("%d top-level components, want 3 packages", len(apps))
	}
	feed := apps[0]
	if feed.Type != cdx.ComponentTypeApplication || feed.Version != "2.4.1" || prop(feed.Properties, "sdkvet:app_id") != "com.example.feed" ||
		feed.PackageURL != "pkg:android/com.example.feed@2.4.1" || (*feed.Hashes)[0].Value != reporttest.Sample().Targets[0].SHA256 {
		t.Errorf("feed component %+v", feed)
	}
	if !strings.Contains(prop(feed.Properties, "sdkvet:not_analysed"), "truncated ELF header") {
		t.Error("what could not be analysed is missing")
	}
	sdks := *feed.Components
	if len(sdks) != 3 {
		t.Fatalf("feed has %d SDK components, want 3", len(sdks))
	}
	wx := sdks[0]
	if wx.Name != "WeChat OpenSDK" || wx.Supplier.Name != "Tencent" || wx.Type != cdx.ComponentTypeLibrary ||
		prop(wx.Properties, "sdkvet:severity") != "high" {
		t.Errorf("wechat component %+v", wx)
	}
	ids := *wx.Evidence.Identity.Identities
	if len(*ids[0].Methods) != 2 || (*ids[0].Methods)[0].Technique != cdx.EvidenceIdentityTechniqueBinaryAnalysis ||
		(*ids[0].Methods)[1].Technique != cdx.EvidenceIdentityTechniqueManifestAnalysis {
		t.Errorf("identity methods %+v", *ids[0].Methods)
	}
	occ := *wx.Evidence.Occurrences
	if occ[0].Location != "apps/feed.apk!/classes2.dex" || occ[0].Offset == nil || *occ[0].Offset != 1234 {
		t.Errorf("occurrence %+v", occ[0])
	}
	if !strings.HasPrefix(prop(sdks[2].Properties, "sdkvet:exception"), "suppressed: reviewed") {
		t.Errorf("mmkv suppression not recorded: %v", sdks[2].Properties)
	}

	// Version and purl from a Gradle coordinate in a source tree.
	pangle := (*apps[2].Components)[0]
	if pangle.Version != "5.8.0.8" || pangle.PackageURL != "pkg:maven/com.pangle.global/ads-sdk@5.8.0.8" {
		t.Errorf("pangle version %q purl %q", pangle.Version, pangle.PackageURL)
	}
	if l := (*pangle.Evidence.Occurrences)[0].Line; l == nil || *l != 42 {
		t.Errorf("source occurrence line %v", l)
	}

	// Endpoints are services with their hosts.
	if bom.Services == nil || len(*bom.Services) != 1 {
		t.Fatalf("services %v", bom.Services)
	}
	s := (*bom.Services)[0]
	if s.Provider.Name != "ByteDance" || strings.Join(*s.Endpoints, ",") != "log.byteoversea.com,mon.snssdk.com" {
		t.Errorf("service %+v endpoints %v", s, *s.Endpoints)
	}
	// The package depends on its SDKs and services.
	for _, d := range *bom.Dependencies {
		if d.Ref == feed.BOMRef && (d.Dependencies == nil || len(*d.Dependencies) != 4) {
			t.Errorf("feed dependencies %v", d.Dependencies)
		}
	}
}

func TestSinglePackageIsTheSubject(t *testing.T) {
	r := reporttest.Sample()
	r.Targets = r.Targets[1:2]
	var buf bytes.Buffer
	if err := cyclonedxreport.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	validate(t, buf.Bytes())
	bom := decode(t, buf.Bytes())
	if bom.Metadata.Component == nil || bom.Metadata.Component.Name != "Reader" {
		t.Fatalf("metadata component %+v", bom.Metadata.Component)
	}
	if len(*bom.Components) != 1 || (*bom.Components)[0].Name != "Pangle" {
		t.Fatalf("components %+v", *bom.Components)
	}
}

func TestStableAndValidWhenClean(t *testing.T) {
	var a, b bytes.Buffer
	if err := cyclonedxreport.Write(&a, reporttest.Clean()); err != nil {
		t.Fatal(err)
	}
	validate(t, a.Bytes())
	if err := cyclonedxreport.Write(&b, reporttest.Clean()); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Fatal("the same report gave two different BOMs")
	}
}
