// Package storetest is the test suite every store.Store implementation
// passes: the SQLite store and the PostgreSQL store run the same checks.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sdkvet/sdkvet/server/store"
)

// Run runs the suite; open returns a new, empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s store.Store)
	}{
		{"ScanLifecycle", testScanLifecycle},
		{"DuplicateHash", testDuplicateHash},
		{"ClaimOnce", testClaimOnce},
		{"Requeue", testRequeue},
		{"Search", testSearch},
		{"Rejudge", testRejudge},
		{"Delete", testDelete},
		{"Auth", testAuth},
		{"Tokens", testTokens},
		{"SetPassword", testSetPassword},
		{"RetryFailed", testRetryFailed},
		{"SettingsAndAudit", testSettingsAndAudit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
}

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func newScan(i int) store.Scan {
	return store.Scan{ID: fmt.Sprintf("%032x", i+1), SHA256: fmt.Sprintf("%064x", i+1), Filename: fmt.Sprintf("app%d.apk", i),
		Size: int64(100 + i), UploadedBy: "token:ci", CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
}

func mustCreate(t *testing.T, s store.Store, sc store.Scan) store.Scan {
	t.Helper()
	got, created, err := s.CreateScan(context.Background(), sc)
	if err != nil || !created {
		t.Fatalf("create %s: created=%v err=%v", sc.ID, created, err)
	}
	return got
}

func finish(t *testing.T, s store.Store, id, appID, verdict string, findings []store.Finding) {
	t.Helper()
	r := store.Result{Kind: "apk", Extract: []byte("extract-" + id), AppID: appID, Label: "<b>label</b>", Version: "1.0",
		Judgement: store.Judgement{Verdict: verdict, Complete: true, FindingsHash: "h-" + verdict, Findings: findings, JudgedVersion: 1}}
	if err := s.FinishScan(context.Background(), id, r, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func testScanLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	sc := mustCreate(t, s, newScan(0))
	if sc.Status != store.StatusQueued || !sc.CreatedAt.Equal(t0) || sc.Filename != "app0.apk" {
		t.Fatalf("created scan = %+v", sc)
	}
	if _, err := s.GetScan(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing scan: err = %v, want ErrNotFound", err)
	}
	got, ok, err := s.ClaimScan(ctx, t0.Add(time.Second))
	if err != nil || !ok || got.ID != sc.ID || got.Status != store.StatusRunning || got.Attempts != 1 {
		t.Fatalf("claim = %+v %v %v", got, ok, err)
	}
	if _, ok, _ := s.ClaimScan(ctx, t0); ok {
		t.Fatal("claimed a running scan again")
	}
	finish(t, s, sc.ID, "com.example", "fail", []store.Finding{{Rule: "tencent.bugly", Kind: "sdk", Name: "Bugly", VendorID: "tencent", Vendor: "Tencent", Severity: "high"}})
	got, err = s.GetScan(ctx, sc.ID)
	if err != nil || got.Status != store.StatusDone || got.Verdict != "fail" || got.AppID != "com.example" || got.Label != "<b>label</b>" || !got.Complete || got.Kind != "apk" {
		t.Fatalf("finished scan = %+v, %v", got, err)
	}
	data, err := s.GetExtract(ctx, sc.ID)
	if err != nil || string(data) != "extract-"+sc.ID {
		t.Fatalf("extract = %q, %v", data, err)
	}
	fs, err := s.ScanFindings(ctx, sc.ID)
	if err != nil || len(fs) != 1 || fs[0].Rule != "tencent.bugly" || fs[0].Suppressed {
		t.Fatalf("findings = %+v, %v", fs, err)
	}
	sc2 := mustCreate(t, s, newScan(1))
	s.ClaimScan(ctx, t0)
	if err := s.FailScan(ctx, sc2.ID, "unreadable", t0); err != nil {
		t.Fatal(err)
	}
	counts, err := s.CountByStatus(ctx)
	if err != nil || counts[store.StatusDone] != 1 || counts[store.StatusFailed] != 1 || counts[store.StatusQueued] != 0 {
		t.Fatalf("counts = %v, %v", counts, err)
	}
}

func testDuplicateHash(t *testing.T, s store.Store) {
	first := mustCreate(t, s, newScan(0))
	dup := newScan(0)
	dup.ID = fmt.Sprintf("%032x", 99)
	dup.Filename = "renamed.apk"
	got, created, err := s.CreateScan(context.Background(), dup)
	if err != nil || created || got.ID != first.ID || got.Filename != "app0.apk" {
		t.Fatalf("duplicate: got %+v created=%v err=%v, want the first scan", got, created, err)
	}
}

// testClaimOnce claims from many goroutines: every scan is claimed exactly once.
func testClaimOnce(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 40
	for i := range n {
		mustCreate(t, s, newScan(i))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				sc, ok, err := s.ClaimScan(ctx, t0)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				seen[sc.ID]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct scans, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("scan %s claimed %d times", id, c)
		}
	}
}

func testRequeue(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := mustCreate(t, s, newScan(0))
	b := mustCreate(t, s, newScan(1))
	s.ClaimScan(ctx, t0)
	s.ClaimScan(ctx, t0)
	n, err := s.RequeueRunning(ctx, 3)
	if err != nil || n != 2 {
		t.Fatalf("requeue = %d, %v; want 2", n, err)
	}
	// b is claimed twice more: its third start failed the service each time.
	for range 2 {
		s.ClaimScan(ctx, t0)
		s.ClaimScan(ctx, t0)
		s.RequeueRunning(ctx, 3)
	}
	ga, _ := s.GetScan(ctx, a.ID)
	gb, _ := s.GetScan(ctx, b.ID)
	if ga.Status != store.StatusFailed || gb.Status != store.StatusFailed || ga.Error == "" {
		t.Fatalf("after 3 attempts: a=%s b=%s (%q), want failed", ga.Status, gb.Status, ga.Error)
	}
}

func testSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := make([]string, 4)
	for i := range ids {
		ids[i] = mustCreate(t, s, newScan(i)).ID
		s.ClaimScan(ctx, t0)
	}
	finish(t, s, ids[0], "com.a", "fail", []store.Finding{{Rule: "tencent.bugly", Kind: "sdk", VendorID: "tencent", Vendor: "Tencent", Severity: "high"}})
	finish(t, s, ids[1], "com.b", "fail", []store.Finding{{Rule: "bytedance.pangle", Kind: "sdk", VendorID: "bytedance", Vendor: "ByteDance", Severity: "high"}})
	finish(t, s, ids[2], "com.a", "pass", nil)
	cases := []struct {
		q    store.Query
		want []string
	}{
		{store.Query{AppID: "com.a"}, []string{ids[2], ids[0]}},
		{store.Query{VendorID: "tencent"}, []string{ids[0]}},
		{store.Query{Rule: "bytedance.pangle"}, []string{ids[1]}},
		{store.Query{Verdict: "fail"}, []string{ids[1], ids[0]}},
		{store.Query{Status: store.StatusQueued}, nil},
		{store.Query{Status: store.StatusRunning}, []string{ids[3]}},
		{store.Query{Since: t0.Add(time.Minute), Until: t0.Add(3 * time.Minute)}, []string{ids[2], ids[1]}},
		{store.Query{Limit: 1, Offset: 1}, []string{ids[2]}},
		{store.Query{Text: "APP1"}, []string{ids[1]}},
		{store.Query{Text: "<B>LAB"}, []string{ids[2], ids[1], ids[0]}},
		{store.Query{Text: "%"}, nil},
		{store.Query{Text: "app_"}, nil},
	}
	for _, c := range cases {
		got, total, err := s.ListScans(ctx, c.q)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for _, g := range got {
			gotIDs = append(gotIDs, g.ID)
		}
		if fmt.Sprint(gotIDs) != fmt.Sprint(c.want) {
			t.Errorf("query %+v = %v, want %v", c.q, gotIDs, c.want)
		}
		if c.q.Limit == 0 && total != len(c.want) {
			t.Errorf("query %+v total = %d, want %d", c.q, total, len(c.want))
		}
	}
}

func testRejudge(t *testing.T, s store.Store) {
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		ids = append(ids, mustCreate(t, s, newScan(i)).ID)
		s.ClaimScan(ctx, t0)
		finish(t, s, ids[i], "com.x", "pass", nil)
	}
	// Batches in id order, only below the version.
	first, err := s.Extracts(ctx, "", 2, 3)
	if err != nil || len(first) != 3 || first[0].ScanID != ids[0] || string(first[1].Data) != "extract-"+ids[1] {
		t.Fatalf("first batch = %+v, %v", first, err)
	}
	rest, err := s.Extracts(ctx, first[2].ScanID, 2, 3)
	if err != nil || len(rest) != 2 {
		t.Fatalf("second batch = %d, %v", len(rest), err)
	}
	js := []store.Judgement{{ScanID: ids[1], Verdict: "fail", FindingsHash: "h2", JudgedVersion: 2,
		Findings: []store.Finding{{Rule: "baidu.mobads", Kind: "sdk", VendorID: "baidu", Vendor: "Baidu", Severity: "high"}}}}
	for _, id := range []string{ids[0], ids[2]} {
		js = append(js, store.Judgement{ScanID: id, Verdict: "pass", FindingsHash: "h-pass", JudgedVersion: 2})
	}
	if err := s.ApplyJudgements(ctx, js, []store.Flip{{SettingsVersion: 2, ScanID: ids[1], OldVerdict: "pass", NewVerdict: "fail"}}); err != nil {
		t.Fatal(err)
	}
	left, _ := s.Extracts(ctx, "", 2, 100)
	if len(left) != 2 || left[0].ScanID != ids[3] {
		t.Errorf("still to judge under v2: %d scans, want the 2 not judged", len(left))
	}
	got, _ := s.GetScan(ctx, ids[1])
	if got.Verdict != "fail" || got.JudgedVersion != 2 {
		t.Errorf("rejudged scan = %+v", got)
	}
	if hits, _, _ := s.ListScans(ctx, store.Query{VendorID: "baidu"}); len(hits) != 1 || hits[0].ID != ids[1] {
		t.Errorf("finding index not updated: %+v", hits)
	}
	flips, err := s.Flips(ctx, 2)
	if err != nil || len(flips) != 1 || flips[0].ScanID != ids[1] || flips[0].NewVerdict != "fail" || flips[0].AppID != "com.x" || flips[0].Filename != "app1.apk" {
		t.Fatalf("flips = %+v, %v", flips, err)
	}
	if f, _ := s.Flips(ctx, 3); len(f) != 0 {
		t.Errorf("flips of another version: %+v", f)
	}
}

