package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"mamasroom/clock"
	"mamasroom/line"
	"mamasroom/metrics"
)

// Pusher sends a push with the Messaging API (line.Client does).
//
// Push returns nil when LINE accepted the messages, and also when LINE
// answered 409 (a push with this retry key was accepted before: the
// messages were sent). Otherwise it returns an error from which the
// worker's StatusOf learns the HTTP status LINE answered, or 0 when there
// was no answer (a transport error or a timeout), and through RetryAfter
// and MonthlyLimit what LINE said of when to try again. Errors must not
// carry LINE's response body or the request: the worker logs them.
type Pusher interface {
	Push(ctx context.Context, userID, retryKey string, msgs []line.Message) error
}

// HTTPStatus is the default StatusOf: the status of the first error in
// err's chain with a method HTTPStatus() int, or 0 when there is none.
func HTTPStatus(err error) int {
	var s interface{ HTTPStatus() int }
	if errors.As(err, &s) {
		return s.HTTPStatus()
	}
	return 0
}

// RetryAfter is how long LINE asked to wait with a Retry-After header: the
// value of the first error in err's chain with a method RetryAfter()
// time.Duration, or 0 when there is none.
func RetryAfter(err error) time.Duration {
	var r interface{ RetryAfter() time.Duration }
	if errors.As(err, &r) {
		return r.RetryAfter()
	}
	return 0
}

// MonthlyLimit reports whether LINE refused because the month's messages
// are spent: the first error in err's chain with a method
// MonthlyLimitReached() bool says so.
func MonthlyLimit(err error) bool {
	var m interface{ MonthlyLimitReached() bool }
	return errors.As(err, &m) && m.MonthlyLimitReached()
}

// Config sets up a Worker. Store and Pusher are required; the rest have
// defaults.
type Config struct {
	Store  Store
	Pusher Pusher
	// StatusOf tells the HTTP status of a Push error, 0 for none; default
	// HTTPStatus.
	StatusOf func(error) int
	Clock    clock.Clock       // default clock.System
	Log      *slog.Logger      // default slog.Default()
	Metrics  *metrics.Registry // nil: counted nowhere

	// Concurrency is how many pushes are in flight at once; a worker claims
	// only as many rows as it can start, so no claimed row waits. Default 4.
	Concurrency int
	// Lease is how long a claimed row is left to its worker before another
	// may take it: how soon a dead worker's rows come back. It must outlast
	// PushTimeout; a push recorded after its lease ran out may be pushed
	// again by another worker, which LINE answers with 409. Default 2 minutes.
	Lease time.Duration
	// PushTimeout cuts off one call to LINE; default 30 seconds.
	PushTimeout time.Duration
	// PollInterval is how often the store is asked for due rows when nobody
	// called Notify (rows from other processes, retries); default 1 second.
	PollInterval time.Duration
	// MaxAttempts is how many times a push is tried through 5xx, 429 and
	// timeouts before it is marked failed; default 40 (about six hours of
	// the default backoff).
	MaxAttempts int
	// RemindersOnly, when set and true at a claim, makes the worker claim
	// only reminders: LINE's monthly quota is nearly spent and is kept for
	// them, or the worker is `remind`'s. Other rows wait; none is dropped.
	RemindersOnly func() bool
	// QuotaSpent, when set, is called when LINE refuses a push because the
	// month's messages are spent; it should make RemindersOnly true until
	// the quota has room again (quota.Watcher's Refused does).
	QuotaSpent func()
	// QuotaPause is how long the worker stops claiming after such a
	// refusal; default 1 minute.
	QuotaPause time.Duration
	// Backoff is the wait before retry n (n >= 1), also used for the pause
	// after n refusals of our access token in a row; default capped
	// exponential with jitter, 2 s to 10 min.
	Backoff func(n int) time.Duration
}

