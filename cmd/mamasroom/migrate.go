package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"mamasroom/postgres"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mamasroom migrate\n\nApplies the embedded database migrations to DATABASE_URL, then exits.")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return configErrorf("DATABASE_URL is required")
	}
	applied, err := postgres.Migrate(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrate: applied %d migration(s); schema is up to date\n", applied)
	return nil
}
