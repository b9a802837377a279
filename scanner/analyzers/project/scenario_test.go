package project_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/report"
	"github.com/sdkvet/sdkvet/scanner/source"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

// writeTree writes files (slash-separated relative path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func scanTree(t *testing.T, dir string, lim walk.Limits) *report.Report {
	t.Helper()
	if !source.Grammars {
		t.Skip("source code parsing needs a cgo build (see nocgo_test.go)")
	}
	db, err := signatures.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := scanner.New(scanner.Options{DB: db, Policy: policy.Default(), Limits: lim})
	rep, err := s.Scan(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Targets) != 1 {
		t.Fatalf("%d targets, want one source tree: %+v", len(rep.Targets), rep.Targets)
	}
	if k := rep.Targets[0].Kind; k != "source" {
		t.Fatalf("target kind %q, want source", k)
	}
	return rep
}

func finding(t *testing.T, tg report.Target, rule string) report.Finding {
	t.Helper()
	var rules []string
	for _, f := range tg.Findings {
		if f.Rule == rule {
			return f
		}
		rules = append(rules, f.Rule)
	}
	t.Fatalf("no finding %s; have %v", rule, rules)
	return report.Finding{}
}

// evidence returns the evidence of type typ whose path ends with file.
func evidence(t *testing.T, f report.Finding, typ, file string) report.Evidence {
	t.Helper()
	for _, e := range f.Evidence {
		if e.Type == typ && strings.HasSuffix(e.Path, "/"+file) {
			return e
		}
	}
	t.Fatalf("finding %s has no %s evidence in %s: %+v", f.Rule, typ, file, f.Evidence)
	return report.Evidence{}
}

func wantLine(t *testing.T, e report.Evidence, line int) {
	t.Helper()
	if e.Line == nil || *e.Line != line {
		got := "none"
		if e.Line != nil {
			got = strconv.Itoa(*e.Line)
		}
		t.Errorf("%s %s at line %s, want %d", e.Type, e.Value, got, line)
	}
}

func noErrors(t *testing.T, tg report.Target) {
	t.Helper()
	if len(tg.Errors) > 0 || !tg.Complete {
		t.Errorf("errors: %+v", tg.Errors)
	}
}

var cleanAndroid = map[string]string{
	"settings.gradle.kts": `pluginManagement { repositories { google(); gradlePluginPortal() } }
dependencyResolutionManagement {
    repositories { google(); mavenCentral() }
}
rootProject.name = "Clean"
include(":app")
`,
	"app/build.gradle.kts": `plugins { id("com.android.application") version "8.5.0" }
android { namespace = "org.example.clean" }
dependencies {
    implementation("androidx.core:core-ktx:1.13.1")
    implementation(libs.okhttp)
}
`,
	"gradle/libs.versions.toml": `[versions]
okhttp = "4.12.0"
[libraries]
okhttp = { module = "com.squareup.okhttp3:okhttp", version.ref = "okhttp" }
`,
	"app/src/main/AndroidManifest.xml": `<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android">
  <uses-permission android:name="android.permission.INTERNET"/>
  <application android:label="Clean"><activity android:name=".MainActivity"/></application>
</manifest>
`,
	"app/src/main/java/org/example/clean/MainActivity.kt": `package org.example.clean

import android.app.Activity
import okhttp3.OkHttpClient

class MainActivity : Activity() {
    private val api = "https://api.example.org/v1/items"
    fun client() = OkHttpClient.Builder().build()
}
`,
}

func TestCleanAndroidApp(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, cleanAndroid)
	tg := scanTree(t, dir, walk.DefaultLimits()).Targets[0]
	noErrors(t, tg)
	if len(tg.Findings) != 0 || tg.Verdict != report.Pass {
		t.Errorf("clean app: verdict %s, findings %+v", tg.Verdict, tg.Findings)
	}
}

func TestAndroidPangleGradle(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, cleanAndroid)
	writeTree(t, dir, map[string]string{
		"settings.gradle.kts": `dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
        maven { url = uri("https://artifact.bytedance.com/repository/pangle/") }
    }
}
include(":app")
`,
		"gradle/libs.versions.toml": `[versions]
pangle = "6.1.0.6"

[libraries]
pangle-ads = { module = "com.pangle.global:ads-sdk", version.ref = "pangle" }
`,
		"app/build.gradle.kts": `plugins { id("com.android.application") }
dependencies {
    implementation(libs.pangle.ads)
}
`,
	})
	tg := scanTree(t, dir, walk.DefaultLimits()).Targets[0]
	noErrors(t, tg)
	f := finding(t, tg, "bytedance.pangle")
	g := evidence(t, f, "gradle", "gradle/libs.versions.toml")
	if g.Value != "com.pangle.global:ads-sdk" || g.Detail != "6.1.0.6" {
		t.Errorf("catalog evidence %+v, want the coordinate with its resolved version", g)
	}
	wantLine(t, g, 5)
	r := evidence(t, f, "maven_repo", "settings.gradle.kts")
	wantLine(t, r, 5)
	if r.Column != 28 {
		t.Errorf("repository column %d, want 28", r.Column)
	}
	if tg.Verdict != report.Fail {
		t.Errorf("verdict %s, want fail", tg.Verdict)
	}
}

