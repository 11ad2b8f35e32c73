package booking_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

// Wednesday 2026-11-25, 09:00 in Tokyo. With the seeded two-month window the
// bookable days run from Thursday 11-26 to Monday 2027-01-25.
var now = time.Date(2026, 11, 25, 9, 0, 0, 0, booking.Tokyo)

// A baby born on 11-01 can come until 2027-02-28, past the whole window.
var youngBaby = booking.D(2026, 11, 1)

type fixture struct {
	ctx      context.Context
	store    *postgres.Store
	svc      *booking.Service
	facility *booking.Facility
	clock    *time.Time
	mothers  int
}

func setup(t *testing.T) *fixture {
	t.Helper()
	t.Parallel()
	ctx := t.Context()
	store := postgres.NewStore(pgtest.Pool(t))
	f, err := store.FacilityBySlug(ctx, "mamasroom")
	if err != nil {
		t.Fatalf("load seeded facility: %v", err)
	}
	clock := now
	svc := &booking.Service{Store: store, Now: func() time.Time { return clock }}
	return &fixture{ctx: ctx, store: store, svc: svc, facility: f, clock: &clock}
}

// mother adds a mother who answered that she lives in the ward and that her
// baby was born on birthday.
func (fx *fixture) mother(t *testing.T, birthday booking.Date) *booking.Mother {
	t.Helper()
	m := fx.unansweredMother(t)
	if err := fx.store.SaveEligibility(fx.ctx, m.ID, true, &birthday, now); err != nil {
		t.Fatalf("save eligibility: %v", err)
	}
	m, err := fx.store.MotherByLineUser(fx.ctx, fx.facility.ID, m.LineUserID)
	if err != nil {
		t.Fatalf("reload mother: %v", err)
	}
	return m
}

func (fx *fixture) unansweredMother(t *testing.T) *booking.Mother {
	t.Helper()
	fx.mothers++
	m, err := fx.store.EnsureMother(fx.ctx, fx.facility.ID, fmt.Sprintf("U%d", fx.mothers))
	if err != nil {
		t.Fatalf("ensure mother: %v", err)
	}
	return m
}

func (fx *fixture) eligibility(t *testing.T, m *booking.Mother) booking.Eligibility {
	t.Helper()
	e, ok := fx.svc.EligibilityOf(m)
	if !ok || !e.OK() {
		t.Fatalf("mother %d not eligible: %+v, answered %v", m.ID, e, ok)
	}
	return e
}

func (fx *fixture) book(t *testing.T, m *booking.Mother, day booking.Date, options ...booking.Option) *booking.Booking {
	t.Helper()
	b, err := fx.svc.Book(fx.ctx, fx.facility, m, day, options)
	if err != nil {
		t.Fatalf("book %v: %v", day, err)
	}
	return b
}

// fill books every place of day, each for another mother.
func (fx *fixture) fill(t *testing.T, day booking.Date) {
	t.Helper()
	for range fx.facility.DailyCapacity {
		fx.book(t, fx.mother(t, youngBaby), day)
	}
}

