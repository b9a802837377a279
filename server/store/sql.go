package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrations embed.FS

// dialect holds what differs between the SQL databases.
type dialect struct {
	name string
	// dollar placeholders ($1) instead of ?.
	dollar bool
	// lock serialises migrations across processes (PostgreSQL).
	lock, unlock string
}

// sqlStore implements Store over database/sql.
type sqlStore struct {
	db *sql.DB
	d  dialect
	// rebound caches queries rewritten for the dialect.
	rebound map[string]string
}

func newSQLStore(ctx context.Context, db *sql.DB, d dialect) (*sqlStore, error) {
	s := &sqlStore{db: db, d: d}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// q rewrites ? placeholders for the dialect.
func (s *sqlStore) q(query string) string {
	if !s.d.dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *sqlStore) migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if s.d.lock != "" {
		if _, err := conn.ExecContext(ctx, s.d.lock); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), s.d.unlock)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	dir := path.Join("migrations", s.d.name)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		name := e.Name()
		var n int
		if err := conn.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), name).Scan(&n); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile(path.Join(dir, name))
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		for _, stmt := range strings.Split(string(body), ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate %s: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version) VALUES (?)`), name); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

func (s *sqlStore) Close() error { return s.db.Close() }

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

const scanCols = `id, sha256, filename, size, kind, status, error, verdict, complete, app_id, bundle_id, label, version,
 uploaded_by, created_at, started_at, finished_at, attempts, findings_hash, judged_version`

type rowScanner interface{ Scan(dest ...any) error }

func scanRow(r rowScanner) (Scan, error) {
	var sc Scan
	var complete int
	var created, started, finished int64
	err := r.Scan(&sc.ID, &sc.SHA256, &sc.Filename, &sc.Size, &sc.Kind, &sc.Status, &sc.Error, &sc.Verdict, &complete,
		&sc.AppID, &sc.BundleID, &sc.Label, &sc.Version, &sc.UploadedBy, &created, &started, &finished, &sc.Attempts,
		&sc.FindingsHash, &sc.JudgedVersion)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, ErrNotFound
	}
	sc.Complete = complete != 0
	sc.CreatedAt, sc.StartedAt, sc.FinishedAt = fromMicros(created), fromMicros(started), fromMicros(finished)
	return sc, err
}

func (s *sqlStore) CreateScan(ctx context.Context, sc Scan) (Scan, bool, error) {
	if sc.Status == "" {
		sc.Status = StatusQueued
	}
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO scans (id, sha256, filename, size, status, uploaded_by, created_at)
 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
		sc.ID, sc.SHA256, sc.Filename, sc.Size, sc.Status, sc.UploadedBy, micros(sc.CreatedAt))
	if err != nil {
		return Scan{}, false, fmt.Errorf("create scan: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Scan{}, false, fmt.Errorf("create scan: %w", err)
	}
	if n == 0 {
		got, err := s.ScanBySHA256(ctx, sc.SHA256)
		if err != nil {
			return Scan{}, false, fmt.Errorf("create scan: existing: %w", err)
		}
		return got, false, nil
	}
	got, err := s.GetScan(ctx, sc.ID)
	return got, true, err
}

func (s *sqlStore) GetScan(ctx context.Context, id string) (Scan, error) {
	return scanRow(s.db.QueryRowContext(ctx, s.q(`SELECT `+scanCols+` FROM scans WHERE id = ?`), id))
}

func (s *sqlStore) ScanBySHA256(ctx context.Context, sha string) (Scan, error) {
	return scanRow(s.db.QueryRowContext(ctx, s.q(`SELECT `+scanCols+` FROM scans WHERE sha256 = ?`), sha))
}

func (s *sqlStore) ListScans(ctx context.Context, q Query) ([]Scan, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if q.AppID != "" {
		add("app_id = ?", q.AppID)
	}
	if q.BundleID != "" {
		add("bundle_id = ?", q.BundleID)
	}
	if q.Verdict != "" {
		add("verdict = ?", q.Verdict)
	}
	if q.Status != "" {
		add("status = ?", q.Status)
	}
	if !q.Since.IsZero() {
		add("created_at >= ?", micros(q.Since))
	}
	if !q.Until.IsZero() {
		add("created_at < ?", micros(q.Until))
	}
	if q.Text != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q.Text)) + "%"
		where = append(where, `(LOWER(filename) LIKE ? ESCAPE '\' OR LOWER(app_id) LIKE ? ESCAPE '\' OR LOWER(bundle_id) LIKE ? ESCAPE '\'
 OR LOWER(label) LIKE ? ESCAPE '\' OR sha256 LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like, like, like)
	}
	if q.VendorID != "" {
		add("id IN (SELECT scan_id FROM findings WHERE vendor_id = ?)", q.VendorID)
	}
	if q.Rule != "" {
		add("id IN (SELECT scan_id FROM findings WHERE rule = ?)", q.Rule)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM scans`+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list scans: %w", err)
	}
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+scanCols+` FROM scans`+cond+` ORDER BY seq DESC LIMIT ? OFFSET ?`),
		append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list scans: %w", err)
	}
	defer rows.Close()
	out := []Scan{}
	for rows.Next() {
		sc, err := scanRow(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list scans: %w", err)
		}
		out = append(out, sc)
	}
	return out, total, rows.Err()
}

func (s *sqlStore) DeleteScan(ctx context.Context, id string) (Scan, error) {
	sc, err := s.GetScan(ctx, id)
	if err != nil {
		return sc, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"flips", "findings", "extracts"} {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+t+` WHERE scan_id = ?`), id); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM scans WHERE id = ?`), id)
		return err
	})
	if err != nil {
		return sc, fmt.Errorf("delete scan %s: %w", id, err)
	}
	return sc, nil
}