func TestIOSPodfile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"Podfile": `platform :ios, '13.0'
# pod 'GDTMobSDK' was removed
target 'Demo' do
  use_frameworks!
  pod 'WechatOpenSDK', '~> 2.0'
  pod "Bugly"
end
`,
		"Podfile.lock": `PODS:
  - Bugly (2.6.1)
  - WechatOpenSDK (2.0.4)

DEPENDENCIES:
  - Bugly
  - WechatOpenSDK (~> 2.0)

COCOAPODS: 1.15.2
`,
		"Demo/AppDelegate.m": `#import "AppDelegate.h"
#import <WechatOpenSDK/WXApi.h>
@implementation AppDelegate
- (BOOL)application:(UIApplication *)app didFinishLaunchingWithOptions:(NSDictionary *)o {
    [WXApi registerApp:@"wx123" universalLink:@"https://example.org/app/"];
    return YES;
}
@end
`,
	})
	tg := scanTree(t, dir, walk.DefaultLimits()).Targets[0]
	noErrors(t, tg)
	wx := finding(t, tg, "tencent.wechat-opensdk")
	wantLine(t, evidence(t, wx, "cocoapod", "Podfile"), 5)
	lock := evidence(t, wx, "cocoapod", "Podfile.lock")
	if lock.Detail != "2.0.4" {
		t.Errorf("lockfile version %q, want 2.0.4", lock.Detail)
	}
	wantLine(t, evidence(t, wx, "ios_framework", "Demo/AppDelegate.m"), 2)
	bugly := finding(t, tg, "tencent.bugly")
	wantLine(t, evidence(t, bugly, "cocoapod", "Podfile"), 6)
	for _, f := range tg.Findings {
		if f.Rule == "tencent.gdt" {
			t.Errorf("a pod named in a comment was reported: %+v", f)
		}
	}
}

func TestReactNativeWeChat(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"package.json": `{
  "name": "demo",
  "dependencies": {
    "react": "18.2.0",
    "react-native": "0.74.1",
    "react-native-wechat-lib": "^3.0.4"
  }
}
`,
		"src/api.js": `import * as WeChat from 'react-native-wechat-lib';
// old endpoint: https://old.example.org
export async function report(ev) {
  return fetch("https://report.qq.com/v1/event", {method: "POST", body: JSON.stringify(ev)});
}
`,
	})
	tg := scanTree(t, dir, walk.DefaultLimits()).Targets[0]
	noErrors(t, tg)
	wx := finding(t, tg, "tencent.wechat-opensdk")
	pkg := evidence(t, wx, "npm", "package.json")
	wantLine(t, pkg, 6)
	if pkg.Detail != "^3.0.4" {
		t.Errorf("package.json range %q", pkg.Detail)
	}
	wantLine(t, evidence(t, wx, "npm", "src/api.js"), 1)
	var endpoint *report.Finding
	for i, f := range tg.Findings {
		if f.Kind == "endpoint" && f.VendorID == "tencent" {
			endpoint = &tg.Findings[i]
		}
	}
	if endpoint == nil {
		t.Fatalf("no Tencent endpoint finding: %+v", tg.Findings)
	}
	e := evidence(t, *endpoint, "domain", "src/api.js")
	if e.Value != "report.qq.com" || e.Detail != "https://report.qq.com/v1/event" {
		t.Errorf("endpoint evidence %+v", e)
	}
	wantLine(t, e, 4)
	if e.Column != 17 {
		t.Errorf("endpoint column %d, want 17", e.Column)
	}
}

func TestFlutterTencentPlugin(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"pubspec.yaml": `name: demo
environment:
  sdk: ">=3.0.0 <4.0.0"
dependencies:
  flutter:
    sdk: flutter
  tencent_trtc_cloud: ^2.9.0
`,
		"pubspec.lock": `packages:
  tencent_trtc_cloud:
    dependency: "direct main"
    source: hosted
    version: "2.9.3"
sdks:
  dart: ">=3.0.0 <4.0.0"
`,
		"lib/main.dart": `import 'package:flutter/material.dart';
import 'package:tencent_trtc_cloud/trtc_cloud.dart';
/* 'package:fluwx/fluwx.dart' is not used */
void main() => runApp(const App());
`,
	})
	tg := scanTree(t, dir, walk.DefaultLimits()).Targets[0]
	noErrors(t, tg)
	f := finding(t, tg, "tencent.trtc-liteav")
	wantLine(t, evidence(t, f, "pub", "pubspec.yaml"), 7)
	if lock := evidence(t, f, "pub", "pubspec.lock"); lock.Detail != "2.9.3" {
		t.Errorf("resolved version %q", lock.Detail)
	}
	wantLine(t, evidence(t, f, "pub", "lib/main.dart"), 2)
	if len(tg.Findings) != 1 {
		t.Errorf("findings %+v, want only TRTC (fluwx is in a comment)", tg.Findings)
	}
}

