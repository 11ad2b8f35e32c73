// Package quota watches LINE's monthly message quota.
//
// LINE counts every push (a late answer, a reminder, a midwife's answer, a
// waitlist offer, a closure notice) against the month's messages of the
// channel's plan; replies are free. When the month's messages are spent,
// LINE refuses every push with 429 until the month ends or the limit is
// raised. The Watcher reads the quota and the month's count at start and
// every few minutes, shows them as metrics, warns once when 80% is used,
// and, once they are spent (by its reading, or because LINE refused a push
// for it), tells the outbox to claim reminders only: the other pushes wait,
// none is dropped, and when the quota has room again the reminders go
// first.
package quota

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"mamasroom/line"
	"mamasroom/metrics"
)

// LINE reads the quota; line.Client does.
type LINE interface {
	Quota(ctx context.Context) (line.Quota, error)
	QuotaConsumption(ctx context.Context) (int64, error)
}

// State is what is known of the month's quota.
type State struct {
	Known   bool  // false until the first reading
	Limited bool  // false when no target limit is set
	Total   int64 // the month's target limit, when Limited
	Used    int64 // messages sent this month
	// Refused is set when LINE refused a push for the month's limit since
	// the last reading: its count may lag behind its refusals.
	Refused bool
}

// Nearly reports whether 80% or more of the month's messages are used.
func (s State) Nearly() bool { return s.Known && s.Limited && s.Used*5 >= s.Total*4 }

// Spent reports whether the month's messages are all used.
func (s State) Spent() bool { return s.Refused || s.Known && s.Limited && s.Used >= s.Total }

// Config sets up a Watcher. LINE is required.
type Config struct {
	LINE     LINE
	Log      *slog.Logger      // default slog.Default()
	Metrics  *metrics.Registry // nil: shown nowhere
	Interval time.Duration     // between readings; default 5 minutes
}

// Watcher keeps the latest reading of the quota. It is safe for
// concurrent use.
type Watcher struct {
	line     LINE
	log      *slog.Logger
	interval time.Duration

	mu     sync.Mutex
	state  State
	warned bool // the 80% warning was logged for this stretch above 80%
	// refusals counts Refused calls, so that a reading begun before a
	// refusal does not clear it.
	refusals int
}

// New checks cfg and makes a Watcher, declaring its gauges.
func New(cfg Config) (*Watcher, error) {
	if cfg.LINE == nil {
		return nil, errors.New("quota watcher: LINE is required")
	}
	w := &Watcher{line: cfg.LINE, log: cfg.Log, interval: cfg.Interval}
	if w.log == nil {
		w.log = slog.Default()
	}
	if w.interval <= 0 {
		w.interval = 5 * time.Minute
	}
	if reg := cfg.Metrics; reg != nil {
		reg.GaugeFunc("mamasroom_line_quota_total",
			"LINE's target limit of messages this month (+Inf: none set; NaN: not read yet).", func() float64 {
				s := w.State()
				switch {
				case !s.Known:
					return math.NaN()
				case !s.Limited:
					return math.Inf(1)
				}
				return float64(s.Total)
			})
		reg.GaugeFunc("mamasroom_line_quota_used",
			"Messages sent this month as LINE counts them (NaN: not read yet).", func() float64 {
				s := w.State()
				if !s.Known {
					return math.NaN()
				}
				return float64(s.Used)
			})
		reg.GaugeFunc("mamasroom_line_quota_reminders_only",
			"1 while the month's messages are spent and the outbox sends reminders only.", func() float64 {
				if w.RemindersOnly() {
					return 1
				}
				return 0
			})
	}
	return w, nil
}

// Run reads the quota at once and then every Interval until ctx ends. A
// failed reading is logged and the last one kept. It returns nil after
// ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	ticker := time.NewTicker(w.interval)
	defer ticker.Stop()
	for {
		if err := w.Check(ctx); err != nil && ctx.Err() == nil {
			w.log.WarnContext(ctx, "LINE's message quota not read; the last reading stands", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// Check reads the quota and the month's count now.
func (w *Watcher) Check(ctx context.Context) error {
	w.mu.Lock()
	refusals := w.refusals
	w.mu.Unlock()
	q, err := w.line.Quota(ctx)
	if err != nil {
		return fmt.Errorf("read LINE's message quota: %w", err)
	}
	used, err := w.line.QuotaConsumption(ctx)
	if err != nil {
		return fmt.Errorf("read LINE's message consumption: %w", err)
	}
	s := State{Known: true, Limited: q.Limited, Total: q.Limit, Used: used}

	w.mu.Lock()
	wasSpent := w.state.Spent()
	s.Refused = w.refusals != refusals // refused while reading: LINE knows better
	w.state = s
	warn := s.Nearly() && !w.warned
	w.warned = s.Nearly()
	w.mu.Unlock()

	switch {
	case s.Spent() && !wasSpent:
		w.log.WarnContext(ctx, "LINE's monthly messages are spent; only reminders are pushed until the quota has room",
			"used", s.Used, "total", s.Total)
	case !s.Spent() && wasSpent:
		w.log.InfoContext(ctx, "LINE's monthly quota has room again; every push is sent", "used", s.Used, "total", s.Total)
	case warn:
		w.log.WarnContext(ctx, "80% of LINE's monthly messages are used", "used", s.Used, "total", s.Total)
	}
	return nil
}

// Refused records that LINE refused a push because the month's messages
// are spent: the outbox claims reminders only until a reading shows room.
func (w *Watcher) Refused() {
	w.mu.Lock()
	wasSpent := w.state.Spent()
	w.state.Refused = true
	w.refusals++
	s := w.state
	w.mu.Unlock()
	if !wasSpent {
		w.log.Warn("LINE refused a push for its monthly limit; only reminders are pushed until the quota has room",
			"used", s.Used, "total", s.Total)
	}
}

// State is the latest reading.
func (w *Watcher) State() State {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state
}

// RemindersOnly reports whether the outbox should claim reminders only:
// the month's messages are spent.
func (w *Watcher) RemindersOnly() bool { return w.State().Spent() }
