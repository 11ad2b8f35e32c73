package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"mamasroom/bot"
	"mamasroom/clock"
	"mamasroom/metrics"
	"mamasroom/postgres"
	"mamasroom/server"
)

// facilitySlug is the facility this channel serves; the schema allows more.
const facilitySlug = "mamasroom"

const serveUsage = "usage: mamasroom serve\n\nRuns the LINE webhook, /healthz, /readyz and /metrics until interrupted\n(the staff console and the reminder scheduler are to come). Migrates the database first.\nConfiguration comes from the environment (see README.md).\n"

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := parseFlags(fs, args, serveUsage, stdout); err != nil {
		return err
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	if err := cfg.ValidateServe(); err != nil {
		return err
	}
	return serve(ctx, cfg, stdout, stderr, nil)
}

// serve runs the webhook, the console, health, metrics and the dispatcher
// with a validated configuration until ctx is done. onServing, when not nil,
// is told the address once the server listens: the demo needs it to point
// its LINE simulator's webhook at the bot.
func serve(ctx context.Context, cfg Config, stdout, stderr io.Writer, onServing func(addr net.Addr)) error {
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	clk := programClock(cfg)

	// Listening is the last check of the configuration, so it comes before
	// anything that changes the database.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return configErrorf("HTTP_ADDR %s cannot be listened on: %v", cfg.HTTPAddr, err)
	}
	defer ln.Close()

	if _, err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	redisOpts, err := redis.ParseURL(cfg.RedisURL) // checked by ValidateStorage
	if err != nil {
		return configErrorf("REDIS_URL is not a valid redis:// URL")
	}
	redis.SetLogger(redisLog{log})
	rdb := redis.NewClient(redisOpts)
	defer rdb.Close()

	store := postgres.NewStore(pool)
	facility, err := store.FacilityBySlug(ctx, facilitySlug)
	if err != nil {
		return fmt.Errorf("load facility %s: %w", facilitySlug, err)
	}
	reg := metrics.NewRegistry()
	lineHTTP := &http.Client{Timeout: 10 * time.Second}
	sender := bot.NewSender(cfg.ChannelAccessToken, cfg.LineAPIBaseURL, lineHTTP, reg)
	b := bot.New(bot.Config{
		Facility:      facility,
		Store:         store,
		Inbox:         postgres.NewInbox(pool, facility.ID),
		Redis:         rdb,
		ChannelSecret: cfg.ChannelSecret,
		Sender:        sender,
		Clock:         clk,
		Logger:        log,
		Metrics:       reg,
	})
	srv := &server.Server{Webhook: b.Webhook, DB: pool, Redis: rdb, Metrics: reg, Log: log, Paused: b.Dispatcher.Ready}
	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}

	// The rich menu is set up in the background: LINE being slow or down
	// must not keep the webhook from starting.
	go func() {
		menuCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if _, err := sender.EnsureRichMenu(menuCtx, facility.Phone); err != nil {
			log.WarnContext(menuCtx, "rich menu not set up; it is tried again at the next start", "error", err)
		}
	}()

	dispatchDone := make(chan struct{})
	go func() {
		defer close(dispatchDone)
		b.Dispatcher.Run(ctx)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(ln) }()
	log.InfoContext(ctx, "serving", "addr", ln.Addr().String(), "facility", facility.Slug)
	fmt.Fprintf(stdout, "serving on http://%s\n", ln.Addr())
	if onServing != nil {
		onServing(ln.Addr())
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.ErrorContext(shutdownCtx, "http shutdown", "error", err)
	}
	<-dispatchDone
	return nil
}

func programClock(cfg Config) clock.Clock {
	if cfg.ClockStart.IsZero() {
		return clock.System{}
	}
	return clock.StartingAt(cfg.ClockStart)
}

// redisLog puts go-redis's own messages (a failed dial, say) into the
// program's structured log instead of a bare line on the process's stderr.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}
