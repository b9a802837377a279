package scanner_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/internal/fixture/dexfile"
	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

// TestJudgeStoredExtract checks the promise the vetting service relies on:
// a stored extract judged again gives the same target as the scan, and a
// signature pack switched on later finds an SDK whose classes no rule
// matched at scan time, without reading the package again.
func TestJudgeStoredExtract(t *testing.T) {
	cert, key := fixture.SelfSigned("Example Agency Release")
	apk := fixture.APK{
		Manifest: fixture.ManifestSpec{Package: "com.example.feed", VersionName: "1.0", VersionCode: 1, MinSDK: 24, TargetSDK: 34,
			Permissions: []string{"android.permission.READ_CONTACTS", "android.permission.INTERNET"}},
		Dex: [][]byte{dexfile.Build(dexfile.Spec{Classes: []string{
			"com.example.feed.MainActivity",
			"com.baidu.mobads.sdk.api.BaiduNativeManager",
			"com.baidu.mobads.sdk.api.NativeResponse",
		}})},
	}.BytesWithCert(cert, key)
	path := filepath.Join(t.TempDir(), "feed.apk")
	if err := os.WriteFile(path, apk, 0o644); err != nil {
		t.Fatal(err)
	}

	base, err := signatures.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := scanner.New(scanner.Options{DB: base, Policy: policy.Default(), Limits: walk.DefaultLimits()})
	ext := s.Extract(context.Background(), path)
	direct := s.ScanFile(context.Background(), path)
	if len(direct.Findings) != 0 {
		t.Fatalf("base database: want no finding, got %+v", direct.Findings)
	}
	if want := []string{"android.permission.INTERNET", "android.permission.READ_CONTACTS"}; !reflect.DeepEqual(direct.Identity.Permissions, want) {
		t.Errorf("identity permissions = %v, want %v", direct.Identity.Permissions, want)
	}
	var pkgs []string
	for _, o := range ext.Observations {
		if o.Kind == observation.JavaClass {
			t.Errorf("unmatched class kept whole: %s", o.Value)
		}
		if o.Kind == observation.JavaPackage {
			pkgs = append(pkgs, o.Value)
			if o.Path != path+"!/classes.dex" {
				t.Errorf("package %s: path %q, want the dex that holds it", o.Value, o.Path)
			}
		}
	}
	if want := []string{"com.baidu.mobads.sdk.api", "com.example.feed", "java.lang"}; !reflect.DeepEqual(pkgs, want) {
		t.Errorf("java packages = %v, want %v", pkgs, want)
	}
	if again := s.Judge(&ext); !reflect.DeepEqual(again, direct) {
		t.Errorf("judging the extract again differs from the scan:\n got %+v\nwant %+v", again, direct)
	}

	withPack, err := signatures.LoadWith(signatures.Options{Packs: []string{"baidu"}})
	if err != nil {
		t.Fatal(err)
	}
	pol := policy.Default()
	if err := pol.ApplyPacks(withPack.Packs); err != nil {
		t.Fatal(err)
	}
	rejudged := scanner.New(scanner.Options{DB: withPack, Policy: pol, Limits: walk.DefaultLimits()}).Judge(&ext)
	if len(rejudged.Findings) != 1 || rejudged.Findings[0].Rule != "baidu.mobads" {
		t.Fatalf("with the baidu pack: want one baidu.mobads finding, got %+v", rejudged.Findings)
	}
	ev := rejudged.Findings[0].Evidence
	if len(ev) != 1 || ev[0].Type != "java_package" || ev[0].Value != "com.baidu.mobads.sdk.api" {
		t.Errorf("evidence = %+v, want the stored java package", ev)
	}
	if rejudged.Verdict == direct.Verdict {
		t.Errorf("verdict stayed %q after the pack was switched on", rejudged.Verdict)
	}
}
