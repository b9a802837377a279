package aabproto

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner/manifest"
)

// outline writes the elements of a tree one a line, indented by depth, with
// their attributes, for comparing a tree with what is expected of it.
func outline(e *manifest.Element) string {
	var b strings.Builder
	var walk func(e *manifest.Element, depth int)
	walk = func(e *manifest.Element, depth int) {
		b.WriteString(strings.Repeat("  ", depth) + e.Name)
		for _, a := range e.Attrs {
			ns := a.Namespace
			if ns == manifest.AndroidNS {
				ns = "android"
			}
			if ns != "" {
				ns += ":"
			}
			b.WriteString(" " + ns + a.Name + "=" + a.Value)
		}
		b.WriteString("\n")
		for _, c := range e.Children {
			walk(c, depth+1)
		}
	}
	walk(e, 0)
	return b.String()
}

// checkRealManifest checks the decoding of testdata/aapt2src/AndroidManifest.xml
// as compiled by a real aapt2. The attributes that aapt2 adds on its own
// (compileSdkVersion, platformBuildVersion*) vary with its version and are
// left out of the comparison.
func checkRealManifest(t *testing.T, data []byte) {
	t.Helper()
	root, err := DecodeXML(data)
	if err != nil {
		t.Fatal(err)
	}
	var keep []manifest.Attr
	for _, a := range root.Attrs {
		if !strings.HasPrefix(a.Name, "compileSdkVersion") && !strings.HasPrefix(a.Name, "platformBuildVersion") {
			keep = append(keep, a)
		}
	}
	root.Attrs = keep
	const want = `manifest package=com.example.app android:versionCode=7 android:versionName=1.2
  uses-sdk android:minSdkVersion=21 android:targetSdkVersion=29
  uses-permission android:name=android.permission.INTERNET
  application android:allowBackup=false android:label=@string/app_name android:networkSecurityConfig=@xml/network_security_config
    activity android:configChanges=orientation|keyboardHidden android:exported=true android:name=com.tencent.mm.opensdk.Foo
      intent-filter
        action android:name=android.intent.action.VIEW
        data android:host=example.com android:scheme=https
    meta-data android:name=k android:value=v
    meta-data android:name=n android:value=@integer/answer
`
	if got := outline(root); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	if pkg, _ := root.Attr("", "package"); pkg != "com.example.app" {
		t.Errorf("package = %q", pkg)
	}
	act := root.Children[2].Children[0]
	if name, _ := act.Attr(manifest.AndroidNS, "name"); name != "com.tencent.mm.opensdk.Foo" {
		t.Errorf("activity name = %q", name)
	}
	if root.Line != 2 || act.Line != 14 {
		t.Errorf("lines: manifest %d, activity %d; want 2, 14", root.Line, act.Line)
	}
	if root.Offset < 0 || root.Offset >= int64(len(data)) || act.Offset <= root.Offset {
		t.Errorf("offsets: manifest %d, activity %d", root.Offset, act.Offset)
	}
}

