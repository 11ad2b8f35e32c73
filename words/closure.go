package words

import (
	"fmt"
	"strings"

	"mamasroom/booking"
)

// DayClosed tells her that the room must close on the day she booked, that
// her booking is therefore cancelled, and which days near it she may book
// instead (others, possibly none), with 「予約する」 to do it.
func (w Words) DayClosed(b *booking.Booking, others []booking.Date) string {
	var s strings.Builder
	fmt.Fprintf(&s, "申し訳ありません。%sは、%sをお休みさせていただくことになりました。\n", LongDate(b.Day), w.f.Name)
	fmt.Fprintf(&s, "この日のご予約(予約番号 %s)は取り消しました。\n", b.Number)
	if len(others) > 0 {
		dates := make([]string, len(others))
		for i, d := range others {
			dates[i] = ButtonDate(d)
		}
		fmt.Fprintf(&s, "\n近くでご予約いただける日: %s\n", strings.Join(dates, "、"))
	}
	fmt.Fprintf(&s, "\n別の日のご予約は「%s」からどうぞ。ご不便をおかけして申し訳ありません。\n%s", Book, w.PhoneLine())
	return s.String()
}
