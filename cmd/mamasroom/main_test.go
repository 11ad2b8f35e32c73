package main

import (
	"bytes"
	"context"
	"io/fs"
	"maps"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mamasroom/migrations"
	"mamasroom/postgres/pgtest"
)

// Recognisable secret values: no output of the program may ever hold them.
const (
	testChannelSecret = "chsecret-7f3a9e61-DO-NOT-PRINT"
	testAccessToken   = "actoken-c41d2b08-DO-NOT-PRINT"
	testDBPassword    = "dbpass-91e0aa-DO-NOT-PRINT"
	testRedisPassword = "redispass-55c3-DO-NOT-PRINT"
)

var secrets = []string{testChannelSecret, testAccessToken, testDBPassword, testRedisPassword}

// env is the program's environment in a test; getenv is what run reads.
type env map[string]string

func (e env) getenv(key string) string { return e[key] }

// with returns a copy of e with pairs of key, value set; an empty value
// unsets the key.
func (e env) with(kv ...string) env {
	out := maps.Clone(e)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// validServeEnv is a complete, well-formed configuration whose storage does
// not exist: a case that gets past validation fails with status 1, not 2.
func validServeEnv() env {
	return env{
		"LINE_CHANNEL_SECRET":       testChannelSecret,
		"LINE_CHANNEL_ACCESS_TOKEN": testAccessToken,
		"DATABASE_URL":              "postgres://mamasroom:" + testDBPassword + "@127.0.0.1:1/nowhere?sslmode=disable",
		"REDIS_URL":                 "redis://:" + testRedisPassword + "@127.0.0.1:1/0",
		"HTTP_ADDR":                 "127.0.0.1:0",
	}
}

// result is what an operator sees of one run of the program.
type result struct {
	code           int
	stdout, stderr string
}

// runMain runs the program to its end the way main does, with an exit status.
func runMain(t *testing.T, e env, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, args, e.getenv, strings.NewReader(""), &stdout, &stderr)
	code := exitCode(err, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// assertNoSecrets fails the test when any secret value shows in the output.
func assertNoSecrets(t *testing.T, outputs ...string) {
	t.Helper()
	for _, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("output shows the secret %q:\n%s", s, out)
			}
		}
	}
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestBadInvocations(t *testing.T) {
	t.Parallel()
	serveEnv := validServeEnv()
	tests := []struct {
		name string
		env  env
		args []string
		// want is in the one "mamasroom: " error line.
		want string
		// usage is true when the usage text may come before the error line
		// (bad subcommands and flags); configuration errors are one line only.
		usage bool
	}{
		{name: "no subcommand", env: serveEnv, args: nil, want: "no subcommand", usage: true},
		{name: "unknown subcommand", env: serveEnv, args: []string{"frobnicate"}, want: `"frobnicate"`, usage: true},
		{name: "serve bad flag", env: serveEnv, args: []string{"serve", "-nope"}, want: "-nope", usage: true},
		{name: "migrate bad flag", env: serveEnv, args: []string{"migrate", "-nope"}, want: "-nope", usage: true},
		{name: "remind bad flag", env: serveEnv, args: []string{"remind", "-nope"}, want: "-nope", usage: true},
		{name: "remind without -date", env: serveEnv, args: []string{"remind"}, want: "-date"},
		{name: "remind -date not a date", env: serveEnv, args: []string{"remind", "-date", "2026-02-30"}, want: "-date"},
		{name: "remind without a token", env: serveEnv.with("LINE_CHANNEL_ACCESS_TOKEN", ""), args: []string{"remind", "-date", "2026-12-04"}, want: "LINE_CHANNEL_ACCESS_TOKEN"},
		{name: "serve stray argument", env: serveEnv, args: []string{"serve", "now"}, want: `"now"`},
		{name: "migrate stray argument", env: serveEnv, args: []string{"migrate", "now"}, want: `"now"`},

		{name: "migrate without DATABASE_URL", env: serveEnv.with("DATABASE_URL", ""), args: []string{"migrate"}, want: "DATABASE_URL"},
		{name: "migrate malformed DATABASE_URL", env: serveEnv.with("DATABASE_URL", "mysql://root:"+testDBPassword+"@db/app"), args: []string{"migrate"}, want: "DATABASE_URL"},
		{name: "migrate malformed REMINDER_AT", env: serveEnv.with("REMINDER_AT", "25:00"), args: []string{"migrate"}, want: "REMINDER_AT"},
		{name: "migrate malformed MAMASROOM_CLOCK", env: serveEnv.with("MAMASROOM_CLOCK", "tomorrow"), args: []string{"migrate"}, want: "MAMASROOM_CLOCK"},

		{name: "serve without LINE_CHANNEL_SECRET", env: serveEnv.with("LINE_CHANNEL_SECRET", ""), args: []string{"serve"}, want: "LINE_CHANNEL_SECRET"},
		{name: "serve without LINE_CHANNEL_ACCESS_TOKEN", env: serveEnv.with("LINE_CHANNEL_ACCESS_TOKEN", ""), args: []string{"serve"}, want: "LINE_CHANNEL_ACCESS_TOKEN"},
		{name: "serve without DATABASE_URL", env: serveEnv.with("DATABASE_URL", ""), args: []string{"serve"}, want: "DATABASE_URL"},
		{name: "serve without REDIS_URL", env: serveEnv.with("REDIS_URL", ""), args: []string{"serve"}, want: "REDIS_URL"},
		{name: "serve blank LINE_CHANNEL_SECRET", env: serveEnv.with("LINE_CHANNEL_SECRET", "   "), args: []string{"serve"}, want: "LINE_CHANNEL_SECRET"},
		{name: "serve malformed REDIS_URL", env: serveEnv.with("REDIS_URL", "localhost:6379"), args: []string{"serve"}, want: "REDIS_URL"},
		{name: "serve http REDIS_URL", env: serveEnv.with("REDIS_URL", "http://:"+testRedisPassword+"@127.0.0.1:6379/0"), args: []string{"serve"}, want: "REDIS_URL"},
		{name: "serve malformed DATABASE_URL", env: serveEnv.with("DATABASE_URL", "mysql://root:"+testDBPassword+"@db/app"), args: []string{"serve"}, want: "DATABASE_URL"},
		{name: "serve REMINDER_AT 25:00", env: serveEnv.with("REMINDER_AT", "25:00"), args: []string{"serve"}, want: "REMINDER_AT"},
		{name: "serve REMINDER_AT 6pm", env: serveEnv.with("REMINDER_AT", "6pm"), args: []string{"serve"}, want: "REMINDER_AT"},
		{name: "serve MAMASROOM_CLOCK tomorrow", env: serveEnv.with("MAMASROOM_CLOCK", "tomorrow"), args: []string{"serve"}, want: "MAMASROOM_CLOCK"},
		{name: "serve LINE_API_BASE_URL ftp", env: serveEnv.with("LINE_API_BASE_URL", "ftp://x"), args: []string{"serve"}, want: "LINE_API_BASE_URL"},
		{name: "serve LINE_API_BASE_URL without scheme", env: serveEnv.with("LINE_API_BASE_URL", "api.line.me"), args: []string{"serve"}, want: "LINE_API_BASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := runMain(t, tt.env, tt.args...)
			if got.code != 2 {
				t.Errorf("exit status %d, want 2\nstderr:\n%s", got.code, got.stderr)
			}
			if got.stdout != "" {
				t.Errorf("stdout should be empty, got:\n%s", got.stdout)
			}
			assertNoSecrets(t, got.stdout, got.stderr)

			errLines := lines(got.stderr)
			if !tt.usage && len(errLines) != 1 {
				t.Fatalf("stderr has %d lines, want exactly one:\n%s", len(errLines), got.stderr)
			}
			if len(errLines) == 0 {
				t.Fatal("stderr is empty, want an error line")
			}
			var mamasroomLines int
			for _, l := range errLines {
				if strings.HasPrefix(l, "mamasroom: ") {
					mamasroomLines++
				}
			}
			last := errLines[len(errLines)-1]
			if mamasroomLines != 1 || !strings.HasPrefix(last, "mamasroom: ") {
				t.Errorf("want one error line %q... at the end of stderr, got:\n%s", "mamasroom: ", got.stderr)
			}
			if !strings.Contains(last, tt.want) {
				t.Errorf("error line %q does not name %s", last, tt.want)
			}
		})
	}
}

