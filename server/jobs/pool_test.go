package jobs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/internal/fixture/dexfile"
	"github.com/sdkvet/sdkvet/scanner/sandbox"
	"github.com/sdkvet/sdkvet/scanner/walk"
	"github.com/sdkvet/sdkvet/server/blobs"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/signatures"
)

func TestMain(m *testing.M) {
	sandbox.MainIfWorker()
	os.Exit(m.Run())
}

func engine(t *testing.T, version int64, packs ...string) *judge.Engine {
	t.Helper()
	e, err := judge.New(store.Settings{Version: version, PolicyYAML: string(signatures.DefaultPolicy()), Packs: packs}, judge.Options{Limits: walk.DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// queued stores an APK carrying Baidu's ad SDK (banned only by the baidu
// pack) and claims its scan, as a worker would.
func queued(t *testing.T) (store.Store, *blobs.Dir, store.Scan) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "sdkvet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bl, err := blobs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cert, key := fixture.SelfSigned("Jobs Test")
	pkg := fixture.APK{
		Manifest: fixture.ManifestSpec{Package: "gov.example.feed", Label: "Feed", VersionName: "1", VersionCode: 1, MinSDK: 24, TargetSDK: 34},
		Dex:      [][]byte{dexfile.Build(dexfile.Spec{Classes: []string{"gov.example.feed.Main", "com.baidu.mobads.sdk.api.BaiduNativeManager"}})},
	}.BytesWithCert(cert, key)
	sha, size, err := bl.Put(bytes.NewReader(pkg), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateScan(ctx, store.Scan{ID: "0123456789abcdef0123456789abcdef", SHA256: sha, Filename: "feed.apk", Size: size,
		UploadedBy: "token:ci", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	sc, ok, err := st.ClaimScan(ctx, time.Now())
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	return st, bl, sc
}

// TestScanJudgedAgainAfterSettingsChange: when the settings change while
// a scan runs (the re-judgement of stored scans cannot see it yet), the
// worker judges it again under the new settings before it is done.
func TestScanJudgedAgainAfterSettingsChange(t *testing.T) {
	st, bl, sc := queued(t)
	v1, v2 := engine(t, 1), engine(t, 2, "baidu")
	var calls atomic.Int32
	p := &Pool{Store: st, Blobs: bl, Engine: func() *judge.Engine {
		if calls.Add(1) == 1 {
			return v1 // the engine the scan starts with
		}
		return v2 // the settings changed meanwhile
	}}
	if err := p.scan(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetScan(context.Background(), sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.StatusDone || got.JudgedVersion != 2 || got.Verdict == "pass" {
		t.Errorf("scan = status %s, version %d, verdict %s; want done under version 2, not pass", got.Status, got.JudgedVersion, got.Verdict)
	}
	hits, _, err := st.ListScans(context.Background(), store.Query{VendorID: "baidu"})
	if err != nil || len(hits) != 1 {
		t.Errorf("scans indexed under vendor baidu = %d (%v), want 1", len(hits), err)
	}
}

// TestScanUnchangedSettings: the control: with no change the scan is
// judged once, under the version it started with, and passes.
func TestScanUnchangedSettings(t *testing.T) {
	st, bl, sc := queued(t)
	v1 := engine(t, 1)
	var calls atomic.Int32
	p := &Pool{Store: st, Blobs: bl, Engine: func() *judge.Engine { calls.Add(1); return v1 }}
	if err := p.scan(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	got, _ := st.GetScan(context.Background(), sc.ID)
	if got.Status != store.StatusDone || got.JudgedVersion != 1 || got.Verdict != "pass" || got.AppID != "gov.example.feed" || !got.Complete {
		t.Errorf("scan = %+v; want done under version 1, pass, app id kept", got)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("engine asked %d times, want 2 (start, check after finishing)", n)
	}
}

// TestRequeueAfterStop: a pool started on a store with a scan left
// running (a stop mid-scan) scans it to the end, once.
func TestRequeueAfterStop(t *testing.T) {
	st, bl, sc := queued(t)
	done := make(chan string, 4)
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{Store: st, Blobs: bl, Workers: 2, Engine: func() *judge.Engine { return engine(t, 1) },
		OnDone: func(s store.Scan, status string, _ time.Duration) { done <- s.ID + " " + status }}
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-done:
		if got != sc.ID+" done" {
			t.Errorf("finished %q", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the scan left running was not resumed")
	}
	cancel()
	p.Wait()
	if len(done) != 0 {
		t.Errorf("scanned again: %q", <-done)
	}
	got, _ := st.GetScan(context.Background(), sc.ID)
	if got.Status != store.StatusDone || got.Attempts != 2 {
		t.Errorf("scan = %s after %d attempts, want done after 2", got.Status, got.Attempts)
	}
}
