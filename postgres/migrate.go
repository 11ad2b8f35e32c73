// Package postgres keeps mamasroom's data in PostgreSQL: the schema
// migrations, the booking store and the webhook inbox.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"mamasroom/migrations"
)

const versionTable = "schema_version"

// ErrSchemaTooNew means the database was migrated by a newer mamasroom; this
// binary would misread it, so it must not run against it.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

// Migrate applies the embedded migrations that the database lacks, each in
// its own transaction. tern holds a Postgres advisory lock meanwhile, so two
// processes starting together apply each migration once.
func Migrate(ctx context.Context, databaseURL string) (applied int, err error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return 0, fmt.Errorf("connect to database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return 0, fmt.Errorf("prepare migrations: %w", err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		return 0, fmt.Errorf("load migrations: %w", err)
	}
	current, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if known := int32(len(m.Migrations)); current > known {
		return 0, fmt.Errorf("%w: database at version %d, program knows %d", ErrSchemaTooNew, current, known)
	}
	// Counted as tern runs them, under its lock: a version read before the
	// lock would count migrations that a concurrent process applied.
	m.OnStart = func(int32, string, string, string) { applied++ }
	if err := m.Migrate(ctx); err != nil {
		return applied, fmt.Errorf("apply migrations: %w", err)
	}
	return applied, nil
}
