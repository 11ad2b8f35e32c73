package words

import (
	"fmt"
	"strconv"
	"strings"

	"mamasroom/booking"
)

var weekdayKanji = [...]string{"日", "月", "火", "水", "木", "金", "土"}

// Weekday is the day's weekday in one kanji: 金.
func Weekday(d booking.Date) string {
	return weekdayKanji[d.Weekday()]
}

// ButtonDate writes a day as on a button: 12/4(金).
func ButtonDate(d booking.Date) string {
	return fmt.Sprintf("%d/%d(%s)", int(d.Month), d.Day, Weekday(d))
}

// LongDate writes a day in full: 2026年12月4日(金).
func LongDate(d booking.Date) string {
	return fmt.Sprintf("%d年%d月%d日(%s)", d.Year, int(d.Month), d.Day, Weekday(d))
}

// PlainDate writes a day without the weekday: 2027年2月14日.
func PlainDate(d booking.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// Yen writes an amount with thousands separators: 3,000円.
// A minus sign is never followed by a comma: -300円.
func Yen(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && s[i-1] != '-' && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String() + "円"
}

// monthDay writes a day of the coming months: 2月12日(金).
func monthDay(d booking.Date) string {
	return fmt.Sprintf("%d月%d日(%s)", int(d.Month), d.Day, Weekday(d))
}

// slashDate writes a day in a span of days: 11/26.
func slashDate(d booking.Date) string {
	return fmt.Sprintf("%d/%d", int(d.Month), d.Day)
}
