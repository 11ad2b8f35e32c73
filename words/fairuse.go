package words

import "fmt"

// UpcomingLimitReached answers a booking, or a wait for a full day, when
// she already holds as many upcoming bookings as one mother may: the
// places are few, and fair use keeps some for the next mother. It says
// truly when she can book again and what she can do now.
func (w Words) UpcomingLimitReached() string {
	return fmt.Sprintf("申し訳ありません。より多くの方にご利用いただけるよう、先のご予約はお一人%d件までお受けしています。\nご来所の日が過ぎると、次のご予約ができます。別の日にしたいときは、「%s」から日にちの変更やキャンセルができます。", w.f.MaxUpcomingPerMother, MyBookings)
}
