package booking

import (
	"fmt"
	"time"
)

// Tokyo is the zone every date a mother or midwife sees is in. Japan keeps no
// daylight saving time, so the fixed offset is exact when tzdata is missing.
var Tokyo = loadTokyo()

func loadTokyo() *time.Location {
	if loc, err := time.LoadLocation("Asia/Tokyo"); err == nil {
		return loc
	}
	return time.FixedZone("Asia/Tokyo", 9*60*60)
}

// Date is a day on the Tokyo calendar, with no time and no zone: a visit day,
// a birth date. Comparing two Dates with == is safe.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// D builds a Date; out-of-range days roll over as time.Date does.
func D(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 12, 0, 0, 0, time.UTC))
}

// DateOf is the Tokyo calendar day that t falls on.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Tokyo).Date()
	return Date{y, m, d}
}

// ParseDate reads an ISO date, YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w", s, ErrInvalidDate)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// Valid reports whether d names a real day (no February 30th).
func (d Date) Valid() bool {
	return d != Date{} && D(d.Year, d.Month, d.Day) == d
}

// Start is the first instant of d in Tokyo.
func (d Date) Start() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Tokyo)
}

// At is the given local time of day on d in Tokyo.
func (d Date) At(hour, minute int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, Tokyo)
}

// AddDays moves d by n calendar days.
func (d Date) AddDays(n int) Date { return D(d.Year, d.Month, d.Day+n) }

// AddMonths moves d by n months, keeping the day number where that month has
// it and falling back to the month's last day where it has not (Jan 31 plus
// one month is Feb 28 or 29, never March).
func (d Date) AddMonths(n int) Date {
	first := D(d.Year, d.Month+time.Month(n), 1)
	if last := first.LastOfMonth(); d.Day > last.Day {
		return last
	}
	return Date{first.Year, first.Month, d.Day}
}

// LastOfMonth is the last day of d's month.
func (d Date) LastOfMonth() Date { return D(d.Year, d.Month+1, 0) }

func (d Date) Weekday() time.Weekday { return d.Start().Weekday() }

func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }
func (d Date) After(o Date) bool  { return d.Compare(o) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmp(d.Year, o.Year)
	case d.Month != o.Month:
		return cmp(int(d.Month), int(o.Month))
	default:
		return cmp(d.Day, o.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String is the ISO form, YYYY-MM-DD, used in storage and postback data.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}