// TestBadConfigLeavesDatabaseUntouched: a serve refused for its
// configuration does nothing half-done, not even migrating.
func TestBadConfigLeavesDatabaseUntouched(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	for name, bad := range map[string][]string{
		"malformed REDIS_URL":      {"REDIS_URL", "nonsense"},
		"REDIS_URL with a bad db":  {"REDIS_URL", "redis://localhost:6379/abc"},
		"HTTP_ADDR already in use": {"HTTP_ADDR", busy.Addr().String()},
		"HTTP_ADDR not an address": {"HTTP_ADDR", "nowhere:port"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dbURL := pgtest.EmptyURL(t)
			got := runMain(t, validServeEnv().with("DATABASE_URL", dbURL, bad[0], bad[1]), "serve")
			if got.code != 2 {
				t.Fatalf("exit status %d, want 2\nstderr:\n%s", got.code, got.stderr)
			}
			if !strings.Contains(got.stderr, bad[0]) {
				t.Errorf("the error does not name %s:\n%s", bad[0], got.stderr)
			}
			if n := tableCount(t, dbURL); n != 0 {
				t.Errorf("database has %d tables after a refused serve, want 0", n)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	t.Run("top level", func(t *testing.T) {
		t.Parallel()
		got := runMain(t, env{}, "-h")
		if got.code != 0 {
			t.Errorf("exit status %d, want 0\nstderr:\n%s", got.code, got.stderr)
		}
		for _, sub := range []string{"serve", "migrate", "remind", "staff", "demo"} {
			if !strings.Contains(got.stdout, "  "+sub) {
				t.Errorf("usage does not list %s:\n%s", sub, got.stdout)
			}
		}
	})
	for _, sub := range []string{"serve", "migrate", "remind", "staff", "demo"} {
		for _, flag := range []string{"-h", "-help", "--help"} {
			t.Run(sub+" "+flag, func(t *testing.T) {
				t.Parallel()
				// A full serve environment: help must win over running.
				got := runMain(t, validServeEnv(), sub, flag)
				if got.code != 0 {
					t.Errorf("exit status %d, want 0\nstderr:\n%s", got.code, got.stderr)
				}
				if out := got.stdout + got.stderr; !strings.Contains(out, "usage: mamasroom "+sub) {
					t.Errorf("no usage for %s printed:\n%s", sub, out)
				}
				if strings.Contains(got.stdout+got.stderr, "serving on") {
					t.Error("-h started the server")
				}
				assertNoSecrets(t, got.stdout, got.stderr)
			})
		}
	}
}

// REMINDER_AT must come before the LINE cancellation deadline (the
// facility's, 17:00 the day before by default): serve and remind refuse an
// 18:00 reminder in one line, exit status 2.
func TestReminderAfterDeadlineRefused(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"serve"}, {"remind", "-date", "2099-12-04"}} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			got := runMain(t, validServeEnv().with("DATABASE_URL", pgtest.EmptyURL(t), "REMINDER_AT", "18:00", "HTTP_ADDR", "127.0.0.1:0"), args...)
			if got.code != 2 {
				t.Fatalf("exit status %d, want 2\nstderr:\n%s", got.code, got.stderr)
			}
			if l := lines(got.stderr); len(l) != 1 || !strings.Contains(l[0], "REMINDER_AT 18:00") || !strings.Contains(l[0], "cancellation deadline") {
				t.Errorf("want one line naming REMINDER_AT and the deadline, got:\n%s", got.stderr)
			}
		})
	}
}

