// Package reminders puts each booking's day-before reminder into the outbox
// when it is due, once.
//
// Nothing here sends: a due reminder becomes an outbox row (one per booking
// and kind, so every replica and every `remind` run may enqueue it and only
// the first row stands), and the outbox worker pushes it with its retry key.
// The scheduler is only woken by cron: at REMINDER_AT, every few minutes to
// catch up after downtime or a failed run, and when a booking is made whose
// reminder is already due. A reminder is due from its time (REMINDER_AT the
// day before) until the visit starts (10:00 that day); after that it is not
// written, and a row written but not sent by then expires.
package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"mamasroom/booking"
	"mamasroom/clock"
	"mamasroom/line"
	"mamasroom/outbox"
)

// Target is a booking that has no reminder yet, with whom to send it to.
type Target struct {
	Booking    booking.Booking
	LineUserID string
}

// Store finds bookings to remind and writes their pushes. postgres.Reminders
// implements it.
type Store interface {
	// Unreminded returns up to limit bookings of facilityID on day that are
	// active, of mothers who follow the account, on a day staff did not
	// close, and that have no reminder in the outbox, by booking id after
	// afterID.
	Unreminded(ctx context.Context, facilityID int64, day booking.Date, afterID int64, limit int) ([]Target, error)
	// Enqueue writes a reminder push; false when its booking has one.
	Enqueue(ctx context.Context, p outbox.Push) (bool, error)
	// Waiting counts the reminders of day's visits not yet finished
	// (pending in the outbox).
	Waiting(ctx context.Context, facilityID int64, day booking.Date) (int, error)
}

// Compose makes the reminder's messages (its words and buttons); the bot
// knows the buttons, so it is given.
type Compose func(f *booking.Facility, b *booking.Booking) []line.Message

// Service enqueues due reminders. Every field but Log, Metrics and Wake is
// required.
type Service struct {
	Store    Store
	Facility func(ctx context.Context) (*booking.Facility, error)
	Compose  Compose
	Clock    clock.Clock
	// Wake tells the outbox worker that pushes were enqueued.
	Wake func()
	Log  *slog.Logger
}

// batch is how many bookings one query reads.
const batch = 500

// DedupeKey names the reminder of booking id in the outbox.
func DedupeKey(bookingID int64) string {
	return "reminder/booking/" + strconv.FormatInt(bookingID, 10)
}

// DueDays are the visit days whose reminders are due at now: their reminder
// time has come and the visit has not started. At most today and tomorrow.
func DueDays(f *booking.Facility, now time.Time) []booking.Date {
	var days []booking.Date
	today := booking.DateOf(now)
	for _, d := range []booking.Date{today, today.AddDays(1)} {
		if !now.Before(f.Reminder(d)) && now.Before(booking.Checkin(d)) {
			days = append(days, d)
		}
	}
	return days
}

// EnqueueDue writes the reminders due now, those late after downtime
// included, and reports how many it wrote.
func (s *Service) EnqueueDue(ctx context.Context) (int, error) {
	f, err := s.Facility(ctx)
	if err != nil {
		return 0, fmt.Errorf("enqueue due reminders: %w", err)
	}
	total := 0
	for _, d := range DueDays(f, s.Clock.Now()) {
		n, err := s.enqueueDay(ctx, f, d)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// ErrVisitStarted is returned for a day whose visits have begun: their
// reminders would come too late.
var ErrVisitStarted = errors.New("the visits of that day have started")

// EnqueueDay writes now the reminders of day's visits, whatever the time
// (remind -date), unless the visits have started.
func (s *Service) EnqueueDay(ctx context.Context, day booking.Date) (int, error) {
	f, err := s.Facility(ctx)
	if err != nil {
		return 0, fmt.Errorf("enqueue reminders of %s: %w", day, err)
	}
	if !s.Clock.Now().Before(booking.Checkin(day)) {
		return 0, fmt.Errorf("enqueue reminders of %s: %w", day, ErrVisitStarted)
	}
	return s.enqueueDay(ctx, f, day)
}

func (s *Service) enqueueDay(ctx context.Context, f *booking.Facility, day booking.Date) (int, error) {
	written := 0
	var after int64
	for {
		targets, err := s.Store.Unreminded(ctx, f.ID, day, after, batch)
		if err != nil {
			return written, fmt.Errorf("enqueue reminders of %s: %w", day, err)
		}
		for _, t := range targets {
			ok, err := s.Store.Enqueue(ctx, s.push(f, t))
			if err != nil {
				return written, fmt.Errorf("enqueue reminder of booking %d: %w", t.Booking.ID, err)
			}
			if ok {
				written++
			}
			after = t.Booking.ID
		}
		if written > 0 && s.Wake != nil {
			s.Wake()
		}
		if len(targets) < batch {
			break
		}
	}
	if written > 0 {
		s.log().InfoContext(ctx, "reminders enqueued", "day", day.String(), "count", written)
	}
	return written, nil
}

func (s *Service) push(f *booking.Facility, t Target) outbox.Push {
	b := t.Booking
	return outbox.Push{
		FacilityID: f.ID,
		LineUserID: t.LineUserID,
		Kind:       outbox.KindReminder,
		DedupeKey:  DedupeKey(b.ID),
		BookingID:  b.ID,
		Messages:   s.Compose(f, &b),
		// A reminder after check-in is no use.
		Expires: booking.Checkin(b.Day),
	}
}

// Booked is told of a booking just made: when its reminder is due already
// (booked after REMINDER_AT for the next day), it is written at once.
func (s *Service) Booked(ctx context.Context, b *booking.Booking) {
	f, err := s.Facility(ctx)
	if err != nil {
		s.log().ErrorContext(ctx, "reminder of a new booking: load facility", "error", err)
		return
	}
	now := s.Clock.Now()
	if now.Before(f.Reminder(b.Day)) || !now.Before(booking.Checkin(b.Day)) {
		return // the scheduler sends it at its time
	}
	// The whole day: cheap (a day has a handful of bookings) and it needs
	// no lookup of her LINE user. What this misses, the next catch-up finds.
	if _, err := s.enqueueDay(ctx, f, b.Day); err != nil {
		s.log().ErrorContext(ctx, "reminder of a new booking", "booking_id", b.ID, "error", err)
	}
}

// Waiting counts the reminders of day not yet finished.
func (s *Service) Waiting(ctx context.Context, day booking.Date) (int, error) {
	f, err := s.Facility(ctx)
	if err != nil {
		return 0, err
	}
	return s.Store.Waiting(ctx, f.ID, day)
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// WatchBookings returns store, whose Book and Move also tell s of the
// booking made, so a booking whose reminder is due already gets it at once.
func WatchBookings(store booking.Store, s *Service) booking.Store {
	return watched{Store: store, s: s}
}

type watched struct {
	booking.Store
	s *Service
}

func (w watched) Book(ctx context.Context, nb booking.NewBooking) (*booking.Booking, error) {
	b, err := w.Store.Book(ctx, nb)
	if err == nil {
		w.s.Booked(ctx, b)
	}
	return b, err
}

// Move tells s of the booking of the new day; the old one's reminder was
// skipped in the move's transaction.
func (w watched) Move(ctx context.Context, mv booking.Move) (*booking.Booking, error) {
	b, err := w.Store.Move(ctx, mv)
	if err == nil {
		w.s.Booked(ctx, b)
	}
	return b, err
}
