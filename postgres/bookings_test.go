package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

// A Monday, open by the seeded calendar; the store does not check the
// calendar itself, but the tests keep to real open days all the same.
var monday = booking.D(2026, 12, 7)

type fixture struct {
	ctx      context.Context
	pool     *pgxpool.Pool
	store    *postgres.Store
	facility *booking.Facility
}

func setup(t *testing.T) fixture {
	t.Helper()
	t.Parallel()
	return setupWithPool(t, pgtest.Pool(t))
}

func setupWithPool(t *testing.T, pool *pgxpool.Pool) fixture {
	t.Helper()
	ctx := t.Context()
	store := postgres.NewStore(pool)
	f, err := store.FacilityBySlug(ctx, "mamasroom")
	if err != nil {
		t.Fatalf("load seeded facility: %v", err)
	}
	return fixture{ctx: ctx, pool: pool, store: store, facility: f}
}

func (fx fixture) newMother(t *testing.T) *booking.Mother {
	t.Helper()
	m, err := fx.store.EnsureMother(fx.ctx, fx.facility.ID, "U"+t.Name()+fmt.Sprint(time.Now().UnixNano()))
	if err != nil {
		t.Fatalf("ensure mother: %v", err)
	}
	return m
}

// newMothers adds n mothers in one statement; the concurrency tests need a
// thousand.
func (fx fixture) newMothers(t *testing.T, n int) []int64 {
	t.Helper()
	const q = `
		INSERT INTO mothers (facility_id, line_user_id)
		SELECT $1, 'Ubulk' || g FROM generate_series(1, $2) AS g
		RETURNING id`
	rows, err := fx.pool.Query(fx.ctx, q, fx.facility.ID, n)
	if err != nil {
		t.Fatalf("add mothers: %v", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("add mothers: %v", err)
	}
	return ids
}

func (fx fixture) book(t *testing.T, m *booking.Mother, day booking.Date, options ...booking.Option) *booking.Booking {
	t.Helper()
	b, err := fx.tryBook(m, day, options...)
	if err != nil {
		t.Fatalf("book %v for mother %d: %v", day, m.ID, err)
	}
	return b
}

func (fx fixture) tryBook(m *booking.Mother, day booking.Date, options ...booking.Option) (*booking.Booking, error) {
	return fx.store.Book(fx.ctx, booking.NewBooking{FacilityID: fx.facility.ID, MotherID: m.ID, Day: day, Options: options})
}

func (fx fixture) override(t *testing.T, o booking.DayOverride) {
	t.Helper()
	if err := fx.store.SetDayOverride(fx.ctx, fx.facility.ID, o); err != nil {
		t.Fatalf("set override %+v: %v", o, err)
	}
}

func (fx fixture) count(t *testing.T, day booking.Date) booking.DayCount {
	t.Helper()
	counts, err := fx.store.DayCounts(fx.ctx, fx.facility.ID, day, day)
	if err != nil {
		t.Fatalf("day counts of %v: %v", day, err)
	}
	return counts[day]
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

func intPtr(n int) *int { return &n }

// concurrentPool has room for real contention, unlike the default pool.
func concurrentPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.URL(t))
	if err != nil {
		t.Fatalf("parse pool config: %v", err)
	}
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// bookAll has every mother try to book day at once and tallies the errors
// (nil for a success).
func bookAll(t *testing.T, fx fixture, motherIDs []int64, day booking.Date, options ...booking.Option) map[error]int {
	t.Helper()
	var (
		mu      sync.Mutex
		results = make(map[error]int)
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	for _, id := range motherIDs {
		wg.Go(func() {
			<-start
			_, err := fx.store.Book(fx.ctx, booking.NewBooking{FacilityID: fx.facility.ID, MotherID: id, Day: day, Options: options})
			for _, known := range []error{booking.ErrFull, booking.ErrOptionFull} {
				if errors.Is(err, known) {
					err = known
				}
			}
			mu.Lock()
			results[err]++
			mu.Unlock()
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	t.Logf("%d concurrent bookings took %v", len(motherIDs), time.Since(began))
	return results
}

func TestBookConcurrentlyNeverOverfillsTheDay(t *testing.T) {
	t.Parallel()
	fx := setupWithPool(t, concurrentPool(t))
	if fx.facility.DailyCapacity != 4 {
		t.Fatalf("seeded capacity %d, test expects 4", fx.facility.DailyCapacity)
	}
	mothers := fx.newMothers(t, 1000)

	results := bookAll(t, fx, mothers, monday)

	if len(results) != 2 || results[nil] != 4 || results[booking.ErrFull] != 996 {
		t.Errorf("results %v, want 4 successes and 996 ErrFull", results)
	}
	if c := fx.count(t, monday); c.Booked != 4 {
		t.Errorf("%d active bookings stored, want 4", c.Booked)
	}
}

func TestBookConcurrentlyNeverOverfillsAnOption(t *testing.T) {
	t.Parallel()
	fx := setupWithPool(t, concurrentPool(t))
	fx.override(t, booking.DayOverride{Day: monday, Capacity: intPtr(100)})
	if s, _ := fx.facility.Option(booking.OptionWaterBed); s.DailyCapacity != 2 {
		t.Fatalf("seeded waterbed capacity %d, test expects 2", s.DailyCapacity)
	}
	mothers := fx.newMothers(t, 1000)

	results := bookAll(t, fx, mothers, monday, booking.OptionWaterBed)

	if len(results) != 2 || results[nil] != 2 || results[booking.ErrOptionFull] != 998 {
		t.Errorf("results %v, want 2 successes and 998 ErrOptionFull", results)
	}
	c := fx.count(t, monday)
	if c.Booked != 2 || c.Options[booking.OptionWaterBed].Booked != 2 {
		t.Errorf("stored %d bookings, %d with waterbed; want 2 and 2", c.Booked, c.Options[booking.OptionWaterBed].Booked)
	}
}

func TestBookStoresWhatWasAsked(t *testing.T) {
	fx := setup(t)
	m := fx.newMother(t)

	b := fx.book(t, m, monday, booking.OptionAroma, booking.OptionPediatrician, booking.OptionAroma)

	if n, ok := booking.NormalizeBookingNumber(b.Number); !ok || n != b.Number {
		t.Errorf("number %q is not in the 1234-5678 form", b.Number)
	}
	want := []booking.Option{booking.OptionAroma, booking.OptionPediatrician}
	if b.Day != monday || b.MotherID != m.ID || b.FacilityID != fx.facility.ID ||
		b.Status != booking.StatusActive || !slices.Equal(b.Options, want) || b.CancelledAt != nil {
		t.Errorf("booked %+v; want day %v, mother %d, active, options %v", b, monday, m.ID, want)
	}
	got, err := fx.store.BookingByNumber(fx.ctx, fx.facility.ID, b.Number)
	if err != nil {
		t.Fatalf("booking by number: %v", err)
	}
	if got.ID != b.ID || got.Day != monday || !slices.Equal(got.Options, want) {
		t.Errorf("read back %+v, want %+v", got, b)
	}
}

func TestBookOneActiveBookingPerMotherPerDay(t *testing.T) {
	fx := setup(t)
	m := fx.newMother(t)
	first := fx.book(t, m, monday)

	_, err := fx.tryBook(m, monday)
	wantErr(t, err, booking.ErrAlreadyBooked)

	if _, err := fx.store.Cancel(fx.ctx, m.ID, first.Number, time.Now()); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	again := fx.book(t, m, monday)
	if again.Number == first.Number {
		t.Errorf("rebooking reused number %s", again.Number)
	}
	if c := fx.count(t, monday); c.Booked != 1 {
		t.Errorf("%d active bookings, want 1", c.Booked)
	}
}

func TestBookAlreadyBookedWinsOverFull(t *testing.T) {
	fx := setup(t)
	fx.override(t, booking.DayOverride{Day: monday, Capacity: intPtr(1)})
	m := fx.newMother(t)
	fx.book(t, m, monday)

	_, err := fx.tryBook(m, monday)
	wantErr(t, err, booking.ErrAlreadyBooked)
}

func TestBookVisitLimit(t *testing.T) {
	fx := setup(t)
	m := fx.newMother(t)
	bookWithLimit := func(day booking.Date) (*booking.Booking, error) {
		return fx.store.Book(fx.ctx, booking.NewBooking{FacilityID: fx.facility.ID, MotherID: m.ID, Day: day, MaxVisits: 2})
	}
	first, err := bookWithLimit(monday)
	if err != nil {
		t.Fatalf("first visit: %v", err)
	}
	if _, err := bookWithLimit(monday.AddDays(1)); err != nil {
		t.Fatalf("second visit: %v", err)
	}

	_, err = bookWithLimit(monday.AddDays(3))
	wantErr(t, err, booking.ErrVisitLimit)

	// A cancelled visit is not a use.
	if _, err := fx.store.Cancel(fx.ctx, m.ID, first.Number, time.Now()); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if _, err := bookWithLimit(monday.AddDays(3)); err != nil {
		t.Errorf("visit after a cancel: %v", err)
	}
	// Another mother is not affected by her count.
	other := fx.newMother(t)
	if _, err := fx.store.Book(fx.ctx, booking.NewBooking{FacilityID: fx.facility.ID, MotherID: other.ID, Day: monday, MaxVisits: 2}); err != nil {
		t.Errorf("another mother: %v", err)
	}
}

func TestBookStaffClosedDay(t *testing.T) {
	fx := setup(t)
	fx.override(t, booking.DayOverride{Day: monday, Closed: true, Reason: "研修"})

	_, err := fx.tryBook(fx.newMother(t), monday)
	wantErr(t, err, booking.ErrClosed)

	fx.override(t, booking.DayOverride{Day: monday})
	fx.book(t, fx.newMother(t), monday)
}

func TestBookCapacityOverride(t *testing.T) {
	tests := []struct {
		capacity int
		fits     int
	}{
		{capacity: 0, fits: 0},
		{capacity: 1, fits: 1},
		{capacity: 6, fits: 6}, // above the facility's 4
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.capacity), func(t *testing.T) {
			fx := setup(t)
			fx.override(t, booking.DayOverride{Day: monday, Capacity: intPtr(tt.capacity)})
			for i := range tt.fits {
				if _, err := fx.tryBook(fx.newMother(t), monday); err != nil {
					t.Fatalf("booking %d of %d: %v", i+1, tt.fits, err)
				}
			}
			_, err := fx.tryBook(fx.newMother(t), monday)
			wantErr(t, err, booking.ErrFull)
		})
	}
}

func TestBookOptionCapacityIsPerDay(t *testing.T) {
	fx := setup(t)
	fx.book(t, fx.newMother(t), monday, booking.OptionWaterBed)
	fx.book(t, fx.newMother(t), monday, booking.OptionWaterBed)

	_, err := fx.tryBook(fx.newMother(t), monday, booking.OptionAroma, booking.OptionWaterBed)
	wantErr(t, err, booking.ErrOptionFull)

	fx.book(t, fx.newMother(t), monday, booking.OptionAroma)
	fx.book(t, fx.newMother(t), monday.AddDays(1), booking.OptionWaterBed)
	if c := fx.count(t, monday); c.Booked != 3 || c.Options[booking.OptionAroma].Booked != 1 {
		t.Errorf("after a refused booking: %d booked, %d aroma; want 3 and 1 (nothing of it kept)",
			c.Booked, c.Options[booking.OptionAroma].Booked)
	}
}

// A day's own option capacity holds on that day only: lowered, it refuses
// what the facility's figure would take; raised, it takes more; the next
// day keeps the facility's figure.
func TestBookDayOptionCapacity(t *testing.T) {
	fx := setup(t)
	tuesday := monday.AddDays(1)
	fx.override(t, booking.DayOverride{Day: monday, OptionCapacities: map[booking.Option]int{
		booking.OptionWaterBed: 1, booking.OptionAroma: 3,
	}})

	fx.book(t, fx.newMother(t), monday, booking.OptionWaterBed)
	_, err := fx.tryBook(fx.newMother(t), monday, booking.OptionWaterBed)
	wantErr(t, err, booking.ErrOptionFull)
	for range 3 {
		fx.book(t, fx.newMother(t), monday, booking.OptionAroma)
	}
	fx.book(t, fx.newMother(t), tuesday, booking.OptionWaterBed)
	fx.book(t, fx.newMother(t), tuesday, booking.OptionWaterBed)
	_, err = fx.tryBook(fx.newMother(t), tuesday, booking.OptionWaterBed)
	wantErr(t, err, booking.ErrOptionFull)

	mon, tue := fx.count(t, monday), fx.count(t, tuesday)
	if oc := mon.Options[booking.OptionWaterBed]; oc.Capacity != 1 || oc.Booked != 1 || !mon.OptionFull(booking.OptionWaterBed) {
		t.Errorf("monday's waterbed %+v, want capacity 1, 1 booked, full", oc)
	}
	if oc := mon.Options[booking.OptionAroma]; oc.Capacity != 3 || oc.Booked != 3 {
		t.Errorf("monday's aroma %+v, want capacity 3 and 3 booked", oc)
	}
	if oc := mon.Options[booking.OptionPediatrician]; oc.Capacity != 4 {
		t.Errorf("monday's pediatrician %+v, want the facility's 4", oc)
	}
	if oc := tue.Options[booking.OptionWaterBed]; oc.Capacity != 2 || oc.Booked != 2 {
		t.Errorf("tuesday's waterbed %+v, want the facility's 2, 2 booked", oc)
	}
}

func TestBookConcurrentlyNeverOverfillsADayOptionCapacity(t *testing.T) {
	t.Parallel()
	fx := setupWithPool(t, concurrentPool(t))
	fx.override(t, booking.DayOverride{Day: monday, Capacity: intPtr(100), OptionCapacities: map[booking.Option]int{booking.OptionWaterBed: 5}})
	mothers := fx.newMothers(t, 300)

	results := bookAll(t, fx, mothers, monday, booking.OptionWaterBed)

	if len(results) != 2 || results[nil] != 5 || results[booking.ErrOptionFull] != 295 {
		t.Errorf("results %v, want 5 successes and 295 ErrOptionFull", results)
	}
	if c := fx.count(t, monday); c.Options[booking.OptionWaterBed].Booked != 5 {
		t.Errorf("stored %d bookings with waterbed, want 5", c.Options[booking.OptionWaterBed].Booked)
	}
}

func TestBookUnknownOptionChangesNothing(t *testing.T) {
	fx := setup(t)
	_, err := fx.tryBook(fx.newMother(t), monday, booking.Option("sauna"))
	if err == nil {
		t.Fatal("booked an option the facility does not offer")
	}
	if c := fx.count(t, monday); c.Booked != 0 {
		t.Errorf("%d bookings after a refused one", c.Booked)
	}
}

func TestBookUnknownMother(t *testing.T) {
	fx := setup(t)
	_, err := fx.tryBook(&booking.Mother{ID: 1 << 40}, monday)
	wantErr(t, err, booking.ErrNotFound)
}

func TestCancelFreesThePlace(t *testing.T) {
	fx := setup(t)
	withWaterBed := fx.newMother(t)
	b := fx.book(t, withWaterBed, monday, booking.OptionWaterBed)
	fx.book(t, fx.newMother(t), monday, booking.OptionWaterBed)
	fx.book(t, fx.newMother(t), monday)
	fx.book(t, fx.newMother(t), monday)
	late := fx.newMother(t)
	_, err := fx.tryBook(late, monday, booking.OptionWaterBed)
	wantErr(t, err, booking.ErrFull)

	at := time.Date(2026, 12, 1, 12, 0, 0, 0, booking.Tokyo)
	cancelled, err := fx.store.Cancel(fx.ctx, withWaterBed.ID, b.Number, at)
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if cancelled.Status != booking.StatusCancelled || cancelled.CancelledAt == nil || !cancelled.CancelledAt.Equal(at) {
		t.Errorf("cancelled booking %+v, want status cancelled at %v", cancelled, at)
	}
	// Both the day's place and the waterbed are free again.
	fx.book(t, late, monday, booking.OptionWaterBed)
}

func TestCancelTwice(t *testing.T) {
	fx := setup(t)
	m := fx.newMother(t)
	b := fx.book(t, m, monday)
	if _, err := fx.store.Cancel(fx.ctx, m.ID, b.Number, time.Now()); err != nil {
		t.Fatalf("first cancel: %v", err)
	}
	_, err := fx.store.Cancel(fx.ctx, m.ID, b.Number, time.Now())
	wantErr(t, err, booking.ErrAlreadyCanceled)
}

func TestCancelAnotherMothersBooking(t *testing.T) {
	fx := setup(t)
	owner, other := fx.newMother(t), fx.newMother(t)
	b := fx.book(t, owner, monday)

	_, err := fx.store.Cancel(fx.ctx, other.ID, b.Number, time.Now())
	wantErr(t, err, booking.ErrNotFound)
	_, err = fx.store.Cancel(fx.ctx, owner.ID, "0000-0000", time.Now())
	wantErr(t, err, booking.ErrNotFound)

	got, err := fx.store.BookingByNumber(fx.ctx, fx.facility.ID, b.Number)
	if err != nil {
		t.Fatalf("booking by number: %v", err)
	}
	if got.Status != booking.StatusActive {
		t.Errorf("status %s after another mother's cancel, want active", got.Status)
	}
}

func TestBookingByNumberMissing(t *testing.T) {
	fx := setup(t)
	_, err := fx.store.BookingByNumber(fx.ctx, fx.facility.ID, "1234-5678")
	wantErr(t, err, booking.ErrNotFound)
}

func TestActiveBookings(t *testing.T) {
	fx := setup(t)
	m := fx.newMother(t)
	later := fx.book(t, m, monday.AddDays(3))
	earlier := fx.book(t, m, monday)
	past := fx.book(t, m, monday.AddDays(-7))
	cancelled := fx.book(t, m, monday.AddDays(1))
	if _, err := fx.store.Cancel(fx.ctx, m.ID, cancelled.Number, time.Now()); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	fx.book(t, fx.newMother(t), monday) // someone else's

	got, err := fx.store.ActiveBookings(fx.ctx, m.ID, monday)
	if err != nil {
		t.Fatalf("active bookings: %v", err)
	}
	var numbers []string
	for _, b := range got {
		numbers = append(numbers, b.Number)
	}
	want := []string{earlier.Number, later.Number}
	if !slices.Equal(numbers, want) {
		t.Errorf("active bookings %v, want %v (not the past %s nor the cancelled %s)", numbers, want, past.Number, cancelled.Number)
	}
}

func TestFacilityBySlug(t *testing.T) {
	fx := setup(t)
	f := fx.facility
	wantDays := []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday}
	if !slices.Equal(f.OpenWeekdays, wantDays) {
		t.Errorf("open weekdays %v, want %v", f.OpenWeekdays, wantDays)
	}
	wantOptions := []booking.OptionSetting{
		{Option: booking.OptionPediatrician, Label: "小児科医診察", DailyCapacity: 4},
		{Option: booking.OptionWaterBed, Label: "ウォーターベッド", DailyCapacity: 2},
		{Option: booking.OptionAroma, Label: "アロママッサージ", DailyCapacity: 2},
	}
	if !slices.Equal(f.Options, wantOptions) {
		t.Errorf("options %v, want %v", f.Options, wantOptions)
	}
	if f.Name != "ママズルーム" || f.DailyCapacity != 4 || f.FeeYen != 3000 || f.BookingWindowMonths != 2 ||
		f.CancelDaysBefore != 1 || f.CancelHour != 17 || f.CancelMinute != 0 || f.MaxVisitsPerMother != 0 {
		t.Errorf("facility %+v differs from the seed", f)
	}

	if _, err := fx.pool.Exec(fx.ctx, `UPDATE facilities SET cancel_at = '09:45', open_weekdays = '{7,3}' WHERE id = $1`, f.ID); err != nil {
		t.Fatal(err)
	}
	f, err := fx.store.FacilityBySlug(fx.ctx, "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	if f.CancelHour != 9 || f.CancelMinute != 45 || !slices.Equal(f.OpenWeekdays, []time.Weekday{time.Sunday, time.Wednesday}) {
		t.Errorf("cancel at %d:%d, weekdays %v; want 9:45 and [Sunday Wednesday]", f.CancelHour, f.CancelMinute, f.OpenWeekdays)
	}

	_, err = fx.store.FacilityBySlug(fx.ctx, "nowhere")
	wantErr(t, err, booking.ErrNotFound)
}

func TestDayCountsCoverEveryDay(t *testing.T) {
	fx := setup(t)
	from, to := monday, monday.AddDays(4)
	fx.override(t, booking.DayOverride{Day: monday.AddDays(1), Closed: true})
	fx.override(t, booking.DayOverride{Day: monday.AddDays(3), Capacity: intPtr(2)})
	fx.book(t, fx.newMother(t), monday, booking.OptionWaterBed, booking.OptionAroma)
	fx.book(t, fx.newMother(t), monday, booking.OptionWaterBed)
	fx.book(t, fx.newMother(t), monday.AddDays(3))
	cancelled := fx.newMother(t)
	b := fx.book(t, cancelled, monday.AddDays(3), booking.OptionAroma)
	if _, err := fx.store.Cancel(fx.ctx, cancelled.ID, b.Number, time.Now()); err != nil {
		t.Fatal(err)
	}
	fx.book(t, fx.newMother(t), to.AddDays(3)) // outside the range

	counts, err := fx.store.DayCounts(fx.ctx, fx.facility.ID, from, to)
	if err != nil {
		t.Fatalf("day counts: %v", err)
	}
	type row struct {
		closed             bool
		capacity, booked   int
		waterbed, aroma    int
		waterbedFull, full bool
	}
	want := map[booking.Date]row{
		monday:            {capacity: 4, booked: 2, waterbed: 2, aroma: 1, waterbedFull: true},
		monday.AddDays(1): {closed: true, capacity: 4},
		monday.AddDays(2): {capacity: 4},
		monday.AddDays(3): {capacity: 2, booked: 1},
		monday.AddDays(4): {capacity: 4},
	}
	if len(counts) != len(want) {
		t.Errorf("%d days counted, want %d", len(counts), len(want))
	}
	for day, w := range want {
		c, ok := counts[day]
		if !ok {
			t.Errorf("%v missing", day)
			continue
		}
		got := row{
			closed: c.Closed, capacity: c.Capacity, booked: c.Booked,
			waterbed: c.Options[booking.OptionWaterBed].Booked, aroma: c.Options[booking.OptionAroma].Booked,
			waterbedFull: c.OptionFull(booking.OptionWaterBed), full: c.Full(),
		}
		if got != w || c.Day != day || c.Options[booking.OptionWaterBed].Capacity != 2 || len(c.Options) != 3 {
			t.Errorf("%v: got %+v (options %v), want %+v", day, got, c.Options, w)
		}
	}
}

func TestDayOverrides(t *testing.T) {
	fx := setup(t)
	closed := booking.DayOverride{Day: monday, Closed: true, Reason: "研修"}
	smaller := booking.DayOverride{Day: monday.AddDays(1), Capacity: intPtr(2)}
	options := booking.DayOverride{Day: monday.AddDays(4), OptionCapacities: map[booking.Option]int{booking.OptionAroma: 0, booking.OptionWaterBed: 3}}
	fx.override(t, closed)
	fx.override(t, smaller)
	fx.override(t, options)
	fx.book(t, fx.newMother(t), monday.AddDays(3)) // adds a day row, no override

	got, err := fx.store.DayOverrides(fx.ctx, fx.facility.ID, monday, monday.AddDays(6))
	if err != nil {
		t.Fatalf("day overrides: %v", err)
	}
	if len(got) != 3 || !reflect.DeepEqual(got[monday], closed) || got[smaller.Day].Capacity == nil || *got[smaller.Day].Capacity != 2 ||
		got[smaller.Day].OptionCapacities != nil || !reflect.DeepEqual(got[options.Day], options) {
		t.Errorf("overrides %+v, want %+v, %+v and %+v", got, closed, smaller, options)
	}

	// An override replaces the day's option capacities with its own.
	fx.override(t, booking.DayOverride{Day: options.Day, OptionCapacities: map[booking.Option]int{booking.OptionAroma: 1}})
	fx.override(t, booking.DayOverride{Day: smaller.Day})
	got, err = fx.store.DayOverrides(fx.ctx, fx.facility.ID, monday, monday.AddDays(6))
	if err != nil {
		t.Fatalf("day overrides: %v", err)
	}
	if want := map[booking.Option]int{booking.OptionAroma: 1}; len(got) != 2 || !maps.Equal(got[options.Day].OptionCapacities, want) {
		t.Errorf("after replacing: overrides %+v, want %v on %v and nothing on %v", got, want, options.Day, smaller.Day)
	}
}

func TestDayOverrideOfAnUnknownOption(t *testing.T) {
	fx := setup(t)
	err := fx.store.SetDayOverride(fx.ctx, fx.facility.ID, booking.DayOverride{Day: monday, OptionCapacities: map[booking.Option]int{"sauna": 1}})
	wantErr(t, err, booking.ErrNotFound)
	if got, _ := fx.store.DayOverrides(fx.ctx, fx.facility.ID, monday, monday); len(got) != 0 {
		t.Errorf("overrides %+v after a refused one, want none", got)
	}
}

// The session's time zone must not move a date: a Tokyo-side or UTC-side
// conversion would shift days at one end or the other.
func TestDatesSurviveAnySessionTimeZone(t *testing.T) {
	t.Parallel()
	for _, zone := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Tokyo"} {
		t.Run(zone, func(t *testing.T) {
			cfg, err := pgxpool.ParseConfig(pgtest.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			cfg.ConnConfig.RuntimeParams["timezone"] = zone
			pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			fx := setupWithPool(t, pool)
			m := fx.newMother(t)
			for _, day := range []booking.Date{booking.D(2026, 12, 31), booking.D(2027, 1, 1), booking.D(2028, 2, 29)} {
				b := fx.book(t, m, day)
				if b.Day != day {
					t.Errorf("booked %v, stored %v", day, b.Day)
				}
				if c := fx.count(t, day); c.Day != day || c.Booked != 1 {
					t.Errorf("count of %v: %+v", day, c)
				}
			}
			birthday := booking.D(2026, 10, 31)
			if err := fx.store.SaveEligibility(fx.ctx, m.ID, true, &birthday, time.Now()); err != nil {
				t.Fatal(err)
			}
			got, err := fx.store.MotherByLineUser(fx.ctx, fx.facility.ID, m.LineUserID)
			if err != nil {
				t.Fatal(err)
			}
			if got.BabyBirthday == nil || *got.BabyBirthday != birthday {
				t.Errorf("birthday %v stored as %v", birthday, got.BabyBirthday)
			}
		})
	}
}

func TestMothers(t *testing.T) {
	fx := setup(t)
	m, err := fx.store.EnsureMother(fx.ctx, fx.facility.ID, "Uabc")
	if err != nil {
		t.Fatalf("ensure mother: %v", err)
	}
	if m.WardResident != nil || m.BabyBirthday != nil || m.ConsentedAt != nil || !m.Following {
		t.Errorf("new mother %+v, want no answers and following", m)
	}
	again, err := fx.store.EnsureMother(fx.ctx, fx.facility.ID, "Uabc")
	if err != nil || again.ID != m.ID {
		t.Fatalf("ensure again: %+v, %v; want the same mother %d", again, err, m.ID)
	}

	birthday := booking.D(2026, 10, 15)
	consented := time.Date(2026, 11, 1, 10, 0, 0, 0, booking.Tokyo)
	if err := fx.store.SaveEligibility(fx.ctx, m.ID, false, &birthday, consented); err != nil {
		t.Fatalf("save eligibility: %v", err)
	}
	if err := fx.store.SetFollowing(fx.ctx, m.ID, false, time.Now()); err != nil {
		t.Fatalf("set following: %v", err)
	}
	got, err := fx.store.MotherByLineUser(fx.ctx, fx.facility.ID, "Uabc")
	if err != nil {
		t.Fatalf("mother by line user: %v", err)
	}
	if got.WardResident == nil || *got.WardResident || got.BabyBirthday == nil || *got.BabyBirthday != birthday ||
		got.ConsentedAt == nil || !got.ConsentedAt.Equal(consented) || got.Following {
		t.Errorf("stored mother %+v", got)
	}

	if err := fx.store.SaveEligibility(fx.ctx, m.ID, true, nil, consented); err != nil {
		t.Fatalf("save eligibility without birthday: %v", err)
	}
	got, _ = fx.store.MotherByLineUser(fx.ctx, fx.facility.ID, "Uabc")
	if got.BabyBirthday != nil {
		t.Errorf("birthday %v after saving none", got.BabyBirthday)
	}

	_, err = fx.store.MotherByLineUser(fx.ctx, fx.facility.ID, "Unobody")
	wantErr(t, err, booking.ErrNotFound)
	wantErr(t, fx.store.SetFollowing(fx.ctx, 1<<40, true, time.Now()), booking.ErrNotFound)
	wantErr(t, fx.store.SaveEligibility(fx.ctx, 1<<40, true, nil, consented), booking.ErrNotFound)
}
