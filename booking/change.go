package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Changing a booking's day (予約の変更): the booking of the old day is
// cancelled and a new one made for the new day, in one transaction, so she
// never ends with both days or with neither. The new booking has its own
// number; the old one stays in the records as cancelled, which keeps its
// reminder and the waitlist working as they do for any cancel and booking.

// Move is what Store.Move needs: whose booking, which, and where to.
type Move struct {
	FacilityID int64
	MotherID   int64
	// Number is the booking moved.
	Number string
	// Day and Options are the new booking's.
	Day     Date
	Options []Option
	// At is when the old booking is cancelled.
	At time.Time
	// ConfirmKey names the confirm step that asked for the move, as for a
	// booking (NewBooking.ConfirmKey): one key moves once.
	ConfirmKey string
}

// ChangeDay moves one of her bookings to day with options, checking first
// what Cancel checks of the old booking (hers, active, before the
// facility's deadline: ErrPastDeadline, since the day is planned by then
// and she must phone) and what Book checks of the new day (the window,
// the calendar, her eligibility). The store then moves it under the locks
// a booking takes, with the same capacity rules.
//
// key is the confirm step's, as for BookConfirmed: a change confirmed
// again (the turn retried after a crash, a second tap) gets the booking
// that key made, not a second move nor an error.
func (s *Service) ChangeDay(ctx context.Context, f *Facility, m *Mother, key, number string, day Date, options []Option) (*Booking, error) {
	switch b, err := s.BookingConfirmedBy(ctx, f, m, key); {
	case err == nil:
		return b, nil
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	old, err := s.BookingOf(ctx, f, m, number)
	if err != nil {
		return nil, fmt.Errorf("change day: %w", err)
	}
	if old.Status == StatusCancelled {
		return nil, fmt.Errorf("change booking %s: %w", old.Number, ErrAlreadyCanceled)
	}
	if old.Day == day {
		return nil, fmt.Errorf("change booking %s to %v: %w", old.Number, day, ErrAlreadyBooked)
	}
	now := s.now()
	if now.After(f.CancelDeadline(old.Day)) {
		return nil, fmt.Errorf("change booking %s: %w", old.Number, ErrPastDeadline)
	}
	if err := s.checkBookable(ctx, f, m, day); err != nil {
		return nil, fmt.Errorf("change booking %s to %v: %w", old.Number, day, err)
	}
	for _, o := range options {
		if _, ok := f.Option(o); !ok {
			return nil, fmt.Errorf("change booking %s to %v: option %q is not offered", old.Number, day, o)
		}
	}
	return s.Store.Move(ctx, Move{
		FacilityID: f.ID, MotherID: m.ID, Number: old.Number,
		Day: day, Options: options, At: now, ConfirmKey: key,
	})
}

// OptionsOnNewDay splits the options of a booking being moved to day into
// those the day still has room for, which she keeps, and those it has not,
// which she is told of before she confirms.
func (s *Service) OptionsOnNewDay(ctx context.Context, f *Facility, day Date, options []Option) (kept, full []Option, err error) {
	withRoom, err := s.OptionsWithRoom(ctx, f, day)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range options {
		if slices.ContainsFunc(withRoom, func(s OptionSetting) bool { return s.Option == o }) {
			kept = append(kept, o)
		} else {
			full = append(full, o)
		}
	}
	return kept, full, nil
}