func testDelete(t *testing.T, s store.Store) {
	ctx := context.Background()
	sc := mustCreate(t, s, newScan(0))
	s.ClaimScan(ctx, t0)
	finish(t, s, sc.ID, "com.a", "fail", []store.Finding{{Rule: "tencent.bugly", VendorID: "tencent"}})
	s.ApplyJudgements(ctx, nil, []store.Flip{{SettingsVersion: 2, ScanID: sc.ID, OldVerdict: "pass", NewVerdict: "fail"}})
	del, err := s.DeleteScan(ctx, sc.ID)
	if err != nil || del.SHA256 != sc.SHA256 {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	if _, err := s.GetScan(ctx, sc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted scan still there: %v", err)
	}
	if _, err := s.GetExtract(ctx, sc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted extract still there: %v", err)
	}
	if hits, _, _ := s.ListScans(ctx, store.Query{VendorID: "tencent"}); len(hits) != 0 {
		t.Errorf("deleted scan still found by vendor")
	}
	if _, err := s.DeleteScan(ctx, sc.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	// The same package can be uploaded again.
	mustCreate(t, s, newScan(0))
}

func testAuth(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := store.User{Name: "ada", Role: "admin", PasswordHash: "$argon2id$x", CreatedAt: t0}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, u); !errors.Is(err, store.ErrExists) {
		t.Errorf("second user of the same name: %v, want ErrExists", err)
	}
	got, err := s.GetUser(ctx, "ada")
	if err != nil || got.Role != "admin" || got.PasswordHash != u.PasswordHash {
		t.Fatalf("user = %+v, %v", got, err)
	}
	tok := store.Token{ID: "t1", Name: "ci", Role: "reviewer", Hash: "abc", CreatedAt: t0}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TokenByHash(ctx, "abc"); err != nil || got.Name != "ci" || got.Role != "reviewer" {
		t.Fatalf("token = %+v, %v", got, err)
	}
	if _, err := s.TokenByHash(ctx, "abd"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	se := store.Session{Hash: "s1", UserName: "ada", CSRF: "c1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := s.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SessionByHash(ctx, "s1", t0.Add(time.Minute)); err != nil || got.CSRF != "c1" || got.UserName != "ada" {
		t.Fatalf("session = %+v, %v", got, err)
	}
	if _, err := s.SessionByHash(ctx, "s1", t0.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session: %v, want ErrNotFound", err)
	}
	s.DeleteSession(ctx, "s1")
	if _, err := s.SessionByHash(ctx, "s1", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted session: %v, want ErrNotFound", err)
	}
}

func testSettingsAndAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.CurrentSettings(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no settings yet: %v", err)
	}
	a, err := s.AddSettings(ctx, store.Settings{PolicyYAML: "id: a\n", Packs: []string{}, Author: "system", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	sig := store.SignatureFile{Name: "acme.yaml", YAML: "schema: 1\n# \"quoted\" ünïcode\n", Status: "banned", Severity: "high"}
	b, err := s.AddSettings(ctx, store.Settings{PolicyYAML: "id: b\n", Packs: []string{"baidu", "eo13971"}, Signatures: []store.SignatureFile{sig}, Author: "ada", Note: "packs", CreatedAt: t0})
	if err != nil || b.Version <= a.Version {
		t.Fatalf("versions %d then %d, %v", a.Version, b.Version, err)
	}
	cur, err := s.CurrentSettings(ctx)
	if err != nil || cur.Version != b.Version || cur.PolicyYAML != "id: b\n" || fmt.Sprint(cur.Packs) != "[baidu eo13971]" || cur.Author != "ada" {
		t.Fatalf("current = %+v, %v", cur, err)
	}
	if len(cur.Signatures) != 1 || cur.Signatures[0] != sig {
		t.Fatalf("signature files = %+v, want [%+v]", cur.Signatures, sig)
	}
	if all, _ := s.ListSettings(ctx); len(all) != 2 || len(all[1].Packs) != 0 || len(all[1].Signatures) != 0 || len(all[0].Signatures) != 1 {
		t.Errorf("list settings = %+v", all)
	}
	for i, act := range []string{"policy.put", "packs.enable"} {
		if _, err := s.AddAudit(ctx, store.AuditEntry{At: t0.Add(time.Duration(i) * time.Second), Actor: "ada", Action: act, Detail: "d", SettingsVersion: b.Version, Flipped: i + 3}); err != nil {
			t.Fatal(err)
		}
	}
	log, err := s.ListAudit(ctx, 10)
	if err != nil || len(log) != 2 || log[0].Action != "packs.enable" || log[0].Flipped != 4 || !log[1].At.Equal(t0) {
		t.Fatalf("audit = %+v, %v", log, err)
	}
}

func testTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i, tok := range []store.Token{
		{ID: "t2", Name: "ci", Role: "reviewer", Hash: "h2", CreatedAt: t0.Add(time.Minute)},
		{ID: "t1", Name: "ci", Role: "viewer", Hash: "h1", CreatedAt: t0},
		{ID: "t3", Name: "ops", Role: "admin", Hash: "h3", CreatedAt: t0.Add(2 * time.Minute)},
	} {
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("list tokens = %+v, %v", list, err)
	}
	for i, want := range []string{"t1", "t2", "t3"} {
		if list[i].ID != want || list[i].Hash != "" || !list[i].LastUsedAt.IsZero() {
			t.Errorf("token %d = %+v, want id %s, no hash, never used", i, list[i], want)
		}
	}
	if list[1].Name != "ci" || list[1].Role != "reviewer" || !list[1].CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("token t2 = %+v", list[1])
	}

	// Use is recorded, but not again within TokenUseInterval.
	used := t0.Add(time.Hour)
	if err := s.TouchToken(ctx, "t2", used); err != nil {
		t.Fatal(err)
	}
	s.TouchToken(ctx, "t2", used.Add(store.TokenUseInterval/2))
	if got, _ := s.TokenByHash(ctx, "h2"); !got.LastUsedAt.Equal(used) {
		t.Errorf("last used = %v, want %v", got.LastUsedAt, used)
	}
	later := used.Add(2 * store.TokenUseInterval)
	s.TouchToken(ctx, "t2", later)
	if got, _ := s.TokenByHash(ctx, "h2"); !got.LastUsedAt.Equal(later) {
		t.Errorf("last used after the interval = %v, want %v", got.LastUsedAt, later)
	}

	del, err := s.DeleteToken(ctx, "t2")
	if err != nil || del.ID != "t2" || del.Name != "ci" || del.Role != "reviewer" || del.Hash != "" {
		t.Fatalf("delete token = %+v, %v", del, err)
	}
	if _, err := s.TokenByHash(ctx, "h2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token still authenticates: %v", err)
	}
	if _, err := s.DeleteToken(ctx, "t2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	if got, err := s.TokenByHash(ctx, "h1"); err != nil || got.ID != "t1" {
		t.Errorf("the other token of the same name: %+v, %v", got, err)
	}
	if list, _ := s.ListTokens(ctx); len(list) != 2 || list[0].ID != "t1" || list[1].ID != "t3" {
		t.Errorf("tokens after revoking t2 = %+v", list)
	}
}