// Worker sends the outbox's due pushes until its context ends.
//
// LINE's answers are read so:
//   - 200, or 409 (already accepted under this retry key): sent.
//   - 5xx, 408, no answer or a timeout: retried after Backoff, or after
//     LINE's Retry-After when that is longer, until MaxAttempts; then
//     failed.
//   - 429 for the rate limit: every push would be refused alike for a
//     while. The row is put back without counting the attempt, due after
//     LINE's Retry-After (Backoff(n) after the n-th in a row when LINE sent
//     none), and the whole worker stops claiming as long, logging once.
//   - 429 for the monthly limit ("You have reached your monthly limit."):
//     no wait of seconds helps. The row is put back due at once without
//     counting the attempt, QuotaSpent is called (RemindersOnly becomes
//     true), and the worker stops claiming for QuotaPause.
//   - 401: our access token is wrong, so every push would fail alike. The
//     row is not failed: it is put back without counting the attempt, and
//     the worker stops claiming for Backoff(n) after the n-th 401 in a row,
//     logging once per pause, until a push goes through.
//   - 400, 403 and any other 4xx: LINE will refuse it again; failed.
//
// A row whose mother unfollowed, or that expired, is skipped unsent.
//
// When RemindersOnly turns false again, the worker keeps claiming only
// reminders until none is due and none is in flight: rows put back during
// the shortage are due together, and the few messages of a raised limit or
// a new month go to the reminders first.
type Worker struct {
	store       Store
	pusher      Pusher
	statusOf    func(error) int
	clock       clock.Clock
	log         *slog.Logger
	concurrency int
	lease       time.Duration
	pushTimeout time.Duration
	poll        time.Duration
	maxAttempts int
	backoff     func(int) time.Duration
	onlyRem     func() bool
	quotaSpent  func()
	quotaPause  time.Duration
	outcomes    *metrics.Counter

	wake chan struct{}

	mu           sync.Mutex
	authRefusals int       // 401s in a row
	rateLimits   int       // rate-limit 429s in a row
	pausedUntil  time.Time // by the wall clock: a pause is real waiting
	// remindersFirst keeps claims to reminders after the month's messages
	// ran out, until no reminder is due or in flight.
	remindersFirst bool
}

// bookkeepingTimeout bounds recording an outcome, which outlives a shutdown
// that began during the push, so a sent row is recorded and not sent again.
const bookkeepingTimeout = 10 * time.Second

// NewWorker checks cfg and makes a Worker.
func NewWorker(cfg Config) (*Worker, error) {
	if cfg.Store == nil || cfg.Pusher == nil {
		return nil, errors.New("outbox worker: Store and Pusher are required")
	}
	w := &Worker{
		store:       cfg.Store,
		pusher:      cfg.Pusher,
		statusOf:    cfg.StatusOf,
		clock:       cfg.Clock,
		log:         cfg.Log,
		concurrency: orDefault(cfg.Concurrency, 4),
		lease:       orDefault(cfg.Lease, 2*time.Minute),
		pushTimeout: orDefault(cfg.PushTimeout, 30*time.Second),
		poll:        orDefault(cfg.PollInterval, time.Second),
		maxAttempts: orDefault(cfg.MaxAttempts, 40),
		backoff:     cfg.Backoff,
		onlyRem:     cfg.RemindersOnly,
		quotaSpent:  cfg.QuotaSpent,
		quotaPause:  orDefault(cfg.QuotaPause, time.Minute),
		wake:        make(chan struct{}, 1),
	}
	if w.statusOf == nil {
		w.statusOf = HTTPStatus
	}
	if w.backoff == nil {
		w.backoff = Backoff
	}
	if w.clock == nil {
		w.clock = clock.System{}
	}
	if w.log == nil {
		w.log = slog.Default()
	}
	if w.lease <= w.pushTimeout {
		return nil, fmt.Errorf("outbox worker: lease %s must outlast the push timeout %s", w.lease, w.pushTimeout)
	}
	reg := cfg.Metrics
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	w.outcomes = reg.NewCounter("mamasroom_outbox_pushes_total",
		"Outbox pushes handled, by kind and outcome (sent, retry, postponed, failed, skipped).", "kind", "outcome")
	return w, nil
}

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Backoff is the default wait before retry n: 2 s doubling to at most
// 10 min, with jitter so rows that failed together do not retry together.
func Backoff(n int) time.Duration {
	d := min(2*time.Second<<min(max(n-1, 0), 9), 10*time.Minute)
	return d/2 + rand.N(d/2+1)
}

