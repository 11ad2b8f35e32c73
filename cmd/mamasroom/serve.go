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
	"golang.org/x/sync/errgroup"

	"mamasroom/booking"
	"mamasroom/bot"
	"mamasroom/clock"
	"mamasroom/consult"
	"mamasroom/line"
	"mamasroom/metrics"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/privacy"
	"mamasroom/quota"
	"mamasroom/reminders"
	"mamasroom/server"
	"mamasroom/staff"
)

// facilitySlug is the facility this channel serves; the schema allows more.
const facilitySlug = "mamasroom"

const serveUsage = "usage: mamasroom serve\n\nRuns the LINE webhook, /healthz, /readyz and /metrics, and sends the outbox's\npushes, the staff console and the reminder scheduler, until interrupted.\nMigrates the database first.\nConfiguration comes from the environment (see README.md).\n"

const (
	// shutdownTimeout bounds waiting for webhook requests in flight at a
	// shutdown; what is still running then is cut off.
	shutdownTimeout = 15 * time.Second
	// richMenuTimeout bounds setting up the rich menu at start.
	richMenuTimeout = time.Minute
)

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
	ln, err := listenHTTP(cfg)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, ln, stdout, stderr, nil)
}

// listenHTTP listens on HTTP_ADDR. Listening is the last check of the
// configuration, so it comes before anything that changes the database.
func listenHTTP(cfg Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return nil, configErrorf("HTTP_ADDR %s cannot be listened on: %v", cfg.HTTPAddr, err)
	}
	return ln, nil
}

// serve runs the program's components with a validated configuration, on
// ln, which it closes, until ctx is done or one of them fails: the HTTP
// server (webhook, health, metrics), the inbox dispatcher, the sending of
// questions left by a pause, the outbox worker and the rich menu's setup. They run as one errgroup: the first to fail
// stops the others, and serve returns its error once all have returned.
//
// The stop is in this order: the HTTP server stops accepting and waits up
// to shutdownTimeout for requests in flight; then the dispatcher stops
// claiming and finishes the events in hand (so an event stored by a last
// webhook is still handled); then the outbox worker stops claiming and
// finishes the pushes in hand (what it leaves is sent at the next start);
// then the pool and Redis are closed, when nothing can use them any more.
//
// onServing, when not nil, is told the address once the server listens:
// the demo needs it to point its LINE simulator's webhook at the bot.
func serve(ctx context.Context, cfg Config, ln net.Listener, stdout, stderr io.Writer, onServing func(addr net.Addr)) error {
	return serveWith(ctx, cfg, ln, stdout, stderr, serveHooks{OnServing: func(addr net.Addr, _ func()) {
		if onServing != nil {
			onServing(addr)
		}
	}})
}

// serveHooks is what the demo, which runs serve beside its LINE simulator,
// shares with it.
type serveHooks struct {
	// Clock, when not nil, is the program's clock instead of
	// MAMASROOM_CLOCK's: the demo's, which its chat page moves.
	Clock clock.Clock
	// OnServing, when not nil, is told the address once the server
	// listens, and how to wake the reminder scheduler (after the demo
	// moved its clock).
	OnServing func(addr net.Addr, wakeReminders func())
	// SaysWhere leaves saying where to go to OnServing, in place of
	// "serving on": the demo names its chat page first, as the bot's root
	// answers 404.
	SaysWhere bool
}

