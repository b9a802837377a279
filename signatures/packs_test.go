package signatures_test

import (
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/match"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/signatures"
)

// packIDs are the extension packs shipped in signatures/packs.
var packIDs = []string{"eo13971", "baidu"}

func loadPacks(t *testing.T, ids ...string) *signatures.DB {
	t.Helper()
	db, err := signatures.LoadWith(signatures.Options{Packs: ids})
	if err != nil {
		t.Fatalf("load packs %v: %v", ids, err)
	}
	return db
}

// subjects returns the subjects every rule matching o points to.
func subjects(m *match.Matcher, kind observation.Kind, value string) []string {
	var got []string
	m.Match(observation.Observation{Kind: kind, Value: value}, func(h match.Hit) {
		got = append(got, h.Rule.Subject)
	})
	return got
}

// packSDKs returns the SDKs a pack adds: those in db that the base lacks.
func packSDKs(t *testing.T, db *signatures.DB) []signatures.SDK {
	t.Helper()
	base := map[string]bool{}
	for _, s := range load(t).SDKs {
		base[s.ID] = true
	}
	var out []signatures.SDK
	for _, s := range db.SDKs {
		if !base[s.ID] {
			out = append(out, s)
		}
	}
	return out
}

func TestPacksListed(t *testing.T) {
	packs, err := signatures.Packs()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]signatures.Pack{}
	for _, p := range packs {
		byID[p.ID] = p
	}
	for _, id := range packIDs {
		p, ok := byID[id]
		if !ok {
			t.Errorf("pack %q not listed by Packs()", id)
			continue
		}
		if p.Name == "" || p.Description == "" || len(p.References) == 0 {
			t.Errorf("pack %q needs a name, a description and references: %+v", id, p)
		}
		if len(p.Policy.Vendors) == 0 {
			t.Errorf("pack %q brings no vendor policy", id)
		}
	}
}

// TestPackPolicyVendors checks the policy fragment each pack brings: its
// vendors are in the Pack struct with a valid status and severity, and each is
// a vendor of the database the pack loads.
func TestPackPolicyVendors(t *testing.T) {
	want := map[string]map[string]signatures.PackVendorPolicy{
		"eo13971": {
			"antgroup":        {Status: "banned", Severity: "high"},
			"intsig":          {Status: "banned", Severity: "high"},
			"shareit":         {Status: "banned", Severity: "high"},
			"ucweb":           {Status: "banned", Severity: "high"},
			"kingsoft-office": {Status: "banned", Severity: "high"},
			"tencent":         {Status: "banned", Severity: "high"},
		},
		"baidu": {
			"baidu": {Status: "watch", Severity: "low"},
		},
	}
	for _, id := range packIDs {
		db := loadPacks(t, id)
		if len(db.Packs) != 1 || db.Packs[0].ID != id {
			t.Fatalf("pack %s: db.Packs = %+v", id, db.Packs)
		}
		got := db.Packs[0].Policy.Vendors
		for vendor, pol := range want[id] {
			if got[vendor] != pol {
				t.Errorf("pack %s: policy for %s = %+v, want %+v", id, vendor, got[vendor], pol)
			}
		}
		for vendor, pol := range got {
			switch pol.Status {
			case "banned", "watch", "allowed":
			default:
				t.Errorf("pack %s: vendor %s: bad status %q", id, vendor, pol.Status)
			}
			switch pol.Severity {
			case "info", "low", "medium", "high", "critical":
			default:
				t.Errorf("pack %s: vendor %s: bad severity %q", id, vendor, pol.Severity)
			}
			if db.VendorByID(vendor) == nil {
				t.Errorf("pack %s: policy names vendor %s, which the database does not have", id, vendor)
			}
		}
	}
}

