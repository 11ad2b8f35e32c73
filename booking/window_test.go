package booking_test

import (
	"testing"
	"time"

	"mamasroom/booking"
)

func tokyoTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02T15:04", s, booking.Tokyo)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestBookingWindow(t *testing.T) {
	tests := []struct {
		name        string
		now         time.Time
		months      int
		first, last booking.Date
	}{
		{"last minute of the day", tokyoTime(t, "2026-11-25T23:59"), 2, booking.D(2026, 11, 26), booking.D(2027, 1, 25)},
		{"first minute of the next day", tokyoTime(t, "2026-11-26T00:00"), 2, booking.D(2026, 11, 27), booking.D(2027, 1, 26)},
		{"morning: today is never bookable", tokyoTime(t, "2026-11-26T08:00"), 2, booking.D(2026, 11, 27), booking.D(2027, 1, 26)},
		{"UTC evening is the next Tokyo day", time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC), 2, booking.D(2026, 11, 27), booking.D(2027, 1, 26)},
		{"UTC just before Tokyo midnight", time.Date(2026, 11, 25, 14, 59, 0, 0, time.UTC), 2, booking.D(2026, 11, 26), booking.D(2027, 1, 25)},
		{"Dec 31 reaches Feb 28", tokyoTime(t, "2026-12-31T12:00"), 2, booking.D(2027, 1, 1), booking.D(2027, 2, 28)},
		{"Dec 31 reaches Feb 29 in a leap year", tokyoTime(t, "2027-12-31T12:00"), 2, booking.D(2028, 1, 1), booking.D(2028, 2, 29)},
		{"Dec 30 reaches Feb 28", tokyoTime(t, "2026-12-30T12:00"), 2, booking.D(2026, 12, 31), booking.D(2027, 2, 28)},
		{"one-month window", tokyoTime(t, "2027-01-31T12:00"), 1, booking.D(2027, 2, 1), booking.D(2027, 2, 28)},
		{"three-month window", tokyoTime(t, "2026-11-30T12:00"), 3, booking.D(2026, 12, 1), booking.D(2027, 2, 28)},
		{"unset window falls back to two months", tokyoTime(t, "2026-11-26T12:00"), 0, booking.D(2026, 11, 27), booking.D(2027, 1, 26)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &booking.Facility{BookingWindowMonths: tt.months}
			first, last := f.BookingWindow(tt.now)
			if first != tt.first || last != tt.last {
				t.Errorf("BookingWindow(%s) = %s, %s; want %s, %s", tt.now, first, last, tt.first, tt.last)
			}
		})
	}
}

func TestInWindow(t *testing.T) {
	f := mamasRoom(t)
	now := tokyoTime(t, "2026-11-25T23:59")
	tests := []struct {
		day  booking.Date
		want bool
	}{
		{booking.D(2026, 11, 24), false},
		{booking.D(2026, 11, 25), false}, // today
		{booking.D(2026, 11, 26), true},  // tomorrow
		{booking.D(2026, 12, 15), true},
		{booking.D(2027, 1, 25), true}, // last day
		{booking.D(2027, 1, 26), false},
		{booking.D(2027, 11, 26), false},
	}
	for _, tt := range tests {
		if got := f.InWindow(tt.day, now); got != tt.want {
			t.Errorf("InWindow(%s) at %s = %v, want %v", tt.day, now, got, tt.want)
		}
	}
	// One minute later the window has moved on a day at both ends.
	later := now.Add(time.Minute)
	if f.InWindow(booking.D(2026, 11, 26), later) {
		t.Errorf("InWindow(2026-11-26) at %s = true, want false", later)
	}
	if !f.InWindow(booking.D(2027, 1, 26), later) {
		t.Errorf("InWindow(2027-01-26) at %s = false, want true", later)
	}
}