// serveWith is serve with the demo's hooks.
func serveWith(ctx context.Context, cfg Config, ln net.Listener, stdout, stderr io.Writer, hooks serveHooks) error {
	defer ln.Close()
	// Listening is the last check of the configuration: before migrating.
	metricsLn, err := listenMetrics(cfg)
	if err != nil {
		return err
	}
	if metricsLn != nil {
		defer metricsLn.Close()
	}
	log := newLogger(stderr)
	clk := hooks.Clock
	if clk == nil {
		clk = programClock(cfg)
	}

	if _, err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	redisOpts, err := redis.ParseURL(cfg.RedisURL) // checked by ValidateStorage
	if err != nil {
		return configErrorf("REDIS_URL is not a valid redis:// URL")
	}
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	rdb := redis.NewClient(redisOpts)
	// Runs after every component has returned (g.Wait below).
	defer func() {
		pool.Close()
		rdb.Close()
	}()

	store := postgres.NewStore(pool)
	facility, err := loadFacility(ctx, store, cfg)
	if err != nil {
		return err
	}
	if err := facility.CheckReminder(); err != nil {
		return reminderConfigError(cfg, err)
	}
	reg := metrics.NewRegistry()
	// A transport of its own, whose idle connections go with serve.
	lineTransport := http.DefaultTransport.(*http.Transport).Clone()
	defer lineTransport.CloseIdleConnections()
	lineClient := line.NewClient(cfg.ChannelAccessToken, cfg.LineAPIBaseURL,
		&http.Client{Timeout: 10 * time.Second, Transport: lineTransport},
		reg.NewCounter("mamasroom_line_api_calls_total", "Messaging API calls by endpoint and HTTP status.", "endpoint", "status"))
	pushStore := postgres.NewOutbox(pool, facility.ID)
	// LINE's month of messages: read every few minutes; once spent, the
	// outbox sends reminders only, and the console's top page says so.
	lineQuota, err := quota.New(quota.Config{LINE: lineClient, Log: log, Metrics: reg})
	if err != nil {
		return err
	}
	pushes, err := outbox.NewWorker(outbox.Config{
		Store:         pushStore,
		Pusher:        lineClient, // its errors tell their HTTP status, Retry-After and the monthly limit
		Clock:         clk,
		Log:           log,
		Metrics:       reg,
		RemindersOnly: lineQuota.RemindersOnly,
		QuotaSpent:    lineQuota.Refused,
	})
	if err != nil {
		return err
	}
	// Read at every event, so what staff change applies at once.
	facilities := bot.FacilityFunc(func(ctx context.Context) (*booking.Facility, error) {
		return loadFacility(ctx, store, cfg)
	})
	reminderService := newReminders(pool, store, pushStore, cfg, clk, log, pushes.Notify)
	reminderScheduler := reminders.NewScheduler(reminderService, cfg.ReminderAt())
	// A booking whose reminder is due already (made after REMINDER_AT for
	// the next day) gets it at once.
	bookings := reminders.WatchBookings(store, reminderService)
	// The waitlist offers a freed place to the first mother waiting, with
	// its push written in the same transaction.
	waitlist := postgres.NewWaitlist(pool, pushStore, bot.WaitlistNotices{Facilities: facilities})
	consults := &consult.Service{
		Store:  postgres.NewConsultations(pool, pushStore, bot.ConsultNotices{Facilities: facilities}),
		Now:    clk.Now,
		Pushed: pushes.Notify,
	}
	// Erasure on her request (「データ削除」) and after the retention.
	erasure := postgres.NewErasure(pool)
	b := bot.New(bot.Config{
		FacilityID:    facility.ID,
		Facilities:    facilities,
		Bookings:      &booking.Service{Store: bookings, Waitlist: waitlist, Now: clk.Now},
		Consult:       consults,
		Inbox:         postgres.NewInbox(pool, facility.ID),
		Redis:         rdb,
		Erasure:       erasure,
		ChannelSecret: cfg.ChannelSecret,
		LINE:          lineClient,
		Pushes:        pushStore,
		WakePushes:    pushes.Notify,
		Clock:         clk,
		Logger:        log,
		Metrics:       reg,
	})
	staffStore := postgres.NewStaffStore(pool, pushStore)
	console, err := staff.New(staff.Config{
		Facility:   facilities,
		Store:      staffStore,
		Bookings:   &booking.Service{Store: store, Waitlist: waitlist, Now: clk.Now},
		Consult:    consults,
		WakePushes: pushes.Notify,
		Quota:      lineQuota,
		Clock:      clk,
		Log:        log,
	})
	if err != nil {
		return err
	}
	if cfg.DemoStaffPassword != "" {
		if err := createDemoStaff(ctx, staffStore, facility.ID, clk.Now(), cfg.DemoStaffPassword); err != nil {
			return fmt.Errorf("demo staff account: %w", err)
		}
	}
	srv := &server.Server{Webhook: b.Webhook, Staff: console.Handler(), DB: pool, Redis: rdb, Metrics: reg, MetricsToken: cfg.MetricsToken, Log: log, Paused: b.Dispatcher.Ready}
	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	metricsServer := &http.Server{
		Handler:           srv.MetricsHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}

	g, gctx := errgroup.WithContext(ctx)
	// The dispatcher has a context of its own, ended only once the HTTP
	// server has stopped; gctx ending starts that.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()

	g.Go(func() error {
		if err := httpServer.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	if metricsLn != nil {
		g.Go(func() error {
			if err := metricsServer.Serve(metricsLn); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("metrics server: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-gctx.Done()
		defer stopWork()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if err := httpServer.Shutdown(shutdownCtx); err != nil {
			log.WarnContext(shutdownCtx, "http shutdown: requests still running are cut off", "error", err)
			_ = httpServer.Close()
		}
		// A scrape is short and changes nothing: it is not waited for.
		_ = metricsServer.Close()
		return nil
	})
	// The outbox worker stops after the dispatcher, so the answers of the
	// last events, which may go through the outbox, have a worker to wake.
	pushCtx, stopPushes := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPushes()
	g.Go(func() error {
		defer stopPushes()
		b.Dispatcher.Run(workCtx)
		return nil
	})
	// Questions left by a pause are sent, and acknowledged through the
	// outbox, until the dispatcher stops; the outbox worker outlives it.
	g.Go(func() error {
		return b.ConsultPause.Run(workCtx)
	})
	g.Go(func() error {
		return b.WaitlistOffers.Run(workCtx)
	})
	// Hourly: erases mothers who unfollowed longer ago than the
	// retention, and questions kept long enough (privacy.Retention).
	retention := &privacy.Retention{
		Eraser:   &privacy.Eraser{Store: erasure, Redis: rdb, RedisPrefix: "mamasroom:", Freed: b.WaitlistOffers.Wake},
		Facility: facilities.Facility,
		Pushes:   pushStore,
		Clock:    clk,
		Log:      log,
	}
	g.Go(func() error {
		return retention.Run(workCtx)
	})
	g.Go(func() error {
		return pushes.Run(pushCtx)
	})
	g.Go(func() error {
		return reminderScheduler.Run(workCtx)
	})
	g.Go(func() error {
		return lineQuota.Run(workCtx)
	})
	// LINE being slow or down must not keep the webhook from starting, nor
	// stop the program: the rich menu is set up beside the rest.
	g.Go(func() error {
		menuCtx, cancel := context.WithTimeout(gctx, richMenuTimeout)
		defer cancel()
		if _, err := bot.EnsureRichMenu(menuCtx, lineClient, facility.Phone); err != nil && gctx.Err() == nil {
			log.WarnContext(menuCtx, "rich menu not set up; it is tried again at the next start", "error", err)
		}
		return nil
	})

	log.InfoContext(ctx, "serving", "addr", ln.Addr().String(), "facility", facility.Slug)
	if metricsLn != nil {
		fmt.Fprintf(stdout, "metrics on http://%s/metrics\n", metricsLn.Addr())
	}
	if !hooks.SaysWhere {
		fmt.Fprintf(stdout, "serving on http://%s\n", ln.Addr())
	}
	if hooks.OnServing != nil {
		hooks.OnServing(ln.Addr(), reminderScheduler.Wake)
	}
	return g.Wait()
}

// listenMetrics listens on METRICS_ADDR; nil when it is not set.
func listenMetrics(cfg Config) (net.Listener, error) {
	if cfg.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, configErrorf("METRICS_ADDR %s cannot be listened on: %v", cfg.MetricsAddr, err)
	}
	return ln, nil
}

func programClock(cfg Config) clock.Clock {
	if cfg.ClockStart.IsZero() {
		return clock.System{}
	}
	return clock.StartingAt(cfg.ClockStart)
}

// newLogger is the program's structured log.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}
