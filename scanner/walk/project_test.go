//go:build unix

package walk_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/scanner/analyze"
	"github.com/sdkvet/sdkvet/scanner/filekind"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/scanner/walk"
)

// treeRec records which files of a source tree reach which analyzer kind.
type treeRec struct {
	mu    sync.Mutex
	seen  map[string]filekind.Kind // display path -> kind handed on
	data  map[string]string
	errs  []errRec
	calls int
}

func (r *treeRec) Observe(observation.Observation)  {}
func (r *treeRec) String(path, s string, off int64) {}
func (r *treeRec) Error(path string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, errRec{path, err})
}
func (r *treeRec) errText() string { return strings.Join(r.errStrings(), "\n") }
func (r *treeRec) errStrings() (out []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.errs {
		out = append(out, e.Path+": "+e.Err.Error())
	}
	return out
}

func (r *treeRec) registry() *analyze.Registry {
	kinds := []filekind.Kind{filekind.SourceCode, filekind.BuildManifest, filekind.Document, filekind.Binary}
	return analyze.NewRegistry([]analyze.FileAnalyzer{{Name: "tree", Kinds: kinds,
		Bytes: func(ctx context.Context, f *analyze.File, data []byte, out analyze.Out) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.seen[f.Path], r.data[f.Path] = f.Kind, string(data)
			r.calls++
			return nil
		}}}, nil)
}

// walkTree walks dir as a source tree and fails the test if the walk does
// not return within 20 seconds (a named pipe or a link loop followed).
func walkTree(t *testing.T, dir string, lim walk.Limits) *treeRec {
	t.Helper()
	r := &treeRec{seen: map[string]filekind.Kind{}, data: map[string]string{}}
	w := &walk.Walker{Limits: lim, Registry: r.registry(), Workers: 2}
	done := make(chan error, 1)
	go func() {
		_, err := w.Walk(context.Background(), dir, r)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Walk: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Walk did not return: it blocked on a special file or followed a loop")
	}
	return r
}

// TestProjectHostileTree: named pipes, devices, links out of the tree,
// link loops, deep nesting and names with control characters. Only the
// regular files inside the tree (and links to them) are read; the walk
// never blocks.
func TestProjectHostileTree(t *testing.T) {
	outside := t.TempDir()
	write(t, filepath.Join(outside, "Secret.kt"), "val s = 1\n")
	dir := t.TempDir()
	write(t, filepath.Join(dir, "build.gradle"), "dependencies {}\n")
	write(t, filepath.Join(dir, "app", "Main.kt"), "fun main() {}\n")
	write(t, filepath.Join(dir, "app", "name\nwith\x1bcontrol.kt"), "val x = 2\n")
	deep := dir
	for i := 0; i < 200; i++ {
		deep = filepath.Join(deep, "d")
	}
	write(t, filepath.Join(deep, "Deep.java"), "class Deep {}\n")
	for link, target := range map[string]string{
		"loop":             ".",
		"app/self":         "../app",
		"app/Escape.kt":    filepath.Join(outside, "Secret.kt"),
		"app/Relative.kt":  "../../" + filepath.Base(outside) + "/Secret.kt",
		"app/outside":      outside,
		"app/a.kt":         "b.kt",
		"app/b.kt":         "a.kt",
		"app/dangling.kt":  "missing.kt",
		"app/Linked.kt":    "Main.kt", // inside the tree: read
		"app/pipe-link.kt": "pipe.kt",
		"app/zero.kt":      "/dev/zero",
	} {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "app", "pipe.kt"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A character device like /dev/zero, where the system lets us make one.
	device := syscall.Mknod(filepath.Join(dir, "app", "dev.kt"), syscall.S_IFCHR|0o644, 1<<8|5) == nil

	r := walkTree(t, dir, testLimits())
	var got []string
	for p, k := range r.seen {
		got = append(got, strings.TrimPrefix(p, dir+"/")+"="+string(k))
	}
	slices.Sort(got)
	want := []string{
		`app/Linked.kt=source-code`,
		`app/Main.kt=source-code`,
		`app/name\nwith\x1bcontrol.kt=source-code`,
		strings.Repeat("d/", 200) + "Deep.java=source-code",
		`build.gradle=build-manifest`,
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("files read:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.data[dir+"/app/Linked.kt"] != "fun main() {}\n" {
		t.Errorf("link inside the tree read as %q", r.data[dir+"/app/Linked.kt"])
	}
	for _, e := range r.errStrings() {
		if strings.Contains(e, outside) || strings.Contains(e, "Secret") {
			t.Errorf("an error names a file outside the tree: %s", e)
		}
	}
	if device {
		t.Log("a character device was in the tree")
	}
}

// TestProjectLimits: the entry limit stops the listing with a limit error,
// the byte budget and the entry-size limit apply to a tree's files.
func TestProjectLimits(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "package.json"), "{}\n")
	for i := 0; i < 20; i++ {
		write(t, filepath.Join(dir, "src", string(rune('a'+i))+".js"), "let a = 1;\n")
	}
	lim := testLimits()
	lim.MaxEntries = 5
	r := walkTree(t, dir, lim)
	if r.calls != 5 {
		t.Errorf("%d files read with --max-entries 5", r.calls)
	}
	if !strings.Contains(r.errText(), "more than 5 files") || !hasLimitErr(r) {
		t.Errorf("no entry-limit error: %s", r.errText())
	}

	big := t.TempDir()
	write(t, filepath.Join(big, "package.json"), "{}\n")
	write(t, filepath.Join(big, "huge.js"), strings.Repeat("x", 4096))
	lim = testLimits()
	lim.MaxEntrySize = 1024
	r = walkTree(t, big, lim)
	if _, ok := r.seen[big+"/huge.js"]; ok || !strings.Contains(r.errText(), "huge.js") || !hasLimitErr(r) {
		t.Errorf("a file over --max-entry-size was read or not reported: %s", r.errText())
	}
	if _, ok := r.seen[big+"/package.json"]; !ok {
		t.Errorf("the rest of the tree was not read")
	}

	lim = testLimits()
	lim.MaxTotal = 2048
	r = walkTree(t, big, lim)
	if _, ok := r.seen[big+"/huge.js"]; ok || !hasLimitErr(r) {
		t.Errorf("a tree over --max-total was read whole: %s", r.errText())
	}
}

