package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/charterhq/charter/store/postgres"
)

// envURL names the variable holding the server the tests use. Each test
// that needs a database creates its own, so parallel runs do not collide.
const envURL = "CHARTER_TEST_POSTGRES_URL"

func serverURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("CI must run the PostgreSQL store tests: CHARTER_TEST_POSTGRES_URL is not set (.ci/run sets it)")
		}
		tb.Skip("set CHARTER_TEST_POSTGRES_URL to run the PostgreSQL store tests")
	}
	return u
}

// withDatabase returns rawURL pointing at database name instead.
func withDatabase(tb testing.TB, rawURL, name string) string {
	tb.Helper()
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		u, err := url.Parse(rawURL)
		if err != nil {
			tb.Fatal(err)
		}
		u.Path = "/" + name
		return u.String()
	}
	return rawURL + " dbname=" + name
}

// connect opens a plain connection, closed when the test ends.
func connect(tb testing.TB, rawURL string) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// exec runs sql on a fresh connection to rawURL.
func exec(tb testing.TB, rawURL, sql string, args ...any) {
	tb.Helper()
	conn := connect(tb, rawURL)
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// newDatabase creates an empty database, dropped when the test ends, and
// returns its URL.
func newDatabase(tb testing.TB) string {
	tb.Helper()
	server := serverURL(tb)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "charter_test_" + hex.EncodeToString(b)
	exec(tb, server, "CREATE DATABASE "+name)
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), server)
		if err != nil {
			tb.Errorf("drop database %s: %v", name, err)
			return
		}
		defer func() { _ = conn.Close(context.Background()) }()
		if _, err := conn.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	return withDatabase(tb, server, name)
}

// mustOpen opens a store on dbURL, closed when the test ends.
func mustOpen(tb testing.TB, dbURL string, opts postgres.Options) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(tb.Context(), dbURL, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// MustOpen opens a store on a fresh database.
func MustOpen(tb testing.TB) (*postgres.Store, string) {
	tb.Helper()
	dbURL := newDatabase(tb)
	return mustOpen(tb, dbURL, postgres.Options{}), dbURL
}
