package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"mamasroom/booking"
	"mamasroom/clock"
	"mamasroom/linesim"
	"mamasroom/postgres"
)

const demoUsage = `usage: mamasroom demo [-sim-addr ADDR]

Runs the whole system on this machine with a local LINE simulator instead of
LINE, until interrupted: the bot as "serve" runs it, and, on -sim-addr, the
simulator's Messaging API and a chat page where you play a mother in a
browser. Needs DATABASE_URL and REDIS_URL; the LINE variables are not used
(a fresh channel secret and access token are made at every start). HTTP_ADDR
defaults to 127.0.0.1:8080. MAMASROOM_CLOCK sets where the clock of both
starts; the chat page's clock control moves it to the next reminder's time.

`

func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	simAddr := fs.String("sim-addr", "127.0.0.1:8081", "where the chat page and the fake LINE API listen")
	if err := parseFlags(fs, args, demoUsage, stdout); err != nil {
		return err
	}
	cfg, err := LoadConfig(func(key string) string {
		if key == "HTTP_ADDR" && strings.TrimSpace(getenv(key)) == "" {
			return "127.0.0.1:8080" // a demo need not be reachable from other machines
		}
		return getenv(key)
	})
	if err != nil {
		return err
	}
	if err := cfg.ValidateStorage(); err != nil {
		return err
	}
	if err := cfg.ValidateMetrics(); err != nil {
		return err
	}

	// The channel exists only for this run, so its secrets are made here
	// and never shown.
	cfg.ChannelSecret, cfg.ChannelAccessToken = rand.Text(), rand.Text()
	// The staff account is made for this run too, and its password shown:
	// the console is tried beside the chat page.
	cfg.DemoStaffPassword = rand.Text()[:16]
	// One clock for the bot and LINE, which the chat page moves.
	start := cfg.ClockStart
	if start.IsZero() {
		start = time.Now()
	}
	clk := clock.NewSettable(start)
	sim, err := linesim.New(linesim.Config{
		ChannelSecret: cfg.ChannelSecret,
		AccessToken:   cfg.ChannelAccessToken,
		Now:           clk.Now, // LINE's timestamps agree with the bot's clock
	})
	if err != nil {
		return err
	}
	simLn, err := net.Listen("tcp", *simAddr)
	if err != nil {
		return usageErrorf("demo: -sim-addr %s cannot be listened on: %v", *simAddr, err)
	}
	defer simLn.Close()
	simBase := baseURL(simLn.Addr())
	cfg.LineAPIBaseURL = simBase
	botLn, err := listenHTTP(cfg)
	if err != nil {
		return err
	}
	mover, err := newClockMover(ctx, cfg, clk, newLogger(stderr))
	if err != nil {
		return err
	}
	defer mover.close()

	// One listener for both: the page and its API under the chat routes,
	// every other path is the strict Messaging API.
	chat := sim.ChatHandlerWithClock(linesim.ClockControl{
		Label: "前日" + cfg.ReminderAt().String() + "へ",
		Move:  mover.move,
	})
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", chat)
	mux.Handle("/chat/", chat)
	mux.Handle("/", sim.Handler())
	simServer := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}

	// The simulator and the bot run as one group: either failing stops the
	// other. The simulator is stopped after the bot, which may still be
	// replying while it stops.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := simServer.Serve(simLn); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("demo: LINE simulator: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		defer func() {
			shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := simServer.Shutdown(shutdownCtx); err != nil {
				_ = simServer.Close()
			}
		}()
		// The chat page is named first: the bot's own root answers 404.
		return serveWith(gctx, cfg, botLn, stdout, stderr, serveHooks{Clock: clk, SaysWhere: true, OnServing: func(addr net.Addr, wakeReminders func()) {
			mover.setWake(wakeReminders)
			sim.SetWebhookURL(baseURL(addr) + "/webhook")
			// One write, so whoever reads the first line has the second.
			fmt.Fprintf(stdout, "demo: open %s/ in a browser to chat as a mother\n"+
				"demo: staff console at %s/staff/ (login %s, password %s)\n",
				simBase, baseURL(addr), demoStaffLogin, cfg.DemoStaffPassword)
		}})
	})
	return g.Wait()
}

// clockMover is the chat page's clock control: it moves the demo's clock
// to the time of a mother's next reminder and wakes the reminder
// scheduler, so the reminder arrives in her chat at once.
type clockMover struct {
	cfg      Config
	clock    *clock.Settable
	pool     *pgxpool.Pool
	store    *postgres.Store
	bookings *booking.Service
	log      *slog.Logger

	mu   sync.Mutex
	wake func() // the reminder scheduler's, once serve runs
}

func newClockMover(ctx context.Context, cfg Config, clk *clock.Settable, log *slog.Logger) (*clockMover, error) {
	// Opening a pool connects lazily: serve migrates the database before
	// the page can be used.
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("demo: open database: %w", err)
	}
	store := postgres.NewStore(pool)
	return &clockMover{
		cfg: cfg, clock: clk, pool: pool, store: store, log: log,
		bookings: &booking.Service{Store: store, Now: clk.Now},
	}, nil
}

func (m *clockMover) close() { m.pool.Close() }

func (m *clockMover) setWake(wake func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wake = wake
}

// errClockNotMoved is all the page is told of a failure.
var errClockNotMoved = errors.New("時計を動かせませんでした")

// move sets the clock to REMINDER_AT the day before her next visit, or,
// when she has none, to the next REMINDER_AT; never backwards. A reminder
// already due is sent by the wake.
func (m *clockMover) move(ctx context.Context, userID string) error {
	f, err := loadFacility(ctx, m.store, m.cfg)
	if err != nil {
		m.log.ErrorContext(ctx, "demo clock: load facility", "error", err)
		return errClockNotMoved
	}
	now := m.clock.Now()
	to := nextReminderTime(f, now)
	mother, err := m.bookings.FindMother(ctx, f, userID)
	switch {
	case errors.Is(err, booking.ErrNotFound):
	case err != nil:
		m.log.ErrorContext(ctx, "demo clock: find mother", "error", err)
		return errClockNotMoved
	default:
		upcoming, err := m.bookings.Upcoming(ctx, mother)
		if err != nil {
			m.log.ErrorContext(ctx, "demo clock: her bookings", "error", err)
			return errClockNotMoved
		}
		for _, b := range upcoming {
			if now.Before(booking.Checkin(b.Day)) {
				to = f.Reminder(b.Day)
				break
			}
		}
	}
	if to.After(now) {
		m.clock.Set(to)
	}
	m.mu.Lock()
	wake := m.wake
	m.mu.Unlock()
	if wake != nil {
		wake()
	}
	m.log.InfoContext(ctx, "demo clock moved", "to", m.clock.Now().Format(time.RFC3339))
	return nil
}

// nextReminderTime is the first REMINDER_AT after now, in Tokyo.
func nextReminderTime(f *booking.Facility, now time.Time) time.Time {
	today := booking.DateOf(now)
	if t := f.Reminder(today.AddDays(1)); t.After(now) {
		return t
	}
	return f.Reminder(today.AddDays(2))
}

// baseURL is the http URL of a listening address, reachable from this
// machine: an address listening on all interfaces is reached on loopback.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
