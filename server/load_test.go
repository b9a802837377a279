package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/internal/fixture"
	"github.com/sdkvet/sdkvet/internal/fixture/dexfile"
	"github.com/sdkvet/sdkvet/server"
	"github.com/sdkvet/sdkvet/server/store"
)

// TestLoad sends 200 uploads at once (180 distinct packages, 20 sent
// twice) to a service with 20 workers, on loopback: every distinct
// package gets exactly one scan, scanned exactly once, and none is lost.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	var mu sync.Mutex
	runs := map[string]int{}
	e := newEnv(t, func(c *server.Config) {
		c.Workers = 20
		c.RateLimit, c.RateBurst = 1000, 1000
		c.OnScanDone = func(sc store.Scan, status string, _ time.Duration) {
			mu.Lock()
			runs[sc.ID]++
			mu.Unlock()
		}
	})
	cert, key := fixture.SelfSigned("Load Test")
	const distinct, total = 180, 200
	pkgs := make([][]byte, distinct)
	for i := range pkgs {
		classes := []string{fmt.Sprintf("gov.example.load%d.Main", i)}
		if i%3 == 0 {
			classes = append(classes, wechatClasses...)
		}
		pkgs[i] = fixture.APK{Manifest: fixture.ManifestSpec{Package: fmt.Sprintf("gov.example.load%d", i), VersionName: "1", VersionCode: 1, MinSDK: 24, TargetSDK: 34},
			Dex: [][]byte{dexfile.Build(dexfile.Spec{Classes: classes})}}.BytesWithCert(cert, key)
	}
	ids := make([]string, total)
	codes := make([]int, total)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range total {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest("POST", e.http.URL+fmt.Sprintf("/api/v1/scans?filename=load%d.apk", i%distinct), bytes.NewReader(pkgs[i%distinct]))
			req.Header.Set("Authorization", "Bearer "+e.tokens["reviewer"])
			req.Header.Set("Content-Type", "application/octet-stream")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var sc scanJSON
			json.NewDecoder(resp.Body).Decode(&sc)
			ids[i], codes[i] = sc.ID, resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	byPkg := map[int]string{}
	for i := range total {
		if codes[i] != 202 && codes[i] != 200 || ids[i] == "" {
			t.Fatalf("upload %d: status %d", i, codes[i])
		}
		if prev, ok := byPkg[i%distinct]; ok && prev != ids[i] {
			t.Errorf("package %d got two scans: %s and %s", i%distinct, prev, ids[i])
		}
		byPkg[i%distinct] = ids[i]
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		counts, err := e.srv.Store.CountByStatus(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.StatusDone]+counts[store.StatusFailed] == distinct {
			if counts[store.StatusFailed] != 0 {
				t.Errorf("%d scans failed", counts[store.StatusFailed])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scans not finished: %v", counts)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// OnScanDone runs after the scan's status is stored: wait for the
	// last callbacks before counting runs.
	for {
		mu.Lock()
		seen := len(runs)
		mu.Unlock()
		if seen >= distinct || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	all, n, err := e.srv.Store.ListScans(t.Context(), store.Query{Limit: 1000})
	if err != nil || n != distinct || len(all) != distinct {
		t.Fatalf("stored scans = %d, want %d (%v)", n, distinct, err)
	}
	mu.Lock()
	defer mu.Unlock()
	fails := 0
	for _, sc := range all {
		if runs[sc.ID] != 1 || sc.Attempts != 1 {
			t.Errorf("scan %s ran %d times (attempts %d), want once", sc.ID, runs[sc.ID], sc.Attempts)
		}
		if sc.Verdict == "fail" {
			fails++
		}
	}
	if fails != distinct/3 {
		t.Errorf("%d failing verdicts, want %d", fails, distinct/3)
	}
}
