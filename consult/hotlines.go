package consult

import "time"

// Hotline is a number the bot gives a mother to call. Each carries where it
// was checked and when, since a wrong number in an emergency is worse than
// none; check them again when the year turns, and when a source moves.
type Hotline struct {
	Name   string // as she reads it
	Number string // as dialled
	// Open reports whether someone answers at t (Asia/Tokyo); nil means
	// around the clock.
	Open func(t time.Time, holiday func(time.Time) bool) bool
}

var (
	// Ambulance: 119, the national emergency number.
	Ambulance = Hotline{Name: "救急車", Number: "119"}

	// EmergencyAdvice is 東京消防庁 救急相談センター, for "should I call an
	// ambulance?": 24 hours, every day. Source: 東京消防庁「救急相談センター」
	// (#7119; 03-3212-2323 from phones that cannot dial #). Checked 2026-12-01.
	EmergencyAdvice = Hotline{Name: "救急相談センター", Number: "#7119"}

	// ChildHealth is 東京都 子供の健康相談室 (小児救急相談), for a child's
	// sudden illness: Mon–Fri 18:00–8:00 the next morning; Sat, Sun,
	// holidays and 年末年始 8:00–8:00 the next morning. Source: 東京都保健医療局
	// 「子供の健康相談室」, as repeated by 西東京市's guide (#8000,
	// 03-5285-8898). Checked 2026-12-01.
	ChildHealth = Hotline{Name: "子供の健康相談室", Number: "#8000", Open: childHealthOpen}

	// MentalHealth is こころの健康相談統一ダイヤル of 厚生労働省: it connects to
	// the public mental-health line of the prefecture she calls from (東京都's
	// hours vary by day). Source: 厚生労働省「こころの健康相談統一ダイヤル」
	// (0570-064-556). Checked 2026-12-01.
	MentalHealth = Hotline{Name: "こころの健康相談統一ダイヤル", Number: "0570-064-556"}

	// AroundTheClock is よりそいホットライン (社会的包摂サポートセンター), free,
	// 24 hours, every day: the line a mother in crisis can reach at night,
	// when the public mental-health lines are closed. Source: the
	// centre's own listing, as repeated in public lists of crisis lines
	// (0120-279-338). Checked 2026-12-01.
	AroundTheClock = Hotline{Name: "よりそいホットライン", Number: "0120-279-338"}

	// WardHealthOffice is 世田谷区's 健康づくり課 of her area's 総合支所
	// (保健師 and the ネウボラ team), on weekdays. Each of the five areas has
	// its own number, and none could be checked from here, so the bot names
	// the office and gives no number for it. Source: 世田谷区「妊娠したら」
	// and 区のおしらせ. Checked 2026-12-01.
	WardHealthOffice = Hotline{Name: "世田谷区 各総合支所の健康づくり課(平日)"}
)

// childHealthOpen follows #8000's hours in Tokyo.
func childHealthOpen(t time.Time, holiday func(time.Time) bool) bool {
	hour := t.Hour()
	if hour >= 18 {
		return true // every evening
	}
	if hour >= 8 {
		return dayOff(t, holiday) // daytime on weekends and holidays
	}
	return true // 0:00–8:00 continues the night before, which is always open
}

func dayOff(t time.Time, holiday func(time.Time) bool) bool {
	wd := t.Weekday()
	return wd == time.Saturday || wd == time.Sunday || (holiday != nil && holiday(t))
}

// OpenAt reports whether the line answers at t.
func (h Hotline) OpenAt(t time.Time, holiday func(time.Time) bool) bool {
	return h.Open == nil || h.Open(t, holiday)
}
