package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Service holds the booking rules that need the store and the clock: which
// days a mother may book, and booking and cancelling with every rule checked
// again at the moment it counts.
type Service struct {
	Store Store
	// Waitlist keeps the waitlist (キャンセル待ち); nil turns it off.
	Waitlist WaitlistStore
	Now      func() time.Time // time.Now when nil
}

// HasWaitlist reports whether mothers may wait for full days.
func (s *Service) HasWaitlist() bool { return s.Waitlist != nil }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// BookableDays: open (calendar incl. holidays, 年末年始, staff closures), not
// full, within the booking window, within the mother's eligibility, on or
// after from; in order, at most limit. A mother who is not eligible gets
// none: the caller asks her questions first.
func (s *Service) BookableDays(ctx context.Context, f *Facility, elig Eligibility, from Date, limit int) ([]Date, error) {
	if limit <= 0 {
		return nil, nil
	}
	days, err := s.bookableDays(ctx, f, elig, from)
	if err != nil {
		return nil, err
	}
	if len(days) > limit {
		days = days[:limit]
	}
	return days, nil
}

// daysInReach is the span of days she may book or wait for, from from on:
// the booking window cut to her eligibility. ok is false when it is empty.
func (s *Service) daysInReach(f *Facility, elig Eligibility, from Date) (first, last Date, ok bool) {
	if !elig.OK() {
		return Date{}, Date{}, false
	}
	first, last = f.BookingWindow(s.now())
	if from.After(first) {
		first = from
	}
	if elig.LastDay.Before(last) {
		last = elig.LastDay
	}
	return first, last, !last.Before(first)
}

// bookableDays lists every bookable day from from to the end of the window.
func (s *Service) bookableDays(ctx context.Context, f *Facility, elig Eligibility, from Date) ([]Date, error) {
	first, last, ok := s.daysInReach(f, elig, from)
	if !ok {
		return nil, nil
	}
	counts, err := s.Store.DayCounts(ctx, f.ID, first, last)
	if err != nil {
		return nil, fmt.Errorf("list bookable days from %v: %w", first, err)
	}
	var days []Date
	for d := first; !d.After(last); d = d.AddDays(1) {
		c, ok := counts[d]
		if !ok {
			return nil, fmt.Errorf("list bookable days: no count for %v", d)
		}
		if f.IsOpen(d, &DayOverride{Day: d, Closed: c.Closed}) && !c.Full() && elig.CoversDay(d) {
			days = append(days, d)
		}
	}
	return days, nil
}

// NearestBookableDays offers up to n bookable days closest to day on either
// side, never day itself, in date order: the alternatives when day has just
// filled.
func (s *Service) NearestBookableDays(ctx context.Context, f *Facility, elig Eligibility, day Date, n int) ([]Date, error) {
	if n <= 0 {
		return nil, nil
	}
	days, err := s.bookableDays(ctx, f, elig, Date{})
	if err != nil {
		return nil, err
	}
	days = slices.DeleteFunc(days, func(d Date) bool { return d == day })
	// A stable sort keeps the earlier of two equally near days first.
	slices.SortStableFunc(days, func(a, b Date) int {
		return daysApart(a, day) - daysApart(b, day)
	})
	days = days[:min(n, len(days))]
	slices.SortFunc(days, Date.Compare)
	return days, nil
}

// daysApart is the number of calendar days between a and b, never negative.
func daysApart(a, b Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 0, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 0, 0, 0, 0, time.UTC)
	d := int(ta.Sub(tb) / (24 * time.Hour))
	if d < 0 {
		return -d
	}
	return d
}

// OptionsWithRoom lists the facility's options that still have room on day,
// in the facility's order.
func (s *Service) OptionsWithRoom(ctx context.Context, f *Facility, day Date) ([]OptionSetting, error) {
	counts, err := s.Store.DayCounts(ctx, f.ID, day, day)
	if err != nil {
		return nil, fmt.Errorf("list options with room on %v: %w", day, err)
	}
	c := counts[day]
	var options []OptionSetting
	for _, o := range f.Options {
		if !c.OptionFull(o.Option) {
			options = append(options, o)
		}
	}
	return options, nil
}