func (s *sqlStore) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *sqlStore) ClaimScan(ctx context.Context, now time.Time) (Scan, bool, error) {
	for range 10 {
		var id string
		err := s.db.QueryRowContext(ctx, s.q(`SELECT id FROM scans WHERE status = ? ORDER BY seq LIMIT 1`), StatusQueued).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return Scan{}, false, nil
		}
		if err != nil {
			return Scan{}, false, fmt.Errorf("claim scan: %w", err)
		}
		// Only the claimer that still sees it queued wins.
		res, err := s.db.ExecContext(ctx, s.q(`UPDATE scans SET status = ?, started_at = ?, attempts = attempts + 1 WHERE id = ? AND status = ?`),
			StatusRunning, micros(now), id, StatusQueued)
		if err != nil {
			return Scan{}, false, fmt.Errorf("claim scan: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			sc, err := s.GetScan(ctx, id)
			return sc, err == nil, err
		}
	}
	return Scan{}, false, nil
}

func (s *sqlStore) RequeueRunning(ctx context.Context, maxAttempts int) (int, error) {
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE scans SET status = ?, error = ? WHERE status = ? AND attempts >= ?`),
		StatusFailed, "the scan stopped the service "+strconv.Itoa(maxAttempts)+" times", StatusRunning, maxAttempts); err != nil {
		return 0, fmt.Errorf("requeue: %w", err)
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE scans SET status = ? WHERE status = ?`), StatusQueued, StatusRunning)
	if err != nil {
		return 0, fmt.Errorf("requeue: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (s *sqlStore) FinishScan(ctx context.Context, id string, r Result, now time.Time) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM extracts WHERE scan_id = ?`), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO extracts (scan_id, data) VALUES (?, ?)`), id, r.Extract); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE scans SET status = ?, error = '', kind = ?, app_id = ?, bundle_id = ?, label = ?, version = ?,
 finished_at = ? WHERE id = ?`), StatusDone, r.Kind, r.AppID, r.BundleID, r.Label, r.Version, micros(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		r.Judgement.ScanID = id
		return s.applyOne(ctx, tx, r.Judgement)
	})
	if err != nil {
		return fmt.Errorf("finish scan %s: %w", id, err)
	}
	return nil
}

func (s *sqlStore) applyOne(ctx context.Context, tx *sql.Tx, j Judgement) error {
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE scans SET verdict = ?, complete = ?, findings_hash = ?, judged_version = ? WHERE id = ?`),
		j.Verdict, b2i(j.Complete), j.FindingsHash, j.JudgedVersion, j.ScanID); err != nil {
		return err
	}
	if j.Findings == nil {
		return nil // unchanged findings
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM findings WHERE scan_id = ?`), j.ScanID); err != nil {
		return err
	}
	if len(j.Findings) == 0 {
		return nil
	}
	ins, err := tx.PrepareContext(ctx, s.q(`INSERT INTO findings (scan_id, rule, kind, name, vendor_id, vendor, severity, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, f := range j.Findings {
		if _, err := ins.ExecContext(ctx, j.ScanID, f.Rule, f.Kind, f.Name, f.VendorID, f.Vendor, f.Severity, b2i(f.Suppressed)); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqlStore) FailScan(ctx context.Context, id, msg string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE scans SET status = ?, error = ?, finished_at = ? WHERE id = ?`), StatusFailed, msg, micros(now), id)
	if err != nil {
		return fmt.Errorf("fail scan %s: %w", id, err)
	}
	return nil
}

func (s *sqlStore) RetryScan(ctx context.Context, id string) (Scan, bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE scans SET status = ?, error = '', started_at = 0, finished_at = 0 WHERE id = ? AND status = ?`),
		StatusQueued, id, StatusFailed)
	if err != nil {
		return Scan{}, false, fmt.Errorf("retry scan %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Scan{}, false, fmt.Errorf("retry scan %s: %w", id, err)
	}
	sc, err := s.GetScan(ctx, id)
	if err != nil {
		return sc, false, fmt.Errorf("retry scan %s: %w", id, err)
	}
	return sc, n == 1, nil
}

func (s *sqlStore) GetExtract(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT data FROM extracts WHERE scan_id = ?`), id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return data, err
}

func (s *sqlStore) Extracts(ctx context.Context, afterID string, version int64, limit int) ([]StoredExtract, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT s.id, s.verdict, s.findings_hash, s.judged_version, e.data FROM scans s JOIN extracts e ON e.scan_id = s.id
 WHERE s.status = ? AND s.id > ? AND s.judged_version < ? ORDER BY s.id LIMIT ?`), StatusDone, afterID, version, limit)
	if err != nil {
		return nil, fmt.Errorf("read extracts: %w", err)
	}
	defer rows.Close()
	var out []StoredExtract
	for rows.Next() {
		var e StoredExtract
		if err := rows.Scan(&e.ScanID, &e.Verdict, &e.FindingsHash, &e.JudgedVersion, &e.Data); err != nil {
			return nil, fmt.Errorf("read extracts: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *sqlStore) ApplyJudgements(ctx context.Context, js []Judgement, flips []Flip) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, j := range js {
			if err := s.applyOne(ctx, tx, j); err != nil {
				return err
			}
		}
		for _, f := range flips {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO flips (settings_version, scan_id, old_verdict, new_verdict) VALUES (?, ?, ?, ?)`),
				f.SettingsVersion, f.ScanID, f.OldVerdict, f.NewVerdict); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("apply judgements: %w", err)
	}
	return nil
}

func (s *sqlStore) ScanFindings(ctx context.Context, id string) ([]Finding, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT rule, kind, name, vendor_id, vendor, severity, suppressed FROM findings WHERE scan_id = ? ORDER BY rule`), id)
	if err != nil {
		return nil, fmt.Errorf("scan findings: %w", err)
	}
	defer rows.Close()
	out := []Finding{}
	for rows.Next() {
		var f Finding
		var sup int
		if err := rows.Scan(&f.Rule, &f.Kind, &f.Name, &f.VendorID, &f.Vendor, &f.Severity, &sup); err != nil {
			return nil, fmt.Errorf("scan findings: %w", err)
		}
		f.Suppressed = sup != 0
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *sqlStore) CountByStatus(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM scans GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count scans: %w", err)
	}
	defer rows.Close()
	out := map[string]int{StatusQueued: 0, StatusRunning: 0, StatusDone: 0, StatusFailed: 0}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count scans: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

func (s *sqlStore) insert(ctx context.Context, what, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.q(query+` ON CONFLICT DO NOTHING`), args...)
	if err != nil {
		return fmt.Errorf("create %s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("create %s: %w", what, ErrExists)
	}
	return nil
}

func (s *sqlStore) CreateUser(ctx context.Context, u User) error {
	return s.insert(ctx, "user "+u.Name, `INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)`,
		u.Name, u.Role, u.PasswordHash, micros(u.CreatedAt))
}

func (s *sqlStore) GetUser(ctx context.Context, name string) (User, error) {
	var u User
	var created int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT name, role, password_hash, created_at FROM users WHERE name = ?`), name).
		Scan(&u.Name, &u.Role, &u.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.CreatedAt = fromMicros(created)
	return u, err
}

func (s *sqlStore) SetPassword(ctx context.Context, name, passwordHash string) (int, error) {
	var ended int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET password_hash = ? WHERE name = ?`), passwordHash, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		if res, err = tx.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE user_name = ?`), name); err != nil {
			return err
		}
		ended, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("set password of %s: %w", name, err)
	}
	return int(ended), nil
}

func (s *sqlStore) CreateToken(ctx context.Context, t Token) error {
	return s.insert(ctx, "token "+t.Name, `INSERT INTO tokens (id, name, role, hash, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.Name, t.Role, t.Hash, micros(t.CreatedAt), micros(t.LastUsedAt))
}

