package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRestartMidScan runs a real `sdkvet serve`, kills it with SIGKILL
// while a scan is running, starts it again on the same data directory and
// sees the same scan finish: nothing accepted is lost or duplicated.
func TestRestartMidScan(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the sdkvet binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sdkvet")
	build := exec.Command("go", "build", "-o", bin, "github.com/sdkvet/sdkvet/cmd/sdkvet")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	tok, err := exec.Command(bin, "token", "create", "ci", "--role", "reviewer", "--data", data).Output()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tok))

	serve := func(extra ...string) (*exec.Cmd, string) {
		cmd := exec.Command(bin, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--workers", "1"}, extra...)...)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		re := regexp.MustCompile(`serving on (http://[0-9.:]+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				go io.Copy(io.Discard, stderr)
				return cmd, m[1]
			}
		}
		t.Fatal("server did not start")
		return nil, ""
	}
	get := func(base, id string) scanJSON {
		req, _ := http.NewRequest("GET", base+"/api/v1/scans/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var s scanJSON
		json.NewDecoder(resp.Body).Decode(&s)
		return s
	}
	waitFor := func(base, id string, ok func(scanJSON) bool) scanJSON {
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if s := get(base, id); ok(s) {
				return s
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("scan %s: condition not reached", id)
		return scanJSON{}
	}

	first, base := serve("--scan-delay", "30s")
	req, _ := http.NewRequest("POST", base+"/api/v1/scans?filename=share.apk", bytes.NewReader(apk("gov.example.share", "Share", wechatClasses, nil)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var up scanJSON
	json.NewDecoder(resp.Body).Decode(&up)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	waitFor(base, up.ID, func(s scanJSON) bool { return s.Status == "running" })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()

	_, base = serve()
	done := waitFor(base, up.ID, func(s scanJSON) bool { return s.Status == "done" || s.Status == "failed" })
	if done.Status != "done" || done.Verdict != "fail" || done.Attempts != 2 {
		t.Fatalf("after restart: %+v, want done/fail on the second attempt", done)
	}
	req, _ = http.NewRequest("GET", base+"/api/v1/scans", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Total int `json:"total"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if list.Total != 1 {
		t.Errorf("scans after restart = %d, want 1", list.Total)
	}
}
