package booking

import (
	"context"
	"fmt"
	"time"
)

// The mother's side of the service: who she is, her answers, and what she
// may still book. The bot and the console go through these, never the store.

// EnsureMother returns the mother for a LINE user, creating her on first
// contact.
func (s *Service) EnsureMother(ctx context.Context, f *Facility, lineUserID string) (*Mother, error) {
	return s.Store.EnsureMother(ctx, f.ID, lineUserID)
}

// FindMother returns the mother for a LINE user, or ErrNotFound if she has
// never written.
func (s *Service) FindMother(ctx context.Context, f *Facility, lineUserID string) (*Mother, error) {
	return s.Store.MotherByLineUser(ctx, f.ID, lineUserID)
}

// SetFollowing records whether she follows the account (blocked: no pushes).
func (s *Service) SetFollowing(ctx context.Context, m *Mother, following bool) error {
	if m.Following == following {
		return nil
	}
	if err := s.Store.SetFollowing(ctx, m.ID, following, s.now()); err != nil {
		return err
	}
	m.Following = following
	return nil
}

// SaveEligibility keeps her answers. A birth date is sensitive: it is kept
// only with her answer, and the time she gave it is its consent.
func (s *Service) SaveEligibility(ctx context.Context, m *Mother, resident bool, birthday *Date) error {
	var consentedAt time.Time // zero when no birth date is kept: nothing to consent to
	if birthday != nil {
		consentedAt = s.now()
	}
	if err := s.Store.SaveEligibility(ctx, m.ID, resident, birthday, consentedAt); err != nil {
		return err
	}
	m.WardResident, m.BabyBirthday = &resident, birthday
	return nil
}

// CheckVisitLimit fails with ErrVisitLimit when she already holds as many
// bookings as the ward allows, or with ErrUpcomingLimit when she holds as
// many upcoming ones as the facility's fair use allows, so she is told
// before choosing a day. The store checks both again inside the booking
// transaction.
func (s *Service) CheckVisitLimit(ctx context.Context, f *Facility, m *Mother) error {
	if f.MaxVisitsPerMother <= 0 && f.MaxUpcomingPerMother <= 0 {
		return nil
	}
	all, err := s.Store.ActiveBookings(ctx, m.ID, Date{})
	if err != nil {
		return fmt.Errorf("check visit limit: %w", err)
	}
	if f.MaxVisitsPerMother > 0 && len(all) >= f.MaxVisitsPerMother {
		return ErrVisitLimit
	}
	today := DateOf(s.now())
	upcoming := 0
	for _, b := range all {
		if !b.Day.Before(today) {
			upcoming++
		}
	}
	if f.MaxUpcomingPerMother > 0 && upcoming >= f.MaxUpcomingPerMother {
		return ErrUpcomingLimit
	}
	return nil
}

// IsFull reports whether the day has no place left.
func (s *Service) IsFull(ctx context.Context, f *Facility, day Date) (bool, error) {
	counts, err := s.Store.DayCounts(ctx, f.ID, day, day)
	if err != nil {
		return false, fmt.Errorf("count %v: %w", day, err)
	}
	c, ok := counts[day]
	return ok && c.Full(), nil
}

// BookingOf returns one of her bookings, active or cancelled, by its number
// as she typed or tapped it; someone else's booking is ErrNotFound to her.
func (s *Service) BookingOf(ctx context.Context, f *Facility, m *Mother, number string) (*Booking, error) {
	normalized, ok := NormalizeBookingNumber(number)
	if !ok {
		return nil, fmt.Errorf("booking %q: %w", number, ErrNotFound)
	}
	b, err := s.Store.BookingByNumber(ctx, f.ID, normalized)
	if err != nil {
		return nil, fmt.Errorf("booking %s: %w", normalized, err)
	}
	if b.MotherID != m.ID {
		return nil, fmt.Errorf("booking %s: %w", normalized, ErrNotFound)
	}
	return b, nil
}
