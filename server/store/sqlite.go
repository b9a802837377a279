package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	// The pure-Go SQLite driver (no cgo), registered as "sqlite".
	_ "modernc.org/sqlite"
)

// OpenSQLite opens (creating if needed) the SQLite database file at path in
// WAL mode and brings its schema up to date.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	v := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(15000)", "foreign_keys(ON)", "synchronous(NORMAL)"} {
		v.Add("_pragma", p)
	}
	// Write transactions take the lock when they begin, so two writers
	// wait on the busy timeout instead of failing to upgrade a read lock.
	v.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+v.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: journal mode %q, want wal", path, mode)
	}
	return newSQLStore(ctx, db, dialect{name: "sqlite"})
}
