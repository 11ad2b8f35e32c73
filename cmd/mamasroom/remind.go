package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"mamasroom/booking"
	"mamasroom/bot"
	"mamasroom/clock"
	"mamasroom/line"
	"mamasroom/metrics"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/reminders"
)

const remindUsage = `usage: mamasroom remind -date YYYY-MM-DD

Sends now the reminders of the visits on that date, then exits once each is
sent (or skipped: cancelled, she blocked the account; or failed: LINE refused
it). Safe to run twice, and beside serve: a booking's reminder is written
once and pushed once. Needs DATABASE_URL and the LINE settings; migrates the
database first.
`

// remindPoll is how often remind looks whether the date's reminders are
// all finished.
const remindPoll = 200 * time.Millisecond

func runRemind(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	dateFlag := fs.String("date", "", "the visits' date, YYYY-MM-DD (Asia/Tokyo)")
	if err := parseFlags(fs, args, remindUsage, stdout); err != nil {
		return err
	}
	if *dateFlag == "" {
		return usageErrorf("remind: -date YYYY-MM-DD is required")
	}
	day, err := booking.ParseDate(*dateFlag)
	if err != nil || !day.Valid() {
		return usageErrorf("remind: -date must be a date YYYY-MM-DD, such as 2026-12-04")
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	if err := cfg.ValidateRemind(); err != nil {
		return err
	}
	log := newLogger(stderr)
	clk := programClock(cfg)
	if _, err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	store := postgres.NewStore(pool)
	facility, err := loadFacility(ctx, store, cfg)
	if err != nil {
		return err
	}
	if err := facility.CheckReminder(); err != nil {
		return reminderConfigError(cfg, err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	reg := metrics.NewRegistry()
	lineClient := line.NewClient(cfg.ChannelAccessToken, cfg.LineAPIBaseURL,
		&http.Client{Timeout: 10 * time.Second, Transport: transport},
		reg.NewCounter("mamasroom_line_api_calls_total", "Messaging API calls by endpoint and HTTP status.", "endpoint", "status"))
	pushStore := postgres.NewOutbox(pool, facility.ID)
	worker, err := outbox.NewWorker(outbox.Config{
		Store: pushStore, Pusher: lineClient, Clock: clk, Log: log, Metrics: reg,
		RemindersOnly: func() bool { return true },
	})
	if err != nil {
		return err
	}
	svc := newReminders(pool, store, pushStore, cfg, clk, log, worker.Notify)

	written, err := svc.EnqueueDay(ctx, day)
	if errors.Is(err, reminders.ErrVisitStarted) {
		return usageErrorf("remind: the visits of %s have started; their reminders would come too late", day)
	}
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	workCtx, stop := context.WithCancel(gctx)
	g.Go(func() error { return worker.Run(workCtx) })
	g.Go(func() error {
		defer stop()
		t := time.NewTicker(remindPoll)
		defer t.Stop()
		for {
			n, err := svc.Waiting(gctx, day)
			if err != nil {
				return err
			}
			if n == 0 {
				return nil
			}
			select {
			case <-gctx.Done():
				return gctx.Err()
			case <-t.C:
			}
		}
	})
	if err := g.Wait(); err != nil {
		return fmt.Errorf("remind %s: %w", day, err)
	}
	fmt.Fprintf(stdout, "remind %s: %d reminder(s) written now; every reminder of the day is finished\n", day, written)
	return nil
}

// loadFacility reads the facility with the program's REMINDER_AT in it.
func loadFacility(ctx context.Context, store *postgres.Store, cfg Config) (*booking.Facility, error) {
	f, err := store.FacilityBySlug(ctx, facilitySlug)
	if err != nil {
		return nil, fmt.Errorf("load facility %s: %w", facilitySlug, err)
	}
	at := cfg.ReminderAt()
	f.ReminderAt = &at
	return f, nil
}

// reminderConfigError is REMINDER_AT at or after the facility's deadline.
func reminderConfigError(cfg Config, err error) error {
	return configErrorf("REMINDER_AT %s must come before the LINE cancellation deadline (%v)", cfg.ReminderAt(), err)
}

// newReminders wires the reminders' service.
func newReminders(pool *pgxpool.Pool, store *postgres.Store, pushStore *postgres.Outbox, cfg Config, clk clock.Clock, log *slog.Logger, wake func()) *reminders.Service {
	return &reminders.Service{
		Store:    postgres.NewReminders(pool, pushStore),
		Facility: func(ctx context.Context) (*booking.Facility, error) { return loadFacility(ctx, store, cfg) },
		Compose:  bot.ReminderMessages,
		Clock:    clk,
		Wake:     wake,
		Log:      log,
	}
}
