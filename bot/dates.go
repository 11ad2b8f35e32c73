package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"mamasroom/booking"
)

var (
	fullDate  = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	monthDay  = regexp.MustCompile(`^(\d{1,2})\s*[/月]\s*(\d{1,2})\s*日?$`)
	dateSpace = strings.NewReplacer(" ", "", "\u3000", "")
	// weekdaySuffix is the (月) of a button's date, typed or copied.
	weekdaySuffix = regexp.MustCompile(`\([日月火水木金土]\)$`)
)

// Which year a date typed without one falls in.
type dateSide int

const (
	// pastDate: the latest such day not after today (a birthday).
	pastDate dateSide = iota
	// futureDate: the first such day not before today (a day to book).
	futureDate
)

// parseTypedDate reads a date as a mother may type it: 2026-10-15,
// 2026/10/15, 2026年10月15日, 10月15日, 10/15 or 12/7(月) as on a button, in
// full- or half-width digits. Without a year, side says which year.
func parseTypedDate(s string, today booking.Date, side dateSide) (booking.Date, bool) {
	s = dateSpace.Replace(width.Narrow.String(strings.TrimSpace(s)))
	s = weekdaySuffix.ReplaceAllString(s, "")
	if m := fullDate.FindStringSubmatch(s); m != nil {
		d := booking.Date{Year: atoi(m[1]), Month: toMonth(m[2]), Day: atoi(m[3])}
		return d, d.Valid()
	}
	if m := monthDay.FindStringSubmatch(s); m != nil {
		d := booking.Date{Year: today.Year, Month: toMonth(m[1]), Day: atoi(m[2])}
		if side == pastDate && d.After(today) {
			d.Year--
		}
		if side == futureDate && d.Before(today) {
			d.Year++
		}
		return d, d.Valid()
	}
	return booking.Date{}, false
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func toMonth(s string) time.Month { return time.Month(atoi(s)) }
