package booking

import "time"

// defaultBookingWindowMonths stands in for a facility whose window was never
// set, so that a missing setting does not silently stop all booking.
const defaultBookingWindowMonths = 2

// BookingWindow is the first and last day a mother may book at now. The
// first is always tomorrow in Tokyo: once a day has begun, the staff have
// already planned it, so same-day booking is never offered. The last is
// today moved on by the facility's window in months, clamped to month end
// (booking on Dec 31 reaches Feb 28 or 29).
func (f *Facility) BookingWindow(now time.Time) (first, last Date) {
	months := f.BookingWindowMonths
	if months <= 0 {
		months = defaultBookingWindowMonths
	}
	today := DateOf(now)
	return today.AddDays(1), today.AddMonths(months)
}

// InWindow reports whether d may be booked at now.
func (f *Facility) InWindow(d Date, now time.Time) bool {
	first, last := f.BookingWindow(now)
	return !d.Before(first) && !d.After(last)
}