// Notify tells the worker a push was enqueued; call it after the enqueuing
// transaction commits. It never blocks. Pushes enqueued by other processes
// are found by polling.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends due pushes until ctx ends, then waits for the pushes in flight
// and records their outcome. It returns nil after ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	slots := make(chan struct{}, w.concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	ticker := time.NewTicker(w.poll)
	defer ticker.Stop()
	for {
		if pause := w.pausedFor(); pause > 0 {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
			continue
		}
		free := w.concurrency - len(slots)
		if free > 0 {
			only := w.onlyRem != nil && w.onlyRem()
			first := w.keepRemindersFirst(only)
			rows, err := w.store.Claim(ctx, w.clock.Now(), w.lease, free, only || first)
			if err != nil && ctx.Err() == nil {
				w.log.ErrorContext(ctx, "claim outbox pushes", "error", err)
			}
			if first && !only && err == nil && len(rows) == 0 && len(slots) == 0 {
				w.setRemindersFirst(false) // every reminder had its turn
				continue
			}
			for _, r := range rows {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					w.send(ctx, r)
					<-slots
					w.Notify() // a slot is free
				}()
			}
			if len(rows) == free {
				continue // there may be more due
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-ticker.C:
		}
	}
}

// pausedFor is how long claiming is paused after our token was refused.
func (w *Worker) pausedFor() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Until(w.pausedUntil)
}

// send pushes one claimed row and records the outcome. The push and the
// record outlive a shutdown that began meanwhile (each with its own
// timeout), so a push LINE accepted is recorded and not sent again.
func (w *Worker) send(ctx context.Context, r Claimed) {
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.pushTimeout+bookkeepingTimeout)
	defer cancel()
	log := w.log.With("push_id", r.ID, "kind", string(r.Kind), "attempt", r.Attempts)
	now := w.clock.Now()
	switch {
	case r.Unfollowed:
		w.finish(bctx, log, r, "skipped", w.store.MarkSkipped(bctx, r.ID, now, "unfollowed"))
		return
	case !r.Expires.IsZero() && !now.Before(r.Expires):
		w.finish(bctx, log, r, "skipped", w.store.MarkSkipped(bctx, r.ID, now, "expired"))
		return
	case r.Void:
		w.finish(bctx, log, r, "skipped", w.store.MarkSkipped(bctx, r.ID, now, "booking cancelled or day closed"))
		return
	}

	pctx, cancelPush := context.WithTimeout(bctx, w.pushTimeout)
	err := w.pusher.Push(pctx, r.LineUserID, r.RetryKey(), r.Messages)
	cancelPush()
	status := http.StatusOK
	if err != nil {
		status = w.statusOf(err)
	}
	now = w.clock.Now()
	reason := "no answer"
	if status != 0 {
		reason = fmt.Sprintf("status %d", status)
	}

	switch {
	case status/100 == 2 || status == http.StatusConflict:
		w.accepted()
		w.finish(bctx, log, r, "sent", w.store.MarkSent(bctx, r.ID, now))

	case status == http.StatusUnauthorized:
		pause, first := w.tokenRefused()
		if first {
			log.ErrorContext(bctx, "LINE refused the access token; outbox pushes paused", "pause", pause)
		}
		w.finish(bctx, log, r, "postponed", w.store.Postpone(bctx, r.ID, r.Attempts, now.Add(pause), reason))

	case status == http.StatusTooManyRequests && MonthlyLimit(err):
		// Due at once, so that when the quota has room the rows go in
		// their order, reminders first; meanwhile RemindersOnly holds the
		// others back and the pause keeps the reminders from hammering.
		w.setRemindersFirst(true)
		if w.quotaSpent != nil {
			w.quotaSpent()
		}
		if w.pauseClaims(w.quotaPause) {
			log.WarnContext(bctx, "LINE's monthly messages are spent; outbox pushes wait", "pause", w.quotaPause)
		}
		w.finish(bctx, log, r, "postponed", w.store.Postpone(bctx, r.ID, r.Attempts, now, "monthly limit"))

	case status == http.StatusTooManyRequests:
		wait := RetryAfter(err)
		if wait <= 0 {
			wait = w.rateLimited()
		}
		if w.pauseClaims(wait) {
			log.WarnContext(bctx, "LINE's rate limit was reached; outbox pushes paused", "pause", wait)
		}
		w.finish(bctx, log, r, "postponed", w.store.Postpone(bctx, r.ID, r.Attempts, now.Add(wait), reason))

	case status == 0 || status == http.StatusRequestTimeout || status >= 500:
		if r.Attempts >= w.maxAttempts {
			log.ErrorContext(bctx, "outbox push failed for good", "reason", reason, "error", transportError(status, err))
			w.finish(bctx, log, r, "failed", w.store.MarkFailed(bctx, r.ID, now,
				fmt.Sprintf("gave up after %d attempts: %s", r.Attempts, reason)))
			return
		}
		wait := max(w.backoff(r.Attempts), RetryAfter(err))
		log.WarnContext(bctx, "outbox push will be retried", "reason", reason, "wait", wait, "error", transportError(status, err))
		w.finish(bctx, log, r, "retry", w.store.RetryAt(bctx, r.ID, r.Attempts, now.Add(wait), reason))

	default: // 400, 403 and the rest of 4xx: LINE will refuse it again
		log.ErrorContext(bctx, "LINE refused an outbox push", "reason", reason)
		w.finish(bctx, log, r, "failed", w.store.MarkFailed(bctx, r.ID, now, reason))
	}
}

