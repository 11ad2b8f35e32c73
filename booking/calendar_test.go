package booking_test

import (
	"testing"
	"time"

	"mamasroom/booking"
)

// mamasRoom is the facility as the seed article describes it.
func mamasRoom(t *testing.T) *booking.Facility {
	t.Helper()
	return &booking.Facility{
		Name:                "ママズルーム",
		OpenWeekdays:        []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday},
		DailyCapacity:       4,
		BookingWindowMonths: 2,
	}
}

func intPtr(n int) *int { return &n }

func TestIsYearEnd(t *testing.T) {
	tests := []struct {
		day  booking.Date
		want bool
	}{
		{booking.D(2026, 12, 28), false},
		{booking.D(2026, 12, 29), true},
		{booking.D(2026, 12, 31), true},
		{booking.D(2027, 1, 1), true},
		{booking.D(2027, 1, 3), true},
		{booking.D(2027, 1, 4), false},
		{booking.D(2027, 11, 29), false},
		{booking.D(2027, 2, 3), false},
	}
	for _, tt := range tests {
		if got := booking.IsYearEnd(tt.day); got != tt.want {
			t.Errorf("IsYearEnd(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
}

func TestClosedReason(t *testing.T) {
	staffClosed := &booking.DayOverride{Closed: true, Reason: "研修"}
	capacityOnly := &booking.DayOverride{Capacity: intPtr(2)}
	tests := []struct {
		name     string
		day      booking.Date
		override *booking.DayOverride
		want     booking.ClosedReason
	}{
		{"open Monday", booking.D(2026, 11, 30), nil, booking.OpenDay},
		{"open Tuesday", booking.D(2026, 12, 1), nil, booking.OpenDay},
		{"Wednesday", booking.D(2026, 12, 2), nil, booking.ClosedWeekday},
		{"open Thursday", booking.D(2026, 12, 3), nil, booking.OpenDay},
		{"open Friday", booking.D(2026, 12, 4), nil, booking.OpenDay},
		{"Saturday", booking.D(2026, 12, 5), nil, booking.ClosedWeekday},
		{"Sunday", booking.D(2026, 12, 6), nil, booking.ClosedWeekday},
		{"holiday on an open weekday", booking.D(2026, 11, 23), nil, booking.ClosedHoliday},
		{"substitute holiday", booking.D(2027, 3, 22), nil, booking.ClosedHoliday},
		{"citizens' holiday", booking.D(2026, 9, 22), nil, booking.ClosedHoliday},
		{"holiday on a closed weekday", booking.D(2026, 9, 23), nil, booking.ClosedHoliday},
		{"year end on an open weekday", booking.D(2026, 12, 29), nil, booking.ClosedYearEnd},
		{"元日 is year end before holiday", booking.D(2027, 1, 1), nil, booking.ClosedYearEnd},
		{"staff closure on an open day", booking.D(2026, 12, 4), staffClosed, booking.ClosedByStaff},
		{"staff closure wins over holiday", booking.D(2026, 11, 23), staffClosed, booking.ClosedByStaff},
		{"staff closure wins over year end", booking.D(2026, 12, 29), staffClosed, booking.ClosedByStaff},
		{"staff closure wins over weekday", booking.D(2026, 12, 2), staffClosed, booking.ClosedByStaff},
		{"capacity override keeps an open day open", booking.D(2026, 12, 4), capacityOnly, booking.OpenDay},
		{"capacity override does not open a holiday", booking.D(2026, 11, 23), capacityOnly, booking.ClosedHoliday},
		{"capacity override does not open a Wednesday", booking.D(2026, 12, 2), capacityOnly, booking.ClosedWeekday},
		{"capacity override does not open year end", booking.D(2027, 1, 2), capacityOnly, booking.ClosedYearEnd},
	}
	f := mamasRoom(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.ClosedReason(tt.day, tt.override)
			if got != tt.want {
				t.Errorf("ClosedReason(%s %s) = %q, want %q", tt.day, tt.day.Weekday(), got, tt.want)
			}
			if open := f.IsOpen(tt.day, tt.override); open != (tt.want == booking.OpenDay) {
				t.Errorf("IsOpen(%s) = %v, want %v", tt.day, open, tt.want == booking.OpenDay)
			}
		})
	}
}

func TestOpenDaysInDecember2026(t *testing.T) {
	f := mamasRoom(t)
	var open []int
	for d := booking.D(2026, 12, 1); d.Month == time.December; d = d.AddDays(1) {
		if f.IsOpen(d, nil) {
			open = append(open, d.Day)
		}
	}
	want := []int{1, 3, 4, 7, 8, 10, 11, 14, 15, 17, 18, 21, 22, 24, 25, 28}
	if len(open) != len(want) {
		t.Fatalf("open days = %v, want %v", open, want)
	}
	for i := range want {
		if open[i] != want[i] {
			t.Fatalf("open days = %v, want %v", open, want)
		}
	}
}

func TestFacilityWithNoOpenWeekdaysIsAlwaysClosed(t *testing.T) {
	f := &booking.Facility{}
	if got := f.ClosedReason(booking.D(2026, 12, 4), nil); got != booking.ClosedWeekday {
		t.Errorf("ClosedReason = %q, want %q", got, booking.ClosedWeekday)
	}
}

func TestCapacityOn(t *testing.T) {
	tests := []struct {
		name     string
		override *booking.DayOverride
		want     int
	}{
		{"no override", nil, 4},
		{"override without capacity", &booking.DayOverride{Closed: false}, 4},
		{"fewer places", &booking.DayOverride{Capacity: intPtr(2)}, 2},
		{"more places", &booking.DayOverride{Capacity: intPtr(6)}, 6},
		{"zero places is a real setting", &booking.DayOverride{Capacity: intPtr(0)}, 0},
	}
	f := mamasRoom(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.CapacityOn(tt.override); got != tt.want {
				t.Errorf("CapacityOn = %d, want %d", got, tt.want)
			}
		})
	}
}