// TestPackSamples runs every sample of every SDK a pack adds: positives are
// attributed to that SDK, look-alike negatives to nothing at all.
func TestPackSamples(t *testing.T) {
	for _, id := range packIDs {
		db := loadPacks(t, id)
		m := match.Compile(db)
		sdks := packSDKs(t, db)
		if len(sdks) == 0 {
			t.Errorf("pack %s adds no SDK", id)
		}
		for _, s := range sdks {
			if len(s.Samples.Positive) == 0 || len(s.Samples.Negative) == 0 {
				t.Errorf("%s/%s: needs positive and negative samples", id, s.ID)
			}
			for _, smp := range s.Samples.Positive {
				got := subjects(m, observation.Kind(smp.Type), smp.Value)
				if len(got) != 1 || got[0] != s.ID {
					t.Errorf("%s/%s: positive %s %q matched %v", id, s.ID, smp.Type, smp.Value, got)
				}
			}
			for _, smp := range s.Samples.Negative {
				if got := subjects(m, observation.Kind(smp.Type), smp.Value); len(got) != 0 {
					t.Errorf("%s/%s: negative %s %q matched %v", id, s.ID, smp.Type, smp.Value, got)
				}
			}
		}
	}
}

// TestPackJavaClassNeedsPack: a Java class from each pack SDK's samples is
// attributed to it with the pack switched on, and to nothing without it.
func TestPackJavaClassNeedsPack(t *testing.T) {
	without := match.Compile(load(t))
	for _, id := range packIDs {
		db := loadPacks(t, id)
		with := match.Compile(db)
		for _, s := range packSDKs(t, db) {
			cls := ""
			for _, smp := range s.Samples.Positive {
				if smp.Type == string(observation.JavaClass) {
					cls = smp.Value
					break
				}
			}
			if cls == "" {
				t.Errorf("%s/%s: no java_class positive sample", id, s.ID)
				continue
			}
			if got := subjects(with, observation.JavaClass, cls); len(got) != 1 || got[0] != s.ID {
				t.Errorf("%s/%s: with the pack, %s matched %v", id, s.ID, cls, got)
			}
			if got := subjects(without, observation.JavaClass, cls); len(got) != 0 {
				t.Errorf("%s/%s: without the pack, %s matched %v", id, s.ID, cls, got)
			}
		}
	}
}

func TestPackExamples(t *testing.T) {
	cases := []struct {
		pack  string
		kind  observation.Kind
		value string
		want  string
	}{
		{"eo13971", observation.JavaClass, "com.alipay.sdk.app.PayTask", "antgroup.alipay-sdk"},
		{"eo13971", observation.JavaClass, "com.san.ads.SanBannerView", "shareit.ads-sdk"},
		{"eo13971", observation.JavaClass, "com.tencent.mobileqq.openpay.api.IOpenApi", "tencent.qq-wallet-openpay"},
		{"eo13971", observation.AppID, "com.eg.android.AlipayGphone", "antgroup.alipay"},
		{"eo13971", observation.AppID, "com.intsig.camscanner", "intsig.camscanner"},
		{"eo13971", observation.AppID, "com.lenovo.anyshare.gps", "shareit.shareit"},
		{"eo13971", observation.AppID, "com.uc.vmate", "ucweb.vmate"},
		{"eo13971", observation.AppID, "cn.wps.moffice_eng", "kingsoft-office.wps-office"},
		{"eo13971", observation.AppID, "cn.wps.moffice", ""},
		{"eo13971", observation.QueriedPackage, "com.eg.android.AlipayGphone", "antgroup.alipay"},
		{"eo13971", observation.Domain, "render.alipay.com", "antgroup"},
		{"eo13971", observation.Domain, "mobilegw.alipay.com", "antgroup.alipay-sdk"},
		{"eo13971", observation.Domain, "www.camscanner.com", "intsig"},
		{"eo13971", observation.Domain, "wps.com.evil.example", ""},
		// The base database stays intact under the extension.
		{"eo13971", observation.JavaClass, "com.tencent.mm.opensdk.openapi.WXAPIFactory", "tencent.wechat-opensdk"},
		{"eo13971", observation.AppID, "com.tencent.mobileqq", "tencent.qq"},
		{"baidu", observation.JavaClass, "com.baidu.location.LocationClient", "baidu.location-sdk"},
		{"baidu", observation.Component, "com.baidu.location.f", "baidu.location-sdk"},
		{"baidu", observation.MetaData, "com.baidu.lbsapi.API_KEY", "baidu.location-sdk"},
		{"baidu", observation.NativeLib, "lib/arm64-v8a/liblocSDK8b.so", "baidu.location-sdk"},
		{"baidu", observation.NativeLib, "libBaiduMapSDK_base_v7_5_0.so", "baidu.map-sdk"},
		{"baidu", observation.Domain, "mobads.baidu.com", "baidu.mobads"},
		{"baidu", observation.Domain, "www.baidu.com", "baidu"},
		{"baidu", observation.AppID, "com.baidu.BaiduMap", "baidu.baidu-maps"},
		{"baidu", observation.AppID, "com.baidu", ""},
	}
	matchers := map[string]*match.Matcher{}
	for _, c := range cases {
		m := matchers[c.pack]
		if m == nil {
			m = match.Compile(loadPacks(t, c.pack))
			matchers[c.pack] = m
		}
		got := subjects(m, c.kind, c.value)
		switch {
		case c.want == "" && len(got) != 0:
			t.Errorf("%s: %s %q matched %v, want nothing", c.pack, c.kind, c.value, got)
		case c.want != "" && (len(got) != 1 || got[0] != c.want):
			t.Errorf("%s: %s %q matched %v, want %s", c.pack, c.kind, c.value, got, c.want)
		}
	}
}

