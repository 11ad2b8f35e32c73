package reminders

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"mamasroom/booking"
)

// CatchUpEvery is how often the scheduler also looks for due reminders: to
// catch up after a failed run, downtime, or a clock moved (the demo).
const CatchUpEvery = 5 * time.Minute

// Scheduler wakes the Service: at start, at REMINDER_AT in Asia/Tokyo, every
// CatchUpEvery, and at each Wake. Each wake enqueues what is due then.
type Scheduler struct {
	Service *Service
	At      booking.TimeOfDay
	wake    chan struct{}
}

// NewScheduler makes a Scheduler of s at the given time of day.
func NewScheduler(s *Service, at booking.TimeOfDay) *Scheduler {
	return &Scheduler{Service: s, At: at, wake: make(chan struct{}, 1)}
}

// Wake makes the scheduler look for due reminders now; it never blocks.
func (sc *Scheduler) Wake() {
	select {
	case sc.wake <- struct{}{}:
	default:
	}
}

// Run enqueues due reminders at every wake until ctx ends. A failed run is
// logged and caught up at the next wake. It returns nil after ctx ends.
func (sc *Scheduler) Run(ctx context.Context) error {
	c := cron.New(cron.WithLocation(booking.Tokyo))
	if _, err := c.AddFunc(fmt.Sprintf("%d %d * * *", sc.At.Minute, sc.At.Hour), sc.Wake); err != nil {
		return fmt.Errorf("reminder schedule: %w", err)
	}
	if _, err := c.AddFunc(fmt.Sprintf("@every %s", CatchUpEvery), sc.Wake); err != nil {
		return fmt.Errorf("reminder schedule: %w", err)
	}
	c.Start()
	defer func() { <-c.Stop().Done() }()
	sc.Wake() // catch up at start
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sc.wake:
		}
		if _, err := sc.Service.EnqueueDue(ctx); err != nil && ctx.Err() == nil {
			sc.Service.log().ErrorContext(ctx, "enqueue due reminders; caught up at the next wake", "error", err)
		}
	}
}
