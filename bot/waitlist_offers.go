package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"mamasroom/booking"
	"mamasroom/line"
	"mamasroom/metrics"
)

// WaitlistOffers is the waitlist's runner: it ends offers whose time is up
// and offers each free place of a day with a queue to the first mother
// waiting. Looking for free places, rather than being told of each
// cancellation, also catches places freed by staff raising a day's
// capacity, and what a crash left undone.
type WaitlistOffers struct {
	facilities FacilitySource
	service    *booking.Service
	// every is how often it looks; the deadlines are on the program's
	// clock, so a fake clock moved on is seen at the next look.
	every      time.Duration
	wake       chan struct{}
	wakePushes func()
	log        *slog.Logger
	offered    *metrics.Counter
}

// Run looks for places to offer until ctx ends, at every tick and when
// woken. A failure is logged (the cause, never who) and tried again at the
// next look. With the waitlist off it only waits.
func (r *WaitlistOffers) Run(ctx context.Context) error {
	if !r.service.HasWaitlist() {
		<-ctx.Done()
		return nil
	}
	ticker := time.NewTicker(r.every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-r.wake:
		}
		if err := r.OfferFreedPlaces(ctx); err != nil && ctx.Err() == nil {
			r.log.ErrorContext(ctx, "offer freed places", "error", err)
		}
	}
}

// Wake makes the runner look now: an offer was declined or a wait left.
func (r *WaitlistOffers) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// OfferFreedPlaces makes the offers due now; their pushes are in the
// outbox when it returns.
func (r *WaitlistOffers) OfferFreedPlaces(ctx context.Context) error {
	f, err := r.facilities.Facility(ctx)
	if err != nil {
		return fmt.Errorf("load facility: %w", err)
	}
	offers, err := r.service.OfferFreedPlaces(ctx, f)
	if len(offers) > 0 {
		r.offered.Add(float64(len(offers)), "offered")
		if r.wakePushes != nil {
			r.wakePushes()
		}
	}
	return err
}

// WaitlistNotices words the push of a waitlist offer, for the store that
// enqueues it with the offer (postgres.WaitlistNotices).
type WaitlistNotices struct {
	Facilities FacilitySource
}

// Offer brings her the freed place with 予約する and 見送る.
func (n WaitlistNotices) Offer(ctx context.Context, o booking.Offer) ([]line.Message, error) {
	f, err := n.Facilities.Facility(ctx)
	if err != nil {
		return nil, fmt.Errorf("load facility: %w", err)
	}
	return []line.Message{newReplies(f).waitlistOffer(o)}, nil
}
