// Package sourcetree knows the shape of app source trees: which folders are
// projects, which files hold code (and in which language) or build
// manifests, and which folders hold generated output that a scan skips by
// default. It decides from names only; the walker still sniffs content, so a
// binary file named like source is never parsed as source.
package sourcetree

import (
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Language is a programming language whose files the source analyzer reads.
type Language string

// Languages.
const (
	NoLanguage Language = ""
	Java       Language = "java"
	Kotlin     Language = "kotlin"
	Swift      Language = "swift"
	ObjC       Language = "objc" // also C headers (.h), which ObjC code shares
	JavaScript Language = "javascript"
	TypeScript Language = "typescript"
	TSX        Language = "tsx"
	Dart       Language = "dart"
	C          Language = "c"
	CPP        Language = "cpp"
)

var byExt = map[string]Language{
	".java": Java, ".kt": Kotlin, ".kts": Kotlin, ".swift": Swift,
	".m": ObjC, ".mm": ObjC, ".h": ObjC,
	".js": JavaScript, ".jsx": JavaScript, ".mjs": JavaScript, ".cjs": JavaScript,
	".ts": TypeScript, ".mts": TypeScript, ".cts": TypeScript, ".tsx": TSX,
	".dart": Dart, ".c": C, ".cc": CPP, ".cpp": CPP, ".cxx": CPP, ".hpp": CPP, ".hh": CPP,
}

// LanguageOf returns the language of a file from its name, or NoLanguage.
// Build manifests written in a language (build.gradle.kts, Package.swift)
// are manifests, not code: see ManifestOf.
func LanguageOf(name string) Language {
	if ManifestOf(name) != NoManifest {
		return NoLanguage
	}
	return byExt[strings.ToLower(path.Ext(name))]
}

// Manifest is a kind of build manifest or lockfile.
type Manifest string

// Build manifests.
const (
	NoManifest      Manifest = ""
	Gradle          Manifest = "gradle"          // build.gradle, settings.gradle, *.gradle (Groovy DSL)
	GradleKotlin    Manifest = "gradle-kotlin"   // *.gradle.kts (Kotlin DSL)
	VersionCatalog  Manifest = "version-catalog" // gradle/libs.versions.toml and other *.versions.toml
	Maven           Manifest = "maven"           // pom.xml
	Podfile         Manifest = "podfile"
	PodfileLock     Manifest = "podfile-lock"
	Podspec         Manifest = "podspec" // *.podspec: a local or vendored pod's dependencies
	PackageSwift    Manifest = "package-swift"
	PackageResolved Manifest = "package-resolved"
	Cartfile        Manifest = "cartfile" // Cartfile, Cartfile.private, Cartfile.resolved
	PackageJSON     Manifest = "package-json"
	NPMLock         Manifest = "npm-lock" // package-lock.json, npm-shrinkwrap.json
	YarnLock        Manifest = "yarn-lock"
	PNPMLock        Manifest = "pnpm-lock"
	Pubspec         Manifest = "pubspec"
	PubspecLock     Manifest = "pubspec-lock"
	AndroidManifest Manifest = "android-manifest" // AndroidManifest.xml in text form
	InfoPlist       Manifest = "info-plist"       // Info.plist in source form
)

var manifestNames = map[string]Manifest{
	"pom.xml": Maven, "Podfile": Podfile, "Podfile.lock": PodfileLock,
	"Package.swift": PackageSwift, "Package.resolved": PackageResolved,
	"Cartfile": Cartfile, "Cartfile.private": Cartfile, "Cartfile.resolved": Cartfile,
	"package.json": PackageJSON, "package-lock.json": NPMLock, "npm-shrinkwrap.json": NPMLock,
	"yarn.lock": YarnLock, "pnpm-lock.yaml": PNPMLock, "pubspec.yaml": Pubspec, "pubspec.lock": PubspecLock,
	"AndroidManifest.xml": AndroidManifest, "Info.plist": InfoPlist,
}

// ManifestOf returns the kind of build manifest a file name denotes.
func ManifestOf(name string) Manifest {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	if m, ok := manifestNames[base]; ok {
		return m
	}
	switch {
	case strings.HasSuffix(base, ".gradle.kts"):
		return GradleKotlin
	case strings.HasSuffix(base, ".gradle"):
		return Gradle
	case strings.HasSuffix(base, ".podspec"):
		return Podspec
	case strings.HasSuffix(base, ".versions.toml"):
		return VersionCatalog
	case strings.HasSuffix(base, "-Info.plist"):
		return InfoPlist
	}
	return NoManifest
}

// projectMarkers are file names whose presence makes a folder a project.
var projectMarkers = []string{
	"build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "pom.xml",
	"Podfile", "Package.swift", "package.json", "pubspec.yaml", "Cartfile",
}

// IsProjectDir reports whether the folder dir (on disk) is an app project:
// it holds a build file of a known build system, an Xcode project or
// workspace, or an Android manifest under src/.
func IsProjectDir(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		n := e.Name()
		for _, m := range projectMarkers {
			if n == m {
				return true
			}
		}
		if e.IsDir() && (strings.HasSuffix(n, ".xcodeproj") || strings.HasSuffix(n, ".xcworkspace")) {
			return true
		}
	}
	if st, err := os.Lstat(filepath.Join(dir, "src", "main", "AndroidManifest.xml")); err == nil && st.Mode().IsRegular() {
		return true
	}
	return false
}

