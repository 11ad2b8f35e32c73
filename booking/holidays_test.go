package booking_test

import (
	"testing"
	"time"

	"mamasroom/booking"
)

type namedDay struct {
	day  booking.Date
	name string
}

// Lists as published by the Cabinet Office (内閣府「国民の祝日について」),
// where substitute and citizens' holidays are both named 休日.
var officialHolidays = map[int][]namedDay{
	2026: {
		{booking.D(2026, 1, 1), "元日"},
		{booking.D(2026, 1, 12), "成人の日"},
		{booking.D(2026, 2, 11), "建国記念の日"},
		{booking.D(2026, 2, 23), "天皇誕生日"},
		{booking.D(2026, 3, 20), "春分の日"},
		{booking.D(2026, 4, 29), "昭和の日"},
		{booking.D(2026, 5, 3), "憲法記念日"},
		{booking.D(2026, 5, 4), "みどりの日"},
		{booking.D(2026, 5, 5), "こどもの日"},
		{booking.D(2026, 5, 6), "休日"}, // 振替: 5/3 is a Sunday and 5/4, 5/5 are holidays
		{booking.D(2026, 7, 20), "海の日"},
		{booking.D(2026, 8, 11), "山の日"},
		{booking.D(2026, 9, 21), "敬老の日"},
		{booking.D(2026, 9, 22), "休日"}, // 国民の休日 between 敬老の日 and 秋分の日
		{booking.D(2026, 9, 23), "秋分の日"},
		{booking.D(2026, 10, 12), "スポーツの日"},
		{booking.D(2026, 11, 3), "文化の日"},
		{booking.D(2026, 11, 23), "勤労感謝の日"},
	},
	2027: {
		{booking.D(2027, 1, 1), "元日"},
		{booking.D(2027, 1, 11), "成人の日"},
		{booking.D(2027, 2, 11), "建国記念の日"},
		{booking.D(2027, 2, 23), "天皇誕生日"},
		{booking.D(2027, 3, 21), "春分の日"},
		{booking.D(2027, 3, 22), "休日"}, // 振替
		{booking.D(2027, 4, 29), "昭和の日"},
		{booking.D(2027, 5, 3), "憲法記念日"},
		{booking.D(2027, 5, 4), "みどりの日"},
		{booking.D(2027, 5, 5), "こどもの日"},
		{booking.D(2027, 7, 19), "海の日"},
		{booking.D(2027, 8, 11), "山の日"},
		{booking.D(2027, 9, 20), "敬老の日"},
		{booking.D(2027, 9, 23), "秋分の日"},
		{booking.D(2027, 10, 11), "スポーツの日"},
		{booking.D(2027, 11, 3), "文化の日"},
		{booking.D(2027, 11, 23), "勤労感謝の日"},
	},
	// 2025: 振替 that skips a holiday (5/4 Sunday → 5/6) and two others.
	2025: {
		{booking.D(2025, 1, 1), "元日"},
		{booking.D(2025, 1, 13), "成人の日"},
		{booking.D(2025, 2, 11), "建国記念の日"},
		{booking.D(2025, 2, 23), "天皇誕生日"},
		{booking.D(2025, 2, 24), "休日"},
		{booking.D(2025, 3, 20), "春分の日"},
		{booking.D(2025, 4, 29), "昭和の日"},
		{booking.D(2025, 5, 3), "憲法記念日"},
		{booking.D(2025, 5, 4), "みどりの日"},
		{booking.D(2025, 5, 5), "こどもの日"},
		{booking.D(2025, 5, 6), "休日"},
		{booking.D(2025, 7, 21), "海の日"},
		{booking.D(2025, 8, 11), "山の日"},
		{booking.D(2025, 9, 15), "敬老の日"},
		{booking.D(2025, 9, 23), "秋分の日"},
		{booking.D(2025, 10, 13), "スポーツの日"},
		{booking.D(2025, 11, 3), "文化の日"},
		{booking.D(2025, 11, 23), "勤労感謝の日"},
		{booking.D(2025, 11, 24), "休日"},
	},
	// 2019: the enthronement; 4/30 and 5/2 are 国民の休日 around 5/1, and
	// there is no 天皇誕生日 at all.
	2019: {
		{booking.D(2019, 1, 1), "元日"},
		{booking.D(2019, 1, 14), "成人の日"},
		{booking.D(2019, 2, 11), "建国記念の日"},
		{booking.D(2019, 3, 21), "春分の日"},
		{booking.D(2019, 4, 29), "昭和の日"},
		{booking.D(2019, 4, 30), "休日"},
		{booking.D(2019, 5, 1), "天皇の即位の日"},
		{booking.D(2019, 5, 2), "休日"},
		{booking.D(2019, 5, 3), "憲法記念日"},
		{booking.D(2019, 5, 4), "みどりの日"},
		{booking.D(2019, 5, 5), "こどもの日"},
		{booking.D(2019, 5, 6), "休日"},
		{booking.D(2019, 7, 15), "海の日"},
		{booking.D(2019, 8, 11), "山の日"},
		{booking.D(2019, 8, 12), "休日"},
		{booking.D(2019, 9, 16), "敬老の日"},
		{booking.D(2019, 9, 23), "秋分の日"},
		{booking.D(2019, 10, 14), "体育の日"},
		{booking.D(2019, 10, 22), "即位礼正殿の儀の行われる日"},
		{booking.D(2019, 11, 3), "文化の日"},
		{booking.D(2019, 11, 4), "休日"},
		{booking.D(2019, 11, 23), "勤労感謝の日"},
	},
	// 2020 and 2021: the Olympics moves.
	2020: {
		{booking.D(2020, 1, 1), "元日"},
		{booking.D(2020, 1, 13), "成人の日"},
		{booking.D(2020, 2, 11), "建国記念の日"},
		{booking.D(2020, 2, 23), "天皇誕生日"},
		{booking.D(2020, 2, 24), "休日"},
		{booking.D(2020, 3, 20), "春分の日"},
		{booking.D(2020, 4, 29), "昭和の日"},
		{booking.D(2020, 5, 3), "憲法記念日"},
		{booking.D(2020, 5, 4), "みどりの日"},
		{booking.D(2020, 5, 5), "こどもの日"},
		{booking.D(2020, 5, 6), "休日"},
		{booking.D(2020, 7, 23), "海の日"},
		{booking.D(2020, 7, 24), "スポーツの日"},
		{booking.D(2020, 8, 10), "山の日"},
		{booking.D(2020, 9, 21), "敬老の日"},
		{booking.D(2020, 9, 22), "秋分の日"},
		{booking.D(2020, 11, 3), "文化の日"},
		{booking.D(2020, 11, 23), "勤労感謝の日"},
	},
	2021: {
		{booking.D(2021, 1, 1), "元日"},
		{booking.D(2021, 1, 11), "成人の日"},
		{booking.D(2021, 2, 11), "建国記念の日"},
		{booking.D(2021, 2, 23), "天皇誕生日"},
		{booking.D(2021, 3, 20), "春分の日"},
		{booking.D(2021, 4, 29), "昭和の日"},
		{booking.D(2021, 5, 3), "憲法記念日"},
		{booking.D(2021, 5, 4), "みどりの日"},
		{booking.D(2021, 5, 5), "こどもの日"},
		{booking.D(2021, 7, 22), "海の日"},
		{booking.D(2021, 7, 23), "スポーツの日"},
		{booking.D(2021, 8, 8), "山の日"},
		{booking.D(2021, 8, 9), "休日"},
		{booking.D(2021, 9, 20), "敬老の日"},
		{booking.D(2021, 9, 23), "秋分の日"},
		{booking.D(2021, 11, 3), "文化の日"},
		{booking.D(2021, 11, 23), "勤労感謝の日"},
	},
}

