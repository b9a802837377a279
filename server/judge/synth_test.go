package judge_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/scanner"
	"github.com/sdkvet/sdkvet/scanner/observation"
	"github.com/sdkvet/sdkvet/server/extractcodec"
	"github.com/sdkvet/sdkvet/server/judge"
	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/signatures"
)

var words = []string{"core", "ui", "net", "data", "model", "util", "view", "feed", "auth", "pay", "map", "media", "player", "log", "db", "cache", "push", "share", "ads", "analytics"}

// synthExtract makes a realistic extract of an app: n observations, mostly
// Java packages of the app and of common libraries, plus manifest facts,
// native libraries, hosts and strings; with baidu set it carries Baidu's
// ads SDK, which only the baidu pack recognises; with tencent, WeChat's.
func synthExtract(r *rand.Rand, i, n int, baidu, tencent bool) *scanner.Extract {
	apk := fmt.Sprintf("app%05d.apk", i)
	dex, man := apk+"!/classes.dex", apk+"!/AndroidManifest.xml"
	e := &scanner.Extract{Path: apk, Kind: "apk", SHA256: fmt.Sprintf("%064x", i+1), Size: int64(1<<20 + r.IntN(50<<20))}
	add := func(k observation.Kind, v, d, p string) {
		e.Observations = append(e.Observations, observation.Observation{Kind: k, Value: v, Detail: d, Path: p, Offset: int64(r.IntN(1 << 24))})
	}
	add(observation.AppID, fmt.Sprintf("gov.example.app%d", i), "", man)
	add(observation.AppLabel, fmt.Sprintf("App %d", i), "", man)
	add(observation.AppVersion, "1.2.3", "123", man)
	for range 12 {
		add(observation.Permission, "android.permission."+words[r.IntN(len(words))], "", man)
	}
	if baidu {
		add(observation.JavaPackage, "com.baidu.mobads.sdk.api", "", dex)
		add(observation.Domain, "mobads.baidu.com", "https://mobads.baidu.com/cpro/ui/mads.php", dex)
	}
	if tencent {
		add(observation.JavaClass, "com.tencent.mm.opensdk.openapi.WXAPIFactory", "", dex)
	}
	for len(e.Observations) < n {
		switch r.IntN(10) {
		case 0:
			add(observation.NativeLib, fmt.Sprintf("lib%s%d.so", words[r.IntN(len(words))], r.IntN(100)), "arm64-v8a", fmt.Sprintf("%s!/lib/arm64-v8a/x%d.so", apk, r.IntN(20)))
		case 1:
			add(observation.Domain, fmt.Sprintf("%s%d.example%d.com", words[r.IntN(len(words))], r.IntN(50), r.IntN(500)), "", dex)
		case 2:
			add(observation.Component, fmt.Sprintf("gov.example.app%d.%s.%sActivity", i, words[r.IntN(len(words))], words[r.IntN(len(words))]), "activity", man)
		default:
			add(observation.JavaPackage, fmt.Sprintf("org.lib%d.%s.%s.%s", r.IntN(300), words[r.IntN(len(words))], words[r.IntN(len(words))], words[r.IntN(len(words))]), "", dex)
		}
	}
	return e
}

func newEngine(t testing.TB, version int64, packs ...string) *judge.Engine {
	e, err := judge.New(store.Settings{Version: version, PolicyYAML: string(signatures.DefaultPolicy()), Packs: packs}, judge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// fill stores n synthetic finished scans judged by e; every fifth carries
// Baidu's SDK and every seventh WeChat's.
func fill(t testing.TB, s store.Store, e *judge.Engine, n, minObs, maxObs int) map[string]bool {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	baiduScans := map[string]bool{}
	for i := range n {
		x := synthExtract(r, i, minObs+r.IntN(maxObs-minObs+1), i%5 == 0, i%7 == 0)
		id := fmt.Sprintf("%032x", i+1)
		if _, _, err := s.CreateScan(ctx, store.Scan{ID: id, SHA256: x.SHA256, Filename: x.Path, Size: x.Size, UploadedBy: "bench", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		_, j := e.Judge(x)
		if err := s.FinishScan(ctx, id, store.Result{Kind: "apk", Extract: extractcodec.Encode(x), AppID: fmt.Sprintf("gov.example.app%d", i), Judgement: j}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 && i%7 != 0 {
			baiduScans[id] = true
		}
	}
	return baiduScans
}

func openStore(t testing.TB) store.Store {
	s, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "sdkvet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
