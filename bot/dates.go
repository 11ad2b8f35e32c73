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
	fullDate = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	// reiwaDate is 令和8年10月15日, R8.10.15 or 令和元年5月1日: 令和 N is 2018+N,
	// as many a mother writes a date on the ward's forms.
	reiwaDate = regexp.MustCompile(`^(?:令和|[rR])\s*(元|\d{1,2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
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
// 2026/10/15, 2026年10月15日, 令和8年10月15日, R8.10.15, 10月15日, 10/15 or
// 12/7(月) as on a button, in full- or half-width digits. Without a year, side says which year.
func parseTypedDate(s string, today booking.Date, side dateSide) (booking.Date, bool) {
	s = dateSpace.Replace(width.Narrow.String(strings.TrimSpace(s)))
	s = weekdaySuffix.ReplaceAllString(s, "")
	if m := fullDate.FindStringSubmatch(s); m != nil {
		d := booking.Date{Year: atoi(m[1]), Month: toMonth(m[2]), Day: atoi(m[3])}
		return d, d.Valid()
	}
	if m := reiwaDate.FindStringSubmatch(s); m != nil {
		year := 1
		if m[1] != "元" {
			year = atoi(m[1])
		}
		d := booking.Date{Year: 2018 + year, Month: toMonth(m[2]), Day: atoi(m[3])}
		return d, year >= 1 && d.Valid()
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

// lastOpenDay is the last day on or before day that the room opens by its
// calendar (weekdays, holidays, 年末年始): the last day a mother whose
// eligibility ends on day can come. A day staff close is not counted here:
// it is known only for days in the booking window. When there is no such
// day from tomorrow on, or none at all, it is day itself: there is no last
// day to book to name (NoDayLeft says so when she tries).
func lastOpenDay(f *booking.Facility, day, today booking.Date) booking.Date {
	for d := day; d.After(today); d = d.AddDays(-1) {
		if f.IsOpen(d, nil) {
			return d
		}
	}
	return day
}

var (
	// relativeWeekday is 来週の月曜, 今週金曜日, 月曜 or 月曜日.
	relativeWeekday = regexp.MustCompile(`^(来週|今週|再来週)?の?([日月火水木金土])曜日?$`)
	weekdayOf       = map[string]time.Weekday{"日": time.Sunday, "月": time.Monday, "火": time.Tuesday,
		"水": time.Wednesday, "木": time.Thursday, "金": time.Friday, "土": time.Saturday}
	relativeDays = map[string]int{"今日": 0, "きょう": 0, "明日": 1, "あした": 1, "あす": 1,
		"明後日": 2, "あさって": 2}
)

// parseRelativeDay reads a day to book said from today: あした, あさって,
// 来週の月曜, 今週の金曜, 金曜 (the next one after today). Weeks begin on
// Monday, as a calendar of open days does.
func parseRelativeDay(s string, today booking.Date) (booking.Date, bool) {
	s = dateSpace.Replace(width.Fold.String(strings.TrimSpace(s)))
	s = strings.TrimRight(s, "?!。")
	s = strings.TrimSuffix(s, "で")
	if n, ok := relativeDays[s]; ok {
		return today.AddDays(n), true
	}
	m := relativeWeekday.FindStringSubmatch(s)
	if m == nil {
		return booking.Date{}, false
	}
	want := weekdayOf[m[2]]
	// Days since this week's Monday: Monday 0 … Sunday 6.
	sinceMonday := (int(today.Weekday()) + 6) % 7
	offset := (int(want) + 6) % 7
	monday := today.AddDays(-sinceMonday)
	switch m[1] {
	case "今週":
		return monday.AddDays(offset), true
	case "来週":
		return monday.AddDays(7 + offset), true
	case "再来週":
		return monday.AddDays(14 + offset), true
	}
	d := monday.AddDays(offset)
	if !d.After(today) {
		d = d.AddDays(7)
	}
	return d, true
}

// typedDay reads a day she typed where days are offered as buttons: a
// button's own words (「12/7(月)」), a date (12/7, 12月7日, 2026-12-07) or
// a day said in words (あした, 来週の月曜). The day need not be among
// those offered; the step says kindly why one it cannot take is not.
func typedDay(text string, offered []booking.Date, today booking.Date) (booking.Date, bool) {
	for _, d := range offered {
		if buttonDate(d) == text {
			return d, true
		}
	}
	if d, ok := parseTypedDate(text, today, futureDate); ok {
		return d, true
	}
	return parseRelativeDay(text, today)
}
