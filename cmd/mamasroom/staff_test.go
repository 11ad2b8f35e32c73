package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mamasroom/postgres/pgtest"
)

// runStaffCreate runs `mamasroom staff create` with stdin.
func runStaffCreate(t *testing.T, e env, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, append([]string{"staff", "create"}, args...), e.getenv, strings.NewReader(stdin), &stdout, &stderr)
	return result{code: exitCode(err, &stderr), stdout: stdout.String(), stderr: stderr.String()}
}

func TestStaffCreate(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.EmptyURL(t) // staff create migrates a new database itself
	e := env{"DATABASE_URL": dbURL}
	const pw = "a long enough password"

	got := runStaffCreate(t, e, pw+"\n", "sato")
	if got.code != 0 || got.stdout != "staff: account sato created; sign in at /staff/\n" {
		t.Fatalf("create sato: %+v", got)
	}
	if strings.Contains(got.stdout+got.stderr, pw) {
		t.Error("the password was printed")
	}
	var hash string
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), `SELECT password_hash FROM staff_accounts WHERE login = 'sato'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$2a$12$") || strings.Contains(hash, pw) {
		t.Errorf("stored hash %q, want bcrypt at cost 12", hash)
	}

	// Windows line ending, no trailing newline: both read as the password.
	if got := runStaffCreate(t, e, pw+"\r\n", "suzuki"); got.code != 0 {
		t.Errorf("CRLF password: %+v", got)
	}
	if got := runStaffCreate(t, e, pw, "tanaka"); got.code != 0 {
		t.Errorf("password without newline: %+v", got)
	}
	if got := runStaffCreate(t, e, pw+"\n", "sato"); got.code != 1 || got.stderr != "mamasroom: staff create: the login \"sato\" is taken\n" {
		t.Errorf("sato again: %+v", got)
	}
}

func TestStaffCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := validServeEnv() // a database that does not exist: nothing may reach it
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"no login", "a long enough password\n", nil, "exactly one LOGIN"},
		{"two logins", "a long enough password\n", []string{"a1", "b2"}, "exactly one LOGIN"},
		{"bad login", "a long enough password\n", []string{"Sato San"}, "a login is 2 to 32 characters"},
		{"short password", "short\n", []string{"sato"}, "at least 12 characters"},
		{"no password", "", []string{"sato"}, "no password on standard input"},
		{"long password", strings.Repeat("x", 73) + "\n", []string{"sato"}, "at most 72 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runStaffCreate(t, e, tc.stdin, tc.args...)
			if got.code != 2 || !strings.Contains(got.stderr, tc.want) || len(lines(got.stderr)) != 1 {
				t.Errorf("got %+v, want exit 2 and one line with %q", got, tc.want)
			}
			assertNoSecrets(t, got.stdout, got.stderr)
		})
	}
	if got := runMain(t, e, "staff", "delete", "sato"); got.code != 2 || !strings.Contains(got.stderr, `unknown action "delete"`) {
		t.Errorf("staff delete: %+v", got)
	}
	if got := runStaffCreate(t, env{}, "a long enough password\n", "sato"); got.code != 2 || !strings.Contains(got.stderr, "DATABASE_URL is required") {
		t.Errorf("no DATABASE_URL: %+v", got)
	}
}