// TestTraps: words that name a vendor but are not evidence, and look-alike
// names and hosts. One real endpoint in the same tree is the control: it
// must be the only finding, with evidence from its own file only.
func TestTraps(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, cleanAndroid)
	writeTree(t, dir, map[string]string{
		"README.md": "We do not ship TikTok or WeChat SDKs (see https://www.tiktok.com and com.tencent.mm.opensdk).\n",
		"app/src/main/java/org/example/clean/Share.kt": `package org.example.clean

// Replaced com.bytedance.sdk.openadsdk.TTAdSdk and https://api-access.pangle.io
/* import com.tencent.bugly.crashreport.CrashReport */
import com.tencentcloud.demo.Client

object Share {
    val tiktok = "tiktok"
    val wechat = "wechat"
    val targets = listOf(tiktok, wechat, "twitter")
    val links = mapOf(tiktok to "https://example.org/share/tiktok?via=qq.com.evil", wechat to "https://notqq.com/share")
    val mirror = "https://qq.com.example.org/x"
    val cloud = "com.tencentcloud.demo.Client"
    val tencent = tiktok.length
}
`,
		"app/src/main/java/org/example/clean/Real.kt": `package org.example.clean

object Real { const val URL = "https://report.qq.com/v1" }
`,
		"app/src/test/java/org/example/clean/ShareTest.kt": `package org.example.clean

import org.junit.Test

class ShareTest {
    @Test fun ` + "`tencent share target is listed`" + `() { check("tencent" != "") }
    @Test fun blocked() { check(Blocklist.has("https://open.douyin.com/x", "com.bytedance.sdk.openadsdk.TTAdSdk")) }
}
`,
		"web/share.test.js": `test("tencent login button", () => { expect(share.tiktok).toBe("tiktok"); expect(block("https://api.tiktok.com")).toBe(true) })
`,
		"web/share.js": `const tiktok = {url: "https://example.org/tiktok", qq: "https://notqq.com"};
export const links = [tiktok, "bytedance"]; // https://www.tiktok.com
`,
		"ios/Share.swift": `let tencent = "tencent" // import TencentOpenAPI
/* WXApi.registerApp("x") */
`,
	})
	tg := scanTree(t, dir, walk.DefaultLimits()).Targets[0]
	noErrors(t, tg)
	if len(tg.Findings) != 1 {
		t.Fatalf("traps gave findings: %+v", tg.Findings)
	}
	f := tg.Findings[0]
	if f.Kind != "endpoint" || f.VendorID != "tencent" {
		t.Errorf("control finding %+v, want the Tencent endpoint", f)
	}
	for _, e := range f.Evidence {
		if !strings.HasSuffix(e.Path, "/Real.kt") {
			t.Errorf("evidence from a trap: %+v", e)
		}
	}
}

// TestJNI: native code that names a class only in JNI's slash form is
// read (the pre-filter knows that form too) and reported at its line.
func TestJNI(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, cleanAndroid)
	writeTree(t, dir, map[string]string{
		"app/src/main/cpp/native-lib.cpp": `#include <jni.h>
// com/tencent/mm/opensdk/Old is gone
extern "C" void init(JNIEnv *env) {
    jclass c = env->FindClass("com/tencent/bugly/crashreport/CrashReport");
}
`,
	})
	tg := scanTree(t, dir, walk.DefaultLimits()).Targets[0]
	noErrors(t, tg)
	e := evidence(t, finding(t, tg, "tencent.bugly"), "java_class", "app/src/main/cpp/native-lib.cpp")
	wantLine(t, e, 4)
	if len(tg.Findings) != 1 {
		t.Errorf("findings %+v, want only Bugly (the other class is in a comment)", tg.Findings)
	}
}

