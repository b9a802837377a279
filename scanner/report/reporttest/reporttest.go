// Package reporttest builds report values for the reporters' tests: a
// realistic scan of an Android package and an iOS package, with evidence
// from binaries and from a source tree, a suppressed finding, parts that
// could not be read, and an attacker-controlled app label.
package reporttest

import "github.com/sdkvet/sdkvet/scanner/report"

// HostileLabel is the app label of the sample Android target: markup that a
// reporter must escape.
const HostileLabel = `Feed<script>alert(1)</script>"><img src=x onerror=alert(2)>`

func str(s string) *string { return &s }
func num(n int) *int       { return &n }
func off(n int64) *int64   { return &n }

// Sample returns a report with two targets and every kind of finding.
func Sample() *report.Report {
	return &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "sdkvet", Version: "1.2.3", SignaturesVersion: "2026.11.20"},
		Policy:        report.PolicyInfo{ID: "state-policy", Version: "7", FailOn: "high", Packs: []string{"eo13971"}},
		Verdict:       report.Fail,
		Complete:      false,
		Targets: []report.Target{
			{
				Path: "apps/feed.apk", Kind: "apk", Size: 123456,
				SHA256: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
				Identity: report.Identity{
					AppID: str("com.example.feed"), Label: str(HostileLabel), Version: str("2.4.1"), VersionCode: str("241"),
					MinSDK: str("24"), TargetSDK: str("34"),
					Signers: []report.Signer{{Subject: "CN=Example Agency Release", Issuer: "CN=Example Agency Release",
						SHA256: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", Schemes: []string{"v2", "v3"}}},
					Frameworks:  []string{},
					Permissions: []string{"android.permission.INTERNET", "android.permission.READ_PHONE_STATE"},
				},
				Verdict: report.Fail, Complete: false,
				Findings: []report.Finding{
					{
						ID: "1111111111111111", Kind: "sdk", Rule: "tencent.wechat-opensdk", SDK: "WeChat OpenSDK",
						Vendor: "Tencent", VendorID: "tencent", Category: "social",
						Description: "Login and sharing through WeChat.", Severity: "high", Confidence: "high",
						EvidenceKinds: []string{"java_class", "manifest_component"}, EvidenceCount: 3,
						Evidence: []report.Evidence{
							{Path: "apps/feed.apk!/classes2.dex", Type: "java_class", Value: "com.tencent.mm.opensdk.openapi.WXAPIFactory",
								Matched: "com.tencent.mm.opensdk", Source: "https://developers.weixin.qq.com/doc/oplatform/en/Mobile_App/Access_Guide/Android.html", Offset: off(1234)},
							{Path: "apps/feed.apk!/AndroidManifest.xml", Type: "manifest_component", Value: "com.example.feed.wxapi.WXEntryActivity",
								Matched: ".wxapi.WXEntryActivity", Source: "https://developers.weixin.qq.com/doc/oplatform/en/Mobile_App/Access_Guide/Android.html"},
						},
					},
					{
						ID: "2222222222222222", Kind: "sdk", Rule: "bytedance.pangle", SDK: "Pangle",
						Vendor: "ByteDance", VendorID: "bytedance", Category: "ads",
						Description: "Advertising network (Pangle / CSJ).", Severity: "high", Confidence: "high",
						EvidenceKinds: []string{"java_class"}, EvidenceCount: 1,
						Evidence: []report.Evidence{
							{Path: "apps/feed.apk!/classes.dex", Type: "java_class", Value: "com.bytedance.sdk.openadsdk.api.init.PAGSdk",
								Matched: "com.bytedance.sdk.openadsdk", Source: "https://www.pangleglobal.com/integration/android-sdk", Offset: off(2048)},
						},
					},
					{
						ID: "3333333333333333", Kind: "sdk", Rule: "tencent.mmkv", SDK: "MMKV",
						Vendor: "Tencent", VendorID: "tencent", Category: "storage",
						Description: "Key-value storage library.", Severity: "low", Confidence: "medium",
						EvidenceKinds: []string{"native_lib"}, EvidenceCount: 1,
						Evidence: []report.Evidence{
							{Path: "apps/feed.apk!/lib/arm64-v8a/libmmkv.so", Type: "native_lib", Value: "libmmkv.so",
								Matched: "libmmkv.so", Source: "https://github.com/Tencent/MMKV"},
						},
						Exception: &report.Exception{Reason: "reviewed: storage only", Owner: "it-security@example.gov", Expires: "2099-01-31", Source: "policy"},
					},
					{
						ID: "4444444444444444", Kind: "endpoint", Rule: "bytedance.domains",
						Vendor: "ByteDance", VendorID: "bytedance",
						Description: "Hosts in domains owned by ByteDance.", Severity: "medium", Confidence: "low",
						EvidenceKinds: []string{"domain"}, EvidenceCount: 2,
						Evidence: []report.Evidence{
							{Path: "apps/feed.apk!/classes.dex", Type: "domain", Value: "log.byteoversea.com", Matched: "byteoversea.com", Source: "observed in TikTok 30.1", Offset: off(99)},
							{Path: "apps/feed.apk!/assets/config.json", Type: "url", Value: "https://mon.snssdk.com/monitor/collect", Matched: "snssdk.com", Source: "observed in TikTok 30.1"},
						},
					},
				},
				Errors: []report.Error{{Path: "apps/feed.apk!/lib/x86/libbroken.so", Error: "truncated ELF header"}},
			},
			{
				Path: "apps/Reader.ipa", Kind: "ipa", Size: 654321,
				SHA256: "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9",
				Identity: report.Identity{
					BundleID: str("gov.example.reader"), Label: str("Reader"), Version: str("1.0"), TeamID: str("ABCDE12345"),
					Signers: []report.Signer{}, Frameworks: []string{"BURelyFoundation", "PAGAdSDK"},
				},
				Verdict: report.Fail, Complete: true,
				Findings: []report.Finding{
					{
						ID: "5555555555555555", Kind: "sdk", Rule: "bytedance.pangle", SDK: "Pangle",
						Vendor: "ByteDance", VendorID: "bytedance", Category: "ads",
						Description: "Advertising network (Pangle / CSJ).", Severity: "high", Confidence: "high",
						EvidenceKinds: []string{"framework", "objc_class"}, EvidenceCount: 2,
						Evidence: []report.Evidence{
							{Path: "apps/Reader.ipa!/Payload/Reader.app/Frameworks/PAGAdSDK.framework/PAGAdSDK", Type: "framework", Value: "PAGAdSDK",
								Matched: "PAGAdSDK", Source: "https://www.pangleglobal.com/integration/ios-sdk"},
							{Path: "apps/Reader.ipa!/Payload/Reader.app/Frameworks/PAGAdSDK.framework/PAGAdSDK", Type: "objc_class", Value: "PAGBannerAd",
								Matched: "PAG", Source: "https://www.pangleglobal.com/integration/ios-sdk", Offset: off(4096)},
						},
					},
				},
				Errors: []report.Error{},
			},
			{
				Path: "src/mobile-app", Kind: "source", Size: 0,
				Identity: report.Identity{AppID: str("gov.example.mobile"), Signers: []report.Signer{}, Frameworks: []string{}},
				Verdict:  report.Fail, Complete: true,
				Findings: []report.Finding{
					{
						ID: "6666666666666666", Kind: "sdk", Rule: "bytedance.pangle", SDK: "Pangle",
						Vendor: "ByteDance", VendorID: "bytedance", Category: "ads",
						Description: "Advertising network (Pangle / CSJ).", Severity: "high", Confidence: "high",
						EvidenceKinds: []string{"gradle_dependency", "source_import"}, EvidenceCount: 2,
						Evidence: []report.Evidence{
							{Path: "src/mobile-app/app/build.gradle", Type: "gradle_dependency", Value: "com.pangle.global:ads-sdk:5.8.0.8",
								Matched: "com.pangle.global:ads-sdk", Source: "https://www.pangleglobal.com/integration/android-sdk", Line: num(42)},
							{Path: "src/mobile-app/app/src/main/java/gov/example/Ads.kt", Type: "source_import", Value: "com.bytedance.sdk.openadsdk.api.init.PAGSdk",
								Matched: "com.bytedance.sdk.openadsdk", Source: "https://www.pangleglobal.com/integration/android-sdk", Line: num(7), Column: 8, Offset: off(131)},
						},
						Exception: &report.Exception{Reason: "ads removed in next release", Expires: "2099-03-01", Source: "baseline", Match: "sdk:bytedance.pangle"},
					},
				},
				Errors: []report.Error{},
			},
		},
	}
}

// Clean returns a passing report of one target with no findings.
func Clean() *report.Report {
	return &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "sdkvet", Version: "1.2.3", SignaturesVersion: "2026.11.20"},
		Policy:        report.PolicyInfo{ID: "state-policy", Version: "7", FailOn: "high", Packs: []string{}},
		Verdict:       report.Pass, Complete: true,
		Targets: []report.Target{{
			Path: "clean.apk", Kind: "apk", Size: 10,
			Identity: report.Identity{AppID: str("gov.example.clean"), Signers: []report.Signer{}, Frameworks: []string{}},
			Verdict:  report.Pass, Complete: true, Findings: []report.Finding{}, Errors: []report.Error{},
		}},
	}
}
