// Package observation holds the typed facts that analyzers extract from
// packages. Observations know nothing of vendors or SDKs: they are what a
// file says, with the place it says it. They are plain data so that a stored
// set can be re-matched against a new signature database without re-parsing.
package observation

// Kind names the type of fact an observation records.
type Kind string

// Observation kinds. The string values are part of the JSON report contract
// (they appear as evidence types) and must not be renamed.
const (
	JavaClass      Kind = "java_class"         // fully-qualified Java/Kotlin class name (dots, inner classes with $)
	JavaPackage    Kind = "java_package"       // a Java package whose classes no rule matched when it was scanned (kept for re-matching)
	NativeLib      Kind = "native_lib"         // native library file name, e.g. libtobEmbedEncrypt.so
	NeededLib      Kind = "needed_lib"         // DT_NEEDED entry of an ELF file
	URL            Kind = "url"                // an absolute http(s)/ws(s) URL
	Domain         Kind = "domain"             // a host name (lower case, no trailing dot)
	IP             Kind = "ip"                 // a literal IPv4/IPv6 address in a URL
	AppID          Kind = "android_app_id"     // the package attribute of an Android manifest
	Component      Kind = "manifest_component" // activity/service/receiver/provider class name
	Permission     Kind = "permission"         // uses-permission or permission declared
	MetaData       Kind = "meta_data"          // <meta-data android:name> (Detail holds the value)
	IntentScheme   Kind = "intent_scheme"      // intent-filter <data android:scheme>
	IntentHost     Kind = "intent_host"        // intent-filter <data android:host>
	QueriedPackage Kind = "queried_package"    // <queries><package android:name>
	CertSHA256     Kind = "cert_sha256"        // SHA-256 fingerprint of a signing certificate (lower-case hex)
	CertSubject    Kind = "cert_subject"       // subject DN of a signing certificate
	FilePath       Kind = "file_path"          // the path of an entry inside a package (assets, resources, ...)
	StringMarker   Kind = "string"             // a string literal found in a string table (matched by substring)
	Framework      Kind = "framework"          // a cross-platform framework marker (flutter, react-native, ...)
	AppLabel       Kind = "app_label"          // the human-readable application label
	AppVersion     Kind = "app_version"        // versionName (Detail holds versionCode)
	SDKVersion     Kind = "sdk_version"        // minSdkVersion / targetSdkVersion (Detail says which)
	SigningScheme  Kind = "signing_scheme"     // v1, v2, v3 or v3.1

	// iOS.
	BundleID        Kind = "ios_bundle_id"     // CFBundleIdentifier (Detail: app, extension, framework, ...)
	IOSFramework    Kind = "ios_framework"     // a framework's name, from its folder or an install name
	IOSBundle       Kind = "ios_bundle"        // a resource bundle's folder name, e.g. BUAdSDK.bundle
	ObjCClass       Kind = "objc_class"        // an Objective-C class name
	ObjCProtocol    Kind = "objc_protocol"     // an Objective-C protocol name
	SwiftModule     Kind = "swift_module"      // a Swift module name
	Dylib           Kind = "dylib"             // a linked dylib install name (Detail: load, weak, reexport, ...)
	URLScheme       Kind = "url_scheme"        // a URL scheme the app registers (CFBundleURLTypes)
	QueriedScheme   Kind = "queried_scheme"    // LSApplicationQueriesSchemes
	TeamID          Kind = "team_id"           // Apple developer team id (profile or code signature)
	Entitlement     Kind = "entitlement"       // an entitlement key (Detail: its value, abbreviated)
	PrivacyDataType Kind = "privacy_data_type" // NSPrivacyCollectedDataType from PrivacyInfo.xcprivacy
	Encrypted       Kind = "encrypted"         // a FairPlay-encrypted binary (Detail: the unread range)

	// Build manifests and source code of an app's source tree. Detail holds
	// the version a manifest asks for or a lockfile resolved, when stated.
	Gradle    Kind = "gradle"     // a Gradle/Maven dependency or plugin coordinate, group:artifact
	MavenRepo Kind = "maven_repo" // a Maven repository URL declared by a build
	CocoaPod  Kind = "cocoapod"   // a CocoaPods pod name (subspecs as Pod/Sub)
	SPM       Kind = "spm"        // a Swift package's repository URL
	Carthage  Kind = "carthage"   // a Carthage origin, owner/repo for GitHub or a URL
	NPM       Kind = "npm"        // an npm package name (imports, package.json, lockfiles)
	Pub       Kind = "pub"        // a pub.dev package name
)

// Observation is one fact with its evidence location.
type Observation struct {
	Kind  Kind   `json:"type"`
	Value string `json:"value"`
	// Detail qualifies the value: the component type of a manifest
	// component, the value of a meta-data entry, the ABI of a native lib.
	Detail string `json:"detail,omitempty"`
	// Path is the nested path of the file that holds the fact, written
	// outer.apk!/inner/entry.
	Path string `json:"path"`
	// Offset is the byte offset of the fact inside Path, or -1 if unknown.
	Offset int64 `json:"offset"`
	// Line is the 1-based line of the fact inside Path, or 0 if not a text position.
	Line int `json:"line,omitempty"`
	// Column is the 1-based byte column of the fact on Line, or 0.
	Column int `json:"column,omitempty"`
	// EndLine is the last line of a fact that spans several lines (a
	// multi-line dependency declaration), or 0 when it is Line.
	EndLine int `json:"end_line,omitempty"`
}

// Sink receives observations. Implementations must be safe for concurrent use.
type Sink interface {
	Observe(o Observation)
}

// SinkFunc adapts a function to the Sink interface.
type SinkFunc func(Observation)

// Observe calls f(o).
func (f SinkFunc) Observe(o Observation) { f(o) }
