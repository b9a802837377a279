//go:build !cgo

package project_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/policy"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/signatures"
)

// TestWithoutCgo: a build without cgo has no grammars; source files are
// reported as not read, and build manifests are still read.
func TestWithoutCgo(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"app/build.gradle":         "dependencies { implementation 'com.tencent.bugly:crashreport:4.1.9' }\n",
		"app/src/main/java/A.java": "import com.tencent.mm.opensdk.openapi.IWXAPI;\nclass A {}\n",
	})
	db, err := signatures.Load()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scanner.New(scanner.Options{DB: db, Policy: policy.Default(), Limits: walk.DefaultLimits()}).Scan(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	tg := rep.Targets[0]
	finding(t, tg, "tencent.bugly")
	if tg.Complete || len(tg.Errors) != 1 || !strings.HasSuffix(tg.Errors[0].Path, "A.java") || !strings.Contains(tg.Errors[0].Error, "needs a cgo build") {
		t.Errorf("errors %+v, want A.java not read for want of cgo", tg.Errors)
	}
}
