package buildfile

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/sourcetree"
)

// short renders an item as kind value@version:line:col.
func short(it Item) string {
	return fmt.Sprintf("%s %s@%s:%d:%d", it.Kind, it.Value, it.Version, it.Line, it.Column)
}

func check(t *testing.T, m sourcetree.Manifest, src string, want ...string) {
	t.Helper()
	items, err := Parse(m, []byte(src))
	if err != nil {
		t.Fatalf("Parse(%s): %v", m, err)
	}
	var got []string
	for _, it := range items {
		got = append(got, short(it))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Parse(%s):\n got  %q\n want %q", m, got, want)
	}
}

func TestGradleGroovy(t *testing.T) {
	check(t, sourcetree.Gradle, `buildscript {
    repositories { maven { url 'https://mirrors.tencent.com/nexus/repository/maven-public/' } }
    dependencies { classpath "com.tencent.bugly:tinker-support:1.2.3" }
}
apply plugin: 'com.tencent.bugly.tinker'
// implementation 'com.pangle.global:ads-sdk:1.0'
/* implementation 'com.qq.e.union:union:4.5' */
dependencies {
    implementation group: 'com.tencent.tbs', name: 'tbssdk', version: '44286'
    api("com.tencent.mm.opensdk:wechat-sdk-android:6.8.0") { exclude group: 'x' }
    def url = "https://not-a-repo.example.org/"
    testImplementation 'junit:junit:4.13.2'
}
`,
		"maven_repo https://mirrors.tencent.com/nexus/repository/maven-public/@:2:33",
		"gradle com.tencent.bugly:tinker-support@1.2.3:3:31",
		"gradle com.tencent.bugly.tinker:com.tencent.bugly.tinker.gradle.plugin@:5:16",
		"gradle com.tencent.tbs:tbssdk@44286:9:28",
		"gradle com.tencent.mm.opensdk:wechat-sdk-android@6.8.0:10:10",
		"gradle junit:junit@4.13.2:12:25",
	)
}

func TestGradleKotlin(t *testing.T) {
	check(t, sourcetree.GradleKotlin, `plugins {
    id("com.android.application") version "8.5.0" apply false
    kotlin("android")
}
repositories {
    maven("https://artifact.bytedance.com/repository/pangle")
    maven(url = "https://jitpack.io")
}
dependencies {
    implementation("com.pangle.global:ads-sdk:${pangleVersion}")
    /* nested /* comment */ implementation("com.qq.e.union:union:1") */
    val s = """
        com.tencent.mm.opensdk:wechat-sdk-android:6.8.0
    """
}
`,
		"gradle com.android.application:com.android.application.gradle.plugin@8.5.0:2:9",
		"maven_repo https://artifact.bytedance.com/repository/pangle@:6:12",
		"maven_repo https://jitpack.io@:7:18",
		"gradle com.pangle.global:ads-sdk@${pangleVersion}:10:21",
	)
	// A subproject script: map notation with '=', platform(), and the
	// project's own group, which is not a dependency.
	check(t, sourcetree.GradleKotlin, `group = "com.tencent.demo"
version = "1.0"
val name = "demo"
dependencies {
    api(platform("com.bytedance.bom:bom:1.0"))
    implementation(group = "com.tencent.tbs", name = "tbssdk", version = "44286")
    implementation(
        group = "com.tencent.bugly",
        name = "crashreport")
}
`,
		"gradle com.bytedance.bom:bom@1.0:5:19",
		"gradle com.tencent.tbs:tbssdk@44286:6:29",
		"gradle com.tencent.bugly:crashreport@:8:18",
	)
	check(t, sourcetree.Gradle, `group 'com.tencent.demo'
version '1.0'
ext { name = 'x' }
dependencies {
    api platform('com.bytedance.bom:bom:1.0')
    implementation group: 'com.tencent.tbs', name: 'tbssdk'
}
`,
		"gradle com.bytedance.bom:bom@1.0:5:19",
		"gradle com.tencent.tbs:tbssdk@:6:28",
	)
}

func TestVersionCatalog(t *testing.T) {
	check(t, sourcetree.VersionCatalog, `[versions]
bugly = "4.1.9"
gdt = { strictly = "4.5" }

[libraries]
bugly = { group = "com.tencent.bugly", name = "crashreport", version.ref = "bugly" }
"gdt-union" = { module = "com.qq.e.union:union", version = { ref = "gdt" } }
mmkv = "com.tencent:mmkv:1.3.4"

[plugins]
tinker = { id = "com.tencent.tinker.patch", version = "1.9" }
`,
		"gradle com.tencent.bugly:crashreport@4.1.9:6:1",
		"gradle com.qq.e.union:union@4.5:7:1",
		"gradle com.tencent:mmkv@1.3.4:8:1",
		"gradle com.tencent.tinker.patch:com.tencent.tinker.patch.gradle.plugin@1.9:11:1",
	)
}