func (fx *fixture) closeDay(t *testing.T, day booking.Date) {
	t.Helper()
	if err := fx.store.SetDayOverride(fx.ctx, fx.facility.ID, booking.DayOverride{Day: day, Closed: true}); err != nil {
		t.Fatalf("close %v: %v", day, err)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

func TestBookChecksWindowCalendarAndEligibility(t *testing.T) {
	fx := setup(t)
	fx.closeDay(t, booking.D(2026, 12, 4))
	// Her baby's last usable day is Saturday 12-19.
	olderBaby := fx.mother(t, booking.D(2026, 8, 20))

	tests := []struct {
		name   string
		mother *booking.Mother
		day    booking.Date
		want   error
	}{
		{"an ordinary Monday", fx.mother(t, youngBaby), booking.D(2026, 11, 30), nil},
		{"a Wednesday", fx.mother(t, youngBaby), booking.D(2026, 12, 2), booking.ErrClosed},
		{"a Sunday", fx.mother(t, youngBaby), booking.D(2026, 12, 6), booking.ErrClosed},
		{"year end, a Tuesday", fx.mother(t, youngBaby), booking.D(2026, 12, 29), booking.ErrClosed},
		{"new year, a Monday", fx.mother(t, youngBaby), booking.D(2027, 1, 4), nil},
		{"成人の日, a Monday", fx.mother(t, youngBaby), booking.D(2027, 1, 11), booking.ErrClosed},
		{"closed by staff", fx.mother(t, youngBaby), booking.D(2026, 12, 4), booking.ErrClosed},
		{"today", fx.mother(t, youngBaby), booking.D(2026, 11, 25), booking.ErrOutsideWindow},
		{"yesterday", fx.mother(t, youngBaby), booking.D(2026, 11, 24), booking.ErrOutsideWindow},
		{"last day of the window", fx.mother(t, youngBaby), booking.D(2027, 1, 25), nil},
		{"past the window", fx.mother(t, youngBaby), booking.D(2027, 2, 1), booking.ErrOutsideWindow},
		{"baby's last usable Friday", olderBaby, booking.D(2026, 12, 18), nil},
		{"after the baby's last usable day", olderBaby, booking.D(2026, 12, 21), booking.ErrNotEligible},
		{"mother who has not answered", fx.unansweredMother(t), booking.D(2026, 11, 30), booking.ErrNotEligible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := fx.svc.Book(fx.ctx, fx.facility, tt.mother, tt.day, nil)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("book %v: %v", tt.day, err)
				}
				if b.Day != tt.day || b.MotherID != tt.mother.ID {
					t.Errorf("booked %+v, want day %v for mother %d", b, tt.day, tt.mother.ID)
				}
				return
			}
			wantErr(t, err, tt.want)
			if b != nil {
				t.Errorf("got booking %+v with error", b)
			}
		})
	}
}

func TestBookNotResident(t *testing.T) {
	fx := setup(t)
	m := fx.unansweredMother(t)
	birthday := youngBaby
	if err := fx.store.SaveEligibility(fx.ctx, m.ID, false, &birthday, now); err != nil {
		t.Fatal(err)
	}
	m.WardResident, m.BabyBirthday = new(bool), &birthday

	_, err := fx.svc.Book(fx.ctx, fx.facility, m, booking.D(2026, 11, 30), nil)
	wantErr(t, err, booking.ErrNotEligible)
}

func TestBookEnforcesCapacityOptionsAndVisits(t *testing.T) {
	fx := setup(t)
	day := booking.D(2026, 11, 30)
	fx.book(t, fx.mother(t, youngBaby), day, booking.OptionWaterBed)
	fx.book(t, fx.mother(t, youngBaby), day, booking.OptionWaterBed)

	_, err := fx.svc.Book(fx.ctx, fx.facility, fx.mother(t, youngBaby), day, []booking.Option{booking.OptionWaterBed})
	wantErr(t, err, booking.ErrOptionFull)

	fx.book(t, fx.mother(t, youngBaby), day)
	fx.book(t, fx.mother(t, youngBaby), day)
	_, err = fx.svc.Book(fx.ctx, fx.facility, fx.mother(t, youngBaby), day, nil)
	wantErr(t, err, booking.ErrFull)

	_, err = fx.svc.Book(fx.ctx, fx.facility, fx.mother(t, youngBaby), booking.D(2026, 12, 1), []booking.Option{"sauna"})
	if err == nil {
		t.Error("booked an option the facility does not offer")
	}

	limited := *fx.facility
	limited.MaxVisitsPerMother = 1
	m := fx.mother(t, youngBaby)
	if _, err := fx.svc.Book(fx.ctx, &limited, m, booking.D(2026, 12, 1), nil); err != nil {
		t.Fatalf("first visit: %v", err)
	}
	_, err = fx.svc.Book(fx.ctx, &limited, m, booking.D(2026, 12, 3), nil)
	wantErr(t, err, booking.ErrVisitLimit)
}