const tokenCols = `id, name, role, hash, created_at, last_used_at`

func tokenRow(r rowScanner) (Token, error) {
	var t Token
	var created, used int64
	err := r.Scan(&t.ID, &t.Name, &t.Role, &t.Hash, &created, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	t.CreatedAt, t.LastUsedAt = fromMicros(created), fromMicros(used)
	return t, err
}

func (s *sqlStore) TokenByHash(ctx context.Context, hash string) (Token, error) {
	return tokenRow(s.db.QueryRowContext(ctx, s.q(`SELECT `+tokenCols+` FROM tokens WHERE hash = ?`), hash))
}

func (s *sqlStore) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := tokenRow(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.Hash = ""
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *sqlStore) DeleteToken(ctx context.Context, id string) (Token, error) {
	var t Token
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = tokenRow(tx.QueryRowContext(ctx, s.q(`SELECT `+tokenCols+` FROM tokens WHERE id = ?`), id))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM tokens WHERE id = ?`), id)
		return err
	})
	t.Hash = ""
	if err != nil {
		return Token{}, fmt.Errorf("delete token %s: %w", id, err)
	}
	return t, nil
}

func (s *sqlStore) TouchToken(ctx context.Context, id string, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE tokens SET last_used_at = ? WHERE id = ? AND last_used_at < ?`),
		micros(now), id, micros(now.Add(-TokenUseInterval))); err != nil {
		return fmt.Errorf("record use of token %s: %w", id, err)
	}
	return nil
}