// IsSourceFile reports whether a file name denotes code or a build
// manifest that the source analyzer reads.
func IsSourceFile(name string) bool {
	return LanguageOf(name) != NoLanguage || ManifestOf(name) != NoManifest
}

// generatedDirs are folder names that hold build output, caches or version
// control data, skipped by default wherever they appear.
var generatedDirs = map[string]bool{
	".gradle": true, "DerivedData": true, ".git": true, ".svn": true, ".hg": true,
	".cxx": true, ".externalNativeBuild": true, ".dart_tool": true, ".build": true,
	".swiftpm": true, ".idea": true, ".cache": true, ".next": true, ".expo": true,
}

// IsGeneratedDir reports whether the folder at rel (a slash-separated path
// relative to the scanned tree's root) holds generated output. A folder
// named "build" counts unless it sits inside a source set (under src/),
// where it is a Java package or a source folder.
func IsGeneratedDir(rel string) bool {
	base := path.Base(rel)
	if generatedDirs[base] {
		return true
	}
	if base == "build" {
		return !strings.HasPrefix(rel, "src/") && !strings.Contains(rel, "/src/")
	}
	return false
}

// InDependencies reports whether the file at rel (slash-separated,
// relative to the tree's root) lies inside an installed npm dependency
// folder (node_modules). Such folders hold the code of other packages,
// often more than 100,000 files: of them, a source scan reads only what
// names a package or ships native code (see KeepDependencyFile).
func InDependencies(rel string) bool {
	return rel == "node_modules" || strings.HasPrefix(rel, "node_modules/") || strings.Contains(rel, "/node_modules/")
}

// dependencyBinaries are the extensions of files that carry native or JVM
// code into an app from an npm dependency (React Native and Cordova
// modules vendor SDK binaries this way).
var dependencyBinaries = map[string]bool{
	".so": true, ".node": true, ".a": true, ".dylib": true, ".jar": true, ".aar": true, ".dex": true, ".apk": true,
}

// KeepDependencyFile reports whether a file inside node_modules is read:
// a package's own package.json (node_modules/NAME/package.json or
// node_modules/@SCOPE/NAME/package.json, which name what is installed,
// with its version), a native module's podspec or build.gradle, or a
// vendored binary. Frameworks are bundle folders, always read.
func KeepDependencyFile(rel string) bool {
	base := path.Base(rel)
	if dependencyBinaries[path.Ext(base)] {
		return true
	}
	i := strings.LastIndex(rel, "node_modules/")
	if i < 0 {
		return false
	}
	pkg := strings.Split(rel[i+len("node_modules/"):], "/")
	if len(pkg) > 0 && strings.HasPrefix(pkg[0], "@") {
		pkg = pkg[1:]
	}
	switch {
	case len(pkg) == 2:
		return base == "package.json" || strings.HasSuffix(base, ".podspec")
	case len(pkg) == 3 && pkg[1] == "android":
		return base == "build.gradle" || base == "build.gradle.kts"
	}
	return false
}

// testDirs are folder names that hold tests: Gradle's test source sets,
// JavaScript test folders, Dart's test/ and Xcode test targets (named
// ...Tests or ...UITests, see IsTestPath).
var testDirs = map[string]bool{
	"test": true, "tests": true, "androidTest": true, "testFixtures": true, "sharedTest": true,
	"__tests__": true, "__mocks__": true, "integration_test": true, "test_driver": true,
}

// testSuffixes end the names of test files.
var testSuffixes = []string{
	".test.js", ".test.jsx", ".test.ts", ".test.tsx", ".test.mjs", ".test.cjs",
	".spec.js", ".spec.jsx", ".spec.ts", ".spec.tsx", ".spec.mjs", ".spec.cjs",
	"Test.java", "Tests.java", "Test.kt", "Tests.kt", "Tests.swift", "Test.swift",
	"Tests.m", "Test.m", "_test.dart",
}

// IsTestPath reports whether the file at rel (a slash-separated path
// relative to the tree's root) is test code: it lies in a test folder
// (src/test, src/androidTest, __tests__, an Xcode ...Tests target, ...) or
// its name marks a test (Foo.test.js, FooTest.kt, foo_test.dart). Folders
// below a main source set (src/main/java/org/x/test) are packages, not
// test folders. Test code does not ship in the app.
func IsTestPath(rel string) bool {
	rel = strings.ReplaceAll(rel, `\`, "/")
	dir, base := path.Split(rel)
	for _, s := range testSuffixes {
		if strings.HasSuffix(base, s) && len(base) > len(s) {
			return true
		}
	}
	for _, d := range strings.Split(strings.TrimSuffix(dir, "/"), "/") {
		if d == "main" {
			return false // a main source set: a package named test is app code
		}
		if testDirs[d] || len(d) > len("Tests") && strings.HasSuffix(d, "Tests") {
			return true
		}
		if strings.HasPrefix(d, "test") && len(d) > 4 && d[4] >= 'A' && d[4] <= 'Z' {
			return true // Gradle variant test source sets: testDebug, testRelease
		}
	}
	return false
}
