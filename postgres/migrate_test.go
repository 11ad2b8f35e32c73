package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

func TestMigrateCreatesSchemaOnceAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	url := pgtest.EmptyURL(t)

	applied, err := postgres.Migrate(ctx, url)
	if err != nil {
		t.Fatalf("first migrate: %v", err)
	}
	if applied == 0 {
		t.Fatal("first migrate applied nothing to an empty database")
	}
	again, err := postgres.Migrate(ctx, url)
	if err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if again != 0 {
		t.Errorf("second migrate applied %d migrations, want 0", again)
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var facilities int
	var name, phone string
	if err := conn.QueryRow(ctx, `SELECT count(*), min(name), min(phone) FROM facilities`).Scan(&facilities, &name, &phone); err != nil {
		t.Fatal(err)
	}
	if facilities != 1 || name != "ママズルーム" || phone != "03-6413-8435" {
		t.Errorf("facilities = %d (%q, %q), want the one ママズルーム seeded once", facilities, name, phone)
	}
}

func TestMigrateConcurrentStartsApplyEachMigrationOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.EmptyURL(t)

	const starts = 4
	errs := make(chan error, starts)
	total := make(chan int, starts)
	for range starts {
		go func() {
			n, err := postgres.Migrate(ctx, url)
			errs <- err
			total <- n
		}()
	}
	sum := 0
	for range starts {
		if err := <-errs; err != nil {
			t.Errorf("migrate: %v", err)
		}
		sum += <-total
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var version int
	if err := conn.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if sum != version {
		t.Errorf("the %d starts applied %d migrations in all, want each of the %d once", starts, sum, version)
	}
	var facilities int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM facilities`).Scan(&facilities); err != nil {
		t.Fatal(err)
	}
	if facilities != 1 {
		t.Errorf("facilities = %d after concurrent migrations, want 1", facilities)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE schema_version SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Migrate(ctx, url); !errors.Is(err, postgres.ErrSchemaTooNew) {
		t.Errorf("migrate on a newer schema: err = %v, want ErrSchemaTooNew", err)
	}
}
