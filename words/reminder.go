package words

import (
	"fmt"

	"mamasroom/booking"
)

// CancelThis is the reminder's button that starts cancelling its booking.
const CancelThis = "キャンセルする"

// whatToBring is what she brings on the day. Paper 保険証 are no longer
// valid since December 2025: マイナ保険証, or the 資格確認書 sent instead.
const whatToBring = "診察券・マイナ保険証(または資格確認書)・医療証・母子手帳"

// Reminder is the push the day before her visit: the day and time, where,
// what to bring, the fee, and how to cancel. It names no relative day
// (明日): it may be read later than it was written.
func (w Words) Reminder(b *booking.Booking) string {
	return fmt.Sprintf("%sのご予約の日が近づいてきました。お会いできるのを楽しみにしています。\n\n日にち: %s 10:00 受付\n場所: %s\n持ち物: %s\n利用料: %s(当日お支払い)\nオプション: %s\n予約番号: %s\n\nご都合が悪くなったときは「%s」からどうぞ。LINEでのキャンセルは%sまで、そのあとはお電話でお願いします。\n%s",
		w.f.Name, LongDate(b.Day), w.f.Address, whatToBring, Yen(w.f.FeeYen), w.OptionLabels(b.Options), b.Number,
		CancelThis, w.CancelDeadline(), w.PhoneLine())
}
