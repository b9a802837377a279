package store

import (
	"context"
	"database/sql"
	"fmt"

	// pgx's database/sql driver, registered as "pgx".
	_ "github.com/jackc/pgx/v5/stdlib"
)

// OpenPostgres connects to PostgreSQL (a postgres:// URL) and brings the
// schema up to date; concurrent starts serialise on an advisory lock.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return newSQLStore(ctx, db, dialect{name: "postgres", dollar: true,
		lock: `SELECT pg_advisory_lock(7412001)`, unlock: `SELECT pg_advisory_unlock(7412001)`})
}