func TestBookableDays(t *testing.T) {
	fx := setup(t)
	fx.fill(t, booking.D(2026, 12, 3))
	fx.closeDay(t, booking.D(2026, 12, 4))
	elig := fx.eligibility(t, fx.mother(t, youngBaby))

	tests := []struct {
		name  string
		from  booking.Date
		limit int
		want  []booking.Date
	}{
		{
			// Today is not offered, nor Wednesdays and weekends, nor the
			// full 12-03, nor the closed 12-04.
			name: "from today", from: booking.D(2026, 11, 25), limit: 6,
			want: dates("2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01", "2026-12-07", "2026-12-08"),
		},
		{
			name: "from the past", from: booking.D(2026, 1, 1), limit: 1,
			want: dates("2026-11-26"),
		},
		{
			name: "over 年末年始", from: booking.D(2026, 12, 25), limit: 4,
			want: dates("2026-12-25", "2026-12-28", "2027-01-04", "2027-01-05"),
		},
		{
			name: "over 成人の日", from: booking.D(2027, 1, 8), limit: 3,
			want: dates("2027-01-08", "2027-01-12", "2027-01-14"),
		},
		{
			name: "to the end of the window", from: booking.D(2027, 1, 20), limit: 100,
			want: dates("2027-01-21", "2027-01-22", "2027-01-25"),
		},
		{
			name: "past the window", from: booking.D(2027, 1, 26), limit: 100,
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fx.svc.BookableDays(fx.ctx, fx.facility, elig, tt.from, tt.limit)
			if err != nil {
				t.Fatalf("bookable days: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBookableDaysWholeWindow(t *testing.T) {
	fx := setup(t)
	full := booking.D(2026, 12, 10)
	fx.fill(t, full)
	elig := fx.eligibility(t, fx.mother(t, youngBaby))

	got, err := fx.svc.BookableDays(fx.ctx, fx.facility, elig, booking.D(2026, 11, 25), 1000)
	if err != nil {
		t.Fatalf("bookable days: %v", err)
	}
	// Mon, Tue, Thu, Fri from 11-26 to 01-25 are 35 days; less 年末年始
	// (12-29, 12-31, 01-01), 成人の日 and the full day.
	if len(got) != 35-5 {
		t.Errorf("%d bookable days, want 30: %v", len(got), got)
	}
	for i, d := range got {
		if i > 0 && !got[i-1].Before(d) {
			t.Errorf("days out of order: %v then %v", got[i-1], d)
		}
		name, holiday := booking.HolidayName(d)
		switch {
		case d.Weekday() == time.Wednesday || d.Weekday() == time.Saturday || d.Weekday() == time.Sunday:
			t.Errorf("offers %v, a %v", d, d.Weekday())
		case holiday:
			t.Errorf("offers %v, %s", d, name)
		case booking.IsYearEnd(d):
			t.Errorf("offers %v in 年末年始", d)
		case d == full:
			t.Errorf("offers the full %v", d)
		case !d.After(booking.DateOf(now)) || d.After(booking.D(2027, 1, 25)):
			t.Errorf("offers %v, outside the window", d)
		}
	}

	limited, err := fx.svc.BookableDays(fx.ctx, fx.facility, elig, booking.D(2026, 11, 25), 5)
	if err != nil || !slices.Equal(limited, got[:5]) {
		t.Errorf("limit 5: %v, %v; want %v", limited, err, got[:5])
	}
}

func TestBookableDaysStopAtBabysLastDay(t *testing.T) {
	fx := setup(t)
	elig := fx.eligibility(t, fx.mother(t, booking.D(2026, 8, 20))) // last day 12-19

	got, err := fx.svc.BookableDays(fx.ctx, fx.facility, elig, booking.D(2026, 12, 14), 100)
	if err != nil {
		t.Fatalf("bookable days: %v", err)
	}
	if want := dates("2026-12-14", "2026-12-15", "2026-12-17", "2026-12-18"); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}

	for _, e := range []booking.Eligibility{{}, booking.CheckEligibility(false, youngBaby, booking.DateOf(now))} {
		got, err := fx.svc.BookableDays(fx.ctx, fx.facility, e, booking.D(2026, 11, 25), 100)
		if err != nil || len(got) != 0 {
			t.Errorf("eligibility %+v: offered %v, %v; want none", e, got, err)
		}
	}
}

func TestNearestBookableDays(t *testing.T) {
	fx := setup(t)
	filled := booking.D(2026, 12, 3) // a Thursday
	fx.fill(t, filled)
	elig := fx.eligibility(t, fx.mother(t, youngBaby))

	tests := []struct {
		day  booking.Date
		n    int
		want []booking.Date
	}{
		// 12-04 is 1 away, 12-01 2, 11-30 3, 12-07 4.
		{filled, 3, dates("2026-11-30", "2026-12-01", "2026-12-04")},
		{filled, 4, dates("2026-11-30", "2026-12-01", "2026-12-04", "2026-12-07")},
		// Only days after today: 11-26 and 11-27 on the near side.
		{booking.D(2026, 11, 26), 3, dates("2026-11-27", "2026-11-30", "2026-12-01")},
		// Equally near 12-07 and 12-11 both; the earlier comes first.
		{booking.D(2026, 12, 9), 1, dates("2026-12-08")},
		{booking.D(2026, 12, 9), 2, dates("2026-12-08", "2026-12-10")},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%d", tt.day, tt.n), func(t *testing.T) {
			got, err := fx.svc.NearestBookableDays(fx.ctx, fx.facility, elig, tt.day, tt.n)
			if err != nil {
				t.Fatalf("nearest: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOptionsWithRoom(t *testing.T) {
	fx := setup(t)
	day := booking.D(2026, 11, 30)
	fx.book(t, fx.mother(t, youngBaby), day, booking.OptionWaterBed, booking.OptionAroma)
	fx.book(t, fx.mother(t, youngBaby), day, booking.OptionWaterBed)

	got, err := fx.svc.OptionsWithRoom(fx.ctx, fx.facility, day)
	if err != nil {
		t.Fatalf("options with room: %v", err)
	}
	var names []booking.Option
	for _, o := range got {
		names = append(names, o.Option)
	}
	if want := []booking.Option{booking.OptionPediatrician, booking.OptionAroma}; !slices.Equal(names, want) {
		t.Errorf("got %v, want %v", names, want)
	}

	got, err = fx.svc.OptionsWithRoom(fx.ctx, fx.facility, day.AddDays(1))
	if err != nil || len(got) != len(fx.facility.Options) {
		t.Errorf("empty day: %v, %v; want all %d options", got, err, len(fx.facility.Options))
	}
}

func TestCancel(t *testing.T) {
	fx := setup(t)
	day := booking.D(2026, 11, 27) // deadline 11-26 17:00
	m := fx.mother(t, youngBaby)
	b := fx.book(t, m, day)
	other := fx.book(t, m, booking.D(2026, 11, 30))

	*fx.clock = time.Date(2026, 11, 26, 17, 0, 1, 0, booking.Tokyo)
	_, err := fx.svc.Cancel(fx.ctx, fx.facility, m, b.Number)
	wantErr(t, err, booking.ErrPastDeadline)

	*fx.clock = time.Date(2026, 11, 26, 17, 0, 0, 0, booking.Tokyo)
	_, err = fx.svc.Cancel(fx.ctx, fx.facility, fx.mother(t, youngBaby), b.Number)
	wantErr(t, err, booking.ErrNotFound)
	_, err = fx.svc.Cancel(fx.ctx, fx.facility, m, "not a number")
	wantErr(t, err, booking.ErrNotFound)

	// Typed on a Japanese keyboard: full-width digits and ー.
	typed := toFullWidth(b.Number)
	cancelled, err := fx.svc.Cancel(fx.ctx, fx.facility, m, typed)
	if err != nil {
		t.Fatalf("cancel %q at the deadline: %v", typed, err)
	}
	if cancelled.Status != booking.StatusCancelled || cancelled.CancelledAt == nil || !cancelled.CancelledAt.Equal(*fx.clock) {
		t.Errorf("cancelled %+v, want cancelled at %v", cancelled, *fx.clock)
	}
	_, err = fx.svc.Cancel(fx.ctx, fx.facility, m, b.Number)
	wantErr(t, err, booking.ErrAlreadyCanceled)

	upcoming, err := fx.svc.Upcoming(fx.ctx, m)
	if err != nil {
		t.Fatalf("upcoming: %v", err)
	}
	if len(upcoming) != 1 || upcoming[0].Number != other.Number {
		t.Errorf("upcoming %v, want only %s", upcoming, other.Number)
	}
}

func TestUpcomingFromToday(t *testing.T) {
	fx := setup(t)
	m := fx.mother(t, youngBaby)
	second := fx.book(t, m, booking.D(2026, 12, 1))
	first := fx.book(t, m, booking.D(2026, 11, 26))

	got, err := fx.svc.Upcoming(fx.ctx, m)
	if err != nil {
		t.Fatalf("upcoming: %v", err)
	}
	if len(got) != 2 || got[0].Number != first.Number || got[1].Number != second.Number {
		t.Errorf("upcoming %v, want %s then %s", got, first.Number, second.Number)
	}

	// Today is Tokyo's: at 23:59 on 11-26 the visit that day is still
	// upcoming, and at Tokyo's midnight (15:00 UTC) it no longer is.
	*fx.clock = time.Date(2026, 11, 26, 23, 59, 0, 0, booking.Tokyo)
	got, _ = fx.svc.Upcoming(fx.ctx, m)
	if len(got) != 2 {
		t.Errorf("at 23:59 on the day: %d upcoming, want 2", len(got))
	}
	*fx.clock = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC) // 11-27 00:00 in Tokyo
	got, _ = fx.svc.Upcoming(fx.ctx, m)
	if len(got) != 1 || got[0].Number != second.Number {
		t.Errorf("after midnight in Tokyo: %v, want only %s", got, second.Number)
	}
}

func TestEligibilityOf(t *testing.T) {
	svc := &booking.Service{Now: func() time.Time { return now }}
	yes, no := true, false
	birthday := booking.D(2026, 10, 15)
	tests := []struct {
		name     string
		mother   booking.Mother
		answered bool
		ok       bool
	}{
		{"no answers", booking.Mother{}, false, false},
		{"only residence", booking.Mother{WardResident: &yes}, false, false},
		{"only birthday", booking.Mother{BabyBirthday: &birthday}, false, false},
		{"resident", booking.Mother{WardResident: &yes, BabyBirthday: &birthday}, true, true},
		{"not resident", booking.Mother{WardResident: &no, BabyBirthday: &birthday}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, answered := svc.EligibilityOf(&tt.mother)
			// Unanswered, e is not a judgement; it must still allow no day
			// to a caller who forgets to look at answered.
			ok := answered && e.OK()
			if answered != tt.answered || ok != tt.ok {
				t.Errorf("got %+v answered %v, want ok %v answered %v", e, answered, tt.ok, tt.answered)
			}
			if e.CoversDay(booking.D(2026, 11, 30)) != tt.ok {
				t.Errorf("%+v covers 2026-11-30: %v, want %v", e, !tt.ok, tt.ok)
			}
			if tt.ok && e.LastDay != booking.D(2027, 2, 14) {
				t.Errorf("last day %v, want 2027-02-14", e.LastDay)
			}
		})
	}
}

func dates(iso ...string) []booking.Date {
	var ds []booking.Date
	for _, s := range iso {
		d, err := booking.ParseDate(s)
		if err != nil {
			panic(err)
		}
		ds = append(ds, d)
	}
	return ds
}

func toFullWidth(number string) string {
	var out []rune
	for _, r := range number {
		switch {
		case r >= '0' && r <= '9':
			out = append(out, '０'+(r-'0'))
		case r == '-':
			out = append(out, 'ー')
		default:
			out = append(out, r)
		}
	}
	return string(out)
}
