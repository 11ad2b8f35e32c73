// Command mamasroom is the ママズルーム LINE bot: one binary with the webhook,
// the staff console, the reminder scheduler and the operator's tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"
)

func main() {
	// go-redis has one logger for the whole process. It is set here, once,
	// and not in run: tests call run many times at once, and each call would
	// take go-redis's messages from the others.
	redis.SetLogger(redisLog{newLogger(os.Stderr)})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError is a bad subcommand, flag or configuration: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "mamasroom: "+err.Error())
	var ue *usageError
	if isConfigError(err) || errors.As(err, &ue) {
		return 2
	}
	return 1
}

const usage = `usage: mamasroom SUBCOMMAND [flags]

subcommands:
  serve                    webhook, staff console, health, readiness, metrics and the reminder scheduler
  migrate                  apply the database migrations, then exit
  remind -date YYYY-MM-DD  send now the reminders for visits on that date, and wait until they are sent
  staff create LOGIN       create a staff account of the console, password on stdin
  demo                     the whole system on one machine with a LINE simulator

Run "mamasroom SUBCOMMAND -h" for a subcommand's flags. Configuration is read
from the environment; see README.md.
`

// run is the whole program, callable from tests: it returns instead of exiting.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("no subcommand given (mamasroom -h lists them)")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, getenv, stdout, stderr)
	case "staff":
		return runStaff(ctx, rest, getenv, stdin, stdout, stderr)
	case "remind":
		return runRemind(ctx, rest, getenv, stdout, stderr)
	default:
		return usageErrorf("unknown subcommand %q (mamasroom -h lists them)", name)
	}
}

// parseFlags parses a subcommand's flags. -h prints its usage and flags to
// stdout; a bad flag is a usage error, reported once, in one line.
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return err
		}
		return usageErrorf("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// redisLog puts go-redis's own messages (a failed dial, say) into the
// program's structured log instead of a bare line on the process's stderr.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}