// Book checks again what the mother was offered, since time has passed and
// others have booked since: the window (ErrOutsideWindow), the calendar
// (ErrClosed) and her eligibility (ErrNotEligible). The store then books
// under its lock, enforcing capacity, the visit limit and the limit of
// upcoming bookings (fair use).
func (s *Service) Book(ctx context.Context, f *Facility, m *Mother, day Date, options []Option) (*Booking, error) {
	return s.book(ctx, f, m, day, options, "")
}

// BookConfirmed is Book for the conversation's confirm step, whose 「はい」
// carries key. One key books once: a confirm that comes again (the turn
// retried after a crash, a second tap, her session lost in Redis after the
// commit) gets the booking that key made, not a second booking nor an
// error, so she is told of the booking she has.
func (s *Service) BookConfirmed(ctx context.Context, f *Facility, m *Mother, key string, day Date, options []Option) (*Booking, error) {
	switch b, err := s.BookingConfirmedBy(ctx, f, m, key); {
	case err == nil:
		return b, nil
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	return s.book(ctx, f, m, day, options, key)
}

// BookingConfirmedBy returns her active booking made by the confirm step
// whose key it was, or ErrNotFound.
func (s *Service) BookingConfirmedBy(ctx context.Context, f *Facility, m *Mother, key string) (*Booking, error) {
	if key == "" {
		return nil, ErrNotFound
	}
	b, err := s.Store.BookingByConfirmKey(ctx, f.ID, key)
	if err != nil {
		return nil, fmt.Errorf("find the booking of a confirm: %w", err)
	}
	if b.MotherID != m.ID {
		return nil, fmt.Errorf("find the booking of a confirm: %w", ErrNotFound)
	}
	return b, nil
}

func (s *Service) book(ctx context.Context, f *Facility, m *Mother, day Date, options []Option, confirmKey string) (*Booking, error) {
	if err := s.checkBookable(ctx, f, m, day); err != nil {
		return nil, fmt.Errorf("book %v: %w", day, err)
	}
	for _, o := range options {
		if _, ok := f.Option(o); !ok {
			return nil, fmt.Errorf("book %v: option %q is not offered", day, o)
		}
	}
	b, err := s.Store.Book(ctx, NewBooking{
		FacilityID:  f.ID,
		MotherID:    m.ID,
		Day:         day,
		Options:     options,
		MaxVisits:   f.MaxVisitsPerMother,
		MaxUpcoming: f.MaxUpcomingPerMother,
		Today:       DateOf(s.now()),
		ConfirmKey:  confirmKey,
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Upcoming lists the mother's active bookings from today (Tokyo), by day.
func (s *Service) Upcoming(ctx context.Context, m *Mother) ([]Booking, error) {
	return s.Store.ActiveBookings(ctx, m.ID, DateOf(s.now()))
}

// Cancel cancels one of the mother's bookings by its number, as she typed or
// tapped it. After the facility's deadline it fails with ErrPastDeadline:
// the facility has planned the day by then, so she must phone.
func (s *Service) Cancel(ctx context.Context, f *Facility, m *Mother, number string) (*Booking, error) {
	b, err := s.BookingOf(ctx, f, m, number)
	if err != nil {
		return nil, fmt.Errorf("cancel: %w", err)
	}
	if b.Status == StatusCancelled {
		return nil, fmt.Errorf("cancel booking %s: %w", b.Number, ErrAlreadyCanceled)
	}
	now := s.now()
	if now.After(f.CancelDeadline(b.Day)) {
		return nil, fmt.Errorf("cancel booking %s: %w", b.Number, ErrPastDeadline)
	}
	return s.Store.Cancel(ctx, m.ID, b.Number, now)
}

// EligibilityOf judges the mother by her stored answers as of today (Tokyo);
// ok is false until she has answered both questions, and e is then the zero
// Eligibility, which covers no day.
func (s *Service) EligibilityOf(m *Mother) (e Eligibility, ok bool) {
	if m.WardResident == nil || m.BabyBirthday == nil {
		return Eligibility{}, false
	}
	return CheckEligibility(*m.WardResident, *m.BabyBirthday, DateOf(s.now())), true
}
