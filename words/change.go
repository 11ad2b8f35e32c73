package words

import (
	"fmt"
	"strings"

	"mamasroom/booking"
)

// Changing a booking's day (予約の変更), another day after a booking, and
// her place kept while she is away.

// BookAnother is the button under a booking's confirmation that books one
// more day, while her limits allow; it sends 「予約する」.
const BookAnother = "続けて別の日も予約"

// ChangeButton labels the button that changes the day of the booking of
// day: 12/4(金)の日にちを変更.
func ChangeButton(day booking.Date) string {
	return ButtonDate(day) + "の日にちを変更"
}

// ChangePickDay asks for the new day of bk, among days shown perPage at a
// time as PickDay shows them; note, when given, says first why she is
// choosing again.
func (w Words) ChangePickDay(bk *booking.Booking, days []booking.Date, page, perPage int, note string) string {
	intro := fmt.Sprintf("%sのご予約の日にちを変更します。", ButtonDate(bk.Day))
	if note != "" {
		intro = note + "\n" + intro
	}
	return w.PickDay(days, page, perPage, intro)
}

// NoDayToChangeTo answers a change when no other day has room: her
// booking stays as it is.
func (w Words) NoDayToChangeTo(bk *booking.Booking) string {
	return fmt.Sprintf("申し訳ありません。いま変更できる空いている日がありません。%sのご予約はそのままです。\nご相談はお電話でどうぞ。\n%s", ButtonDate(bk.Day), w.PhoneLine())
}

// ConfirmChange asks her to confirm the move of bk to day with kept, the
// options the day has room for; full are those it has not, said here so
// that none is dropped silently.
func (w Words) ConfirmChange(bk *booking.Booking, day booking.Date, kept, full []booking.Option) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sのご予約を、次の日に変更します。よろしいですか?\n\n日にち: %s 10:00 受付\nオプション: %s", ButtonDate(bk.Day), LongDate(day), w.OptionLabels(kept))
	if len(full) > 0 {
		fmt.Fprintf(&b, "\n\n※%sは、%sはいっぱいのためお付けできません。", w.OptionLabels(full), ButtonDate(day))
	}
	return b.String()
}

// Changed confirms the move: the booking of the new day, with its own
// number, and that the day left is cancelled (from names it, when known).
func (w Words) Changed(b *booking.Booking, from *booking.Date) string {
	left := "前のご予約は取り消しました。"
	if from != nil {
		left = fmt.Sprintf("%sのご予約は取り消しました。", ButtonDate(*from))
	}
	return fmt.Sprintf("日にちを変更しました。\n\n日にち: %s 10:00 受付\nオプション: %s\n予約番号: %s(新しい番号です)\n\n%s前日のご案内は、新しい日の分をお送りします。",
		LongDate(b.Day), w.OptionLabels(b.Options), b.Number, left)
}

// ChangeKept answers いいえ to ConfirmChange.
func (w Words) ChangeKept(bk *booking.Booking) string {
	return fmt.Sprintf("わかりました。ご予約は%sのままです。", ButtonDate(bk.Day))
}

// ChangeTooLate answers a change of bk after the deadline: the day is
// planned by then, so it is changed by phone.
func (w Words) ChangeTooLate(bk *booking.Booking) string {
	return fmt.Sprintf("%sのご予約は、変更・キャンセルの期限(%s)を過ぎているため、LINEでは変更できません。\nお手数ですが、お電話でご連絡ください。\n%s", ButtonDate(bk.Day), w.CancelDeadline(), w.PhoneLine())
}

// Her place kept while she is away (a feed, a nap, a night): when she
// comes back, what changed meanwhile is said before she goes on.

// ChosenDayFilledSince is the note above other days when the day she had
// chosen filled while she was away.
func (w Words) ChosenDayFilledSince(d booking.Date) string {
	return fmt.Sprintf("おかえりなさい。申し訳ありません。お選びいただいた%sは、その後満室になりました。近い日で空いているのはこちらです。", ButtonDate(d))
}

// ChosenDayClosedSince is the note above other days when the day she had
// chosen can no longer be booked (closed by staff, out of the window, or
// past her baby's last day).
func (w Words) ChosenDayClosedSince(d booking.Date) string {
	return fmt.Sprintf("おかえりなさい。申し訳ありません。お選びいただいた%sは、その後ご予約いただけなくなりました。近い日で空いているのはこちらです。", ButtonDate(d))
}

// ChosenOptionsFullSince says options she had chosen have no room left,
// or are no longer offered, since she chose them.
func (w Words) ChosenOptionsFullSince(opts []booking.Option) string {
	names := "お選びいただいたオプションの一部"
	if labels := w.OptionLabels(opts); labels != "" {
		names = "お選びいただいた" + labels
	}
	return fmt.Sprintf("おかえりなさい。申し訳ありません。%sは、その後お付けできなくなりました。", names)
}

// DetailsChangedSince is the note above a confirmation shown again when
// what it says (the fee, an option's name, the time) changed while she was
// away.
func (w Words) DetailsChangedSince() string {
	return "おかえりなさい。その後ご案内の内容が変わりましたので、あらためてご確認ください。"
}