// TestVendoredJar: a dependency declared in Gradle and vendored as classes
// is one finding with two kinds of evidence; build/ output is skipped
// unless asked for.
func TestVendoredJar(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, cleanAndroid)
	writeTree(t, dir, map[string]string{
		"app/build.gradle": `dependencies {
    implementation 'com.tencent.bugly:crashreport:4.1.9.3'
    implementation fileTree(dir: 'libs', include: ['*.jar'])
}
`,
		"app/build/generated/Stub.java": `class Stub { String u = "https://h.trace.qq.com/x"; }`,
	})
	var jar bytes.Buffer
	zw := zip.NewWriter(&jar)
	for _, n := range []string{"META-INF/MANIFEST.MF", "com/tencent/bugly/crashreport/CrashReport.class"} {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("Manifest-Version: 1.0\n"))
	}
	zw.Close()
	if err := os.MkdirAll(filepath.Join(dir, "app", "libs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "libs", "bugly.jar"), jar.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tg := scanTree(t, dir, walk.DefaultLimits()).Targets[0]
	f := finding(t, tg, "tencent.bugly")
	wantLine(t, evidence(t, f, "gradle", "app/build.gradle"), 2)
	evidence(t, f, "java_class", "app/libs/bugly.jar!/com/tencent/bugly/crashreport/CrashReport.class")
	for _, g := range tg.Findings {
		for _, e := range g.Evidence {
			if strings.Contains(e.Path, "/build/") {
				t.Errorf("build output read by default: %+v", e)
			}
		}
	}
	lim := walk.DefaultLimits()
	lim.IncludeGenerated = true
	tg = scanTree(t, dir, lim).Targets[0]
	found := false
	for _, g := range tg.Findings {
		for _, e := range g.Evidence {
			found = found || strings.HasSuffix(e.Path, "app/build/generated/Stub.java")
		}
	}
	if !found {
		t.Errorf("IncludeGenerated: build output not read: %+v", tg.Findings)
	}
}

// TestHostileTree: symbolic-link loops and links out of the tree are not
// followed, and a binary file named like source is not parsed as source.
func TestHostileTree(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{
		"Secret.kt": "import com.tencent.bugly.crashreport.CrashReport\nval u = \"https://android.bugly.qq.com\"\n",
	})
	dir := t.TempDir()
	writeTree(t, dir, cleanAndroid)
	for link, target := range map[string]string{
		"loop":                ".",
		"app/src/self":        "../src",
		"app/src/Escape.kt":   filepath.Join(outside, "Secret.kt"),
		"app/src/Relative.kt": "../../../" + filepath.Base(outside) + "/Secret.kt",
		"app/src/outside":     outside,
		"app/src/a.kt":        "b.kt",
		"app/src/b.kt":        "a.kt",
	} {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	// Binary content under a source name: NUL bytes around a class name.
	bin := append([]byte{0xca, 0xfe, 0x00, 0x01, 0x00, 0x00}, []byte("import com.tencent.mm.opensdk.openapi.WXAPIFactory\x00\x00https://open.weixin.qq.com\x00")...)
	if err := os.WriteFile(filepath.Join(dir, "app", "src", "Evil.java"), bin, 0o644); err != nil {
		t.Fatal(err)
	}
	// The control: a file inside the tree, read directly and through a link.
	writeTree(t, dir, map[string]string{"app/src/main/java/Real.kt": "val u = \"https://android.bugly.qq.com/rqd\"\n"})
	if err := os.Symlink("main/java/Real.kt", filepath.Join(dir, "app", "src", "Linked.kt")); err != nil {
		t.Fatal(err)
	}
	tg := scanTree(t, dir, walk.DefaultLimits()).Targets[0]
	controls := 0
	for _, f := range tg.Findings {
		for _, e := range f.Evidence {
			switch {
			case strings.HasSuffix(e.Path, "/app/src/main/java/Real.kt"), strings.HasSuffix(e.Path, "/app/src/Linked.kt"):
				wantLine(t, e, 1)
				controls++
			case !strings.HasSuffix(e.Path, "/app/src/Evil.java"):
				t.Errorf("evidence from outside the tree: %+v", e)
			case e.Line != nil || e.Type == "java_class":
				// A binary file is read as a binary (its strings), never
				// parsed as code.
				t.Errorf("binary file parsed as source: %+v", e)
			}
		}
	}
	if controls != 2 {
		t.Errorf("%d pieces of evidence from the file inside the tree and the link to it, want 2: %+v", controls, tg.Findings)
	}
}

// TestFolderOfPackages: a folder holding only packages stays one target
// per package, while project folders inside it are one target each.
func TestFolderOfPackages(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.bin": "\x00\x01", "b.bin": "\x00\x02"})
	writeTree(t, filepath.Join(dir, "proj"), cleanAndroid)
	files, _, err := walk.Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.bin"), filepath.Join(dir, "b.bin"), filepath.Join(dir, "proj")}
	if strings.Join(files, "\n") != strings.Join(want, "\n") {
		t.Errorf("Files = %q, want %q", files, want)
	}
}
