package booking_test

import (
	"testing"

	"mamasroom/booking"
)

func TestLastUsableDay(t *testing.T) {
	tests := []struct {
		name     string
		birthday booking.Date
		want     booking.Date
	}{
		// The examples in CONTRACT.md.
		{"mid-month", booking.D(2026, 10, 15), booking.D(2027, 2, 14)},
		{"31st, no Feb 31", booking.D(2026, 10, 31), booking.D(2027, 2, 28)},
		{"30th, no Feb 30", booking.D(2026, 10, 30), booking.D(2027, 2, 28)},
		{"29th, Feb 29 exists in 2028", booking.D(2027, 10, 29), booking.D(2028, 2, 28)},

		{"29th, no Feb 29 in 2027", booking.D(2026, 10, 29), booking.D(2027, 2, 28)},
		{"28th", booking.D(2026, 10, 28), booking.D(2027, 2, 27)},
		{"31st, leap February", booking.D(2027, 10, 31), booking.D(2028, 2, 29)},
		{"30th, leap February", booking.D(2027, 10, 30), booking.D(2028, 2, 29)},
		{"30th, March has a 30th", booking.D(2026, 11, 30), booking.D(2027, 3, 29)},
		{"Jan 31, May has a 31st", booking.D(2026, 1, 31), booking.D(2026, 5, 30)},
		{"Mar 31, July has a 31st", booking.D(2026, 3, 31), booking.D(2026, 7, 30)},
		{"May 31, no Sep 31", booking.D(2026, 5, 31), booking.D(2026, 9, 30)},
		{"Aug 31, Dec has a 31st", booking.D(2026, 8, 31), booking.D(2026, 12, 30)},
		{"Dec 31, Apr has no 31st", booking.D(2026, 12, 31), booking.D(2027, 4, 30)},
		{"1st, day before is in month three", booking.D(2026, 10, 1), booking.D(2027, 1, 31)},
		{"Mar 1, day before is Feb's end", booking.D(2027, 11, 1), booking.D(2028, 2, 29)},
		{"across the year", booking.D(2026, 12, 15), booking.D(2027, 4, 14)},
		{"leap day birthday", booking.D(2028, 2, 29), booking.D(2028, 6, 28)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := booking.LastUsableDay(tt.birthday); got != tt.want {
				t.Errorf("LastUsableDay(%s) = %s, want %s", tt.birthday, got, tt.want)
			}
		})
	}
}

func TestCheckEligibility(t *testing.T) {
	born := booking.D(2026, 10, 15)
	last := booking.D(2027, 2, 14)
	tests := []struct {
		name     string
		resident bool
		birthday booking.Date
		today    booking.Date
		want     booking.Eligibility
	}{
		{"newborn resident", true, born, booking.D(2026, 10, 20), booking.Eligibility{Reason: booking.Eligible, LastDay: last}},
		{"born today", true, born, born, booking.Eligibility{Reason: booking.Eligible, LastDay: last}},
		{"on the last day", true, born, last, booking.Eligibility{Reason: booking.Eligible, LastDay: last}},
		{"the day after the last day", true, born, last.AddDays(1), booking.Eligibility{Reason: booking.BabyTooOld, LastDay: last}},
		{"long after", true, born, booking.D(2027, 12, 1), booking.Eligibility{Reason: booking.BabyTooOld, LastDay: last}},
		{"birthday tomorrow", true, born, born.AddDays(-1), booking.Eligibility{Reason: booking.BirthdayInFuture, LastDay: last}},
		{"not resident", false, born, booking.D(2026, 10, 20), booking.Eligibility{Reason: booking.NotResident, LastDay: last}},
		{"not resident wins over too old", false, born, booking.D(2027, 12, 1), booking.Eligibility{Reason: booking.NotResident, LastDay: last}},
		{"not resident wins over future", false, born, born.AddDays(-1), booking.Eligibility{Reason: booking.NotResident, LastDay: last}},
		{"zero birthday fails closed", true, booking.Date{}, booking.D(2026, 10, 20), booking.Eligibility{Reason: booking.BabyTooOld}},
		{"impossible birthday fails closed", true, booking.Date{Year: 2027, Month: 2, Day: 30}, booking.D(2027, 3, 1), booking.Eligibility{Reason: booking.BabyTooOld}},
		{"zero birthday, not resident", false, booking.Date{}, booking.D(2026, 10, 20), booking.Eligibility{Reason: booking.NotResident}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := booking.CheckEligibility(tt.resident, tt.birthday, tt.today)
			if got != tt.want {
				t.Errorf("CheckEligibility(%v, %s, %s) = %+v, want %+v", tt.resident, tt.birthday, tt.today, got, tt.want)
			}
			if got.OK() != (tt.want.Reason == booking.Eligible) {
				t.Errorf("OK() = %v for reason %q", got.OK(), got.Reason)
			}
		})
	}
}

func TestEligibilityCoversDay(t *testing.T) {
	eligible := booking.CheckEligibility(true, booking.D(2026, 10, 31), booking.D(2026, 11, 20))
	notResident := booking.CheckEligibility(false, booking.D(2026, 10, 31), booking.D(2026, 11, 20))
	tests := []struct {
		name string
		e    booking.Eligibility
		day  booking.Date
		want bool
	}{
		{"a day well inside", eligible, booking.D(2026, 12, 3), true},
		{"the last usable day", eligible, booking.D(2027, 2, 28), true},
		{"the day she turns four months", eligible, booking.D(2027, 3, 1), false},
		{"not resident, any day", notResident, booking.D(2026, 12, 3), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.CoversDay(tt.day); got != tt.want {
				t.Errorf("%+v.CoversDay(%s) = %v, want %v", tt.e, tt.day, got, tt.want)
			}
		})
	}
}
