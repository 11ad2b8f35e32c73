package booking_test

import (
	"testing"
	"time"

	"mamasroom/booking"
)

func TestOfferDeadlinePausesInQuietHours(t *testing.T) {
	at := func(d booking.Date, h, m int) time.Time { return d.At(h, m) }
	wed, thu, fri := booking.D(2026, 11, 25), booking.D(2026, 11, 26), booking.D(2026, 11, 27)
	tests := []struct {
		name   string
		from   time.Time
		limit  time.Duration
		day    booking.Date
		want   time.Time
		paused bool
	}{
		{"in offer hours", at(wed, 10, 0), 2 * time.Hour, fri, at(wed, 12, 0), false},
		{"ends at 21:00 exactly", at(wed, 19, 0), 2 * time.Hour, fri, at(wed, 21, 0), false},
		{"30 minutes now, 90 after 8:00", at(wed, 20, 30), 2 * time.Hour, fri, at(thu, 9, 30), true},
		{"made in the night starts at 8:00", at(wed, 22, 0), 2 * time.Hour, fri, at(thu, 10, 0), true},
		{"made before 8:00 starts at 8:00", at(thu, 6, 0), 2 * time.Hour, fri, at(thu, 10, 0), true},
		{"never past the start of the day", at(thu, 20, 30), 2 * time.Hour, fri, fri.Start(), true},
		{"longer than a day of offer hours", at(wed, 8, 0), 14 * time.Hour, fri, at(thu, 9, 0), true},
		{"given in UTC", at(wed, 20, 30).UTC(), 2 * time.Hour, fri, at(thu, 9, 30), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, paused := booking.OfferDeadline(tt.from, tt.limit, tt.day)
			if !got.Equal(tt.want) || paused != tt.paused {
				t.Errorf("OfferDeadline(%v, %v, %v) = %v, %v; want %v, %v", tt.from, tt.limit, tt.day, got, paused, tt.want, tt.paused)
			}
		})
	}
}

func TestInQuietHours(t *testing.T) {
	d := booking.D(2026, 11, 25)
	for _, c := range []struct {
		h, m  int
		quiet bool
	}{{7, 59, true}, {8, 0, false}, {20, 59, false}, {21, 0, true}, {0, 0, true}} {
		if got := booking.InQuietHours(d.At(c.h, c.m)); got != c.quiet {
			t.Errorf("InQuietHours(%d:%02d) = %v", c.h, c.m, got)
		}
	}
}
