package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/clock"
	"mamasroom/line"
	"mamasroom/logcheck"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/reminders"
)

// The day before monday, at REMINDER_AT (12:00 by default).
var sundayNoon = monday.AddDays(-1).At(12, 0)

type reminderEnv struct {
	fixture
	out   *postgres.Outbox
	clock *clock.Fake
	svc   *reminders.Service
}

func remindersAt(t *testing.T, now time.Time) reminderEnv {
	t.Helper()
	fx := setup(t)
	out := postgres.NewOutbox(fx.pool, fx.facility.ID)
	clk := clock.NewFake(now)
	return reminderEnv{fixture: fx, out: out, clock: clk, svc: newReminderService(fx, out, clk)}
}

func newReminderService(fx fixture, out *postgres.Outbox, clk clock.Clock) *reminders.Service {
	return &reminders.Service{
		Store:    postgres.NewReminders(fx.pool, out),
		Facility: func(ctx context.Context) (*booking.Facility, error) { return fx.store.FacilityBySlug(ctx, "mamasroom") },
		Compose: func(f *booking.Facility, b *booking.Booking) []line.Message {
			return []line.Message{{Text: "reminder " + b.Number}}
		},
		Clock: clk,
		Log:   slog.New(slog.NewTextHandler(logcheck.Writer(io.Discard), nil)),
	}
}

