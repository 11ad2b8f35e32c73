package words

import (
	"fmt"
	"strings"

	"mamasroom/booking"
)

// CancelButton labels the button that cancels the booking of day:
// 12/4(金)をキャンセル.
func CancelButton(day booking.Date) string {
	return ButtonDate(day) + "をキャンセル"
}

// NoBookings answers 予約の確認 when she has no upcoming booking.
func (w Words) NoBookings() string {
	return "いまご予約はありません。\nご予約は「" + Book + "」からどうぞ。"
}

// BookingList lists her upcoming bookings. A booking that cancellable
// rejects is past the cancel deadline: its line says to phone, and so does
// the end of the list. cancelButtonShown says whether at least one
// CancelButton goes under the list; only then does the list point to it.
func (w Words) BookingList(list []booking.Booking, cancellable func(booking.Booking) bool, cancelButtonShown bool) string {
	var b strings.Builder
	b.WriteString("ご予約は次のとおりです。\n")
	late := false
	for _, bk := range list {
		fmt.Fprintf(&b, "\n・%s 10:00 受付\n  予約番号: %s\n  オプション: %s", LongDate(bk.Day), bk.Number, w.OptionLabels(bk.Options))
		if !cancellable(bk) {
			late = true
			b.WriteString("\n  (変更・キャンセルはお電話でお願いします)")
		}
	}
	if cancelButtonShown {
		b.WriteString("\n\n日にちの変更やキャンセルは、下のボタンからどうぞ。")
	}
	if late {
		fmt.Fprintf(&b, "\n\nキャンセル期限(%s)を過ぎたご予約は、お電話でご連絡ください。\n%s", w.CancelDeadline(), w.PhoneLine())
	}
	return b.String()
}

// ConfirmCancel asks her to confirm cancelling bk.
func (w Words) ConfirmCancel(bk *booking.Booking) string {
	return fmt.Sprintf("%sのご予約(予約番号 %s)をキャンセルします。よろしいですか?", LongDate(bk.Day), bk.Number)
}

// Cancelled confirms bk is cancelled.
func (w Words) Cancelled(bk *booking.Booking) string {
	return fmt.Sprintf("%sのご予約をキャンセルしました。\nご連絡ありがとうございます。またお会いできるのを楽しみにしています。", LongDate(bk.Day))
}

// CancelKept answers いいえ to ConfirmCancel.
func (w Words) CancelKept() string {
	return "わかりました。ご予約はそのままです。"
}

// CancelTooLate answers a cancellation of bk after the deadline.
func (w Words) CancelTooLate(bk *booking.Booking) string {
	return fmt.Sprintf("%sのご予約は、キャンセル期限(%s)を過ぎているため、LINEではキャンセルできません。\nお手数ですが、お電話でご連絡ください。\n%s", LongDate(bk.Day), w.CancelDeadline(), w.PhoneLine())
}

// BookingGone answers a cancellation of a booking that no longer exists.
func (w Words) BookingGone() string {
	return "そのご予約は見つかりませんでした。すでにキャンセルされているかもしれません。\n「" + MyBookings + "」で、いまのご予約をご覧いただけます。"
}
