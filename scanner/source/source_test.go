package source

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/sourcetree"
)

func facts(t *testing.T, lang sourcetree.Language, src string) []string {
	t.Helper()
	var out []string
	err := Extract(context.Background(), lang, []byte(src), func(o observation.Observation) {
		out = append(out, fmt.Sprintf("%s %s %d:%d", o.Kind, o.Value, o.Line, o.Column))
	})
	if err != nil {
		t.Fatalf("Extract(%s): %v", lang, err)
	}
	return out
}

func expect(t *testing.T, lang sourcetree.Language, src string, want ...string) {
	t.Helper()
	if !Grammars && lang != sourcetree.ObjC && lang != sourcetree.Dart {
		t.Skip("no tree-sitter grammars in a build without cgo")
	}
	got := facts(t, lang, src)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got  %q\n want %q", lang, got, want)
	}
}

func TestJava(t *testing.T) {
	expect(t, sourcetree.Java, `package org.example;
import com.tencent.bugly.crashreport.CrashReport;
import static com.tencent.mm.opensdk.constants.Build.SDK_INT;
// import com.bytedance.sdk.openadsdk.TTAdSdk;
class A {
  /** See https://docs.example.org */
  void f() {
    com.qq.e.comm.managers.GDTAdSdk.init(this, "1");
    Class.forName("com.tencent.smtt.sdk.QbSdk");
    String u = "https://h.trace.qq.com/kv";
  }
}
`,
		"java_class com.tencent.bugly.crashreport.CrashReport 2:8",
		"java_class com.tencent.mm.opensdk.constants.Build.SDK_INT 3:15",
		"java_class com.qq.e.comm.managers.GDTAdSdk 8:5",
		"java_class com.tencent.smtt.sdk.QbSdk 9:20",
		"domain h.trace.qq.com 10:17",
	)
}

// TestKotlinMissingSemicolon: the Kotlin grammar marks one-line class
// bodies with a MISSING automatic semicolon; the tree is still read.
func TestKotlinMissingSemicolon(t *testing.T) {
	expect(t, sourcetree.Kotlin, `package p
import com.bytedance.sdk.openadsdk.api.init.PAGSdk
class A { fun f() { com.tencent.mm.opensdk.openapi.WXAPIFactory.createWXAPI(this, "https://open.weixin.qq.com/$id") } }
class B { val x = 1 }
/* "https://api.tiktok.com" */
val s = """
  https://sf16-static.i18n-pglstatp.com/x
"""
`,
		"java_class com.bytedance.sdk.openadsdk.api.init.PAGSdk 2:8",
		"java_class com.tencent.mm.opensdk.openapi.WXAPIFactory.createWXAPI 3:21",
		"domain open.weixin.qq.com 3:84",
		"domain sf16-static.i18n-pglstatp.com 7:3",
	)
}

func TestSwift(t *testing.T) {
	expect(t, sourcetree.Swift, `import UIKit
import WechatOpenSDK
// import BUAdSDK
let u = "https://api.weixin.qq.com/sns"
WXApi.registerApp("wx1", universalLink: "https://example.org/")
`,
		"swift_module UIKit 1:8",
		"swift_module WechatOpenSDK 2:8",
		"domain api.weixin.qq.com 4:10",
		"objc_class WXApi 5:1",
		"domain example.org 5:42",
	)
}

func TestJavaScript(t *testing.T) {
	expect(t, sourcetree.JavaScript, `import * as WeChat from 'react-native-wechat-lib';
const x = require("@tencent/tim-js/sdk");
import('./local');
fetch(`+"`https://report.qq.com/${id}`"+`); // https://comment.example
`,
		"npm react-native-wechat-lib 1:26",
		"npm @tencent/tim-js 2:20",
		"domain report.qq.com 4:8",
	)
	expect(t, sourcetree.TSX, `import { Pangle } from "react-native-pangle";
export const C = () => <a href="https://www.tiktok.com/@me">x</a>;
`,
		"npm react-native-pangle 1:25",
		"domain www.tiktok.com 2:33",
	)
}

func TestCJNI(t *testing.T) {
	expect(t, sourcetree.C, `#include <jni.h>
/* FindClass("com/hidden/in/Comment") */
void f(JNIEnv *env) { (*env)->FindClass(env, "com/tencent/mm/opensdk/Foo"); }
`,
		"java_class com.tencent.mm.opensdk.Foo 3:47",
	)
}

func TestObjCAndDart(t *testing.T) {
	expect(t, sourcetree.ObjC, `#import <Bugly/Bugly.h>
@import WechatOpenSDK;
// [BUAdSDKManager setAppID:@"1"];
@interface Ad : BUNativeAd
@end
@implementation X
- (void)f { [Bugly startWithAppId:@"x"]; NSString *u = @"https://android.bugly.qq.com/rqd"; }
@end
`,
		"ios_framework Bugly 1:10",
		"objc_class Bugly 1:10",
		"ios_framework WechatOpenSDK 2:9",
		"objc_class BUNativeAd 4:17",
		"objc_class Bugly 7:14",
		"domain android.bugly.qq.com 7:58",
	)
	expect(t, sourcetree.Dart, `import 'package:flutter/material.dart';
import "package:fluwx/fluwx.dart" as fluwx;
// import 'package:tencent_kit/tencent_kit.dart';
final u = r'https://open.weixin.qq.com/connect';
`,
		"pub flutter 1:9",
		"pub fluwx 2:9",
		"domain open.weixin.qq.com 4:13",
	)
}

// TestLargeFile: a file over MaxParse (a minified bundle) is read with the
// lexer: its string literals and imports, not its comments.
func TestLargeFile(t *testing.T) {
	var b strings.Builder
	b.WriteString(`var a=require("react-native-wechat-lib");/* "https://c.example.com" */`)
	for b.Len() <= MaxParse {
		b.WriteString(`var x="abcdefghijklmnopqrstuvwxyz";`)
	}
	b.WriteString(`fetch("https://report.qq.com/x")`)
	got := facts(t, sourcetree.JavaScript, b.String())
	want := []string{"npm react-native-wechat-lib 1:16", fmt.Sprintf("domain report.qq.com 1:%d", b.Len()-len(`https://report.qq.com/x")`)+1)}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMaxRefs(t *testing.T) {
	var b strings.Builder
	for i := 0; i <= MaxRefs; i++ {
		fmt.Fprintf(&b, "NSString *s%d = @\"https://h%d.example.com\";\n", i, i)
	}
	n := 0
	err := Extract(context.Background(), sourcetree.ObjC, []byte(b.String()), func(observation.Observation) { n++ })
	if n != MaxRefs || err == nil {
		t.Errorf("%d facts, err %v", n, err)
	}
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte("import a.b.C; class X { String s = \"https://a.example.com\"; }"), uint8(0))
	f.Add([]byte("#import <A/B.h>\n[C d:@\"https://x.example\"];"), uint8(3))
	langs := []sourcetree.Language{sourcetree.Java, sourcetree.Kotlin, sourcetree.Swift, sourcetree.ObjC, sourcetree.JavaScript,
		sourcetree.TypeScript, sourcetree.TSX, sourcetree.Dart, sourcetree.C, sourcetree.CPP}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		lang := langs[int(which)%len(langs)]
		_ = Extract(context.Background(), lang, data, func(o observation.Observation) {
			if o.Value == "" || o.Line < 1 || o.Column < 1 || o.Offset < 0 || o.Offset > int64(len(data)) {
				t.Fatalf("bad fact %+v", o)
			}
		})
	})
}
