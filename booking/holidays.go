package booking

import (
	"slices"
	"sync"
	"time"
)

// Japanese national holidays are computed rather than listed because no
// holiday library or feed is reachable from the server, and the room must
// never offer a holiday for booking. The rules are those of 国民の祝日に関する法律
// as it stood in each year, for the years in which the equinox formulas
// hold.
const (
	firstHolidayYear = 1980
	lastHolidayYear  = 2099
)

// substituteOrCitizensHoliday is the name the Cabinet Office (内閣府) gives
// both to a 振替休日 and to a 国民の休日.
const substituteOrCitizensHoliday = "休日"

// HolidayName reports whether d is a Japanese national holiday, including a
// 振替休日 and a 国民の休日, both named 休日 as in the Cabinet Office list.
// Outside 1980–2099 it reports no holiday: the law leaves the equinox days to
// an announcement made the year before, and the formulas used here are only
// known to match those announcements within that range.
func HolidayName(d Date) (name string, ok bool) {
	for _, h := range holidaysOfYear(d.Year) {
		if h.day == d {
			return h.name, true
		}
	}
	return "", false
}

// HolidaysIn lists the year's holidays in date order, or nil outside
// 1980–2099.
func HolidaysIn(year int) []Date {
	hs := holidaysOfYear(year)
	if hs == nil {
		return nil
	}
	days := make([]Date, len(hs))
	for i, h := range hs {
		days[i] = h.day
	}
	return days
}

type holiday struct {
	day  Date
	name string
}

// A year's holidays are asked for on every day of every calendar a mother is
// shown; they never change, so each year is worked out once.
var holidayCache sync.Map // int -> []holiday, sorted by day, never mutated

func holidaysOfYear(year int) []holiday {
	if year < firstHolidayYear || year > lastHolidayYear {
		return nil
	}
	if hs, ok := holidayCache.Load(year); ok {
		return hs.([]holiday)
	}
	hs, _ := holidayCache.LoadOrStore(year, computeHolidays(year))
	return hs.([]holiday)
}

func computeHolidays(y int) []holiday {
	national := nationalHolidays(y)
	all := make(map[Date]string, len(national)+4)
	for d, name := range national {
		all[d] = name
	}

	// 振替休日 (第3条2項): since 2007 the substitute moves past any following
	// holiday (2026-05-03, a Sunday, gives 2026-05-06). Before 2007 the law
	// said "the next day", but no two national holidays were then
	// consecutive, so one rule gives both. The law began in 1973.
	for d := range national {
		if d.Weekday() != time.Sunday {
			continue
		}
		next := d.AddDays(1)
		for isNational(national, next) {
			next = next.AddDays(1)
		}
		all[next] = substituteOrCitizensHoliday
	}

	// 国民の休日 (第3条3項, from 1985-12-27): a day whose day before and day
	// after are both national holidays (a 振替休日 does not count as one) is
	// itself a day off. Before 2007 Sundays and substitute holidays were
	// excluded; since then a sandwiched Sunday cannot occur.
	if y >= 1986 {
		for d := range national {
			between := d.AddDays(1)
			if between.Year != y || isNational(national, between) || !isNational(national, between.AddDays(1)) {
				continue
			}
			if y < 2007 && (between.Weekday() == time.Sunday || all[between] != "") {
				continue
			}
			all[between] = substituteOrCitizensHoliday
		}
	}

	hs := make([]holiday, 0, len(all))
	for d, name := range all {
		hs = append(hs, holiday{d, name})
	}
	slices.SortFunc(hs, func(a, b holiday) int { return a.day.Compare(b.day) })
	return hs
}

func isNational(national map[Date]string, d Date) bool {
	_, ok := national[d]
	return ok
}