func (s *sqlStore) CreateSession(ctx context.Context, se Session) error {
	// Expired sessions go when a new one is made.
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE expires_at < ?`), micros(se.CreatedAt)); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return s.insert(ctx, "session", `INSERT INTO sessions (hash, user_name, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		se.Hash, se.UserName, se.CSRF, micros(se.CreatedAt), micros(se.ExpiresAt))
}

func (s *sqlStore) SessionByHash(ctx context.Context, hash string, now time.Time) (Session, error) {
	var se Session
	var created, expires int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT hash, user_name, csrf, created_at, expires_at FROM sessions WHERE hash = ? AND expires_at > ?`), hash, micros(now)).
		Scan(&se.Hash, &se.UserName, &se.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return se, ErrNotFound
	}
	se.CreatedAt, se.ExpiresAt = fromMicros(created), fromMicros(expires)
	return se, err
}

func (s *sqlStore) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE hash = ?`), hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

const settingsCols = `version, policy_yaml, packs, signatures, author, note, created_at`

func settingsRow(r rowScanner) (Settings, error) {
	var st Settings
	var packs, sigs string
	var created int64
	err := r.Scan(&st.Version, &st.PolicyYAML, &packs, &sigs, &st.Author, &st.Note, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return st, ErrNotFound
	}
	if err != nil {
		return st, err
	}
	st.Packs = []string{}
	if packs != "" {
		st.Packs = strings.Split(packs, ",")
	}
	st.Signatures = []SignatureFile{}
	if sigs != "" {
		if err := json.Unmarshal([]byte(sigs), &st.Signatures); err != nil {
			return st, fmt.Errorf("settings version %d: signatures: %w", st.Version, err)
		}
	}
	st.CreatedAt = fromMicros(created)
	return st, nil
}

