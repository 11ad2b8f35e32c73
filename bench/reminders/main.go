// Command reminders measures how fast reminders reach LINE: it books
// -n visits (mothers × days), writes their reminders through the reminders
// service, drains them with the outbox worker against an in-process linesim
// whose push rate limit is on, and prints reminders per second and how many
// mothers were pushed a reminder more than once (it must be 0).
//
//	go run ./bench/reminders            # starts a private PostgreSQL, as scripts/test does
//	TEST_DATABASE_URL=postgres://... go run ./bench/reminders -n 10000 -concurrency 16
//
// It makes a database of its own on the server and drops it at the end.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"mamasroom/booking"
	"mamasroom/bot"
	"mamasroom/clock"
	"mamasroom/line"
	"mamasroom/linesim"
	"mamasroom/metrics"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/reminders"
)

const (
	simSecret = "bench-secret"
	simToken  = "bench-token"
)

// benchStart is the clock of the run: the Sunday before the first day
// booked, so every visit is still ahead and every reminder worth sending.
var benchStart = booking.D(2026, 12, 6).At(9, 0)

type options struct {
	n           int
	days        int
	concurrency int
	replicas    int
	rate        int
	databaseURL string
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 10000, "reminders to send (bookings, spread over -days)")
	flag.IntVar(&o.days, "days", 10, "open days the bookings are spread over; n/days mothers book each")
	flag.IntVar(&o.concurrency, "concurrency", 4, "pushes in flight per outbox worker (serve's default is 4)")
	flag.IntVar(&o.replicas, "replicas", 1, "outbox workers sharing the outbox, as serve replicas would")
	flag.IntVar(&o.rate, "rate", 2000, "linesim's push rate limit per second (LINE's documented limit for push is 2,000 requests per second); 0 for none")
	flag.StringVar(&o.databaseURL, "database", os.Getenv("TEST_DATABASE_URL"), "a PostgreSQL URL where databases may be created (default $TEST_DATABASE_URL; none: start a private server)")
	flag.Parse()
	if o.n <= 0 || o.days <= 0 || o.n%o.days != 0 || o.concurrency <= 0 || o.replicas <= 0 || o.rate < 0 {
		fmt.Fprintln(os.Stderr, "reminders: -n must be a positive multiple of -days; -concurrency and -replicas positive; -rate 0 or more")
		os.Exit(2)
	}
	if o.databaseURL == "" {
		os.Exit(withPrivateServices())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := bench(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "reminders:", err)
		os.Exit(1)
	}
}

// withPrivateServices runs this program again under scripts/services.sh,
// which starts a private PostgreSQL (and Redis) on free ports and stops
// them at the end, as scripts/test does.
func withPrivateServices() int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "reminders:", err)
		return 1
	}
	if _, err := os.Stat("scripts/services.sh"); err != nil {
		fmt.Fprintln(os.Stderr, "reminders: run it from the repository's root, or set TEST_DATABASE_URL")
		return 2
	}
	script := `. scripts/services.sh && trap services_stop EXIT && services_start && TEST_DATABASE_URL=$PG_URL "$@"`
	cmd := exec.Command("bash", append([]string{"-c", script, "bash", self}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "reminders:", err)
		return 1
	}
	return 0
}

