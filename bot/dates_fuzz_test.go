package bot

import (
	"fmt"
	"testing"

	"mamasroom/booking"
)

// FuzzParseTypedDate types dates as a mother might (full-width digits,
// 令和, a button's 12/7(月), nonsense): a date read is a real date, reads
// the same written plainly, and a date without a year falls on the side
// asked for.
func FuzzParseTypedDate(f *testing.F) {
	for _, s := range []string{
		"2026-10-15", "2026/10/15", "2026年10月15日", "２０２６年１０月１５日", "１０／１５",
		"10月15日", "12/7(月)", "令和8年10月15日", "R8.10.15", "2/29", "2/30", "13/1",
		"0000-00-00", "9999/99/99", " 10 月 15 日 ", "あした", "来週の月曜", "今週金曜日",
		"ｎｏｎｓｅｎｓｅ", "🎂10/15", "",
	} {
		f.Add(s)
	}
	today := booking.D(2026, 11, 25)
	f.Fuzz(func(t *testing.T, s string) {
		for _, side := range []dateSide{pastDate, futureDate} {
			d, ok := parseTypedDate(s, today, side)
			if !ok {
				continue
			}
			if !d.Valid() {
				t.Fatalf("parseTypedDate(%q) = %v, not a real date", s, d)
			}
			plain := fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
			if again, ok := parseTypedDate(plain, today, side); !ok || again != d {
				t.Fatalf("parseTypedDate(%q) = %v, but %q reads as %v, %v", s, d, plain, again, ok)
			}
			yearless := fmt.Sprintf("%d/%d", d.Month, d.Day)
			got, ok := parseTypedDate(yearless, today, side)
			if !ok {
				continue // 2/29 in a year without it
			}
			if side == pastDate && got.After(today) || side == futureDate && got.Before(today) {
				t.Fatalf("parseTypedDate(%q, side %d) = %v, on the wrong side of %v", yearless, side, got, today)
			}
		}
		if d, ok := parseRelativeDay(s, today); ok {
			if !d.Valid() || d.Before(today) || d.After(today.AddDays(21)) {
				t.Fatalf("parseRelativeDay(%q) = %v, not within three weeks of %v", s, d, today)
			}
		}
	})
}