var appliedPattern = regexp.MustCompile(`applied (\d+) migration`)

// applied reads how many migrations a migrate run reports it applied.
func applied(t *testing.T, stdout string) int {
	t.Helper()
	m := appliedPattern.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("migrate did not say how many migrations it applied:\n%s", stdout)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.EmptyURL(t)
	e := env{"DATABASE_URL": dbURL} // migrate needs nothing else

	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}

	first := runMain(t, e, "migrate")
	if first.code != 0 {
		t.Fatalf("first migrate: exit status %d\nstderr:\n%s", first.code, first.stderr)
	}
	if n := applied(t, first.stdout); n != len(files) {
		t.Errorf("first migrate applied %d, want %d (every embedded migration)", n, len(files))
	}
	var facilities int
	queryRow(t, dbURL, `SELECT count(*) FROM facilities WHERE slug = 'mamasroom'`, &facilities)
	if facilities != 1 {
		t.Errorf("facility mamasroom rows after migrate = %d, want 1", facilities)
	}

	second := runMain(t, e, "migrate")
	if second.code != 0 {
		t.Fatalf("second migrate: exit status %d\nstderr:\n%s", second.code, second.stderr)
	}
	if n := applied(t, second.stdout); n != 0 {
		t.Errorf("second migrate applied %d, want 0", n)
	}
	if second.stderr != "" {
		t.Errorf("second migrate wrote to stderr:\n%s", second.stderr)
	}
}

// TestMigrateUnreachableDatabase: a database that cannot be reached is not
// a configuration error; it fails with status 1 and does not leak the password.
func TestMigrateUnreachableDatabase(t *testing.T) {
	t.Parallel()
	got := runMain(t, validServeEnv(), "migrate")
	if got.code != 1 {
		t.Errorf("exit status %d, want 1\nstderr:\n%s", got.code, got.stderr)
	}
	if l := lines(got.stderr); len(l) != 1 || !strings.HasPrefix(l[0], "mamasroom: ") {
		t.Errorf("want one error line, got:\n%s", got.stderr)
	}
	assertNoSecrets(t, got.stdout, got.stderr)
}

func queryRow(t *testing.T, dbURL, sql string, dest ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, sql).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func tableCount(t *testing.T, dbURL string) int {
	t.Helper()
	var n int
	queryRow(t, dbURL, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`, &n)
	return n
}
