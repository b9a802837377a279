package sourcetree

import "testing"

func TestIsTestPath(t *testing.T) {
	for p, want := range map[string]bool{
		"app/src/test/java/org/x/ShareTest.kt":    true,
		"app/src/androidTest/java/org/x/Ui.kt":    true,
		"app/src/testDebug/kotlin/org/x/A.kt":     true,
		"web/share.test.js":                       true,
		"web/__tests__/share.js":                  true,
		"ios/DemoTests/ShareTests.swift":          true,
		"ios/DemoUITests/Launch.swift":            true,
		"test/widget_test.dart":                   true,
		"lib/share_test.dart":                     true,
		"app/src/main/java/org/x/test/Probe.java": false,
		"app/src/main/java/org/x/Share.kt":        false,
		"app/src/main/java/org/x/Test.kt":         false,
		"ios/Demo/Tests.swift":                    false,
		"web/src/testing.js":                      false,
		"web/src/contest/Entry.tsx":               false,
		"app/src/main/java/org/x/tests/Latest.kt": false,
		`app\src\test\java\Windows.kt`:            true,
		"Sources/Attestation/Attest.swift":        false,
		"packages/tests-utils/index.js":           false,
	} {
		if got := IsTestPath(p); got != want {
			t.Errorf("IsTestPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	for name, want := range map[string]Manifest{
		"app/build.gradle.kts":         GradleKotlin,
		"build.gradle":                 Gradle,
		"gradle/libs.versions.toml":    VersionCatalog,
		"ios/RNWechat.podspec":         Podspec,
		"Podfile.lock":                 PodfileLock,
		"ios/Demo/Demo-Info.plist":     InfoPlist,
		"web/package.json":             PackageJSON,
		"web/package.json.bak":         NoManifest,
		"Package.swift":                PackageSwift,
		`win\pubspec.yaml`:             Pubspec,
		"src/main/AndroidManifest.xml": AndroidManifest,
	} {
		if got := ManifestOf(name); got != want {
			t.Errorf("ManifestOf(%q) = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]Language{
		"A.kt": Kotlin, "build.gradle.kts": NoLanguage, "Package.swift": NoLanguage, "b.TSX": TSX,
		"c.h": ObjC, "d.mm": ObjC, "e.dart": Dart, "f.txt": NoLanguage, "g.cc": CPP,
	} {
		if got := LanguageOf(name); got != want {
			t.Errorf("LanguageOf(%q) = %q, want %q", name, got, want)
		}
	}
	for rel, want := range map[string]bool{
		"build": true, "app/build": true, "app/src/main/java/org/x/build": false, "src/build": false,
		".gradle": true, "ios/DerivedData": true, "node_modules": false, "Pods": false, "builder": false,
	} {
		if got := IsGeneratedDir(rel); got != want {
			t.Errorf("IsGeneratedDir(%q) = %v, want %v", rel, got, want)
		}
	}
}