func TestHolidaysMatchCabinetOfficeLists(t *testing.T) {
	wantCounts := map[int]int{2019: 22, 2020: 18, 2021: 17, 2025: 19, 2026: 18, 2027: 17}
	for year, want := range officialHolidays {
		t.Run(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			if len(want) != wantCounts[year] {
				t.Fatalf("test table for %d has %d days, want %d", year, len(want), wantCounts[year])
			}
			assertYearHolidays(t, year, want)
		})
	}
}

// assertYearHolidays checks every day of the year: the listed ones are
// holidays with that name, and no other day is.
func assertYearHolidays(t *testing.T, year int, want []namedDay) {
	t.Helper()
	wantName := make(map[booking.Date]string, len(want))
	for _, h := range want {
		wantName[h.day] = h.name
	}
	for d := booking.D(year, 1, 1); d.Year == year; d = d.AddDays(1) {
		name, ok := booking.HolidayName(d)
		want, wantOK := wantName[d]
		if ok != wantOK || name != want {
			t.Errorf("HolidayName(%s %s) = %q, %v; want %q, %v", d, d.Weekday(), name, ok, want, wantOK)
		}
	}

	got := booking.HolidaysIn(year)
	if len(got) != len(want) {
		t.Fatalf("HolidaysIn(%d) has %d days, want %d: %v", year, len(got), len(want), got)
	}
	for i, h := range want {
		if got[i] != h.day {
			t.Errorf("HolidaysIn(%d)[%d] = %s, want %s", year, i, got[i], h.day)
		}
	}
}