func TestPOM(t *testing.T) {
	check(t, sourcetree.Maven, `<?xml version="1.0"?>
<project>
  <repositories>
    <repository><id>bd</id><url>https://artifact.bytedance.com/repository/pangle</url></repository>
  </repositories>
  <dependencies>
    <!-- <dependency><groupId>com.qq.e.union</groupId><artifactId>union</artifactId></dependency> -->
    <dependency>
      <groupId>com.tencent.bugly</groupId>
      <artifactId>crashreport</artifactId>
      <version>4.1.9</version>
      <exclusions><exclusion><groupId>x</groupId><artifactId>y</artifactId></exclusion></exclusions>
    </dependency>
  </dependencies>
</project>
`,
		"maven_repo https://artifact.bytedance.com/repository/pangle@:4:33",
		"gradle com.tencent.bugly:crashreport@4.1.9:8:5",
	)
}

func TestPodfileAndLock(t *testing.T) {
	check(t, sourcetree.Podfile, `source 'https://cdn.cocoapods.org/'
=begin
pod 'GDTMobSDK'
=end
target 'App' do
  pod 'WechatOpenSDK', '~> 2.0' # pod 'Bugly'
  pod('Ads-CN/CSJMediation', :git => 'https://example.org/x.git')
  pod "MMKV",
      "1.3.4"
end
`,
		"cocoapod WechatOpenSDK@~> 2.0:6:8",
		"cocoapod Ads-CN/CSJMediation@:7:8",
		"cocoapod MMKV@1.3.4:8:8",
	)
	check(t, sourcetree.Podspec, `Pod::Spec.new do |s|
  s.name = 'RNWechat'
  s.source = { :git => 'https://example.org/x.git' }
  # s.dependency 'Bugly'
  s.dependency 'WechatOpenSDK', '2.0.4'
  s.dependency "React-Core"
end
`,
		"cocoapod WechatOpenSDK@2.0.4:5:17",
		"cocoapod React-Core@:6:17",
	)
	check(t, sourcetree.PodfileLock, `PODS:
  - Bugly (2.6.1)
  - MMKV (1.3.4):
    - MMKVCore (~> 1.3.4)
  - MMKVCore (1.3.4)
DEPENDENCIES:
  - Bugly
`,
		"cocoapod Bugly@2.6.1:2:5",
		"cocoapod MMKV@1.3.4:3:5",
		"cocoapod MMKVCore@1.3.4:5:5",
	)
}

func TestSwiftPackages(t *testing.T) {
	check(t, sourcetree.PackageSwift, `// swift-tools-version:5.9
import PackageDescription
let package = Package(
    name: "App",
    dependencies: [
        // .package(url: "https://github.com/old/dep", from: "1.0.0"),
        .package(url: "https://github.com/tiktok/tiktok-opensdk-ios.git", from: "2.2.0"),
        .package(name: "X", url: #"https://github.com/x/y"#, .branch("main")),
    ]
)
`,
		"spm https://github.com/tiktok/tiktok-opensdk-ios.git@2.2.0:7:24",
		"spm https://github.com/x/y@:8:36",
	)
	check(t, sourcetree.PackageResolved, `{
  "object": {
    "pins": [
      {
        "package": "TikTokOpenSDK",
        "repositoryURL": "https:\/\/github.com\/tiktok\/tiktok-opensdk-ios",
        "state": {"branch": null, "revision": "abc", "version": "2.2.0"}
      }
    ]
  },
  "version": 1
}`, "spm https://github.com/tiktok/tiktok-opensdk-ios@2.2.0:6:26")
	check(t, sourcetree.PackageResolved, `{
  "pins" : [
    {
      "identity" : "y",
      "kind" : "remoteSourceControl",
      "location" : "https://github.com/x/y.git",
      "state" : {"branch" : "main", "revision" : "def"}
    }
  ],
  "version" : 2
}`, "spm https://github.com/x/y.git@main:6:20")
}

func TestCartfile(t *testing.T) {
	check(t, sourcetree.Cartfile, `# github "Tencent/MMKV"
github "Tencent/WCDB" ~> 1.0
git "https://github.com/x/y.git" "main"
binary "https://example.org/z.json" == 2.0
`,
		`carthage Tencent/WCDB@~> 1.0:2:9`,
		`carthage https://github.com/x/y.git@main:3:6`,
		`carthage https://example.org/z.json@== 2.0:4:9`,
	)
}

