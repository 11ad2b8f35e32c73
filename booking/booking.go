package booking

import (
	"context"
	"time"
)

// Option is something a mother can ask for with her visit. Each has its own
// per-day limit, set per facility.
type Option string

const (
	OptionPediatrician Option = "pediatrician" // 小児科医診察
	OptionWaterBed     Option = "waterbed"     // ウォーターベッド
	OptionAroma        Option = "aroma"        // アロママッサージ
)

// OptionSetting is an option as one facility offers it.
type OptionSetting struct {
	Option        Option
	Label         string // as mothers see it, e.g. 小児科医診察
	DailyCapacity int
}

// Facility is one postpartum day-care site and the settings staff may change.
type Facility struct {
	ID         int64
	Slug       string
	Name       string // ママズルーム
	ClinicName string // いなみ小児科
	Address    string
	Phone      string
	MapURL     string
	FeeYen     int

	OpenWeekdays  []time.Weekday
	DailyCapacity int
	Options       []OptionSetting

	// BookingWindowMonths is how far ahead a day may be booked.
	BookingWindowMonths int
	// A booking can be cancelled in LINE until CancelDaysBefore days before
	// the visit at CancelHour:CancelMinute; after that, by phone.
	CancelDaysBefore int
	CancelHour       int
	CancelMinute     int
	// ReminderAt is when, the day before a visit, its reminder is pushed:
	// the program's REMINDER_AT, not a setting staff change; nil means
	// DefaultReminderAt. It must come before the cancel deadline
	// (CheckReminder).
	ReminderAt *TimeOfDay
	// MaxVisitsPerMother is the ward's limit on uses per mother; 0 means none.
	MaxVisitsPerMother int
	// MaxUpcomingPerMother is the facility's fair-use limit on the bookings
	// one mother holds ahead (today's visit included), on top of the ward's
	// limit; 0 means none.
	MaxUpcomingPerMother int
	// UnfollowedRetention is how long a mother's data is kept after she
	// blocks the account; QuestionRetention how long a question is kept
	// after its last change and her last visit (privacy.Retention).
	UnfollowedRetention time.Duration
	QuestionRetention   time.Duration
	// WaitlistOfferTime is how long a mother has to answer a waitlist
	// offer, counted outside the quiet hours; 0 means
	// DefaultWaitlistOfferTime.
	WaitlistOfferTime time.Duration
}

// Option returns the facility's setting for o.
func (f *Facility) Option(o Option) (OptionSetting, bool) {
	for _, s := range f.Options {
		if s.Option == o {
			return s, true
		}
	}
	return OptionSetting{}, false
}

// CancelDeadline is the last moment a booking for day can be cancelled in LINE.
func (f *Facility) CancelDeadline(day Date) time.Time {
	return day.AddDays(-f.CancelDaysBefore).At(f.CancelHour, f.CancelMinute)
}

// DayOverride is a staff decision about one day: closed, or another capacity
// of the day or of some of its options.
type DayOverride struct {
	Day      Date
	Closed   bool
	Reason   string // shown to staff only
	Capacity *int   // nil keeps the facility's daily capacity
	// OptionCapacities holds the options staff set for this day; an option
	// not in it keeps its OptionSetting.DailyCapacity.
	OptionCapacities map[Option]int
}

// Mother is a LINE user of the facility and what she told us for eligibility.
type Mother struct {
	ID           int64
	FacilityID   int64
	LineUserID   string
	WardResident *bool // nil until she answers
	BabyBirthday *Date // nil until she answers
	ConsentedAt  *time.Time
	Following    bool
}

type Status string

const (
	StatusActive    Status = "active"
	StatusCancelled Status = "cancelled"
)

// Booking is one day visit.
type Booking struct {
	ID          int64
	FacilityID  int64
	MotherID    int64
	Number      string // read out on the phone, e.g. 4821-7395
	Day         Date
	Options     []Option
	Status      Status
	CreatedAt   time.Time
	CancelledAt *time.Time
}

// DayCount is how full one day is.
type DayCount struct {
	Day      Date
	Closed   bool // by staff
	Capacity int  // the day's capacity after any override
	Booked   int
	Options  map[Option]OptionCount
}

type OptionCount struct {
	Capacity int // the day's capacity of the option after any override
	Booked   int
}

// Full reports whether no place is left that day.
func (c DayCount) Full() bool { return c.Booked >= c.Capacity }

// OptionFull reports whether option o has no room left that day.
func (c DayCount) OptionFull(o Option) bool {
	oc, ok := c.Options[o]
	return !ok || oc.Booked >= oc.Capacity
}

// NewBooking is what Store.Book needs.
type NewBooking struct {
	FacilityID int64
	MotherID   int64
	Day        Date
	Options    []Option
	// MaxVisits is enforced inside the booking transaction; 0 means no limit.
	MaxVisits int
	// MaxUpcoming limits her active bookings on or after Today, inside the
	// same transaction; 0 means no limit.
	MaxUpcoming int
	Today       Date
	// ConfirmKey names the confirm step that asked for the booking ("" for
	// none): one key books once. See Service.BookConfirmed.
	ConfirmKey string
}

// Store keeps facilities, mothers and bookings. The Postgres implementation
// enforces every capacity inside the statement or transaction that books.
type Store interface {
	FacilityBySlug(ctx context.Context, slug string) (*Facility, error)

	// EnsureMother returns the mother for a LINE user, creating her.
	EnsureMother(ctx context.Context, facilityID int64, lineUserID string) (*Mother, error)
	MotherByLineUser(ctx context.Context, facilityID int64, lineUserID string) (*Mother, error)
	SaveEligibility(ctx context.Context, motherID int64, resident bool, birthday *Date, consentedAt time.Time) error
	// SetFollowing records whether she follows the account; at is when
	// she unfollowed, which starts the retention of her data.
	SetFollowing(ctx context.Context, motherID int64, following bool, at time.Time) error

	// SetDayOverride replaces the day's override, its option capacities
	// included.
	SetDayOverride(ctx context.Context, facilityID int64, o DayOverride) error
	DayOverrides(ctx context.Context, facilityID int64, from, to Date) (map[Date]DayOverride, error)
	// DayCounts reports capacity and bookings for each day in [from, to].
	DayCounts(ctx context.Context, facilityID int64, from, to Date) (map[Date]DayCount, error)

	// Book makes a booking or fails with ErrClosed, ErrFull, ErrOptionFull,
	// ErrAlreadyBooked, ErrVisitLimit or ErrUpcomingLimit, changing nothing.
	Book(ctx context.Context, nb NewBooking) (*Booking, error)
	BookingByNumber(ctx context.Context, facilityID int64, number string) (*Booking, error)
	// BookingByConfirmKey returns the active booking made with a confirm
	// key, or ErrNotFound.
	BookingByConfirmKey(ctx context.Context, facilityID int64, key string) (*Booking, error)
	// ActiveBookings lists the mother's active bookings on or after from, by day.
	ActiveBookings(ctx context.Context, motherID int64, from Date) ([]Booking, error)
	// Move books Move.Day and cancels the booking left in one transaction,
	// failing as Book does for the new day, or as Cancel does for the old
	// booking, with nothing changed (booking/change.go).
	Move(ctx context.Context, mv Move) (*Booking, error)
	// Cancel cancels an active booking of the mother, freeing its place.
	Cancel(ctx context.Context, motherID int64, number string, at time.Time) (*Booking, error)
}
