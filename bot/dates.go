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
)

// parseTypedDate reads a birth date as a mother may type it: 2026-10-15,
// 2026/10/15, 2026年10月15日, 10月15日 or 10/15, in full- or half-width
// digits. Without a year it is the latest such day not after today, since a
// birthday is never in the future.
func parseTypedDate(s string, today booking.Date) (booking.Date, bool) {
	s = dateSpace.Replace(width.Narrow.String(strings.TrimSpace(s)))
	if m := fullDate.FindStringSubmatch(s); m != nil {
		d := booking.Date{Year: atoi(m[1]), Month: toMonth(m[2]), Day: atoi(m[3])}
		return d, d.Valid()
	}
	if m := monthDay.FindStringSubmatch(s); m != nil {
		d := booking.Date{Year: today.Year, Month: toMonth(m[1]), Day: atoi(m[2])}
		if d.After(today) {
			d.Year--
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