func (s *sqlStore) CurrentSettings(ctx context.Context) (Settings, error) {
	return settingsRow(s.db.QueryRowContext(ctx, `SELECT `+settingsCols+` FROM settings ORDER BY version DESC LIMIT 1`))
}

func (s *sqlStore) AddSettings(ctx context.Context, st Settings) (Settings, error) {
	for _, p := range st.Packs {
		if strings.Contains(p, ",") {
			return st, fmt.Errorf("add settings: pack id %q has a comma", p)
		}
	}
	sigs := ""
	if len(st.Signatures) > 0 {
		b, err := json.Marshal(st.Signatures)
		if err != nil {
			return st, fmt.Errorf("add settings: %w", err)
		}
		sigs = string(b)
	}
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO settings (policy_yaml, packs, signatures, author, note, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING version`),
		st.PolicyYAML, strings.Join(st.Packs, ","), sigs, st.Author, st.Note, micros(st.CreatedAt)).Scan(&st.Version)
	if err != nil {
		return st, fmt.Errorf("add settings: %w", err)
	}
	return st, nil
}

func (s *sqlStore) ListSettings(ctx context.Context) ([]Settings, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+settingsCols+` FROM settings ORDER BY version DESC`)
	if err != nil {
		return nil, fmt.Errorf("list settings: %w", err)
	}
	defer rows.Close()
	out := []Settings{}
	for rows.Next() {
		st, err := settingsRow(rows)
		if err != nil {
			return nil, fmt.Errorf("list settings: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func (s *sqlStore) Flips(ctx context.Context, version int64) ([]Flip, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT f.settings_version, f.scan_id, f.old_verdict, f.new_verdict, s.filename, s.app_id, s.bundle_id, s.label
 FROM flips f JOIN scans s ON s.id = f.scan_id WHERE f.settings_version = ? ORDER BY s.filename, s.id`), version)
	if err != nil {
		return nil, fmt.Errorf("flips: %w", err)
	}
	defer rows.Close()
	out := []Flip{}
	for rows.Next() {
		var f Flip
		if err := rows.Scan(&f.SettingsVersion, &f.ScanID, &f.OldVerdict, &f.NewVerdict, &f.Filename, &f.AppID, &f.BundleID, &f.Label); err != nil {
			return nil, fmt.Errorf("flips: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *sqlStore) AddAudit(ctx context.Context, a AuditEntry) (AuditEntry, error) {
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO audit (at, actor, action, detail, settings_version, flipped) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
		micros(a.At), a.Actor, a.Action, a.Detail, a.SettingsVersion, a.Flipped).Scan(&a.ID)
	if err != nil {
		return a, fmt.Errorf("add audit entry: %w", err)
	}
	return a, nil
}

func (s *sqlStore) ListAudit(ctx context.Context, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, at, actor, action, detail, settings_version, flipped FROM audit ORDER BY id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var a AuditEntry
		var at int64
		if err := rows.Scan(&a.ID, &at, &a.Actor, &a.Action, &a.Detail, &a.SettingsVersion, &a.Flipped); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		a.At = fromMicros(at)
		out = append(out, a)
	}
	return out, rows.Err()
}
