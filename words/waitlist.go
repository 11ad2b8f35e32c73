package words

import (
	"fmt"
	"strings"
	"time"

	"mamasroom/booking"
)

// Labels of the waitlist's buttons.
const (
	// JoinWaitlist puts her on the waitlist of the day that just filled.
	JoinWaitlist = "キャンセル待ちに登録"
	// WaitForFullDay, under the days, leads to the full days she may wait for.
	WaitForFullDay = "満室の日のキャンセル待ち"
	// AcceptOffer and DeclineOffer answer an offer of a freed place.
	AcceptOffer  = Book
	DeclineOffer = "見送る"
)

// LeaveWaitlistButton labels the button that ends her wait for day:
// 12/4(金)の待ちをやめる (LINE allows 20 characters).
func LeaveWaitlistButton(day booking.Date) string {
	return ButtonDate(day) + "の待ちをやめる"
}

// clockTime writes a time of day in Tokyo, with the day when it is not
// the day of ref: 12:30, or 12/5(土) 9:30.
func clockTime(t, ref time.Time) string {
	t = t.In(booking.Tokyo)
	hm := fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
	if booking.DateOf(t) == booking.DateOf(ref) {
		return "本日" + hm
	}
	return ButtonDate(booking.DateOf(t)) + " " + hm
}

// WaitlistHint follows DayJustFilled when she may wait for the day.
func (w Words) WaitlistHint() string {
	return fmt.Sprintf("「%s」を押すと、空きが出たときにLINEでお知らせします。", JoinWaitlist)
}

// DayFilledNoneNear says the day she chose just filled and no other day
// has room, and that she may wait for it.
func (w Words) DayFilledNoneNear(d booking.Date) string {
	return fmt.Sprintf("申し訳ありません。%sは、ちょうど満室になってしまいました。ほかの日にも、いま空きがありません。\n%s", ButtonDate(d), w.WaitlistHint())
}

// NoBookableDaysButWaitlist answers 予約する when no day has room but she
// may wait for a full one.
func (w Words) NoBookableDaysButWaitlist() string {
	return fmt.Sprintf("申し訳ありません。いまご予約いただける日がありません。\n満室の日のキャンセル待ちに登録すると、空きが出たときにLINEでお知らせします。\n%s", w.PhoneLine())
}

// PickFullDay asks which full day she wants to wait for.
func (w Words) PickFullDay(note string) string {
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n")
	}
	b.WriteString("キャンセル待ちをする日をお選びください。\n空きが出たら、登録の早い順にLINEでお知らせします。")
	return b.String()
}

// NoFullDayToWait answers 満室の日のキャンセル待ち when there is none.
func (w Words) NoFullDayToWait() string {
	return fmt.Sprintf("いまキャンセル待ちに登録できる日はありません。\nご予約は「%s」からどうぞ。", Book)
}

// WaitlistJoined confirms her wait for day and tells how an offer comes.
func (w Words) WaitlistJoined(day booking.Date) string {
	return fmt.Sprintf("%sのキャンセル待ちに登録しました。\n空きが出たら、登録の早い順に1名ずつLINEでお知らせします(8:00〜21:00)。お知らせから%sのうちに「%s」を押すと、ご予約になります。\n\n登録の確認や取り消しは「%s」からどうぞ。",
		LongDate(day), w.offerTime(), AcceptOffer, MyBookings)
}

func (w Words) offerTime() string {
	d := w.f.WaitlistOfferTime
	if d <= 0 {
		d = booking.DefaultWaitlistOfferTime
	}
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d時間", int(d/time.Hour))
	}
	if d > time.Hour {
		return fmt.Sprintf("%d時間%d分", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%d分", int(d/time.Minute))
}

// AlreadyWaiting answers a second wait for the same day.
func (w Words) AlreadyWaiting(day booking.Date) string {
	return fmt.Sprintf("%sは、すでにキャンセル待ちに登録されています。\n空きが出たらLINEでお知らせしますので、お待ちください。", LongDate(day))
}

// DayHasRoomNow is the note when a day she wants to wait for has room
// again: she books it instead.
func (w Words) DayHasRoomNow(day booking.Date) string {
	return fmt.Sprintf("%sに空きが出ています。このままご予約いただけます。", ButtonDate(day))
}

// WaitlistOffer brings her a freed place, until deadline (sent at now).
// paused says the deadline was moved past the night.
func (w Words) WaitlistOffer(day booking.Date, deadline, now time.Time, paused bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "キャンセル待ちの%sに、空きが出ました。\nご予約される場合は、%sまでに「%s」を押してください。\nご都合が合わなければ「%s」を押してください。次にお待ちの方へご案内します。",
		LongDate(day), clockTime(deadline, now), AcceptOffer, DeclineOffer)
	if paused {
		b.WriteString("\n(21:00〜8:00は、お返事の時間に数えていません)")
	}
	return b.String()
}

// OfferTaken says the place she accepted was taken just before, and that
// she keeps her place on the waitlist.
func (w Words) OfferTaken(day booking.Date) string {
	return fmt.Sprintf("申し訳ありません。ひと足違いで、%sの空きが埋まってしまいました。\nキャンセル待ちはそのまま続いています。また空きが出たら、いちばんにお知らせします。", LongDate(day))
}

// OfferExpired answers an offer tapped after its deadline.
func (w Words) OfferExpired(day booking.Date) string {
	return fmt.Sprintf("%sのご案内は、お返事の期限を過ぎたため、次にお待ちの方へお回ししました。\nほかの日のご予約やキャンセル待ちは「%s」からどうぞ。", LongDate(day), Book)
}

// OfferEnded answers an offer she declined or left before, or could no
// longer take.
func (w Words) OfferEnded(day booking.Date) string {
	return fmt.Sprintf("%sのご案内は、すでに終了しています。\nご予約やキャンセル待ちは「%s」からどうぞ。", LongDate(day), Book)
}

// OfferDeclined confirms she let the offer go.
func (w Words) OfferDeclined(day booking.Date) string {
	return fmt.Sprintf("わかりました。%sのご案内は見送りました。次にお待ちの方へお回しします。\nまたいつでもどうぞ。", LongDate(day))
}

// Waitlists lists the days she waits for, under her bookings.
func (w Words) Waitlists(entries []booking.WaitlistEntry, now time.Time) string {
	var b strings.Builder
	b.WriteString("キャンセル待ち:")
	for _, e := range entries {
		fmt.Fprintf(&b, "\n・%s", LongDate(e.Day))
		if e.Status == booking.WaitOffered && e.OfferExpiresAt != nil {
			fmt.Fprintf(&b, "\n  空きのご案内中です(%sまで)", clockTime(*e.OfferExpiresAt, now))
		}
	}
	b.WriteString("\n\nキャンセル待ちをやめる場合は、下のボタンを押してください。")
	return b.String()
}

// LeftWaitlist confirms her wait for day has ended.
func (w Words) LeftWaitlist(day booking.Date) string {
	return fmt.Sprintf("%sのキャンセル待ちをやめました。", LongDate(day))
}
