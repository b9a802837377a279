package buildfile

import (
	"testing"

	"github.com/sdkvet/sdkvet/scanner/sourcetree"
)

// fuzzManifest checks, for any input, that parsing m neither panics nor
// returns items without a value or with a position outside the file.
func fuzzManifest(f *testing.F, m sourcetree.Manifest, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, _ := Parse(m, data)
		if len(items) > MaxItems {
			t.Fatalf("%d items", len(items))
		}
		lines := 1
		for _, c := range data {
			if c == '\n' {
				lines++
			}
		}
		for _, it := range items {
			if it.Value == "" || it.Line < 0 || it.Line > lines || it.Column < 0 {
				t.Fatalf("bad item %+v (%d lines)", it, lines)
			}
		}
	})
}

func FuzzGradle(f *testing.F) {
	fuzzManifest(f, sourcetree.Gradle, "repositories { maven { url 'https://a.example/r' } }\ndependencies { implementation group: 'g', name: 'a', version: '1'\n api 'g:a:1' }\napply plugin: 'x.y'", `"""a:b:c"""`, "/* /* */ id 'x'")
}

func FuzzGradleKotlin(f *testing.F) {
	fuzzManifest(f, sourcetree.GradleKotlin, "plugins { id(\"a.b\") version \"1\" }\nrepositories { maven(url = \"https://x\") }\ndependencies { implementation(\"g:a:${v}\") }", "/* /* nested */ */ \"")
}

func FuzzVersionCatalog(f *testing.F) {
	fuzzManifest(f, sourcetree.VersionCatalog, "[versions]\nv = \"1\"\n[libraries]\na = { module = \"g:a\", version.ref = \"v\" }\nb = \"g:b:2\"\n[plugins]\np = { id = \"x.y\", version = { ref = \"v\" } }\n")
}

func FuzzPOM(f *testing.F) {
	fuzzManifest(f, sourcetree.Maven, "<project><repositories><repository><url>https://r.example</url></repository></repositories><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>1</version></dependency></dependencies></project>")
}

func FuzzPodfile(f *testing.F) {
	fuzzManifest(f, sourcetree.Podfile, "target 'A' do\n  pod 'X', '~> 1.0' # pod 'Y'\n  pod('Z/S')\nend\n=begin\npod 'Q'\n=end\n")
}

func FuzzPodspec(f *testing.F) {
	fuzzManifest(f, sourcetree.Podspec, "Pod::Spec.new do |s|\n  s.name = 'A'\n  s.dependency 'X', '~> 1.0' # s.dependency 'Y'\n  s.dependency('Z/S')\nend\n")
}

func FuzzPodfileLock(f *testing.F) {
	fuzzManifest(f, sourcetree.PodfileLock, "PODS:\n  - A (1.0)\n  - B (2.0):\n    - A\n", "PODS: &a [*a]\n")
}

func FuzzPackageSwift(f *testing.F) {
	fuzzManifest(f, sourcetree.PackageSwift, "let p = Package(dependencies: [.package(url: \"https://github.com/a/b\", from: \"1.0.0\"), .package(url: #\"x\"#, exact: \"2\")])")
}

func FuzzPackageResolved(f *testing.F) {
	fuzzManifest(f, sourcetree.PackageResolved, `{"pins":[{"identity":"b","location":"https://github.com/a/b","state":{"version":"1.0.0"}}],"version":2}`,
		`{"object":{"pins":[{"package":"B","repositoryURL":"https:\/\/github.com\/a\/b","state":{"version":null,"branch":"main"}}]},"version":1}`)
}

func FuzzCartfile(f *testing.F) {
	fuzzManifest(f, sourcetree.Cartfile, "github \"A/B\" ~> 1.0 # c\ngit \"https://x/y.git\" \"main\"\nbinary \"https://z\"\n")
}

func FuzzPackageJSON(f *testing.F) {
	fuzzManifest(f, sourcetree.PackageJSON, `{"dependencies":{"a":"1","@s/b":"^2"},"devDependencies":{"c":"3"}}`)
}

func FuzzNPMLock(f *testing.F) {
	fuzzManifest(f, sourcetree.NPMLock, `{"lockfileVersion":3,"packages":{"":{},"node_modules/a":{"version":"1"}}}`, `{"dependencies":{"a":{"version":"1","dependencies":{"b":{"version":"2"}}}}}`)
}

func FuzzYarnLock(f *testing.F) {
	fuzzManifest(f, sourcetree.YarnLock, "\"a@^1\", a@^1.1:\n  version \"1.2.0\"\n", "__metadata:\n  version: 6\n\"b@npm:^2\":\n  version: 2.0.0\n")
}

func FuzzPNPMLock(f *testing.F) {
	fuzzManifest(f, sourcetree.PNPMLock, "packages:\n  /a/1.0.0:\n    resolution: {}\n  '@s/b@2.0.0(c@1)':\n    resolution: {}\n")
}

func FuzzPubspec(f *testing.F) {
	fuzzManifest(f, sourcetree.Pubspec, "name: x\ndependencies:\n  a: ^1.0.0\n  b:\n    git: {url: https://x}\ndev_dependencies:\n  c: 1.0.0\n")
}

func FuzzPubspecLock(f *testing.F) {
	fuzzManifest(f, sourcetree.PubspecLock, "packages:\n  a:\n    version: \"1.0.0\"\n")
}
