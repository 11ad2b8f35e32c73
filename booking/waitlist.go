package booking

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The waitlist (キャンセル待ち): a mother waits for a full day; when a place
// frees up, the first mother waiting for that day is offered it, with a
// time limit, one offer per free place at a time. She books it through the
// same capacity-safe path as any booking; if she lets it pass or declines,
// the next mother gets it.

// WaitStatus is where a mother's wait for a day stands.
type WaitStatus string

const (
	WaitWaiting  WaitStatus = "waiting"  // in the queue
	WaitOffered  WaitStatus = "offered"  // a freed place is offered to her until OfferExpiresAt
	WaitBooked   WaitStatus = "booked"   // she took the place
	WaitDeclined WaitStatus = "declined" // she let the offer go (見送る)
	WaitExpired  WaitStatus = "expired"  // the offer's time ran out
	WaitLeft     WaitStatus = "left"     // she left the queue
	// WaitDropped: she could no longer have the day when her turn came
	// (booked it meanwhile, reached her limit, baby too old, unfollowed).
	WaitDropped WaitStatus = "dropped"
)

// Live reports whether the entry still holds her place in the queue.
func (s WaitStatus) Live() bool { return s == WaitWaiting || s == WaitOffered }

// WaitlistEntry is one mother waiting for one day. Its ID is also the id of
// the offer made to her, named in the offer's buttons.
type WaitlistEntry struct {
	ID             int64
	FacilityID     int64
	MotherID       int64
	Day            Date
	Status         WaitStatus
	CreatedAt      time.Time
	OfferedAt      *time.Time
	OfferExpiresAt *time.Time
	BookingID      *int64
}

// Offer is a freed place offered to the mother of an entry.
type Offer struct {
	Entry      WaitlistEntry
	LineUserID string
	// ExpiresAt is her deadline; Paused tells that it was moved past the
	// quiet hours, so the words can say why it is tomorrow.
	ExpiresAt time.Time
	Paused    bool
}

// OfferTerms are when an offer is made and until when it runs.
type OfferTerms struct {
	At        time.Time
	ExpiresAt time.Time
	Paused    bool // see Offer
}

// WaitCandidate is the next waiting mother of a day as the store sees her
// under the day's lock: the facts the domain judges her by.
type WaitCandidate struct {
	Entry        WaitlistEntry
	WardResident *bool
	BabyBirthday *Date
	Following    bool
	// ActiveBookings counts her active bookings (uses, for the limit);
	// BookedThatDay says one of them is on the entry's day.
	ActiveBookings int
	BookedThatDay  bool
	// UpcomingBookings counts those of today and later (fair use).
	UpcomingBookings int
}

// Errors of the waitlist.
var (
	ErrHasRoom        = errors.New("the day has room: book it instead of waiting")
	ErrAlreadyWaiting = errors.New("the mother already waits for that day")
	ErrOfferExpired   = errors.New("the offer has expired")
	ErrOfferEnded     = errors.New("the offer is no longer open")
)

// WaitlistStore keeps the waitlist. The Postgres implementation makes an
// offer under the day's row lock, as booking takes it, and stores the push
// that tells her in the same transaction.
type WaitlistStore interface {
	// Join adds her to the end of the day's queue, or fails with
	// ErrAlreadyWaiting.
	Join(ctx context.Context, facilityID, motherID int64, day Date, at time.Time) (*WaitlistEntry, error)
	// Entry returns one entry, ErrNotFound when there is none.
	Entry(ctx context.Context, facilityID, id int64) (*WaitlistEntry, error)
	// Waiting lists the mother's live entries for days on or after from.
	Waiting(ctx context.Context, motherID int64, from Date) ([]WaitlistEntry, error)
	// DayQueue lists the live entries of one day in queue order.
	DayQueue(ctx context.Context, facilityID int64, day Date) ([]WaitlistEntry, error)
	// Finish moves a live entry to status (left, declined); an entry no
	// longer live is returned as it is.
	Finish(ctx context.Context, facilityID, id int64, status WaitStatus, at time.Time) (*WaitlistEntry, error)
	// ExpireOffers ends the offers whose deadline is at or before at.
	ExpireOffers(ctx context.Context, facilityID int64, at time.Time) (int, error)
	// DaysToOffer lists the days on or after from, not closed by staff,
	// where mothers wait and places are free beyond those offered.
	DaysToOffer(ctx context.Context, facilityID int64, from Date) ([]Date, error)
	// OfferNext, under the day's lock, offers one free place of day to the
	// first waiting mother whom may accepts (dropping those it refuses),
	// on terms, and stores the push that tells her. It returns nil when no
	// place is free beyond the open offers or nobody waits.
	OfferNext(ctx context.Context, facilityID int64, day Date, terms OfferTerms, may func(WaitCandidate) bool) (*Offer, error)
	// Accept books the offered place: in one transaction the booking as
	// Store.Book makes it (same locks, same errors) and the entry marked
	// booked. An entry no longer offered fails with ErrOfferExpired or
	// ErrOfferEnded, one already booked with ErrAlreadyBooked.
	Accept(ctx context.Context, entryID int64, nb NewBooking, at time.Time) (*Booking, error)
	// Requeue puts an offered entry back at its place in the queue, when
	// the place was taken before she could book it.
	Requeue(ctx context.Context, facilityID, id int64) error
}