// transportError is err when LINE gave no answer (the error is then the
// network's, with nothing of the request in it), else nil: an error with a
// status says nothing the status does not.
func transportError(status int, err error) error {
	if status == 0 {
		return err
	}
	return nil
}

// finish counts an outcome once it is recorded.
func (w *Worker) finish(ctx context.Context, log *slog.Logger, r Claimed, outcome string, err error) {
	if err != nil {
		// The lease runs out and the row is tried again; the retry key
		// keeps LINE from delivering it twice.
		log.ErrorContext(ctx, "record outbox push outcome", "outcome", outcome, "error", err)
		return
	}
	w.outcomes.Inc(string(r.Kind), outcome)
}

// tokenRefused notes a 401 and pauses claiming; first is true for the push
// that started the pause, so the pause is logged once.
func (w *Worker) tokenRefused() (pause time.Duration, first bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if time.Now().Before(w.pausedUntil) {
		return time.Until(w.pausedUntil), false
	}
	w.authRefusals++
	pause = w.backoff(w.authRefusals)
	w.pausedUntil = time.Now().Add(pause)
	return pause, true
}

// keepRemindersFirst reports whether claims are kept to reminders after
// the month's messages ran out; only (RemindersOnly now) starts that too.
func (w *Worker) keepRemindersFirst(only bool) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.remindersFirst = w.remindersFirst || only
	return w.remindersFirst
}

func (w *Worker) setRemindersFirst(on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.remindersFirst = on
}

// rateLimited notes a rate-limit 429 that came without a Retry-After and
// returns how long to wait.
func (w *Worker) rateLimited() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rateLimits++
	return w.backoff(w.rateLimits)
}

// pauseClaims stops claiming for at least d; first is true when claiming
// was not paused already, so a pause is logged once.
func (w *Worker) pauseClaims(d time.Duration) (first bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	first = !now.Before(w.pausedUntil)
	if until := now.Add(d); until.After(w.pausedUntil) {
		w.pausedUntil = until
	}
	return first
}

// accepted notes a push LINE took: the refusals in a row end.
func (w *Worker) accepted() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.authRefusals = 0
	w.rateLimits = 0
}
