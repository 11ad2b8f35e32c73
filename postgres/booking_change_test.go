package postgres_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
	"mamasroom/reminders"
)

func (fx fixture) move(b *booking.Booking, day booking.Date, options ...booking.Option) (*booking.Booking, error) {
	return fx.store.Move(fx.ctx, booking.Move{
		FacilityID: fx.facility.ID, MotherID: b.MotherID, Number: b.Number,
		Day: day, Options: options, At: time.Date(2026, 12, 1, 12, 0, 0, 0, booking.Tokyo),
	})
}

// activeOf lists the mother's active bookings, of any day.
func (fx fixture) activeOf(t *testing.T, motherID int64) []booking.Booking {
	t.Helper()
	list, err := fx.store.ActiveBookings(fx.ctx, motherID, booking.Date{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestMoveBooksTheNewDayAndFreesTheOld(t *testing.T) {
	fx := setup(t)
	tuesday := monday.AddDays(1)
	m := fx.newMother(t)
	old := fx.book(t, m, monday, booking.OptionWaterBed)

	moved, err := fx.move(old, tuesday, booking.OptionWaterBed)
	if err != nil {
		t.Fatalf("move: %v", err)
	}

	if moved.Day != tuesday || moved.Status != booking.StatusActive || moved.Number == old.Number ||
		!slices.Equal(moved.Options, []booking.Option{booking.OptionWaterBed}) {
		t.Errorf("moved booking %+v, want an active booking of %v with the water bed and a number of its own", moved, tuesday)
	}
	left, err := fx.store.BookingByNumber(fx.ctx, fx.facility.ID, old.Number)
	if err != nil {
		t.Fatal(err)
	}
	if left.Status != booking.StatusCancelled || left.CancelledAt == nil {
		t.Errorf("the booking left is %s, want cancelled", left.Status)
	}
	if c := fx.count(t, monday); c.Booked != 0 || c.Options[booking.OptionWaterBed].Booked != 0 {
		t.Errorf("monday still counts %d bookings, %d water beds; want its place freed", c.Booked, c.Options[booking.OptionWaterBed].Booked)
	}
	if c := fx.count(t, tuesday); c.Booked != 1 || c.Options[booking.OptionWaterBed].Booked != 1 {
		t.Errorf("tuesday counts %d bookings, %d water beds; want 1 and 1", c.Booked, c.Options[booking.OptionWaterBed].Booked)
	}
}

// Every refusal of the new day or of the old booking changes nothing: she
// keeps the booking she had, and the new day is not taken.
func TestMoveRefusedChangesNothing(t *testing.T) {
	fx := setup(t)
	tuesday, thursday := monday.AddDays(1), monday.AddDays(3)
	fx.override(t, booking.DayOverride{Day: tuesday, Capacity: intPtr(1)})
	fx.book(t, fx.newMother(t), tuesday)
	fx.override(t, booking.DayOverride{Day: thursday, OptionCapacities: map[booking.Option]int{booking.OptionAroma: 0}})
	friday := monday.AddDays(4)
	fx.override(t, booking.DayOverride{Day: friday, Closed: true})

	m := fx.newMother(t)
	old := fx.book(t, m, monday, booking.OptionAroma)
	mine := fx.book(t, m, thursday.AddDays(4)) // the next Monday, hers already

	for _, c := range []struct {
		name    string
		day     booking.Date
		options []booking.Option
		want    error
	}{
		{"a full day", tuesday, nil, booking.ErrFull},
		{"an option full that day", thursday, []booking.Option{booking.OptionAroma}, booking.ErrOptionFull},
		{"a closed day", friday, nil, booking.ErrClosed},
		{"a day she has booked", mine.Day, nil, booking.ErrAlreadyBooked},
		{"the same day", monday, nil, booking.ErrAlreadyBooked},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := fx.move(old, c.day, c.options...)
			wantErr(t, err, c.want)
			if got := fx.activeOf(t, m.ID); len(got) != 2 || got[0].Number != old.Number || got[1].Number != mine.Number {
				t.Errorf("after a refused move she holds %+v, want her two bookings as they were", got)
			}
		})
	}
	if c := fx.count(t, thursday); c.Booked != 0 {
		t.Errorf("thursday counts %d bookings after refused moves", c.Booked)
	}

	if _, err := fx.store.Cancel(fx.ctx, m.ID, old.Number, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, err := fx.move(old, thursday)
	wantErr(t, err, booking.ErrAlreadyCanceled)
	if c := fx.count(t, thursday); c.Booked != 0 {
		t.Errorf("a cancelled booking was moved: thursday counts %d", c.Booked)
	}
	other := fx.newMother(t)
	_, err = fx.move(&booking.Booking{MotherID: other.ID, Number: mine.Number}, thursday)
	wantErr(t, err, booking.ErrNotFound)
	if got := fx.activeOf(t, m.ID); len(got) != 1 || got[0].Number != mine.Number {
		t.Errorf("another mother moved her booking: she holds %+v", got)
	}
}

// Her place never ends on both days or on neither, however many move to
// the last place of a day and book it at once: each mother who moves
// holds exactly one booking afterwards, the day holds its one place, and
// the mothers who lost keep the day they had.
func TestMoveConcurrentlyNeverBothNorNeither(t *testing.T) {
	t.Parallel()
	fx := setupWithPool(t, concurrentPool(t))
	tuesday := monday.AddDays(1)
	fx.override(t, booking.DayOverride{Day: monday, Capacity: intPtr(1000)})
	fx.override(t, booking.DayOverride{Day: tuesday, Capacity: intPtr(1)})

	movers := fx.newMothers(t, 600)
	movers, bookers := movers[:300], movers[300:]
	held := make(map[int64]*booking.Booking, len(movers))
	for _, id := range movers {
		held[id] = fx.book(t, &booking.Mother{ID: id}, monday)
	}

	var (
		mu      sync.Mutex
		results = map[string]map[error]int{"move": {}, "book": {}}
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	tally := func(kind string, err error) {
		if errors.Is(err, booking.ErrFull) {
			err = booking.ErrFull
		}
		mu.Lock()
		results[kind][err]++
		mu.Unlock()
	}
	for i := range movers {
		wg.Go(func() {
			<-start
			_, err := fx.move(held[movers[i]], tuesday)
			tally("move", err)
		})
		wg.Go(func() {
			<-start
			_, err := fx.tryBook(&booking.Mother{ID: bookers[i]}, tuesday)
			tally("book", err)
		})
	}
	close(start)
	wg.Wait()

	wins := results["move"][nil] + results["book"][nil]
	if wins != 1 || results["move"][booking.ErrFull]+results["book"][booking.ErrFull] != 599 {
		t.Errorf("results %v, want one success and 599 ErrFull", results)
	}
	if c := fx.count(t, tuesday); c.Booked != 1 {
		t.Errorf("tuesday holds %d bookings, want its one place", c.Booked)
	}
	movedAway := 0
	for _, id := range movers {
		got := fx.activeOf(t, id)
		if len(got) != 1 {
			t.Fatalf("mother %d holds %d bookings after her move, want exactly 1: %+v", id, len(got), got)
		}
		switch got[0].Day {
		case tuesday:
			movedAway++
		case monday:
			if got[0].Number != held[id].Number {
				t.Errorf("mother %d lost the move yet holds another monday booking", id)
			}
		}
	}
	if movedAway != results["move"][nil] {
		t.Errorf("%d movers hold tuesday, but %d moves succeeded", movedAway, results["move"][nil])
	}
	if c := fx.count(t, monday); c.Booked != len(movers)-movedAway {
		t.Errorf("monday holds %d bookings, want %d", c.Booked, len(movers)-movedAway)
	}
}

// Two phones move the same booking to two days at once: one move wins,
// she holds one booking.
func TestMoveTheSameBookingTwiceAtOnce(t *testing.T) {
	t.Parallel()
	fx := setupWithPool(t, concurrentPool(t))
	for range 20 {
		m := fx.newMother(t)
		old := fx.book(t, m, monday)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, day := range []booking.Date{monday.AddDays(1), monday.AddDays(3)} {
			wg.Go(func() { _, errs[i] = fx.move(old, day) })
		}
		wg.Wait()
		if got := fx.activeOf(t, m.ID); len(got) != 1 || got[0].Day == monday {
			t.Fatalf("after two moves at once she holds %+v (errors %v), want one booking of a new day", got, errs)
		}
		if (errs[0] == nil) == (errs[1] == nil) || !errors.Is(errors.Join(errs...), booking.ErrAlreadyCanceled) {
			t.Fatalf("errors %v, want one move done and the other refused as already cancelled", errs)
		}
		if _, err := fx.store.Cancel(fx.ctx, m.ID, fx.activeOf(t, m.ID)[0].Number, time.Now()); err != nil {
			t.Fatal(err) // frees the place for the next round
		}
	}
}

// The old day's reminder, written and waiting, is skipped in the move's
// transaction; the new day's is written at its own time, or at once when
// that has passed.
func TestMoveSkipsTheOldReminderAndRemindsTheNewDay(t *testing.T) {
	e := remindersAt(t, sundayNoon)
	watched := reminders.WatchBookings(e.store, e.svc)
	m := e.newMother(t)
	old := e.book(t, m, monday)
	if n := e.due(t); n != 1 {
		t.Fatalf("wrote %d reminders, want monday's", n)
	}
	tuesday, thursday := monday.AddDays(1), monday.AddDays(3)
	moved, err := watched.Move(e.ctx, booking.Move{FacilityID: e.facility.ID, MotherID: m.ID, Number: old.Number, Day: tuesday, At: sundayNoon.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := e.reminder(t, old); p.Status != outbox.StatusSkipped {
		t.Fatalf("the reminder of the day left is %s, want skipped", p.Status)
	}
	if _, ok := e.reminder(t, moved); ok {
		t.Fatal("tuesday's reminder was written on sunday")
	}
	e.clock.Set(monday.At(12, 0))
	if n := e.due(t); n != 1 {
		t.Fatalf("monday noon wrote %d reminders, want tuesday's", n)
	}
	if _, ok := e.reminder(t, moved); !ok {
		t.Fatal("the moved booking has no reminder of its new day")
	}

	// At 15:00 on monday a thursday booking moves to tuesday, whose
	// reminder time has passed: its reminder is written at once.
	e.clock.Set(monday.At(15, 0))
	other := e.newMother(t)
	late, err := watched.Move(e.ctx, booking.Move{FacilityID: e.facility.ID, MotherID: other.ID, Number: e.book(t, other, thursday).Number, Day: tuesday, At: monday.At(15, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.reminder(t, late); !ok {
		t.Fatal("a booking moved at 15:00 to the next day has no reminder")
	}
}

// BenchmarkMove moves one booking back and forth between two days, each
// move one transaction: the new day's lock, hers, the booking left.
func BenchmarkMove(b *testing.B) {
	pool := pgtest.Pool(b)
	ctx := b.Context()
	store := postgres.NewStore(pool)
	f, err := store.FacilityBySlug(ctx, "mamasroom")
	if err != nil {
		b.Fatal(err)
	}
	m, err := store.EnsureMother(ctx, f.ID, "Ubench")
	if err != nil {
		b.Fatal(err)
	}
	bk, err := store.Book(ctx, booking.NewBooking{FacilityID: f.ID, MotherID: m.ID, Day: monday})
	if err != nil {
		b.Fatal(err)
	}
	days := []booking.Date{monday.AddDays(1), monday}
	b.ResetTimer()
	for i := range b.N {
		bk, err = store.Move(ctx, booking.Move{FacilityID: f.ID, MotherID: m.ID, Number: bk.Number, Day: days[i%2], At: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
	}
}
