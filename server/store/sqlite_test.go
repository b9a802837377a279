package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sdkvet/sdkvet/server/store"
	"github.com/sdkvet/sdkvet/server/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "sdkvet.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestSQLiteReopen checks that the migrations run once and data survives.
func TestSQLiteReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sdkvet.db")
	s, err := store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, store.User{Name: "ada", Role: "admin", PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if u, err := s.GetUser(ctx, "ada"); err != nil || u.Role != "admin" {
		t.Fatalf("after reopen: %+v, %v", u, err)
	}
}
