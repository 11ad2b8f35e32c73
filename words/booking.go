package words

import (
	"fmt"
	"strings"

	"mamasroom/booking"
)

// PickDay asks her to choose among the bookable days, shown perPage at a
// time; page counts from 0. When they take more than a page, it says which
// span of days the page shows, and that later ones are under 「次へ」.
// Note, when given, says first why she is choosing again.
func (w Words) PickDay(days []booking.Date, page, perPage int, note string) string {
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n")
	}
	b.WriteString("ご希望の日をお選びください。")
	if len(days) > perPage {
		start := min(page*perPage, len(days)-1)
		end := min(start+perPage, len(days))
		fmt.Fprintf(&b, "\n(%s〜%sの空き", slashDate(days[start]), slashDate(days[end-1]))
		if end < len(days) {
			fmt.Fprintf(&b, "。先の日は「%s」", Next)
		}
		b.WriteString(")")
	}
	return b.String()
}

// DayJustFilled is the note above the nearest days when the day she chose
// filled while she was choosing.
func (w Words) DayJustFilled(d booking.Date) string {
	return fmt.Sprintf("申し訳ありません。%sは、ちょうど満室になってしまいました。近い日で空いているのはこちらです。", ButtonDate(d))
}

// DayNoLongerOpen is the note above the nearest days when the day she chose
// can no longer be booked (closed by staff, or past).
func (w Words) DayNoLongerOpen(d booking.Date) string {
	return fmt.Sprintf("申し訳ありません。%sは、ご予約いただけなくなりました。近い日で空いているのはこちらです。", ButtonDate(d))
}

// DayNotOffered answers a typed day that is not among those offered.
func (w Words) DayNotOffered() string {
	return "申し訳ありません。その日はお選びいただけません。"
}

// NoBookableDays answers 予約する when no day has room.
func (w Words) NoBookableDays() string {
	return fmt.Sprintf("申し訳ありません。いまご予約いただける日がありません。\nキャンセルが出ることもありますので、また見ていただくか、お気軽にお電話でご相談ください。\n%s", w.PhoneLine())
}

// PickOptions asks for options, or for more after those chosen. full
// names the options that have no room left that day, so that one she may
// have looked for is said, not silently missing.
func (w Words) PickOptions(chosen, full []booking.Option) string {
	var b strings.Builder
	if len(chosen) == 0 {
		fmt.Fprintf(&b, "ご希望のオプションをお選びください(いくつでも選べます)。\nなければ「%s」を押してください。", None)
	} else {
		fmt.Fprintf(&b, "%sを選びました(まだご予約は確定していません)。\nほかにもあればお選びください。よければ「%s」を押してください。", w.OptionLabels(chosen), Decide)
	}
	if len(full) > 0 {
		fmt.Fprintf(&b, "\n\n%sは、この日はいっぱいです。", w.OptionLabels(full))
	}
	return b.String()
}

// OptionJustFilled says an option she chose filled while she was choosing.
func (w Words) OptionJustFilled() string {
	return "申し訳ありません。お選びのオプションが、ちょうどいっぱいになってしまいました。"
}

// ConfirmBooking asks her to confirm the booking before it is made; the
// options are a button away (ChooseOptions).
func (w Words) ConfirmBooking(day booking.Date, opts []booking.Option) string {
	return fmt.Sprintf("この内容で予約しますか?\n%s 10:00受付\nオプション: %s\n利用料: %s",
		ButtonDate(day), w.OptionLabels(opts), Yen(w.f.FeeYen))
}

// Booked confirms a booking made, with all she needs on the day: number,
// day and time, options, place, what to bring, fee, and how to cancel.
// The map is a button under it.
func (w Words) Booked(b *booking.Booking) string {
	var s strings.Builder
	fmt.Fprintf(&s, "ご予約を承りました。\n予約番号: %s\n%s 10:00受付\n", b.Number, LongDate(b.Day))
	if len(b.Options) > 0 {
		fmt.Fprintf(&s, "オプション: %s\n", w.OptionLabels(b.Options))
	}
	fmt.Fprintf(&s, "場所: %s\n持ち物: %s\n利用料: %s(当日お支払い)\nキャンセルは%sまで「%s」から。",
		w.f.Address, whatToBring, Yen(w.f.FeeYen), w.CancelDeadline(), MyBookings)
	return s.String()
}

// BookingNotMade answers いいえ to ConfirmBooking.
func (w Words) BookingNotMade() string {
	return "わかりました。ご予約はしていません。\nまたいつでもどうぞ。"
}

// AlreadyBookedThatDay answers a booking of a day she has booked already.
func (w Words) AlreadyBookedThatDay(day booking.Date) string {
	return fmt.Sprintf("%sは、すでにご予約をいただいています。\nご予約の内容は「%s」からご覧いただけます。", LongDate(day), MyBookings)
}

// VisitLimitReached answers a booking past the ward's limit of visits.
func (w Words) VisitLimitReached() string {
	return fmt.Sprintf("申し訳ありません。世田谷区の産後ケアには、お一人あたりのご利用回数に上限があり(%d回まで)、その回数分のご予約をすでにいただいています。\nご不明な点は、お気軽にお電話ください。\n%s", w.f.MaxVisitsPerMother, w.PhoneLine())
}