// Quiet hours: no offer is made, and no offer's time runs, from 21:00 to
// 8:00 in Tokyo. A tired mother is not woken by an offer, nor does she lose
// one while she sleeps.
const (
	offerHoursStart = 8
	offerHoursEnd   = 21
)

// DefaultWaitlistOfferTime is how long she has to answer an offer when the
// facility has not set it.
const DefaultWaitlistOfferTime = 2 * time.Hour

// InQuietHours reports whether t is between 21:00 and 8:00 in Tokyo.
func InQuietHours(t time.Time) bool {
	h := t.In(Tokyo).Hour()
	return h >= offerHoursEnd || h < offerHoursStart
}

// OfferDeadline is when an offer made at from for day ends: limit counted
// in offer hours only (8:00 to 21:00), so an offer made at 20:30 with two
// hours runs 30 minutes that evening and 90 the next morning, to 9:30. It
// never runs past the start of day, when booking it is no longer possible.
// paused reports whether quiet hours moved the deadline.
//
// Why pause rather than hold the offer until 8:00: the place is offered as
// soon as it frees, so she may take it the same evening, and the next
// mother's turn still never starts or ends in the night.
func OfferDeadline(from time.Time, limit time.Duration, day Date) (deadline time.Time, paused bool) {
	t := from.In(Tokyo)
	for left := limit; left > 0; {
		today := DateOf(t)
		if InQuietHours(t) {
			next := today.At(offerHoursStart, 0)
			if t.Hour() >= offerHoursEnd {
				next = today.AddDays(1).At(offerHoursStart, 0)
			}
			t, paused = next, true
			continue
		}
		end := today.At(offerHoursEnd, 0)
		if run := end.Sub(t); left <= run {
			t, left = t.Add(left), 0
		} else {
			t, left = end, left-run
		}
	}
	if start := day.Start(); t.After(start) {
		return start, paused
	}
	return t, paused
}

// offerTime is the facility's time to answer an offer.
func (f *Facility) offerTime() time.Duration {
	if f.WaitlistOfferTime <= 0 {
		return DefaultWaitlistOfferTime
	}
	return f.WaitlistOfferTime
}

// WaitableDays lists the days she may wait for: open, full, within the
// window and her eligibility, in order. The caller drops those she has
// booked or already waits for.
func (s *Service) WaitableDays(ctx context.Context, f *Facility, elig Eligibility) ([]Date, error) {
	first, last, ok := s.daysInReach(f, elig, Date{})
	if !ok {
		return nil, nil
	}
	counts, err := s.Store.DayCounts(ctx, f.ID, first, last)
	if err != nil {
		return nil, fmt.Errorf("list full days from %v: %w", first, err)
	}
	var days []Date
	for d := first; !d.After(last); d = d.AddDays(1) {
		c := counts[d]
		if f.IsOpen(d, &DayOverride{Day: d, Closed: c.Closed}) && c.Full() {
			days = append(days, d)
		}
	}
	return days, nil
}

