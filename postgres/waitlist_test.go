package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/line"
	"mamasroom/postgres"
)

type offerWords struct{}

func (offerWords) Offer(_ context.Context, o booking.Offer) ([]line.Message, error) {
	return []line.Message{{Text: "offer " + o.Entry.Day.String()}}, nil
}

func (fx fixture) waitlist() *postgres.Waitlist {
	return postgres.NewWaitlist(fx.pool, postgres.NewOutbox(fx.pool, fx.facility.ID), offerWords{})
}

func anyone(booking.WaitCandidate) bool { return true }

// oneFreePlace sets monday's capacity to one, booked by someone, and
// returns that booking's mother, so the test frees the place by cancelling.
func (fx fixture) onePlaceTaken(t *testing.T) (*booking.Mother, *booking.Booking) {
	t.Helper()
	one := 1
	if err := fx.store.SetDayOverride(fx.ctx, fx.facility.ID, booking.DayOverride{Day: monday, Capacity: &one}); err != nil {
		t.Fatal(err)
	}
	m := fx.newMother(t)
	b, err := fx.store.Book(fx.ctx, booking.NewBooking{FacilityID: fx.facility.ID, MotherID: m.ID, Day: monday})
	if err != nil {
		t.Fatal(err)
	}
	return m, b
}

func TestWaitlistOffersOnePlaceToTheFirstAndBooksIt(t *testing.T) {
	fx := setup(t)
	w := fx.waitlist()
	at := monday.AddDays(-3).At(10, 0)
	terms := booking.OfferTerms{At: at, ExpiresAt: at.Add(2 * time.Hour)}
	holder, held := fx.onePlaceTaken(t)
	first, second := fx.newMother(t), fx.newMother(t)
	e1, err := w.Join(fx.ctx, fx.facility.ID, first.ID, monday, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Join(fx.ctx, fx.facility.ID, first.ID, monday, at); !errors.Is(err, booking.ErrAlreadyWaiting) {
		t.Fatalf("a second wait for the same day: %v, want ErrAlreadyWaiting", err)
	}
	if _, err := w.Join(fx.ctx, fx.facility.ID, second.ID, monday, at); err != nil {
		t.Fatal(err)
	}

	if o, err := w.OfferNext(fx.ctx, fx.facility.ID, monday, terms, anyone); err != nil || o != nil {
		t.Fatalf("full day: offer %v, %v; want none", o, err)
	}
	if _, err := fx.store.Cancel(fx.ctx, holder.ID, held.Number, at); err != nil {
		t.Fatal(err)
	}
	o, err := w.OfferNext(fx.ctx, fx.facility.ID, monday, terms, anyone)
	if err != nil || o == nil || o.Entry.ID != e1.ID {
		t.Fatalf("offer = %+v, %v; want the first mother's", o, err)
	}
	if again, err := w.OfferNext(fx.ctx, fx.facility.ID, monday, terms, anyone); err != nil || again != nil {
		t.Fatalf("one free place was offered twice: %+v, %v", again, err)
	}
	var pushes int
	if err := fx.pool.QueryRow(fx.ctx, `SELECT count(*) FROM outbox WHERE kind = 'waitlist_offer'`).Scan(&pushes); err != nil || pushes != 1 {
		t.Fatalf("offer pushes = %d, %v; want 1, written with the offer", pushes, err)
	}

	nb := booking.NewBooking{FacilityID: fx.facility.ID, MotherID: first.ID, Day: monday}
	if _, err := w.Accept(fx.ctx, e1.ID, nb, at.Add(3*time.Hour)); !errors.Is(err, booking.ErrOfferExpired) {
		t.Fatalf("accept after the deadline: %v, want ErrOfferExpired", err)
	}
	b, err := w.Accept(fx.ctx, e1.ID, nb, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Accept(fx.ctx, e1.ID, nb, at.Add(time.Hour)); !errors.Is(err, booking.ErrAlreadyBooked) {
		t.Fatalf("second accept: %v, want ErrAlreadyBooked", err)
	}
	e, err := w.Entry(fx.ctx, fx.facility.ID, e1.ID)
	if err != nil || e.Status != booking.WaitBooked || e.BookingID == nil || *e.BookingID != b.ID {
		t.Fatalf("entry after accept = %+v, %v", e, err)
	}
}

func TestWaitlistDropsThoseWhoMayNotAndExpires(t *testing.T) {
	fx := setup(t)
	w := fx.waitlist()
	at := monday.AddDays(-3).At(10, 0)
	terms := booking.OfferTerms{At: at, ExpiresAt: at.Add(2 * time.Hour)}
	first, second := fx.newMother(t), fx.newMother(t)
	e1, _ := w.Join(fx.ctx, fx.facility.ID, first.ID, monday, at)
	e2, _ := w.Join(fx.ctx, fx.facility.ID, second.ID, monday, at)

	// The day has room (nobody booked it): the first may not, the second
	// is offered.
	o, err := w.OfferNext(fx.ctx, fx.facility.ID, monday, terms, func(c booking.WaitCandidate) bool { return c.Entry.ID != e1.ID })
	if err != nil || o == nil || o.Entry.ID != e2.ID {
		t.Fatalf("offer = %+v, %v; want the second mother's", o, err)
	}
	if e, _ := w.Entry(fx.ctx, fx.facility.ID, e1.ID); e.Status != booking.WaitDropped {
		t.Errorf("first entry is %s, want dropped", e.Status)
	}
	if n, err := w.ExpireOffers(fx.ctx, fx.facility.ID, terms.ExpiresAt.Add(-time.Second)); err != nil || n != 0 {
		t.Fatalf("expired early: %d, %v", n, err)
	}
	if n, err := w.ExpireOffers(fx.ctx, fx.facility.ID, terms.ExpiresAt); err != nil || n != 1 {
		t.Fatalf("expired at the deadline: %d, %v; want 1", n, err)
	}
	if e, _ := w.Entry(fx.ctx, fx.facility.ID, e2.ID); e.Status != booking.WaitExpired {
		t.Errorf("second entry is %s, want expired", e.Status)
	}
}

// Runners in many processes offer one free place once: the day's lock
// serialises them as it serialises bookings.
func TestWaitlistConcurrentRunnersOfferOncePerPlace(t *testing.T) {
	fx := setup(t)
	w := fx.waitlist()
	at := monday.AddDays(-3).At(10, 0)
	terms := booking.OfferTerms{At: at, ExpiresAt: at.Add(2 * time.Hour)}
	holder, held := fx.onePlaceTaken(t)
	for range 10 {
		if _, err := w.Join(fx.ctx, fx.facility.ID, fx.newMother(t).ID, monday, at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fx.store.Cancel(fx.ctx, holder.ID, held.Number, at); err != nil {
		t.Fatal(err)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		offers int
	)
	for range 20 {
		wg.Go(func() {
			o, err := w.OfferNext(fx.ctx, fx.facility.ID, monday, terms, anyone)
			if err != nil {
				t.Error(err)
			}
			if o != nil {
				mu.Lock()
				offers++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if offers != 1 {
		t.Errorf("%d offers for one free place", offers)
	}
}