// TestProjectUnreadable: a file that cannot be opened is reported and the
// rest of the tree is still read.
func TestProjectUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("file permissions do not bind root")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Podfile"), "pod 'A'\n")
	write(t, filepath.Join(dir, "Locked.swift"), "import A\n")
	if err := os.Chmod(filepath.Join(dir, "Locked.swift"), 0); err != nil {
		t.Fatal(err)
	}
	r := walkTree(t, dir, testLimits())
	if _, ok := r.seen[dir+"/Podfile"]; !ok {
		t.Errorf("the readable file was not read")
	}
	if !strings.Contains(r.errText(), "Locked.swift") {
		t.Errorf("the unreadable file was not reported: %s", r.errText())
	}
}

func hasLimitErr(r *treeRec) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.errs {
		if errors.Is(e.Err, walk.ErrLimit) {
			return true
		}
	}
	return false
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestProjectNodeModules checks that an installed npm dependency folder
// costs neither reads nor entries beyond the files that identify packages
// and ship native code, so a React Native checkout with node_modules stays
// under the entry limit, and that --include-generated reads it all.
func TestProjectNodeModules(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"package.json": `{"name": "app", "dependencies": {"react-native-wechat-lib": "1.1.0"}}`,
		"index.js":     `import {registerApp} from 'react-native-wechat-lib';`,
		"node_modules/react-native-wechat-lib/package.json":                     `{"name": "react-native-wechat-lib"}`,
		"node_modules/react-native-wechat-lib/index.js":                         `module.exports = {};`,
		"node_modules/react-native-wechat-lib/README.md":                        `# WeChat`,
		"node_modules/react-native-wechat-lib/react-native-wechat-lib.podspec":  `s.dependency 'WechatOpenSDK'`,
		"node_modules/react-native-wechat-lib/android/build.gradle":             `dependencies { api 'com.tencent.mm.opensdk:wechat-sdk-android:6.8.0' }`,
		"node_modules/react-native-wechat-lib/android/libs/libwechat.so":        "\x00\x01\x02\x03 native",
		"node_modules/react-native-wechat-lib/android/src/main/java/W.java":     `class W {}`,
		"node_modules/@scope/pkg/package.json":                                  `{"name": "@scope/pkg"}`,
		"node_modules/@scope/pkg/lib/a.js":                                      `x()`,
		"node_modules/@scope/pkg/node_modules/inner/package.json":               `{"name": "inner"}`,
		"node_modules/@scope/pkg/node_modules/inner/test/fixtures/package.json": `{"name": "fixture"}`,
	}
	for i := range 200 {
		files["node_modules/big/lib/f"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+strings.Repeat("y", i/26)+".js"] = "x()"
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lim := testLimits()
	lim.MaxEntries = 50 // far below the 213 files of the tree
	r := walkTree(t, dir, lim)
	var read []string
	for p := range r.seen {
		read = append(read, strings.TrimPrefix(p, dir+"/"))
	}
	slices.Sort(read)
	want := []string{
		"index.js",
		"node_modules/@scope/pkg/node_modules/inner/package.json",
		"node_modules/@scope/pkg/package.json",
		"node_modules/react-native-wechat-lib/android/build.gradle",
		"node_modules/react-native-wechat-lib/android/libs/libwechat.so",
		"node_modules/react-native-wechat-lib/package.json",
		"node_modules/react-native-wechat-lib/react-native-wechat-lib.podspec",
		"package.json",
	}
	if !slices.Equal(read, want) {
		t.Errorf("files read:\n%s\nwant:\n%s", strings.Join(read, "\n"), strings.Join(want, "\n"))
	}
	if e := r.errText(); e != "" {
		t.Errorf("errors: %s", e)
	}

	lim.IncludeGenerated = true
	lim.MaxEntries = 1000
	all := walkTree(t, dir, lim)
	if _, ok := all.seen[filepath.Join(dir, "node_modules/@scope/pkg/lib/a.js")]; !ok || len(all.seen) < 200 {
		t.Errorf("--include-generated read %d files, want all of node_modules", len(all.seen))
	}
}
