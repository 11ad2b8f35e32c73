package words

import (
	"fmt"
	"strings"

	"mamasroom/booking"
)

const askResident = "ご利用条件を確認させてください。\nお母さんと赤ちゃんは、世田谷区に住民登録がありますか?"

// AskResident is the first question of ご利用条件.
func (w Words) AskResident() string {
	return askResident
}

// AskResidentBeforeBooking is the first question when she wants to book
// before we know whether she may.
func (w Words) AskResidentBeforeBooking() string {
	return strings.Replace(askResident, "ご利用条件を確認させてください。", "ご予約の前に、ご利用条件を確認させてください。", 1)
}

// AskBirthday asks the baby's birthday, picked or typed.
func (w Words) AskBirthday() string {
	return "赤ちゃんのお誕生日を教えてください。\n下のボタンから選ぶか、「2026-10-15」「10月15日」のように入力してください。\n(お誕生日はご利用条件の確認のためだけに使い、大切に保管します)"
}

// BirthdayNotADate asks again when what she typed is not a date.
func (w Words) BirthdayNotADate() string {
	return "ごめんなさい、日付として読み取れませんでした。\n「2026-10-15」や「10月15日」のように入力するか、下のボタンから選んでください。"
}

// BirthdayInFuture asks again when the birthday she gave is still to come.
func (w Words) BirthdayInFuture() string {
	return "まだ先の日付のようです。\nお手数ですが、赤ちゃんのお誕生日をもう一度教えてください。"
}

// ThanksForAnswer opens the answer to her eligibility answers.
func (w Words) ThanksForAnswer() string {
	return "お答えいただきありがとうございます。"
}

// NotResident answers a mother who is not registered in the ward.
func (w Words) NotResident() string {
	return fmt.Sprintf("申し訳ありません。こちらの産後ケアは、世田谷区の事業のため、お母さんと赤ちゃんが世田谷区に住民登録のある方がご利用いただけます。\n\nお住まいの区市町村にも産後ケアがあることが多いので、お住まいの自治体の窓口にお問い合わせください。ご不明な点は、お気軽にお電話ください。\n%s", w.PhoneLine())
}

// Eligible tells her she may use the room until lastDay. The same words go
// above the main menu, or lead straight on to booking.
func (w Words) Eligible(lastDay booking.Date) string {
	return fmt.Sprintf("ありがとうございます。ご利用いただけます。\nご利用いただけるのは、赤ちゃんが生後4か月になる前日の%sまでです。\n\n※区の制度では、産後の心身の不調や育児への不安があり、ご家族などから十分な手助けが受けられない方が対象です。ご不安なときは世田谷区の窓口(お住まいの地域の健康づくり課)か、こちらにお気軽にご相談ください。", PlainDate(lastDay))
}

// BabyTooOld answers a mother whose baby is past the ward's age limit,
// lastDay being the last day she could have come.
func (w Words) BabyTooOld(lastDay booking.Date) string {
	return fmt.Sprintf("申し訳ありません。世田谷区の産後ケアは、赤ちゃんが生後4か月になる前日(%s)までのご利用となっているため、ご利用いただけません。\n\n子育てのご相談は、世田谷区の子育て支援の窓口(お住まいの地域の健康づくり課)でも受け付けています。ご不明な点は、お気軽にお電話ください。\n%s", PlainDate(lastDay), w.PhoneLine())
}