func bench(ctx context.Context, o options, out io.Writer) error {
	dbURL, drop, err := freshDatabase(ctx, o.databaseURL)
	if err != nil {
		return err
	}
	defer drop()
	if _, err := postgres.Migrate(ctx, dbURL); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	store := postgres.NewStore(pool)
	f, err := store.FacilityBySlug(ctx, "mamasroom")
	if err != nil {
		return err
	}
	// It runs: a push postponed for a Retry-After must come due again.
	clk := clock.StartingAt(benchStart)

	// LINE: the sim, its push rate limit on, on loopback.
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer hook.Close()
	sim, err := linesim.New(linesim.Config{ChannelSecret: simSecret, AccessToken: simToken, WebhookURL: hook.URL})
	if err != nil {
		return err
	}
	if o.rate > 0 {
		sim.SetPushRateLimit(o.rate, time.Second)
	}
	api := httptest.NewServer(sim.Handler())
	defer api.Close()

	perDay := o.n / o.days
	days := openDays(f, booking.DateOf(benchStart).AddDays(1), o.days)
	mothers, err := book(ctx, store, sim, f, days, perDay)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "booked %d visits: %d mothers on each of %d days (%s to %s)\n", o.n, perDay, o.days, days[0], days[len(days)-1])

	pushes := postgres.NewOutbox(pool, f.ID)
	svc := &reminders.Service{
		Store:    postgres.NewReminders(pool, pushes),
		Facility: func(context.Context) (*booking.Facility, error) { return f, nil },
		Compose:  bot.ReminderMessages,
		Clock:    clk,
		Log:      slog.New(slog.DiscardHandler),
	}
	began := time.Now()
	written := 0
	for _, d := range days {
		n, err := svc.EnqueueDay(ctx, d)
		if err != nil {
			return err
		}
		written += n
	}
	enqueued := time.Since(began)
	fmt.Fprintf(out, "wrote %d reminders in %s (%.0f/s)\n", written, enqueued.Round(time.Millisecond), float64(written)/enqueued.Seconds())

	elapsed, err := drain(ctx, o, pushes, clk, api.URL)
	if err != nil {
		return err
	}

	accepted, duplicates := 0, 0
	for _, u := range mothers {
		byKey := map[string]int{}
		for _, s := range sim.Sent(u) {
			byKey[s.RetryKey]++
			accepted++
		}
		if len(byKey) != o.days {
			return fmt.Errorf("mother %s got %d distinct reminders, want %d", u, len(byKey), o.days)
		}
		for _, n := range byKey {
			duplicates += n - 1
		}
	}
	var sent int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE kind = 'reminder' AND status = 'sent'`).Scan(&sent); err != nil {
		return err
	}
	limited := len(sim.LimitedRequests())
	rate := "off"
	if o.rate > 0 {
		rate = fmt.Sprintf("%d pushes/s", o.rate)
	}
	fmt.Fprintf(out, "sent %d reminders in %s with %d worker(s) × %d in flight, linesim's rate limit %s\n",
		sent, elapsed.Round(time.Millisecond), o.replicas, o.concurrency, rate)
	fmt.Fprintf(out, "%.0f reminders/s; pushes accepted %d, answered 429 %d; duplicates %d\n",
		float64(sent)/elapsed.Seconds(), accepted, limited, duplicates)
	if duplicates != 0 || accepted != o.n || sent != o.n {
		return fmt.Errorf("%d reminders, %d rows sent, %d pushes accepted, %d duplicates: want %d, %d, %d, 0",
			o.n, sent, accepted, duplicates, o.n, o.n, o.n)
	}
	return nil
}

// drain runs the outbox workers until no push is pending, and returns how
// long that took.
func drain(ctx context.Context, o options, pushes *postgres.Outbox, clk clock.Clock, api string) (time.Duration, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = o.concurrency * o.replicas
	defer transport.CloseIdleConnections()
	reg := metrics.NewRegistry()
	client := line.NewClient(simToken, api, &http.Client{Timeout: 10 * time.Second, Transport: transport},
		reg.NewCounter("mamasroom_line_api_calls_total", "Messaging API calls by endpoint and HTTP status.", "endpoint", "status"))

	g, gctx := errgroup.WithContext(ctx)
	workCtx, stop := context.WithCancel(gctx)
	defer stop()
	began := time.Now()
	var workers []*outbox.Worker
	for range o.replicas {
		w, err := outbox.NewWorker(outbox.Config{
			Store:       pushes,
			Pusher:      client,
			Clock:       clk,
			Log:         slog.New(slog.DiscardHandler),
			Metrics:     metrics.NewRegistry(),
			Concurrency: o.concurrency,
		})
		if err != nil {
			return 0, err
		}
		workers = append(workers, w)
		g.Go(func() error { return w.Run(workCtx) })
	}
	var elapsed time.Duration
	g.Go(func() error {
		defer stop()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			n, err := pushes.Pending(gctx)
			if err != nil {
				return err
			}
			if n == 0 {
				elapsed = time.Since(began)
				return nil
			}
			select {
			case <-gctx.Done():
				return gctx.Err()
			case <-tick.C:
			}
		}
	})
	return elapsed, g.Wait()
}

// openDays returns the first n days from from on which the facility opens.
func openDays(f *booking.Facility, from booking.Date, n int) []booking.Date {
	var days []booking.Date
	for d := from; len(days) < n; d = d.AddDays(1) {
		for _, wd := range f.OpenWeekdays {
			if _, holiday := booking.HolidayName(d); d.Weekday() == wd && !holiday {
				days = append(days, d)
				break
			}
		}
	}
	return days
}

// book makes perDay mothers, each following the account in LINE, and books
// each of them on every day; it returns their LINE user ids.
func book(ctx context.Context, store *postgres.Store, sim *linesim.Sim, f *booking.Facility, days []booking.Date, perDay int) ([]string, error) {
	for _, d := range days {
		if err := store.SetDayOverride(ctx, f.ID, booking.DayOverride{Day: d, Capacity: &perDay}); err != nil {
			return nil, err
		}
	}
	users := make([]string, perDay)
	ids := make([]int64, perDay)
	for i := range users {
		users[i] = fmt.Sprintf("U%032x", 0xbe4c0000+i)
		if _, err := sim.SendFollow(ctx, users[i]); err != nil {
			return nil, err
		}
		m, err := store.EnsureMother(ctx, f.ID, users[i])
		if err != nil {
			return nil, err
		}
		ids[i] = m.ID
	}
	// One booker per day: each day's bookings queue on the day's lock.
	g, gctx := errgroup.WithContext(ctx)
	for _, d := range days {
		g.Go(func() error {
			for _, id := range ids {
				if _, err := store.Book(gctx, booking.NewBooking{FacilityID: f.ID, MotherID: id, Day: d}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return users, g.Wait()
}

// freshDatabase creates an empty database on the server of admin and
// returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, admin string) (string, func(), error) {
	name := "bench_" + strings.ToLower(rand.Text()[:12])
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", redact(admin), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %q`, name)); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, name))
	}
	return u.String(), drop, nil
}

// redact is a database URL without its password.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the database"
	}
	return u.Redacted()
}