func TestHolidayRules(t *testing.T) {
	tests := []struct {
		name string
		day  booking.Date
		want string // "" for no holiday
	}{
		{"Happy Monday 成人の日 is the 2nd Monday", booking.D(2030, 1, 14), "成人の日"},
		{"成人の日 was Jan 15 before 2000", booking.D(1999, 1, 15), "成人の日"},
		{"海の日 is the 3rd Monday", booking.D(2028, 7, 17), "海の日"},
		{"海の日 was July 20 in 1996–2002", booking.D(2002, 7, 20), "海の日"},
		{"no 海の日 before 1996", booking.D(1995, 7, 20), ""},
		{"敬老の日 was Sep 15 before 2003", booking.D(2002, 9, 15), "敬老の日"},
		{"体育の日 Oct 10 before 2000", booking.D(1999, 10, 11), "休日"}, // Oct 10 1999 was a Sunday
		{"no 山の日 before 2016", booking.D(2015, 8, 11), ""},
		{"天皇誕生日 Dec 23 until 2018", booking.D(2018, 12, 23), "天皇誕生日"},
		{"振替 for Dec 23 2018 (Sunday)", booking.D(2018, 12, 24), "休日"},
		{"no Dec 23 holiday from 2019", booking.D(2019, 12, 23), ""},
		{"no Feb 23 holiday in 2019", booking.D(2019, 2, 25), ""},
		{"みどりの日 was Apr 29 in 1989–2006", booking.D(2006, 4, 29), "みどりの日"},
		{"May 4 was a 国民の休日 before 2007", booking.D(2006, 5, 4), "休日"},
		{"天皇誕生日 Apr 29 before 1989", booking.D(1988, 4, 29), "天皇誕生日"},
		{"大喪の礼", booking.D(1989, 2, 24), "昭和天皇の大喪の礼"},
		{"Silver week 2009", booking.D(2009, 9, 22), "休日"},
		{"Silver week 2015", booking.D(2015, 9, 22), "休日"},
		{"Silver week 2032", booking.D(2032, 9, 21), "休日"},
		{"no 国民の休日 on a Sunday before 2007", booking.D(1997, 5, 4), ""},
		{"振替 late in the range", booking.D(2097, 9, 23), "休日"}, // 秋分 2097-09-22 is a Sunday
		{"Christmas is not a holiday", booking.D(2026, 12, 25), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, ok := booking.HolidayName(tt.day)
			if name != tt.want || ok != (tt.want != "") {
				t.Errorf("HolidayName(%s %s) = %q, %v; want %q", tt.day, tt.day.Weekday(), name, ok, tt.want)
			}
		})
	}
}

