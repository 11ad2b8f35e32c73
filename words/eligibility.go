package words

import (
	"fmt"
	"strings"

	"mamasroom/booking"
	"mamasroom/consult"
)

const askResident = "ご利用条件の確認です。\nお母さんと赤ちゃんは、世田谷区に住民登録がありますか?"

// AskResident is the first question of ご利用条件.
func (w Words) AskResident() string {
	return askResident
}

// AskResidentBeforeBooking is the first question when she wants to book
// before we know whether she may.
func (w Words) AskResidentBeforeBooking() string {
	return "ご予約の前に確認です。\nお母さんと赤ちゃんは、世田谷区に住民登録がありますか?"
}

// AskBirthday asks the baby's birthday, picked or typed, and says, once,
// what it is kept for.
func (w Words) AskBirthday() string {
	return "赤ちゃんのお誕生日を選ぶか、「10月15日」のように送ってください。\n(ご利用条件の確認などに使い、大切に保管します)"
}

// BirthdayNotADate asks again when what she typed is not a date.
func (w Words) BirthdayNotADate() string {
	return "申し訳ありません。日付として読み取れませんでした。\n「10月15日」や「2026-10-15」のように送るか、下のボタンから選んでください。"
}

// BirthdayInFuture asks again when the birthday she gave is still to come.
func (w Words) BirthdayInFuture() string {
	return "まだ先の日付のようです。\nお手数ですが、赤ちゃんのお誕生日をもう一度教えてください。"
}

// ThanksForAnswer opens the answer to her eligibility answers.
func (w Words) ThanksForAnswer() string {
	return "お答えいただきありがとうございます。"
}

// answerAgainLine offers to answer again, for a mis-tapped answer or a
// wrong birthday.
const answerAgainLine = "お答えを間違えたときは「" + AnswerAgain + "」を押してください。"

// NotResident answers a mother who is not registered in the ward.
func (w Words) NotResident() string {
	return fmt.Sprintf("申し訳ありません。こちらの産後ケアは世田谷区の事業のため、お母さんと赤ちゃんが世田谷区に住民登録をされている方が対象です。\n\nお住まいの区市町村にも産後ケアがあることが多いので、お住まいの自治体の窓口にお問い合わせください。\n\n%s\nご不明な点は、お気軽にお電話ください。\n%s", answerAgainLine, w.PhoneLine())
}

// Eligible tells her, on her way to booking, that she may use the room:
// until lastDay (the day before the baby is four months old), and, when
// that is a closed day, until lastOpen, the last day she can come.
func (w Words) Eligible(lastDay, lastOpen booking.Date) string {
	if lastOpen == lastDay {
		return fmt.Sprintf("ご利用いただけます。\n生後4か月の前日の%sまでです。", monthDay(lastDay))
	}
	return fmt.Sprintf("ご利用いただけます。\n生後4か月の前日の%sまでで、ご予約は%sまでです。", monthDay(lastDay), monthDay(lastOpen))
}

// EligibleMenu answers ご利用条件: Eligible, then what the ward's scheme
// is for, and how to answer again.
func (w Words) EligibleMenu(lastDay, lastOpen booking.Date) string {
	return w.Eligible(lastDay, lastOpen) + "\n\n※区の制度では、産後の心身の不調や育児への不安があり、ご家族などから十分な手助けが受けられない方が対象です。ご不安なときは世田谷区の窓口(お住まいの地域の健康づくり課)か、こちらにお気軽にご相談ください。\n\n" +
		strings.Replace(answerAgainLine, "お答え", "お誕生日", 1)
}

// BabyTooOld answers a mother whose baby is past the ward's age limit,
// lastDay being the last day she could have come.
func (w Words) BabyTooOld(lastDay booking.Date) string {
	return fmt.Sprintf("申し訳ありません。世田谷区の産後ケアは、赤ちゃんが生後4か月になる前日(%s)までのご利用となっているため、ご利用いただけません。\n\n子育てのご相談は、世田谷区の子育て支援の窓口(お住まいの地域の健康づくり課)でも受け付けています。\n\n%s\nご不明な点は、お気軽にお電話ください。\n%s", LongDate(lastDay), strings.Replace(answerAgainLine, "お答え", "お誕生日", 1), w.PhoneLine())
}

// NoDayLeft answers 予約する when her last usable day, lastDay, comes
// before the next day the room is open: no cancellation can help her, so
// she is told so, and where to turn instead.
func (w Words) NoDayLeft(lastDay booking.Date) string {
	return fmt.Sprintf("申し訳ありません。ご利用いただけるのは%sまでで、それまでに%sの開所日がもうないため、ご予約いただけません。\n\nこれからの子育てのご相談は、%sでも受け付けています。こちらにも、お気軽にお電話ください。\n%s",
		LongDate(lastDay), w.f.Name, consult.WardHealthOffice.Name, w.PhoneLine())
}
