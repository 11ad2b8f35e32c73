package booking

import (
	"slices"
	"time"
)

// IsYearEnd reports whether d falls in 年末年始, Dec 29 – Jan 3, when the
// room is closed as public offices are.
func IsYearEnd(d Date) bool {
	return (d.Month == time.December && d.Day >= 29) || (d.Month == time.January && d.Day <= 3)
}

// ClosedReason says why the room is closed on a day; OpenDay when it is open.
type ClosedReason string

const (
	OpenDay       ClosedReason = ""
	ClosedWeekday ClosedReason = "weekday"
	ClosedHoliday ClosedReason = "holiday"
	ClosedYearEnd ClosedReason = "year_end"
	ClosedByStaff ClosedReason = "staff"
)

// ClosedReason says why the room is closed on d, given the staff's override
// for that day (nil when there is none). A staff closure is reported first
// because it is the one staff can undo; an override that only changes the
// capacity never opens a day the calendar closes.
func (f *Facility) ClosedReason(d Date, o *DayOverride) ClosedReason {
	switch {
	case o != nil && o.Closed:
		return ClosedByStaff
	case IsYearEnd(d):
		return ClosedYearEnd
	case isHoliday(d):
		return ClosedHoliday
	case !slices.Contains(f.OpenWeekdays, d.Weekday()):
		return ClosedWeekday
	}
	return OpenDay
}

func isHoliday(d Date) bool {
	_, ok := HolidayName(d)
	return ok
}

// IsOpen reports whether the room takes visitors on d.
func (f *Facility) IsOpen(d Date, o *DayOverride) bool {
	return f.ClosedReason(d, o) == OpenDay
}

// CapacityOn is how many mothers the room takes on the day o is about: the
// staff's figure when they set one, else the facility's daily capacity.
func (f *Facility) CapacityOn(o *DayOverride) int {
	if o != nil && o.Capacity != nil {
		return *o.Capacity
	}
	return f.DailyCapacity
}