func TestTencentExtension(t *testing.T) {
	base := load(t)
	db := loadPacks(t, "eo13971")
	if got, want := db.VendorByID("tencent").Name, base.VendorByID("tencent").Name; got != want {
		t.Errorf("extends changed the Tencent vendor block: %q, want %q", got, want)
	}
	ids := map[string]bool{}
	for _, s := range db.SDKs {
		if s.Vendor == "tencent" {
			ids[s.ID] = true
		}
	}
	for _, s := range base.SDKs {
		if s.Vendor == "tencent" && !ids[s.ID] {
			t.Errorf("base Tencent SDK %s lost under the pack", s.ID)
		}
	}
	if !ids["tencent.qq-wallet-openpay"] {
		t.Error("QQ Wallet SDK not added to Tencent")
	}
}

func TestUnknownPackIsAnError(t *testing.T) {
	_, err := signatures.LoadWith(signatures.Options{Packs: []string{"no-such-pack"}})
	if err == nil || !strings.Contains(err.Error(), "no-such-pack") {
		t.Fatalf("unknown pack accepted or error does not name it: %v", err)
	}
	_, err = signatures.LoadWith(signatures.Options{Packs: []string{"baidu", "no-such-pack"}})
	if err == nil {
		t.Fatal("unknown pack after a good one accepted")
	}
}

func TestAllPacksTogether(t *testing.T) {
	db := loadPacks(t, packIDs...)
	if len(db.Packs) != len(packIDs) {
		t.Fatalf("db.Packs = %+v", db.Packs)
	}
	if !strings.HasSuffix(db.Version, "+packs:"+strings.Join(packIDs, ",")) {
		t.Errorf("version %q does not name the packs", db.Version)
	}
	if db.Version == load(t).Version {
		t.Error("version does not change with packs")
	}
	// Asking twice for a pack loads it once.
	if again := loadPacks(t, "baidu", "baidu"); len(again.Packs) != 1 {
		t.Errorf("duplicate pack id loaded %d times", len(again.Packs))
	}
	m := match.Compile(db)
	for _, c := range []struct{ cls, want string }{
		{"com.alipay.sdk.app.PayTask", "antgroup.alipay-sdk"},
		{"com.baidu.mobstat.StatService", "baidu.mobstat"},
		{"com.tencent.bugly.crashreport.CrashReport", "tencent.bugly"},
	} {
		if got := subjects(m, observation.JavaClass, c.cls); len(got) != 1 || got[0] != c.want {
			t.Errorf("all packs: %s matched %v, want %s", c.cls, got, c.want)
		}
	}
	for _, s := range db.SDKs {
		for i, r := range s.Rules {
			if strings.TrimSpace(r.Source) == "" {
				t.Errorf("%s rule %d has no source", s.ID, i)
			}
		}
	}
	for _, a := range db.Apps {
		for i, r := range a.Rules {
			if strings.TrimSpace(r.Source) == "" {
				t.Errorf("%s rule %d has no source", a.ID, i)
			}
		}
	}
}