// JoinWaitlist puts her in the queue of a full day she could book were it
// not full. A day with room fails with ErrHasRoom: she books it instead.
func (s *Service) JoinWaitlist(ctx context.Context, f *Facility, m *Mother, day Date) (*WaitlistEntry, error) {
	if err := s.checkBookable(ctx, f, m, day); err != nil {
		return nil, fmt.Errorf("wait for %v: %w", day, err)
	}
	if err := s.CheckVisitLimit(ctx, f, m); err != nil {
		return nil, fmt.Errorf("wait for %v: %w", day, err)
	}
	mine, err := s.Upcoming(ctx, m)
	if err != nil {
		return nil, err
	}
	for _, b := range mine {
		if b.Day == day {
			return nil, fmt.Errorf("wait for %v: %w", day, ErrAlreadyBooked)
		}
	}
	full, err := s.IsFull(ctx, f, day)
	if err != nil {
		return nil, err
	}
	if !full {
		return nil, fmt.Errorf("wait for %v: %w", day, ErrHasRoom)
	}
	return s.Waitlist.Join(ctx, f.ID, m.ID, day, s.now())
}

// Waiting lists the days she waits for from tomorrow, leaving out any she
// has booked meanwhile.
func (s *Service) Waiting(ctx context.Context, m *Mother) ([]WaitlistEntry, error) {
	first := DateOf(s.now()).AddDays(1)
	entries, err := s.Waitlist.Waiting(ctx, m.ID, first)
	if err != nil {
		return nil, err
	}
	mine, err := s.Upcoming(ctx, m)
	if err != nil {
		return nil, err
	}
	kept := entries[:0]
	for _, e := range entries {
		booked := false
		for _, b := range mine {
			booked = booked || b.Day == e.Day
		}
		if !booked {
			kept = append(kept, e)
		}
	}
	return kept, nil
}

// DayWaitlist is the day's queue, for the console.
func (s *Service) DayWaitlist(ctx context.Context, f *Facility, day Date) ([]WaitlistEntry, error) {
	return s.Waitlist.DayQueue(ctx, f.ID, day)
}

// WaitlistEntryOf returns one of her entries; another's is ErrNotFound.
func (s *Service) WaitlistEntryOf(ctx context.Context, f *Facility, m *Mother, id int64) (*WaitlistEntry, error) {
	e, err := s.Waitlist.Entry(ctx, f.ID, id)
	if err != nil {
		return nil, fmt.Errorf("waitlist entry %d: %w", id, err)
	}
	if e.MotherID != m.ID {
		return nil, fmt.Errorf("waitlist entry %d: %w", id, ErrNotFound)
	}
	return e, nil
}

// LeaveWaitlist takes her out of a day's queue; an offer she holds is
// declined with it. Leaving twice is no error.
func (s *Service) LeaveWaitlist(ctx context.Context, f *Facility, m *Mother, id int64) (*WaitlistEntry, error) {
	return s.finishEntry(ctx, f, m, id, WaitLeft)
}

// DeclineOffer lets the offer go to the next mother. Declining twice is no
// error; the entry is returned as it stands.
func (s *Service) DeclineOffer(ctx context.Context, f *Facility, m *Mother, id int64) (*WaitlistEntry, error) {
	return s.finishEntry(ctx, f, m, id, WaitDeclined)
}

func (s *Service) finishEntry(ctx context.Context, f *Facility, m *Mother, id int64, status WaitStatus) (*WaitlistEntry, error) {
	if _, err := s.WaitlistEntryOf(ctx, f, m, id); err != nil {
		return nil, err
	}
	return s.Waitlist.Finish(ctx, f.ID, id, status, s.now())
}