func testSetPassword(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, name := range []string{"ada", "bob"} {
		if err := s.CreateUser(ctx, store.User{Name: name, Role: "admin", PasswordHash: "old-" + name, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for _, se := range []store.Session{
		{Hash: "a1", UserName: "ada", CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{Hash: "a2", UserName: "ada", CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
		{Hash: "b1", UserName: "bob", CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
	} {
		if err := s.CreateSession(ctx, se); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.SetPassword(ctx, "ada", "new-ada")
	if err != nil || n != 2 {
		t.Fatalf("set password = %d, %v; want 2 sessions ended", n, err)
	}
	if u, _ := s.GetUser(ctx, "ada"); u.PasswordHash != "new-ada" {
		t.Errorf("password hash = %q", u.PasswordHash)
	}
	for _, h := range []string{"a1", "a2"} {
		if _, err := s.SessionByHash(ctx, h, t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session %s of ada survived the password change: %v", h, err)
		}
	}
	if _, err := s.SessionByHash(ctx, "b1", t0); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	if u, _ := s.GetUser(ctx, "bob"); u.PasswordHash != "old-bob" {
		t.Errorf("another user's password changed: %q", u.PasswordHash)
	}
	if _, err := s.SetPassword(ctx, "nobody", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown user: %v, want ErrNotFound", err)
	}
}

func testRetryFailed(t *testing.T, s store.Store) {
	ctx := context.Background()
	sc := mustCreate(t, s, newScan(0))
	other := mustCreate(t, s, newScan(1))
	if _, ok, err := s.RetryScan(ctx, sc.ID); ok || err != nil {
		t.Fatalf("retry of a queued scan: ok=%v err=%v, want refused", ok, err)
	}
	s.ClaimScan(ctx, t0)
	if err := s.FailScan(ctx, sc.ID, "unreadable", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.RetryScan(ctx, sc.ID)
	if err != nil || !ok || got.ID != sc.ID || got.Status != store.StatusQueued || got.Error != "" || got.Attempts != 1 ||
		!got.StartedAt.IsZero() || !got.FinishedAt.IsZero() || got.SHA256 != sc.SHA256 {
		t.Fatalf("retry = %+v ok=%v err=%v; want queued, error cleared, 1 attempt kept", got, ok, err)
	}
	// The retried scan keeps its place: it was queued before the other.
	claimed, ok, _ := s.ClaimScan(ctx, t0.Add(time.Minute))
	if !ok || claimed.ID != sc.ID || claimed.Attempts != 2 {
		t.Fatalf("claim after retry = %+v, want the retried scan on its second attempt", claimed)
	}
	if _, ok, _ := s.RetryScan(ctx, sc.ID); ok {
		t.Error("retried a running scan")
	}
	finish(t, s, sc.ID, "com.a", "pass", nil)
	if got, ok, _ := s.RetryScan(ctx, sc.ID); ok || got.Status != store.StatusDone {
		t.Errorf("retry of a done scan: ok=%v status=%s", ok, got.Status)
	}
	if _, ok, err := s.RetryScan(ctx, "nope"); ok || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("retry of a missing scan: ok=%v err=%v, want ErrNotFound", ok, err)
	}
	if g, _ := s.GetScan(ctx, other.ID); g.Status != store.StatusQueued {
		t.Errorf("other scan = %s, want untouched", g.Status)
	}
}