// nationalHolidays are the 国民の祝日 of year y and the one-off days that
// special laws made holidays, before any 振替休日 or 国民の休日.
func nationalHolidays(y int) map[Date]string {
	hs := make(map[Date]string, 20)
	add := func(m time.Month, day int, name string) { hs[D(y, m, day)] = name }

	add(time.January, 1, "元日")
	if y >= 2000 {
		add(time.January, nthMonday(y, time.January, 2), "成人の日")
	} else {
		add(time.January, 15, "成人の日")
	}

	add(time.February, 11, "建国記念の日")
	if y >= 2020 {
		add(time.February, 23, "天皇誕生日")
	}

	add(time.March, vernalEquinoxDay(y), "春分の日")

	switch {
	case y >= 2007:
		add(time.April, 29, "昭和の日")
	case y >= 1989:
		add(time.April, 29, "みどりの日")
	default:
		add(time.April, 29, "天皇誕生日")
	}
	add(time.May, 3, "憲法記念日")
	if y >= 2007 {
		add(time.May, 4, "みどりの日")
	}
	add(time.May, 5, "こどもの日")

	// The Tokyo Olympics laws moved 海の日, スポーツの日 and 山の日 in 2020
	// and, after the postponement, again in 2021.
	switch {
	case y == 2020:
		add(time.July, 23, "海の日")
	case y == 2021:
		add(time.July, 22, "海の日")
	case y >= 2003:
		add(time.July, nthMonday(y, time.July, 3), "海の日")
	case y >= 1996:
		add(time.July, 20, "海の日")
	}

	switch {
	case y == 2020:
		add(time.August, 10, "山の日")
	case y == 2021:
		add(time.August, 8, "山の日")
	case y >= 2016:
		add(time.August, 11, "山の日")
	}

	if y >= 2003 {
		add(time.September, nthMonday(y, time.September, 3), "敬老の日")
	} else {
		add(time.September, 15, "敬老の日")
	}
	add(time.September, autumnalEquinoxDay(y), "秋分の日")

	switch {
	case y == 2020:
		add(time.July, 24, "スポーツの日")
	case y == 2021:
		add(time.July, 23, "スポーツの日")
	case y >= 2020:
		add(time.October, nthMonday(y, time.October, 2), "スポーツの日")
	case y >= 2000:
		add(time.October, nthMonday(y, time.October, 2), "体育の日")
	default:
		add(time.October, 10, "体育の日")
	}

	add(time.November, 3, "文化の日")
	add(time.November, 23, "勤労感謝の日")
	if y >= 1989 && y <= 2018 {
		add(time.December, 23, "天皇誕生日")
	}

	for _, h := range oneOffHolidays {
		if h.day.Year == y {
			hs[h.day] = h.name
		}
	}
	return hs
}

// oneOffHolidays were made holidays by laws of their own, each for one day.
// The two of 2019 count as national holidays, which is what makes 2019-04-30
// and 2019-05-02 国民の休日.
var oneOffHolidays = []holiday{
	{D(1989, time.February, 24), "昭和天皇の大喪の礼"},
	{D(1990, time.November, 12), "即位礼正殿の儀"},
	{D(1993, time.June, 9), "皇太子徳仁親王の結婚の儀"},
	{D(2019, time.May, 1), "天皇の即位の日"},
	{D(2019, time.October, 22), "即位礼正殿の儀の行われる日"},
}

// nthMonday is the day of month of the nth Monday, as the Happy Monday law
// fixes 成人の日, 海の日, 敬老の日 and スポーツの日.
func nthMonday(y int, m time.Month, n int) int {
	first := D(y, m, 1).Weekday()
	offset := (int(time.Monday) - int(first) + 7) % 7
	return 1 + offset + 7*(n-1)
}

// The equinox days are fixed each February for the next year from the
// National Astronomical Observatory's ephemeris; these are the customary
// approximations that reproduce them for 1980–2099.
func vernalEquinoxDay(y int) int {
	if y < 2000 {
		return equinoxDay(y, 20.8357)
	}
	return equinoxDay(y, 20.8431)
}

func autumnalEquinoxDay(y int) int {
	if y < 2000 {
		return equinoxDay(y, 23.2588)
	}
	return equinoxDay(y, 23.2488)
}

func equinoxDay(y int, base float64) int {
	// The value is always positive, so truncation is the floor.
	return int(base + 0.242194*float64(y-1980) - float64((y-1980)/4))
}
