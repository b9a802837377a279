package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/internal/fixture/iosfixture"
	"github.com/sdkvet/sdkvet/internal/fixture/iostool"
	"github.com/sdkvet/sdkvet/internal/fixture/machofile"
	"github.com/sdkvet/sdkvet/scanner/report"
)

// iOS end-to-end tests: binaries are compiled and linked by clang-14 and
// ld64.lld-14 (the tests skip without them; .ci/run installs them), then
// packed into IPAs and folders by iosfixture.

const pangleHost = "https://api-access.pangolin-sdk-toutiao.com/api/ad/union/sdk/get_ads/"

func appInfo(id, exe string, extra map[string]any) map[string]any {
	m := map[string]any{
		"CFBundleIdentifier": id, "CFBundleExecutable": exe, "CFBundleName": exe,
		"CFBundleShortVersionString": "2.3", "CFBundleVersion": "230", "MinimumOSVersion": "14.0",
		"CFBundlePackageType": "APPL",
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mainObject(t *testing.T, arch string, classes ...string) []byte {
	return iostool.Object(t, arch, "objc", iostool.ObjCMainSource(classes...))
}

func TestIOSCleanIPA(t *testing.T) {
	if !iostool.Available() {
		t.Skip("clang-14/ld64.lld-14 not installed")
	}
	exe := iostool.Executable(t, "arm64", [][]byte{iostool.Object(t, "arm64", "objc", iostool.ObjCClassSource("NotesAppDelegate", "NotesStore")),
		mainObject(t, "arm64", "NotesAppDelegate")}, []string{iostool.FoundationFramework})
	cert, key := fixture.SelfSigned("Apple Development: Example Agency")
	ipa := iosfixture.IPA([]iosfixture.Bundle{{
		Path: "Payload/Notes.app", Info: appInfo("gov.example.notes", "Notes", nil), Executable: exe,
		Files: map[string][]byte{"embedded.mobileprovision": iosfixture.Profile("ABCDE12345", "ABCDE12345.gov.example.notes", cert, key, time.Now().Add(24*time.Hour))},
	}})
	rep, r := scanJSON(t, writeFile(t, "notes.ipa", ipa))
	tg := rep.Targets[0]
	if r.code != 0 || tg.Verdict != "pass" || len(tg.Findings) != 0 || !tg.Complete || tg.Kind != "ipa" {
		t.Fatalf("clean ipa: exit %d, kind %s, findings %+v, errors %+v", r.code, tg.Kind, tg.Findings, tg.Errors)
	}
	id := tg.Identity
	if id.BundleID == nil || *id.BundleID != "gov.example.notes" || id.TeamID == nil || *id.TeamID != "ABCDE12345" || *id.Version != "2.3" || *id.MinSDK != "14.0" {
		t.Fatalf("identity %+v", id)
	}
}

func TestIOSWeChatStaticallyLinked(t *testing.T) {
	if !iostool.Available() {
		t.Skip("clang-14/ld64.lld-14 not installed")
	}
	sdk := iostool.Object(t, "arm64", "objc", iostool.ObjCClassSource("WXApi", "WXApiObject", "SendMessageToWXReq"))
	exe := iostool.Executable(t, "arm64", [][]byte{sdk, mainObject(t, "arm64", "WXApi")}, []string{iostool.FoundationFramework})
	ipa := iosfixture.IPA([]iosfixture.Bundle{{
		Path: "Payload/Share.app", Executable: exe,
		Info: appInfo("gov.example.share", "Share", map[string]any{
			"CFBundleURLTypes":            []any{map[string]any{"CFBundleURLSchemes": []any{"wx0123456789abcdef"}}},
			"LSApplicationQueriesSchemes": []any{"weixin", "weixinULAPI"},
		}),
	}})
	rep, r := scanJSON(t, writeFile(t, "share.ipa", ipa))
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	f := finding(t, rep.Targets[0], "tencent.wechat-opensdk")
	got := strings.Join(evidenceTypes(f), ",")
	for _, want := range []string{"objc_class", "url_scheme", "queried_scheme"} {
		if !strings.Contains(got, want) {
			t.Errorf("evidence %s lacks %s", got, want)
		}
	}
	if f.Confidence != "high" {
		t.Errorf("confidence %s", f.Confidence)
	}
}

func panglePieces(t *testing.T, arch string) (framework, exe []byte) {
	fwObj := iostool.Object(t, arch, "objc", iostool.ObjCClassSource("BUAdSDKManager", "BUNativeAd")+iostool.CStringSource("pangleHosts", pangleHost))
	framework = iostool.Dylib(t, arch, "@rpath/BUAdSDK.framework/BUAdSDK", [][]byte{fwObj}, []string{iostool.FoundationFramework})
	exe = iostool.Executable(t, arch, [][]byte{mainObject(t, arch, "BUAdSDKManager")}, []string{"@rpath/BUAdSDK.framework/BUAdSDK", iostool.FoundationFramework})
	return framework, exe
}

func pangleBundles(exe, framework []byte) []iosfixture.Bundle {
	return []iosfixture.Bundle{
		{Path: "Payload/Game.app", Executable: exe, Info: appInfo("gov.example.game", "Game", nil),
			Files: map[string][]byte{"BUAdSDK.bundle/ad_close.png": {0x89, 'P', 'N', 'G'}}},
		{Path: "Payload/Game.app/Frameworks/BUAdSDK.framework", Executable: framework,
			Info: map[string]any{"CFBundleIdentifier": "com.bytedance.BUAdSDK", "CFBundleExecutable": "BUAdSDK", "CFBundlePackageType": "FMWK"}},
	}
}

func TestIOSPangleFrameworkAndFatBinary(t *testing.T) {
	if !iostool.Available() {
		t.Skip("clang-14/ld64.lld-14 not installed")
	}
	fwArm, exeArm := panglePieces(t, "arm64")
	fwX86, exeX86 := panglePieces(t, "x86_64")
	fw, exe := iostool.Fat(t, fwArm, fwX86), iostool.Fat(t, exeArm, exeX86)
	rep, r := scanJSON(t, writeFile(t, "game.ipa", iosfixture.IPA(pangleBundles(exe, fw))))
	if r.code != 1 {
		t.Fatalf("exit %d: %+v", r.code, rep.Targets[0].Errors)
	}
	f := finding(t, rep.Targets[0], "bytedance.pangle")
	got := strings.Join(evidenceTypes(f), ",")
	for _, want := range []string{"ios_framework", "ios_bundle", "objc_class", "dylib"} {
		if !strings.Contains(got, want) {
			t.Errorf("pangle evidence %s lacks %s", got, want)
		}
	}
	if f.EvidenceCount < 4 || f.Confidence != "high" {
		t.Errorf("pangle %+v", f)
	}
	// The API host in the framework's __cstring is ByteDance's (the
	// database has no sourced Pangle-specific host, so it is an endpoint).
	ep := finding(t, rep.Targets[0], "bytedance.domains")
	if ep.Evidence[0].Value != "api-access.pangolin-sdk-toutiao.com" || !strings.HasSuffix(ep.Evidence[0].Path, "BUAdSDK.framework/BUAdSDK") {
		t.Errorf("endpoint %+v", ep.Evidence[0])
	}
}

func TestIOSBannedBundleID(t *testing.T) {
	exe := machofile.Build(machofile.Spec{ObjCClasses: []string{"AWEAppDelegate"}})
	ipa := iosfixture.IPA([]iosfixture.Bundle{{Path: "Payload/TikTok.app", Executable: exe, Info: appInfo("com.zhiliaoapp.musically", "TikTok", nil)}})
	rep, r := scanJSON(t, writeFile(t, "tiktok.ipa", ipa))
	f := finding(t, rep.Targets[0], "bytedance.tiktok")
	if r.code != 1 || f.Kind != "app" || f.Severity != "critical" || f.Evidence[0].Type != "ios_bundle_id" {
		t.Fatalf("exit %d finding %+v", r.code, f)
	}
}

func TestIOSEncryptedExecutable(t *testing.T) {
	exe := machofile.Build(machofile.Spec{Encrypted: true, ObjCClasses: []string{"WXApi"}, CStrings: []string{pangleHost},
		Dylibs: []machofile.Dylib{{Name: "@rpath/BUAdSDK.framework/BUAdSDK"}}})
	ipa := iosfixture.IPA([]iosfixture.Bundle{{Path: "Payload/Locked.app", Executable: exe, Info: appInfo("gov.example.locked", "Locked", nil)}})
	rep, r := scanJSON(t, writeFile(t, "locked.ipa", ipa))
	tg := rep.Targets[0]
	if tg.Complete || r.code == 0 {
		t.Fatalf("encrypted binary must make the scan incomplete: exit %d", r.code)
	}
	said := false
	for _, e := range tg.Errors {
		said = said || strings.HasSuffix(e.Path, "Locked.app/Locked") && strings.Contains(e.Error, "FairPlay-encrypted")
	}
	if !said {
		t.Fatalf("errors %+v", tg.Errors)
	}
	// The load commands and the symbol table lie outside the encrypted
	// range and still count; the C strings inside it are not read.
	f := finding(t, tg, "bytedance.pangle")
	if f.Evidence[0].Type != "dylib" {
		t.Fatalf("pangle from the load command: %+v", f)
	}
	for _, fd := range tg.Findings {
		for _, e := range fd.Evidence {
			if e.Type == "domain" {
				t.Errorf("evidence read from the encrypted range: %+v", e)
			}
		}
	}
}

func TestIOSMalformedMachO(t *testing.T) {
	exe := machofile.Build(machofile.Spec{ObjCClasses: []string{"NotesAppDelegate"}})
	bad := append([]byte(nil), exe[:64]...)
	ipa := iosfixture.IPA([]iosfixture.Bundle{{Path: "Payload/Broken.app", Executable: bad,
		Info: appInfo("com.zhiliaoapp.musically", "Broken", nil)}})
	rep, _ := scanJSON(t, writeFile(t, "broken.ipa", ipa))
	tg := rep.Targets[0]
	finding(t, tg, "bytedance.tiktok") // Info.plist is still read
	if tg.Complete || len(tg.Errors) == 0 || !strings.HasSuffix(tg.Errors[0].Path, "Broken.app/Broken") {
		t.Fatalf("errors %+v", tg.Errors)
	}
}

func TestIOSStaticLibraryWithThousandMembers(t *testing.T) {
	if !iostool.Available() {
		t.Skip("clang-14/ld64.lld-14 not installed")
	}
	members := map[string][]byte{"WXApi.o": iostool.Object(t, "arm64", "objc", iostool.ObjCClassSource("WXApi", "WXApiObject"))}
	filler := iostool.Object(t, "arm64", "c", "int filler(void) { return 1; }\n")
	for i := 0; i < 999; i++ {
		members[filepathSafe(i)] = filler
	}
	lib := iostool.StaticLib(t, "darwin", members)
	start := time.Now()
	rep, r := scanJSON(t, writeFile(t, "libWeChatSDK.a", lib))
	tg := rep.Targets[0]
	if r.code != 1 || tg.Kind != "ar" {
		t.Fatalf("exit %d kind %s errors %+v", r.code, tg.Kind, tg.Errors)
	}
	f := finding(t, tg, "tencent.wechat-opensdk")
	if !strings.HasSuffix(f.Evidence[0].Path, "libWeChatSDK.a!/WXApi.o") || f.Evidence[0].Type != "objc_class" {
		t.Fatalf("evidence %+v", f.Evidence[0])
	}
	t.Logf("1,000-member library scanned in %s", time.Since(start))
}

func filepathSafe(i int) string { return "filler" + strings.Repeat("x", i%3) + itoa(i) + ".o" }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestIOSAppAndFrameworkFolders(t *testing.T) {
	if !iostool.Available() {
		t.Skip("clang-14/ld64.lld-14 not installed")
	}
	fw, exe := panglePieces(t, "arm64")
	root := t.TempDir()
	if err := iosfixture.WriteDir(root, pangleBundles(exe, fw)); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(root, "Game.app")
	rep, r := scanJSON(t, app)
	if r.code != 1 || len(rep.Targets) != 1 || rep.Targets[0].Kind != "bundle" {
		t.Fatalf("app folder: exit %d, targets %d", r.code, len(rep.Targets))
	}
	tg := rep.Targets[0]
	if tg.Identity.BundleID == nil || *tg.Identity.BundleID != "gov.example.game" {
		t.Fatalf("identity %+v", tg.Identity)
	}
	f := finding(t, tg, "bytedance.pangle")
	inFramework := false
	for _, e := range f.Evidence {
		inFramework = inFramework || strings.Contains(e.Path, "Game.app/Frameworks/BUAdSDK.framework")
	}
	if !inFramework {
		t.Fatalf("no evidence from the framework folder: %+v", f.Evidence)
	}
	// The framework folder on its own, found inside a folder of packages.
	rep, _ = scanJSON(t, filepath.Join(app, "Frameworks"))
	if len(rep.Targets) != 1 || !strings.HasSuffix(rep.Targets[0].Path, "BUAdSDK.framework") {
		t.Fatalf("framework folder targets %+v", rep.Targets)
	}
	finding(t, rep.Targets[0], "bytedance.pangle")
}

var _ = report.Pass
