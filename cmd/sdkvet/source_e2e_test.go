package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeProject writes a source tree (slash-separated path -> content).
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestScanSourceTree: `sdkvet scan PROJECT_DIR` fails a project that adds
// the WeChat SDK, naming the file and line of each piece of evidence.
func TestScanSourceTree(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"settings.gradle": "include ':app'\n",
		"app/build.gradle": `plugins { id 'com.android.application' }
dependencies {
    implementation 'androidx.core:core:1.13.1'
    implementation 'com.tencent.mm.opensdk:wechat-sdk-android:6.8.28'
}
`,
		"app/src/main/java/org/example/Share.java": `package org.example;

import com.tencent.mm.opensdk.openapi.IWXAPI;

class Share {}
`,
		"app/build/tmp/Generated.java": "import com.tencent.bugly.crashreport.CrashReport;\n",
	})
	rep, r := scanJSON(t, dir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (stderr %s)", r.code, r.stderr)
	}
	if len(rep.Targets) != 1 || rep.Targets[0].Kind != "source" || rep.Targets[0].Path != dir {
		t.Fatalf("targets %+v, want one source tree", rep.Targets)
	}
	tg := rep.Targets[0]
	f := finding(t, tg, "tencent.wechat-opensdk")
	want := map[string]int{"gradle app/build.gradle": 4, "java_class app/src/main/java/org/example/Share.java": 3}
	for _, e := range f.Evidence {
		rel := strings.TrimPrefix(e.Path, dir+"/")
		line, ok := want[e.Type+" "+rel]
		if !ok {
			continue
		}
		delete(want, e.Type+" "+rel)
		if e.Line == nil || *e.Line != line || e.Column < 1 {
			t.Errorf("%s %s: line %v column %d, want line %d", e.Type, rel, e.Line, e.Column, line)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing evidence %v in %+v", want, f.Evidence)
	}
	for _, g := range tg.Findings {
		if g.Rule == "tencent.bugly" {
			t.Errorf("build output read without --include-generated: %+v", g)
		}
	}
	rep, _ = scanJSON(t, "--include-generated", dir)
	finding(t, rep.Targets[0], "tencent.bugly")
}

// TestScanCleanSourceTree: a clean project passes with exit 0.
func TestScanCleanSourceTree(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"package.json": `{"name": "web", "dependencies": {"react": "18.2.0"}}`,
		"src/index.js": "import React from 'react';\n// TikTok and WeChat share buttons were removed\nexport const api = 'https://api.example.org';\n",
	})
	rep, r := scanJSON(t, dir)
	if r.code != 0 || len(rep.Targets) != 1 || len(rep.Targets[0].Findings) != 0 || rep.Targets[0].Kind != "source" {
		t.Fatalf("exit %d, report %+v", r.code, rep.Targets)
	}
}
