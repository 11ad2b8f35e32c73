package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"mamasroom/postgres"
)

const migrateUsage = "usage: mamasroom migrate\n\nApplies the embedded database migrations to DATABASE_URL, then exits.\n"

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	if err := parseFlags(fs, args, migrateUsage, stdout); err != nil {
		return err
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	if err := cfg.ValidateDatabase(); err != nil {
		return err
	}
	applied, err := postgres.Migrate(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrate: applied %d migration(s); schema is up to date\n", applied)
	return nil
}