func (e reminderEnv) due(t *testing.T) int {
	t.Helper()
	n, err := e.svc.EnqueueDue(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e reminderEnv) reminder(t *testing.T, b *booking.Booking) (outbox.Push, bool) {
	t.Helper()
	p, err := e.out.Find(e.ctx, reminders.DedupeKey(b.ID))
	if err != nil {
		return p, false
	}
	return p, true
}

// Just before REMINDER_AT nothing is written; at it, one row per booking,
// however often and however many at once run.
func TestRemindersWrittenOnceFromReminderAt(t *testing.T) {
	e := remindersAt(t, sundayNoon.Add(-time.Second))
	var booked []*booking.Booking
	for range 4 { // the day's capacity
		booked = append(booked, e.book(t, e.newMother(t), monday))
	}
	if n := e.due(t); n != 0 {
		t.Fatalf("at 11:59:59 wrote %d reminders, want none", n)
	}
	e.clock.Set(sundayNoon)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 8 {
		wg.Go(func() {
			svc := newReminderService(e.fixture, e.out, e.clock)
			n, err := svc.EnqueueDue(e.ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != len(booked) {
		t.Fatalf("8 runs at 12:00 wrote %d reminders, want %d", total, len(booked))
	}
	for _, b := range booked {
		p, ok := e.reminder(t, b)
		if !ok || p.BookingID != b.ID || p.Kind != outbox.KindReminder || !p.Expires.Equal(booking.Checkin(monday)) {
			t.Fatalf("reminder of booking %d: %+v, found %v", b.ID, p, ok)
		}
	}
	if n := e.due(t); n != 0 {
		t.Fatalf("a second run wrote %d", n)
	}
}

// Cancelled bookings, closed days and mothers who blocked the account get
// no reminder written.
func TestRemindersLeaveOutCancelledClosedAndBlocked(t *testing.T) {
	e := remindersAt(t, sundayNoon)
	kept := e.book(t, e.newMother(t), monday)
	m := e.newMother(t)
	cancelled := e.book(t, m, monday)
	if _, err := e.store.Cancel(e.ctx, m.ID, cancelled.Number, sundayNoon); err != nil {
		t.Fatal(err)
	}
	blocker := e.newMother(t)
	blocked := e.book(t, blocker, monday)
	if err := e.store.SetFollowing(e.ctx, blocker.ID, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	tuesday := monday.AddDays(1)
	onClosed := e.book(t, e.newMother(t), tuesday)
	e.override(t, booking.DayOverride{Day: tuesday, Closed: true})

	if n := e.due(t); n != 1 {
		t.Fatalf("wrote %d reminders, want 1", n)
	}
	if _, ok := e.reminder(t, kept); !ok {
		t.Fatal("the active booking got no reminder")
	}
	for _, b := range []*booking.Booking{cancelled, blocked, onClosed} {
		if _, ok := e.reminder(t, b); ok {
			t.Fatalf("booking %d got a reminder", b.ID)
		}
	}
	// The closed day's own reminder time: still none.
	e.clock.Set(monday.At(12, 0))
	if n := e.due(t); n != 0 {
		t.Fatalf("the closed day got %d reminders", n)
	}
}

// A booking cancelled after its reminder was written, before it went out:
// the cancel skips the row in its own transaction, and the claim sees it.
func TestRemindersCancelSkipsTheWrittenReminder(t *testing.T) {
	e := remindersAt(t, sundayNoon)
	m := e.newMother(t)
	b := e.book(t, m, monday)
	if n := e.due(t); n != 1 {
		t.Fatalf("wrote %d", n)
	}
	if _, err := e.store.Cancel(e.ctx, m.ID, b.Number, sundayNoon.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	p, _ := e.reminder(t, b)
	if p.Status != outbox.StatusSkipped {
		t.Fatalf("reminder of a cancelled booking is %s, want skipped", p.Status)
	}
	if c, err := e.out.Claim(e.ctx, sundayNoon.Add(time.Hour), time.Minute, 10, false); err != nil || len(c) != 0 {
		t.Fatalf("claimed %v, %v; want nothing", keysOf(c), err)
	}
}

// A day closed (or a booking cancelled by staff) after the reminder was
// written: the claim marks it void, and the worker skips it.
func TestRemindersClaimSeesADayClosedAfterwards(t *testing.T) {
	e := remindersAt(t, sundayNoon)
	b := e.book(t, e.newMother(t), monday)
	e.due(t)
	e.override(t, booking.DayOverride{Day: monday, Closed: true})
	c, err := e.out.Claim(e.ctx, sundayNoon, time.Minute, 10, false)
	if err != nil || len(c) != 1 || c[0].BookingID != b.ID || !c[0].Void {
		t.Fatalf("claimed %+v, %v; want the reminder, void", c, err)
	}
}

// After downtime the reminders of visits not yet begun are caught up; at
// check-in time they are not written any more.
func TestRemindersCatchUpUntilCheckin(t *testing.T) {
	e := remindersAt(t, monday.At(9, 59))
	late := e.book(t, e.newMother(t), monday)
	if n := e.due(t); n != 1 {
		t.Fatalf("at 9:59 on the day wrote %d, want the late reminder", n)
	}
	if _, ok := e.reminder(t, late); !ok {
		t.Fatal("no late reminder")
	}
	e.clock.Set(monday.At(10, 0))
	e.book(t, e.newMother(t), monday)
	if n := e.due(t); n != 0 {
		t.Fatalf("at check-in wrote %d, want none", n)
	}
	if _, err := e.svc.EnqueueDay(e.ctx, monday); err == nil {
		t.Fatal("remind -date for a day already begun: no error")
	}
}

// A booking made after REMINDER_AT for the next day gets its reminder at
// once, through the watched store.
func TestRemindersBookedLateGetsItAtOnce(t *testing.T) {
	e := remindersAt(t, sundayNoon.Add(3*time.Hour))
	watched := reminders.WatchBookings(e.store, e.svc)
	m := e.newMother(t)
	b, err := watched.Book(e.ctx, booking.NewBooking{FacilityID: e.facility.ID, MotherID: m.ID, Day: monday})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.reminder(t, b); !ok {
		t.Fatal("a booking made at 15:00 for the next day has no reminder")
	}
	// Booked before the reminder time: none yet.
	tuesday := monday.AddDays(1)
	b2, err := watched.Book(e.ctx, booking.NewBooking{FacilityID: e.facility.ID, MotherID: e.newMother(t).ID, Day: tuesday})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.reminder(t, b2); ok {
		t.Fatal("a booking two days ahead got its reminder at once")
	}
}