// AcceptOffer books the place offered to her. Every rule of Book is checked
// again; a place taken meanwhile fails with ErrFull and keeps her at her
// place in the queue. Accepting again returns ErrAlreadyBooked, so the
// caller shows her booking: a second tap is harmless.
func (s *Service) AcceptOffer(ctx context.Context, f *Facility, m *Mother, id int64) (*Booking, error) {
	e, err := s.WaitlistEntryOf(ctx, f, m, id)
	if err != nil {
		return nil, err
	}
	switch e.Status {
	case WaitBooked:
		return nil, fmt.Errorf("accept offer %d: %w", id, ErrAlreadyBooked)
	case WaitExpired:
		return nil, fmt.Errorf("accept offer %d: %w", id, ErrOfferExpired)
	case WaitOffered:
	default:
		return nil, fmt.Errorf("accept offer %d: %w", id, ErrOfferEnded)
	}
	now := s.now()
	if e.OfferExpiresAt == nil || !now.Before(*e.OfferExpiresAt) {
		return nil, fmt.Errorf("accept offer %d: %w", id, ErrOfferExpired)
	}
	if err := s.checkBookable(ctx, f, m, e.Day); err != nil {
		if _, ferr := s.Waitlist.Finish(ctx, f.ID, id, WaitDropped, now); ferr != nil {
			return nil, ferr
		}
		return nil, fmt.Errorf("accept offer %d: %w", id, err)
	}
	b, err := s.Waitlist.Accept(ctx, id, NewBooking{
		FacilityID: f.ID, MotherID: m.ID, Day: e.Day, MaxVisits: f.MaxVisitsPerMother,
		MaxUpcoming: f.MaxUpcomingPerMother, Today: DateOf(now),
	}, now)
	switch {
	case errors.Is(err, ErrFull):
		if rerr := s.Waitlist.Requeue(ctx, f.ID, id); rerr != nil {
			return nil, rerr
		}
	case errors.Is(err, ErrVisitLimit), errors.Is(err, ErrUpcomingLimit), errors.Is(err, ErrClosed), errors.Is(err, ErrAlreadyBooked):
		// She cannot have the place; an entry already booked (a second
		// tap) is left as it is.
		if _, ferr := s.Waitlist.Finish(ctx, f.ID, id, WaitDropped, now); ferr != nil {
			return nil, ferr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("accept offer %d: %w", id, err)
	}
	return b, nil
}

// OfferFreedPlaces is one round of the waitlist's runner: it ends the
// offers whose time is up, then, outside the quiet hours, offers every
// free place of a day not yet started to the first mother waiting for it
// who may still have it. It returns the offers made.
func (s *Service) OfferFreedPlaces(ctx context.Context, f *Facility) ([]Offer, error) {
	now := s.now()
	if _, err := s.Waitlist.ExpireOffers(ctx, f.ID, now); err != nil {
		return nil, fmt.Errorf("expire offers: %w", err)
	}
	if InQuietHours(now) {
		return nil, nil
	}
	first, _ := f.BookingWindow(now)
	days, err := s.Waitlist.DaysToOffer(ctx, f.ID, first)
	if err != nil {
		return nil, fmt.Errorf("find days to offer: %w", err)
	}
	today := DateOf(now)
	var offers []Offer
	for _, day := range days {
		if !f.IsOpen(day, nil) {
			continue // a holiday or a weekday the room keeps closed; staff closures are left out by the store
		}
		deadline, paused := OfferDeadline(now, f.offerTime(), day)
		may := func(c WaitCandidate) bool {
			if !c.Following || c.BookedThatDay || c.WardResident == nil || c.BabyBirthday == nil {
				return false
			}
			if f.MaxVisitsPerMother > 0 && c.ActiveBookings >= f.MaxVisitsPerMother {
				return false
			}
			if f.MaxUpcomingPerMother > 0 && c.UpcomingBookings >= f.MaxUpcomingPerMother {
				return false
			}
			return CheckEligibility(*c.WardResident, *c.BabyBirthday, today).CoversDay(day)
		}
		for {
			o, err := s.Waitlist.OfferNext(ctx, f.ID, day, OfferTerms{At: now, ExpiresAt: deadline, Paused: paused}, may)
			if err != nil {
				return offers, fmt.Errorf("offer a place on %v: %w", day, err)
			}
			if o == nil {
				break
			}
			offers = append(offers, *o)
		}
	}
	return offers, nil
}

// checkBookable checks what Book checks before the store: a real day in
// the window, open, and within her eligibility.
func (s *Service) checkBookable(ctx context.Context, f *Facility, m *Mother, day Date) error {
	if !day.Valid() {
		return ErrInvalidDate
	}
	if !f.InWindow(day, s.now()) {
		return ErrOutsideWindow
	}
	overrides, err := s.Store.DayOverrides(ctx, f.ID, day, day)
	if err != nil {
		return err
	}
	var override *DayOverride
	if o, ok := overrides[day]; ok {
		override = &o
	}
	if !f.IsOpen(day, override) {
		return ErrClosed
	}
	if elig, ok := s.EligibilityOf(m); !ok || !elig.CoversDay(day) {
		return ErrNotEligible
	}
	return nil
}
