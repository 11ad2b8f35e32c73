package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/postgres"
	"mamasroom/staff"
)

const staffUsage = `usage: mamasroom staff create LOGIN

Creates a staff account of the console (/staff/). The password is read from
the first line of standard input, so it never shows in the process list or
the shell's history:

  mamasroom staff create sato < password-file
  printf '%s\n' "$PASSWORD" | mamasroom staff create sato

A login is 2 to 32 characters: a-z, 0-9, '.', '-', '_'. A password has at
least 12 characters and at most 72 bytes. Needs DATABASE_URL; migrates the
database first.
`

func runStaff(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		if len(args) == 0 {
			return usageErrorf("staff: no action given (mamasroom staff -h)")
		}
		io.WriteString(stdout, staffUsage)
		return flag.ErrHelp
	}
	if args[0] != "create" {
		return usageErrorf("staff: unknown action %q (mamasroom staff -h)", args[0])
	}
	fs := flag.NewFlagSet("staff create", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			io.WriteString(stdout, staffUsage)
			return err
		}
		return usageErrorf("staff create: %v", err)
	}
	if fs.NArg() != 1 {
		return usageErrorf("staff create: give exactly one LOGIN (mamasroom staff -h)")
	}
	login := fs.Arg(0)
	if err := staff.ValidLogin(login); err != nil {
		return usageErrorf("staff create: %v", err)
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	if err := cfg.ValidateDatabase(); err != nil {
		return err
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	hash, err := staff.HashPassword(password)
	if err != nil {
		return usageErrorf("staff create: %v", err)
	}

	if _, err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	f, err := postgres.NewStore(pool).FacilityBySlug(ctx, facilitySlug)
	if err != nil {
		return fmt.Errorf("load facility %s: %w", facilitySlug, err)
	}
	now := programClock(cfg).Now()
	if _, err := postgres.NewStaffStore(pool, postgres.NewOutbox(pool, f.ID)).CreateAccount(ctx, f.ID, login, hash, now); err != nil {
		if errors.Is(err, staff.ErrLoginTaken) {
			return fmt.Errorf("staff create: the login %q is taken", login)
		}
		return err
	}
	fmt.Fprintf(stdout, "staff: account %s created; sign in at /staff/\n", login)
	return nil
}

// readPassword reads the first line of stdin, without its line ending.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("staff create: read password: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", usageErrorf("staff create: no password on standard input")
	}
	return line, nil
}

// createDemoStaff makes the demo's staff account, or gives it a fresh
// password when a demo ran on this database before.
func createDemoStaff(ctx context.Context, store *postgres.StaffStore, facilityID int64, at time.Time, password string) error {
	hash, err := staff.HashDemoPassword(password)
	if err != nil {
		return err
	}
	_, err = store.CreateAccount(ctx, facilityID, demoStaffLogin, hash, at)
	if errors.Is(err, staff.ErrLoginTaken) {
		return store.ResetPassword(ctx, facilityID, demoStaffLogin, hash)
	}
	return err
}

const demoStaffLogin = "demo"
