package bot

import (
	"testing"

	"mamasroom/booking"
)

func TestParseTypedDate(t *testing.T) {
	today := booking.D(2026, 11, 25)
	tests := []struct {
		in   string
		want booking.Date
		ok   bool
	}{
		{"2026-10-15", booking.D(2026, 10, 15), true},
		{"2026/10/15", booking.D(2026, 10, 15), true},
		{"2026.10.15", booking.D(2026, 10, 15), true},
		{"2026年10月15日", booking.D(2026, 10, 15), true},
		{"２０２６年１０月１５日", booking.D(2026, 10, 15), true},
		{"令和8年10月15日", booking.D(2026, 10, 15), true},
		{"令和８年１０月１５日", booking.D(2026, 10, 15), true},
		{"R8.10.15", booking.D(2026, 10, 15), true},
		{"ｒ８/１０/１５", booking.D(2026, 10, 15), true},
		{"令和元年5月1日", booking.D(2019, 5, 1), true},
		{"令和0年10月15日", booking.Date{}, false},
		{"令和8年2月30日", booking.Date{}, false},
		{"2026 年 10 月 15 日", booking.D(2026, 10, 15), true},
		{"10月15日", booking.D(2026, 10, 15), true},
		{"10/15", booking.D(2026, 10, 15), true},
		{"12月1日", booking.D(2025, 12, 1), true}, // not in the future: last year
		{"11月25日", booking.D(2026, 11, 25), true},
		{"2026-02-30", booking.Date{}, false},
		{"2月29日", booking.Date{}, false}, // 2026 has none
		{"13月1日", booking.Date{}, false},
		{"あした", booking.Date{}, false},
		{"", booking.Date{}, false},
		{"2026-10-15 です", booking.Date{}, false},
	}
	for _, tt := range tests {
		got, ok := parseTypedDate(tt.in, today, pastDate)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseTypedDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseTypedDayToBook(t *testing.T) {
	today := booking.D(2026, 11, 25)
	tests := []struct {
		in   string
		want booking.Date
	}{
		{"12/7", booking.D(2026, 12, 7)},
		{"12/7(月)", booking.D(2026, 12, 7)},
		{"12月7日", booking.D(2026, 12, 7)},
		{"１２月７日", booking.D(2026, 12, 7)},
		{"2026-12-07", booking.D(2026, 12, 7)},
		{"1/8", booking.D(2027, 1, 8)}, // not in the past: next year
		{"11/25", booking.D(2026, 11, 25)},
	}
	for _, tt := range tests {
		got, ok := parseTypedDate(tt.in, today, futureDate)
		if !ok || got != tt.want {
			t.Errorf("parseTypedDate(%q, future) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
	}
}

func TestParseRelativeDay(t *testing.T) {
	wed := booking.D(2026, 11, 25) // a Wednesday
	sun := booking.D(2026, 11, 29)
	tests := []struct {
		in    string
		today booking.Date
		want  booking.Date
		ok    bool
	}{
		{"あした", wed, booking.D(2026, 11, 26), true},
		{"明日", wed, booking.D(2026, 11, 26), true},
		{"あさって", wed, booking.D(2026, 11, 27), true},
		{"明日で", wed, booking.D(2026, 11, 26), true},
		{"来週の月曜", wed, booking.D(2026, 11, 30), true},
		{"来週月曜日", wed, booking.D(2026, 11, 30), true},
		{"来週の金曜日", wed, booking.D(2026, 12, 4), true},
		{"今週の金曜", wed, booking.D(2026, 11, 27), true},
		{"今週の月曜", wed, booking.D(2026, 11, 23), true}, // past: the step says it cannot be chosen
		{"再来週の火曜", wed, booking.D(2026, 12, 8), true},
		{"金曜", wed, booking.D(2026, 11, 27), true},
		{"水曜", wed, booking.D(2026, 12, 2), true}, // today is not "the next Wednesday"
		{"来週の月曜", sun, booking.D(2026, 11, 30), true},
		{"月曜", sun, booking.D(2026, 11, 30), true},
		{"来週", wed, booking.Date{}, false},
		{"月曜に行きたいです", wed, booking.Date{}, false},
		{"12/7", wed, booking.Date{}, false},
	}
	for _, tt := range tests {
		got, ok := parseRelativeDay(tt.in, tt.today)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseRelativeDay(%q, %v) = %v, %v; want %v, %v", tt.in, tt.today, got, ok, tt.want, tt.ok)
		}
	}
}

// Every step that offers days as buttons (booking, changing, the
// waitlist) reads the same typed days.
func TestTypedDayReadsButtonsDatesAndWords(t *testing.T) {
	today := booking.D(2026, 11, 25) // a Wednesday
	offered := []booking.Date{booking.D(2026, 11, 26), booking.D(2026, 11, 27)}
	tests := []struct {
		in   string
		want booking.Date
		ok   bool
	}{
		{"11/27(金)", booking.D(2026, 11, 27), true},
		{"12/7", booking.D(2026, 12, 7), true},
		{"１２月７日", booking.D(2026, 12, 7), true},
		{"あした", booking.D(2026, 11, 26), true},
		{"来週の月曜", booking.D(2026, 11, 30), true},
		{"おねがいします", booking.Date{}, false},
	}
	for _, tt := range tests {
		got, ok := typedDay(tt.in, offered, today)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("typedDay(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
