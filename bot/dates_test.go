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

func TestDateLabels(t *testing.T) {
	d := booking.D(2026, 12, 4)
	if got := buttonDate(d); got != "12/4(金)" {
		t.Errorf("buttonDate = %q, want 12/4(金)", got)
	}
	if got := plainDate(d); got != "2026年12月4日" {
		t.Errorf("plainDate = %q, want 2026年12月4日", got)
	}
	if got := longDate(d); got != "2026年12月4日(金)" {
		t.Errorf("longDate = %q", got)
	}
	for n, want := range map[int]string{0: "0円", 300: "300円", 3000: "3,000円", 1234567: "1,234,567円"} {
		if got := yen(n); got != want {
			t.Errorf("yen(%d) = %q, want %q", n, got, want)
		}
	}
}