func TestNPM(t *testing.T) {
	check(t, sourcetree.PackageJSON, `{
  "name": "app",
  "scripts": {"react-native": "x"},
  "dependencies": {
    "react-native": "0.74.1",
    "@tencent/tim": "1.0.0"
  },
  "devDependencies": {"react-native-wechat-lib": "^3.0.4"}
}`,
		"npm @tencent/tim@1.0.0:6:5",
		"npm react-native@0.74.1:5:5",
		"npm react-native-wechat-lib@^3.0.4:8:23",
	)
	check(t, sourcetree.NPMLock, `{
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "app"},
    "node_modules/react-native-wechat-lib": {"version": "3.0.4"},
    "node_modules/a/node_modules/@s/b": {"version": "1.0.0"}
  }
}`,
		"npm @s/b@1.0.0:6:5",
		"npm react-native-wechat-lib@3.0.4:5:5",
	)
	check(t, sourcetree.NPMLock, `{"lockfileVersion": 1, "dependencies": {"tim-wx-sdk": {"version": "2.1.0", "dependencies": {"x": {"version": "1"}}}}}`,
		"npm tim-wx-sdk@2.1.0:1:41",
		"npm x@1:1:93",
	)
	check(t, sourcetree.YarnLock, `# yarn lockfile v1

"@s/b@^1.0.0", "@s/b@^1.1.0":
  version "1.2.0"

react-native-wechat-lib@^3.0.4:
  version "3.0.4"
  resolved "https://registry.yarnpkg.com/x"
`,
		"npm @s/b@1.2.0:3:1",
		"npm react-native-wechat-lib@3.0.4:6:1",
	)
	check(t, sourcetree.YarnLock, `__metadata:
  version: 6

"tim-wx-sdk@npm:^2.1.0":
  version: 2.1.0
`,
		"npm tim-wx-sdk@2.1.0:4:1",
	)
	// Berry patches and npm aliases name the package after the first '@'.
	check(t, sourcetree.YarnLock, `"tim-wx-sdk@patch:tim-wx-sdk@npm%3A2.1.0#~/.yarn/patches/t.patch::locator=app%40workspace%3A.":
  version: 2.1.0

"wx@npm:@tencent/tim@^1.0.0":
  version: 1.0.2
`,
		"npm tim-wx-sdk@2.1.0:1:1",
		"npm wx@1.0.2:4:1",
		"npm @tencent/tim@1.0.2:4:1",
	)
	check(t, sourcetree.PNPMLock, `lockfileVersion: '9.0'
packages:
  react-native-wechat-lib@3.0.4:
    resolution: {integrity: x}
  '@s/b@1.0.0(react@18.2.0)':
    resolution: {integrity: y}
  /tim-wx-sdk/2.1.0:
    resolution: {integrity: z}
`,
		"npm react-native-wechat-lib@3.0.4:3:3",
		"npm @s/b@1.0.0:5:3",
		"npm tim-wx-sdk@2.1.0:7:3",
	)
}

func TestPub(t *testing.T) {
	check(t, sourcetree.Pubspec, `name: app
dependencies:
  flutter:
    sdk: flutter
  fluwx: ^4.5.0
  tencent_kit:
    git: {url: https://github.com/x/tencent_kit}
dev_dependencies:
  lints: 3.0.0
`,
		"pub flutter@:3:3",
		"pub fluwx@^4.5.0:5:3",
		"pub tencent_kit@:6:3",
		"pub lints@3.0.0:9:3",
	)
	check(t, sourcetree.PubspecLock, `packages:
  fluwx:
    dependency: "direct main"
    version: "4.5.5"
`, "pub fluwx@4.5.5:2:3")
}

// TestMalformed: broken data formats give an error, never a panic, and the
// lexed formats read what they can.
func TestMalformed(t *testing.T) {
	for _, m := range []sourcetree.Manifest{sourcetree.VersionCatalog, sourcetree.PackageResolved, sourcetree.PackageJSON,
		sourcetree.NPMLock, sourcetree.PodfileLock, sourcetree.PNPMLock, sourcetree.Pubspec, sourcetree.PubspecLock, sourcetree.Maven} {
		if _, err := Parse(m, []byte("{[<\x00 unterminated \"")); err == nil {
			t.Errorf("%s: no error for garbage", m)
		}
	}
	items, _ := Parse(sourcetree.Gradle, []byte("dependencies { implementation 'com.tencent:mmkv:1.0'\n implementation \"unterminated"))
	if len(items) != 1 || items[0].Value != "com.tencent:mmkv" {
		t.Errorf("truncated Gradle script: %+v", items)
	}
}

func TestMaxItems(t *testing.T) {
	var b strings.Builder
	for i := 0; i <= MaxItems; i++ {
		fmt.Fprintf(&b, "pod 'P%d'\n", i)
	}
	items, err := Parse(sourcetree.Podfile, []byte(b.String()))
	if len(items) != MaxItems || !errors.Is(err, ErrTooMany) {
		t.Errorf("%d items, err %v", len(items), err)
	}
	if items[0].Kind != observation.CocoaPod {
		t.Errorf("kind %s", items[0].Kind)
	}
}
