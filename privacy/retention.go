package privacy

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"mamasroom/booking"
	"mamasroom/clock"
)

// Retention erases, once an hour, what has been kept long enough:
//
//   - a mother who unfollowed (blocked the account) longer ago than the
//     facility's unfollowed retention (30 days by default): all of her, as
//     when she asks;
//   - a question, its parts and its answer, when its last change and her
//     last visit are both older than the facility's question retention (a
//     year by default);
//   - a push sent or given up more than PushRetention ago.
//
// Several replicas may run it: each erasure checks its condition again
// under the mother's row lock, and erasing twice finds nothing.
type Retention struct {
	Eraser *Eraser
	// Facility gives the facility's settings as staff last saved them.
	Facility func(ctx context.Context) (*booking.Facility, error)
	// Pushes, when set, has its finished pushes (which hold what was said
	// to her) deleted PushRetention after they were sent or given up.
	Pushes FinishedPushes
	Clock  clock.Clock
	Log    *slog.Logger
	// Every is how often it looks; an hour when zero.
	Every time.Duration
}

// FinishedPushes is the outbox's prune; postgres.Outbox is one.
type FinishedPushes interface {
	Prune(ctx context.Context, finishedBefore time.Time) (int64, error)
}

// PushRetention is how long a finished push is kept: long enough to see
// what was sent when a mother asks, no longer.
const PushRetention = 30 * 24 * time.Hour

// Swept counts what one round erased.
type Swept struct {
	Mothers   int
	Questions int64
	Pushes    int64
}

// eraseBatch bounds the mothers one look reads at a time.
const eraseBatch = 100

// Run sweeps at once and then every Every until ctx ends. A failed round
// is logged and tried again at the next.
func (r *Retention) Run(ctx context.Context) error {
	every := r.Every
	if every <= 0 {
		every = time.Hour
	}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		if swept, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			r.Log.ErrorContext(ctx, "retention: erasing what was kept long enough failed; tried again next hour", "error", err)
		} else if swept.Mothers > 0 || swept.Questions > 0 || swept.Pushes > 0 {
			r.Log.InfoContext(ctx, "retention: erased", "unfollowed_mothers", swept.Mothers, "questions", swept.Questions, "pushes", swept.Pushes)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// Sweep is one round.
func (r *Retention) Sweep(ctx context.Context) (Swept, error) {
	var swept Swept
	f, err := r.Facility(ctx)
	if err != nil {
		return swept, fmt.Errorf("load facility: %w", err)
	}
	now := r.Clock.Now()
	unfollowedBefore := now.Add(-keep(f.UnfollowedRetention, DefaultUnfollowedRetention))
	for {
		users, err := r.Eraser.Store.UnfollowedBefore(ctx, f.ID, unfollowedBefore, eraseBatch)
		if err != nil {
			return swept, err
		}
		erasedAny := false
		for _, u := range users {
			// Redis first, as in Eraser.Erase; her session went at the
			// unfollow already.
			if err := r.Eraser.forget(ctx, u); err != nil {
				return swept, err
			}
			ok, err := r.Eraser.Store.EraseUnfollowed(ctx, f.ID, u, unfollowedBefore, now)
			if err != nil {
				return swept, err
			}
			if ok {
				swept.Mothers++
				erasedAny = true
			}
		}
		if len(users) < eraseBatch || !erasedAny {
			break
		}
	}
	if swept.Mothers > 0 && r.Eraser.Freed != nil {
		r.Eraser.Freed()
	}
	n, err := r.Eraser.Store.EraseQuestions(ctx, f.ID, now.Add(-keep(f.QuestionRetention, DefaultQuestionRetention)))
	swept.Questions = n
	if err != nil {
		return swept, err
	}
	if r.Pushes != nil {
		if swept.Pushes, err = r.Pushes.Prune(ctx, now.Add(-PushRetention)); err != nil {
			return swept, err
		}
	}
	return swept, nil
}

// The defaults, as migration 011 sets them.
const (
	DefaultUnfollowedRetention = 30 * 24 * time.Hour
	DefaultQuestionRetention   = 365 * 24 * time.Hour
)

func keep(set, def time.Duration) time.Duration {
	if set <= 0 {
		return def
	}
	return set
}
