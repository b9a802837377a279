package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/server/store/storetest"
)

// TestPostgres runs the suite against the server named by
// SDKVET_TEST_POSTGRES_URL (scripts/start-test-postgres.sh starts one);
// each subtest gets a database of its own.
func TestPostgres(t *testing.T) {
	base := os.Getenv("SDKVET_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("SDKVET_TEST_POSTGRES_URL not set (scripts/start-test-postgres.sh starts a throwaway server)")
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		return OpenTestPostgres(t, base)
	})
}

// OpenTestPostgres creates a fresh database on the server at base and
// opens a store on it; the database is dropped when the test ends.
func OpenTestPostgres(t *testing.T, base string) store.Store {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "sdkvet_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	s, err := store.OpenPostgres(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		if a, err := sql.Open("pgx", base); err == nil {
			a.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			a.Close()
		}
	})
	return s
}