func checkRealResources(t *testing.T, data []byte) {
	t.Helper()
	got, err := collect(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.example.com", "b.example.com", // string-array
		"one host at wss://push.example.com", "%d hosts", // plurals
		"Demo", "https://api.example.com/v1", // strings
		"https://styled.example.com",                               // style item
		"res/xml/network_security_config.xml", "res/xml/prims.xml", // files
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("strings = %q, want %q", got, want)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "aapt2", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAapt2Fixtures decodes files a real aapt2 wrote (see testdata/README.md).
func TestAapt2Fixtures(t *testing.T) {
	t.Run("manifest", func(t *testing.T) { checkRealManifest(t, readTestdata(t, "AndroidManifest.xml.pb")) })
	t.Run("resources", func(t *testing.T) { checkRealResources(t, readTestdata(t, "resources.pb")) })
	t.Run("xml resource", func(t *testing.T) {
		root, err := DecodeXML(readTestdata(t, "network_security_config.xml.pb"))
		if err != nil {
			t.Fatal(err)
		}
		const want = "network-security-config\n  base-config cleartextTrafficPermitted=true\n"
		if got := outline(root); got != want {
			t.Errorf("tree:\n%s\nwant:\n%s", got, want)
		}
	})
}

// frameworkRes returns the first framework resource package found for
// aapt2 link -I.
func frameworkRes() string {
	cands := []string{os.Getenv("SDKVET_ANDROID_JAR"), "/usr/share/android-framework-res/framework-res.apk"}
	jars, _ := filepath.Glob("/usr/lib/android-sdk/platforms/*/android.jar")
	for _, c := range append(cands, jars...) {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c
		}
	}
	return ""
}

// TestAapt2Live compiles and links testdata/aapt2src with the aapt2 on this
// machine (Debian: packages aapt and android-framework-res) and decodes what
// it writes.
func TestAapt2Live(t *testing.T) {
	aapt2, err := exec.LookPath("aapt2")
	if err != nil {
		t.Skip("aapt2 not installed (Debian package aapt)")
	}
	fw := frameworkRes()
	if fw == "" {
		t.Skip("no framework-res.apk or android.jar (Debian package android-framework-res)")
	}
	src, err := filepath.Abs(filepath.Join("testdata", "aapt2src"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	resZip := filepath.Join(dir, "res.zip")
	out := filepath.Join(dir, "out.apk")
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(aapt2, args...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("aapt2 %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
	run("compile", "--dir", filepath.Join(src, "res"), "-o", resZip)
	run("link", "--proto-format", "-I", fw, "--manifest", filepath.Join(src, "AndroidManifest.xml"), "-o", out, resZip)

	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	for _, name := range []string{"AndroidManifest.xml", "resources.pb"} {
		if files[name] == nil {
			t.Fatalf("%s missing from aapt2 output (has %d files)", name, len(files))
		}
	}
	t.Logf("aapt2 %s, framework %s", aapt2, fw)
	checkRealManifest(t, files["AndroidManifest.xml"])
	checkRealResources(t, files["resources.pb"])
}

// stripValues re-encodes an XmlNode without its attributes' value strings, so
// that decoding it must render every compiled_item.
func stripValues(t *testing.T, p span) []byte {
	t.Helper()
	var out []byte
	err := walkFields("XmlNode", p, func(f *field) error {
		if f.num != xmlNodeElement {
			out = append(out, p.b[f.off-p.off:f.end-p.off]...)
			return nil
		}
		var el []byte
		err := walkFields("XmlElement", f.b, func(g *field) error {
			switch g.num {
			case xmlElementAttribute:
				var attr []byte
				err := walkFields("XmlAttribute", g.b, func(h *field) error {
					if h.num != xmlAttrValue {
						attr = append(attr, g.b.b[h.off-g.b.off:h.end-g.b.off]...)
					}
					return nil
				})
				el = append(el, fMsg(xmlElementAttribute, attr)...)
				return err
			case xmlElementChild:
				el = append(el, fMsg(xmlElementChild, stripValues(t, g.b))...)
			default:
				el = append(el, f.b.b[g.off-f.b.off:g.end-f.b.off]...)
			}
			return nil
		})
		out = append(out, fMsg(xmlNodeElement, el)...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAapt2CompiledItems decodes real aapt2 output with the value strings
// taken out, so that every attribute value comes from its compiled_item. The
// resource IDs are those `aapt2 dump resources` gives for the linked table.
func TestAapt2CompiledItems(t *testing.T) {
	cases := []struct{ file, want string }{
		{"AndroidManifest.xml.pb", `manifest package= android:versionCode=7 android:versionName= android:compileSdkVersion=29 platformBuildVersionCode=29 android:compileSdkVersionCodename= platformBuildVersionName=
  uses-sdk android:minSdkVersion=21 android:targetSdkVersion=29
  uses-permission android:name=
  application android:allowBackup=false android:label=@0x7f050000 android:networkSecurityConfig=@0x7f070000
    activity android:configChanges=0x000000a0 android:exported=true android:name=
      intent-filter
        action android:name=
        data android:host= android:scheme=
    meta-data android:name= android:value=
    meta-data android:name= android:value=@0x7f030000
`},
		// aapt2 compiles plain strings to no item, so those are left empty.
		{"prims.xml.pb", "prims android:alpha=0.5 android:background=#ff112233 android:enabled=true" +
			" android:gravity=0x00000031 android:id=@0x7f020000 android:layout_height=-2.5px" +
			" android:layout_width=16.0dip android:minLines=-3 android:pivotX=50.0% android:pivotY=25.0%p" +
			" android:text=@0x7f050000 android:textAppearance=?0x01010040 android:textColor=#ff00ff00" +
			" android:textSize=14.0sp android:visibility=2\n"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			root, err := DecodeXML(stripValues(t, span{b: readTestdata(t, c.file)}))
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(root); got != c.want {
				t.Errorf("tree:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}
