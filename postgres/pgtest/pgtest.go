// Package pgtest gives each test its own migrated Postgres database, so test
// packages and parallel tests never see each other's rows.
//
// scripts/test starts a private server and sets TEST_DATABASE_URL to a
// database on it that the test user may create databases from.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/postgres"
)

// URL returns the address of a new, migrated database that is dropped when
// the test ends.
func URL(t testing.TB) string {
	t.Helper()
	admin := adminURL(t)
	template := migratedTemplate(t, admin)

	name := "t_" + rand.Text()[:16]
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %q TEMPLATE %q`, lower(name), template)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("pgtest: connect for cleanup: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, lower(name))); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return withDatabase(t, admin, lower(name))
}

// Pool returns a pool on a new, migrated database, closed when the test ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// AdminURL is the server's maintenance database, for tests of migrate itself.
func AdminURL(t testing.TB) string {
	t.Helper()
	return adminURL(t)
}

// EmptyURL returns a new database with no schema at all, dropped at the end.
func EmptyURL(t testing.TB) string {
	t.Helper()
	admin := adminURL(t)
	name := lower("e_" + rand.Text()[:16])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %q`, name)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, name))
	})
	return withDatabase(t, admin, name)
}

func adminURL(t testing.TB) string {
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("TEST_DATABASE_URL is not set: run the tests with scripts/test")
		}
		t.Skip("TEST_DATABASE_URL is not set: run the tests with scripts/test")
	}
	return u
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// migratedTemplate migrates one template database per test binary; copying
// it is much faster than migrating a database for every test.
func migratedTemplate(t testing.TB, admin string) string {
	templateOnce.Do(func() {
		ctx := context.Background()
		name := lower("tpl_" + rand.Text()[:16])
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			templateErr = err
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %q`, name)); err != nil {
			templateErr = err
			return
		}
		u, err := databaseURL(admin, name)
		if err != nil {
			templateErr = err
			return
		}
		if _, err := postgres.Migrate(ctx, u); err != nil {
			templateErr = err
			return
		}
		templateName = name
	})
	if templateErr != nil {
		t.Fatalf("pgtest: prepare template database: %v", templateErr)
	}
	return templateName
}

func withDatabase(t testing.TB, admin, name string) string {
	u, err := databaseURL(admin, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

func databaseURL(admin, name string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", fmt.Errorf("parse TEST_DATABASE_URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func lower(s string) string { return strings.ToLower(s) }
