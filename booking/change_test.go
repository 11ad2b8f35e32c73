package booking_test

import (
	"slices"
	"testing"
	"time"

	"mamasroom/booking"
)

func TestChangeDayMovesHerBooking(t *testing.T) {
	fx := setup(t) // Wednesday 2026-11-25 09:00
	m := fx.mother(t, youngBaby)
	old := fx.book(t, m, booking.D(2026, 11, 30), booking.OptionAroma)

	moved, err := fx.svc.ChangeDay(fx.ctx, fx.facility, m, "k1", toFullWidth(old.Number), booking.D(2026, 12, 3), []booking.Option{booking.OptionAroma})
	if err != nil {
		t.Fatalf("change day: %v", err)
	}
	if moved.Day != booking.D(2026, 12, 3) || !slices.Equal(moved.Options, []booking.Option{booking.OptionAroma}) {
		t.Errorf("moved booking %+v, want 2026-12-03 with aroma", moved)
	}
	list, err := fx.svc.Upcoming(fx.ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Number != moved.Number {
		t.Errorf("she holds %+v, want only the moved booking", list)
	}

	// The same confirm again (a retry, a second tap) is the same booking,
	// not a second move nor an error.
	again, err := fx.svc.ChangeDay(fx.ctx, fx.facility, m, "k1", old.Number, booking.D(2026, 12, 3), []booking.Option{booking.OptionAroma})
	if err != nil || again.Number != moved.Number {
		t.Errorf("the same change again: %+v, %v; want booking %s", again, err, moved.Number)
	}
	// Another confirm of the booking left is refused: it is cancelled.
	_, err = fx.svc.ChangeDay(fx.ctx, fx.facility, m, "k2", old.Number, booking.D(2026, 12, 4), nil)
	wantErr(t, err, booking.ErrAlreadyCanceled)
}

// A change follows the cancel's deadline for the day left and the
// booking's rules for the new day, changing nothing when refused.
func TestChangeDayRules(t *testing.T) {
	fx := setup(t) // Wednesday 2026-11-25 09:00; the deadline is 17:00 the day before
	fx.closeDay(t, booking.D(2026, 12, 4))
	fx.fill(t, booking.D(2026, 12, 7))
	olderBaby := fx.mother(t, booking.D(2026, 8, 20)) // last usable day Saturday 12-19
	older := fx.book(t, olderBaby, booking.D(2026, 12, 1))
	tomorrow := fx.mother(t, youngBaby)
	soon := fx.book(t, tomorrow, booking.D(2026, 11, 26))
	m := fx.mother(t, youngBaby)
	b := fx.book(t, m, booking.D(2026, 11, 30))

	for _, c := range []struct {
		name string
		m    *booking.Mother
		b    *booking.Booking
		day  booking.Date
		at   time.Time
		want error
	}{
		{"a closed day", m, b, booking.D(2026, 12, 4), now, booking.ErrClosed},
		{"a full day", m, b, booking.D(2026, 12, 7), now, booking.ErrFull},
		{"past the window", m, b, booking.D(2027, 2, 1), now, booking.ErrOutsideWindow},
		{"after her baby's last day", olderBaby, older, booking.D(2026, 12, 21), now, booking.ErrNotEligible},
		{"the same day", m, b, b.Day, now, booking.ErrAlreadyBooked},
		{"after the deadline of the day left", tomorrow, soon, booking.D(2026, 12, 3), booking.D(2026, 11, 25).At(17, 1), booking.ErrPastDeadline},
	} {
		t.Run(c.name, func(t *testing.T) {
			*fx.clock = c.at
			t.Cleanup(func() { *fx.clock = now })
			_, err := fx.svc.ChangeDay(fx.ctx, fx.facility, c.m, "", c.b.Number, c.day, nil)
			wantErr(t, err, c.want)
			list, err := fx.svc.Upcoming(fx.ctx, c.m)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].Number != c.b.Number {
				t.Errorf("after a refused change she holds %+v, want her booking as it was", list)
			}
		})
	}

	// Until the deadline itself the change is made.
	*fx.clock = booking.D(2026, 11, 25).At(17, 0)
	if _, err := fx.svc.ChangeDay(fx.ctx, fx.facility, tomorrow, "", soon.Number, booking.D(2026, 12, 3), nil); err != nil {
		t.Errorf("a change at the deadline: %v", err)
	}
	// Someone else's booking is not found.
	_, err := fx.svc.ChangeDay(fx.ctx, fx.facility, m, "", older.Number, booking.D(2026, 12, 3), nil)
	wantErr(t, err, booking.ErrNotFound)
}

func TestOptionsOnNewDay(t *testing.T) {
	fx := setup(t)
	day := booking.D(2026, 11, 30)
	for range 2 { // the water bed's capacity
		fx.book(t, fx.mother(t, youngBaby), day, booking.OptionWaterBed)
	}
	kept, full, err := fx.svc.OptionsOnNewDay(fx.ctx, fx.facility, day, []booking.Option{booking.OptionPediatrician, booking.OptionWaterBed})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(kept, []booking.Option{booking.OptionPediatrician}) || !slices.Equal(full, []booking.Option{booking.OptionWaterBed}) {
		t.Errorf("kept %v, full %v; want the pediatrician kept and the water bed full", kept, full)
	}
}
