package words

import (
	"fmt"
	"strings"

	"mamasroom/booking"
)

// PickDay asks her to choose among the bookable days, shown perPage at a
// time; page counts from 0. Note, when given, says first why she is
// choosing again.
func (w Words) PickDay(days []booking.Date, page, perPage int, note string) string {
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n")
	}
	b.WriteString("ご希望の日をお選びください。")
	if len(days) > perPage {
		fmt.Fprintf(&b, "\n(空いている日 全%d日のうち %d〜%d日目を表示しています)", len(days), page*perPage+1, min((page+1)*perPage, len(days)))
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
	return "ごめんなさい、その日はお選びいただけません。"
}

// NoBookableDays answers 予約する when no day has room.
func (w Words) NoBookableDays() string {
	return fmt.Sprintf("申し訳ありません。いまご予約いただける日がありません。\nキャンセルが出ることもありますので、また見ていただくか、お気軽にお電話でご相談ください。\n%s", w.PhoneLine())
}

// PickOptions asks for options on day, or for more after those chosen.
func (w Words) PickOptions(day booking.Date, chosen []booking.Option) string {
	if len(chosen) == 0 {
		return fmt.Sprintf("%sですね。\nご希望のオプションがあればお選びください(あとからいくつでも追加できます)。\nなければ「%s」を押してください。", ButtonDate(day), None)
	}
	return fmt.Sprintf("%sを承りました。\nほかにもご希望があればお選びください。なければ「%s」を押してください。", w.OptionLabels(chosen), None)
}

// OptionJustFilled says an option she chose filled while she was choosing.
func (w Words) OptionJustFilled() string {
	return "申し訳ありません。お選びのオプションが、ちょうどいっぱいになってしまいました。"
}

// ConfirmBooking asks her to confirm the booking before it is made.
func (w Words) ConfirmBooking(day booking.Date, opts []booking.Option) string {
	return fmt.Sprintf("この内容で予約します。よろしいですか?\n\n日にち: %s 10:00 受付\nオプション: %s\n利用料: %s(当日お支払い)",
		LongDate(day), w.OptionLabels(opts), Yen(w.f.FeeYen))
}

// Booked confirms a booking made, with all she needs on the day and when
// its reminder comes.
func (w Words) Booked(b *booking.Booking) string {
	return fmt.Sprintf("ご予約を承りました。当日お会いできるのを楽しみにしています。\n\n予約番号: %s\n日にち: %s 10:00 受付\nオプション: %s\n場所: %s\n持ち物: %s\n利用料: %s(当日お支払い)\n\n%s\nご予約の確認やキャンセルは「%s」からどうぞ。LINEでのキャンセルは%sまでです。",
		b.Number, LongDate(b.Day), w.OptionLabels(b.Options), w.f.Address, whatToBring, Yen(w.f.FeeYen), w.ReminderWhen(), MyBookings, w.CancelDeadline())
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
