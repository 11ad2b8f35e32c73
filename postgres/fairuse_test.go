package postgres_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"mamasroom/booking"
)

// One mother tapping 予約する on many phones at once, each for another day:
// every day has its own lock, so only her row's lock keeps her to the
// limit. Remove `FOR UPDATE` from lockMotherQ in book() and this fails.
func TestBookConcurrentlyNeverExceedsUpcomingLimit(t *testing.T) {
	t.Parallel()
	fx := setupWithPool(t, concurrentPool(t))
	m := fx.newMother(t)
	const attempts, limit = 40, 2
	var (
		mu      sync.Mutex
		results = map[error]int{}
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	for i := range attempts {
		day := monday.AddDays(i)
		wg.Go(func() {
			<-start
			_, err := fx.store.Book(fx.ctx, booking.NewBooking{
				FacilityID: fx.facility.ID, MotherID: m.ID, Day: day,
				MaxUpcoming: limit, Today: monday,
			})
			if errors.Is(err, booking.ErrUpcomingLimit) {
				err = booking.ErrUpcomingLimit
			}
			mu.Lock()
			results[err]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if len(results) != 2 || results[nil] != limit || results[booking.ErrUpcomingLimit] != attempts-limit {
		t.Errorf("results %v, want %d successes and %d ErrUpcomingLimit", results, limit, attempts-limit)
	}
	held, err := fx.store.ActiveBookings(fx.ctx, m.ID, monday)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != limit {
		t.Errorf("she holds %d upcoming bookings, want %d", len(held), limit)
	}
}

func TestBookUpcomingLimitCountsFromToday(t *testing.T) {
	fx := setup(t)
	m := fx.newMother(t)
	book := func(day, today booking.Date) error {
		_, err := fx.store.Book(fx.ctx, booking.NewBooking{
			FacilityID: fx.facility.ID, MotherID: m.ID, Day: day, MaxUpcoming: 2, Today: today,
		})
		return err
	}
	for _, day := range []booking.Date{monday, monday.AddDays(1)} {
		if err := book(day, monday); err != nil {
			t.Fatalf("book %v: %v", day, err)
		}
	}
	// Today's visit still counts: she may not hold a third.
	wantErr(t, book(monday.AddDays(3), monday), booking.ErrUpcomingLimit)
	// The day after her first visit, it is past and no longer upcoming.
	if err := book(monday.AddDays(3), monday.AddDays(1)); err != nil {
		t.Errorf("book after a visit passed: %v", err)
	}
	// A cancelled booking frees her a place too.
	held, err := fx.store.ActiveBookings(fx.ctx, m.ID, monday.AddDays(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.store.Cancel(fx.ctx, m.ID, held[0].Number, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := book(monday.AddDays(4), monday.AddDays(1)); err != nil {
		t.Errorf("book after a cancel: %v", err)
	}
	// 0 is no limit.
	if _, err := fx.store.Book(fx.ctx, booking.NewBooking{FacilityID: fx.facility.ID, MotherID: m.ID, Day: monday.AddDays(7), Today: monday}); err != nil {
		t.Errorf("book without a limit: %v", err)
	}
}

func TestFacilityFairUseAndRetentionDefaults(t *testing.T) {
	fx := setup(t)
	f := fx.facility
	if f.MaxUpcomingPerMother != 2 || f.UnfollowedRetention != 30*24*time.Hour || f.QuestionRetention != 365*24*time.Hour {
		t.Errorf("upcoming %d, unfollowed retention %v, question retention %v; want 2, 720h, 8760h",
			f.MaxUpcomingPerMother, f.UnfollowedRetention, f.QuestionRetention)
	}
}