func TestEquinoxDays(t *testing.T) {
	// Days announced in the 官報 (国立天文台 暦要項).
	tests := []struct {
		vernal, autumnal booking.Date
	}{
		{booking.D(1990, 3, 21), booking.D(1990, 9, 23)},
		{booking.D(1999, 3, 21), booking.D(1999, 9, 23)},
		{booking.D(2000, 3, 20), booking.D(2000, 9, 23)},
		{booking.D(2012, 3, 20), booking.D(2012, 9, 22)},
		{booking.D(2023, 3, 21), booking.D(2023, 9, 23)},
		{booking.D(2024, 3, 20), booking.D(2024, 9, 22)},
		{booking.D(2025, 3, 20), booking.D(2025, 9, 23)},
		{booking.D(2026, 3, 20), booking.D(2026, 9, 23)},
		{booking.D(2027, 3, 21), booking.D(2027, 9, 23)},
	}
	for _, tt := range tests {
		assertHolidayName(t, tt.vernal, "春分の日")
		assertHolidayName(t, tt.autumnal, "秋分の日")
	}
}

func assertHolidayName(t *testing.T, d booking.Date, want string) {
	t.Helper()
	if got, ok := booking.HolidayName(d); !ok || got != want {
		t.Errorf("HolidayName(%s) = %q, %v; want %q", d, got, ok, want)
	}
}

func TestHolidaysEveryYearAreSane(t *testing.T) {
	for year := 2000; year <= 2099; year++ {
		days := booking.HolidaysIn(year)
		if len(days) < 15 || len(days) > 22 {
			t.Errorf("HolidaysIn(%d) has %d days", year, len(days))
		}
		for i, d := range days {
			if d.Year != year {
				t.Errorf("HolidaysIn(%d) contains %s", year, d)
			}
			if i > 0 && !days[i-1].Before(d) {
				t.Errorf("HolidaysIn(%d) not sorted at %s", year, d)
			}
			// A 休日 is only ever a Monday-to-Saturday day off.
			if name, _ := booking.HolidayName(d); name == "休日" && d.Weekday() == time.Sunday {
				t.Errorf("%s is a 休日 on a Sunday", d)
			}
		}
		// Each Sunday holiday is followed by a substitute within three days.
		for _, d := range days {
			if d.Weekday() != time.Sunday {
				continue
			}
			found := false
			for n := 1; n <= 3; n++ {
				if name, _ := booking.HolidayName(d.AddDays(n)); name == "休日" {
					found = true
				}
			}
			if !found {
				t.Errorf("%s is a Sunday holiday without a substitute", d)
			}
		}
	}
}

func TestHolidaysOutsideSupportedYears(t *testing.T) {
	for _, d := range []booking.Date{booking.D(1979, 1, 1), booking.D(2100, 1, 1)} {
		if name, ok := booking.HolidayName(d); ok {
			t.Errorf("HolidayName(%s) = %q, want none outside 1980–2099", d, name)
		}
	}
	if got := booking.HolidaysIn(2100); got != nil {
		t.Errorf("HolidaysIn(2100) = %v, want nil", got)
	}
}

// Every request asks for holidays, so the per-year cache is read and filled
// from many goroutines at once; run with -race.
func TestHolidayNameConcurrently(t *testing.T) {
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for year := 2030 + g; year < 2040; year++ {
				booking.HolidayName(booking.D(year, 5, 5))
				booking.HolidaysIn(year)
			}
		}()
	}
	for range 8 {
		<-done
	}
	assertHolidayName(t, booking.D(2035, 5, 5), "こどもの日")
}
