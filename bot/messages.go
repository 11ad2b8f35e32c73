package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"mamasroom/booking"
	"mamasroom/consult"
	"mamasroom/line"
)

// Every Japanese word the bot says is built in this file, so tone and
// wording stay one voice: short, warm, polite (です・ます), and never a dead
// end: each message offers what she can do next.

// The commands of the main menu, as CONTRACT.md names them.
const (
	cmdBook       = "予約する"
	cmdMyBookings = "予約の確認"
	cmdConsult    = "ちょっと聞いてください"
	cmdEligible   = "ご利用条件"
	cmdInfo       = "アクセス・持ち物"
	cmdQuit       = "やめる"

	labelYes  = "はい"
	labelNo   = "いいえ"
	labelNone = "なし"
	labelNext = "次へ"
	// The rich menu's phone tile and the bar that opens the menu.
	labelCallUs  = "電話する"
	labelMenuBar = "メニュー"

	// labelFirstPage takes her from the last page of days back to the first.
	labelFirstPage = "最初の日へ"
)

var weekdayKanji = [...]string{"日", "月", "火", "水", "木", "金", "土"}

// buttonDate writes a day as on a button: 12/4(金).
func buttonDate(d booking.Date) string {
	return fmt.Sprintf("%d/%d(%s)", int(d.Month), d.Day, weekdayKanji[d.Weekday()])
}

// longDate writes a day in full: 2026年12月4日(金).
func longDate(d booking.Date) string {
	return fmt.Sprintf("%d年%d月%d日(%s)", d.Year, int(d.Month), d.Day, weekdayKanji[d.Weekday()])
}

// plainDate writes a day without the weekday: 2027年2月14日.
func plainDate(d booking.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

func yen(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String() + "円"
}

// texts builds the bot's messages for one facility.
type texts struct {
	f *booking.Facility
}

func (t texts) menuButtons() []Button {
	return []Button{
		messageButton(cmdBook),
		messageButton(cmdMyBookings),
		messageButton(cmdConsult),
		messageButton(cmdEligible),
		messageButton(cmdInfo),
	}
}

func messageButton(label string) Button {
	return Button{Kind: ButtonMessage, Label: label, Text: label}
}

func postbackButton(label, data string) Button {
	return Button{Kind: ButtonPostback, Label: label, Data: data}
}

// withMenu puts the main menu under a text.
func (t texts) withMenu(text string) Message {
	return Message{Text: text, Buttons: t.menuButtons()}
}

// openDays lists the open weekdays from Monday: 月・火・木・金.
func (t texts) openDays() string {
	var days []string
	for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		if slices.Contains(t.f.OpenWeekdays, wd) {
			days = append(days, weekdayKanji[wd])
		}
	}
	return strings.Join(days, "・")
}

// cancelDeadline says when LINE cancellation closes: 前日17:00.
func (t texts) cancelDeadline() string {
	clock := fmt.Sprintf("%d:%02d", t.f.CancelHour, t.f.CancelMinute)
	switch t.f.CancelDaysBefore {
	case 0:
		return "当日" + clock
	case 1:
		return "前日" + clock
	default:
		return fmt.Sprintf("%d日前の%s", t.f.CancelDaysBefore, clock)
	}
}

func (t texts) phoneLine() string {
	return fmt.Sprintf("お電話: %s(%s)", t.f.Phone, t.f.Name)
}

func (t texts) greeting() []Message {
	return []Message{
		{Text: fmt.Sprintf("はじめまして。%sの%sです。\n友だち追加ありがとうございます。\n\n産後のお疲れやご不安があるとき、ゆっくり休んで、助産師にご相談いただける場所です。このLINEから、ご利用条件の確認・ご予約・ご相談ができます。", t.f.ClinicName, t.f.Name)},
		t.withMenu("※ご利用条件の確認のため、赤ちゃんのお誕生日をお伺いすることがあります。お伺いした内容は産後ケアのご案内のためだけに使い、大切に保管します。\n\n下のメニューからお選びください。"),
	}
}

func (t texts) help() Message {
	return t.withMenu("ごめんなさい、うまく読み取れませんでした。\n下のメニューからお選びください。")
}

func (t texts) quit() Message {
	return t.withMenu("わかりました。ここでやめておきますね。\nまたいつでもどうぞ。")
}

func (t texts) flowExpired() Message {
	return t.withMenu("お時間があいたため、途中の操作はいったん終了しました。\nお手数ですが、もう一度メニューからお選びください。")
}

func (t texts) staleButton() string {
	return "そのボタンは前の画面のものでした。いまのご案内からお選びください。"
}

func (t texts) notUnderstoodInStep() string {
	return "ごめんなさい、うまく読み取れませんでした。下のボタンからお選びください。"
}

func (t texts) sticker() Message {
	return t.withMenu("スタンプありがとうございます。\nご用件があれば、下のメニューからお選びください。")
}

func (t texts) mediaNotRead() Message {
	return t.withMenu("お送りいただきありがとうございます。\n申し訳ありませんが、画像や動画、音声はこちらで確認できません。ご質問は「ちょっと聞いてください」から文章でお送りください。\n\n" + t.shortSafetyLine())
}

// shortSafetyLine goes under answers to what the bot cannot read (a photo,
// a voice message): it may have been a call for help.
func (t texts) shortSafetyLine() string {
	return "赤ちゃんの様子が急に心配なときは、迷わず119番へ。夜間・休日は #8000(子供の健康相談室)でも相談できます。"
}

func (t texts) consultNotYet() Message {
	return t.withMenu(fmt.Sprintf("「ちょっと聞いてください」の受付は、いま準備を進めています。\nお急ぎのご相談は、お電話でお気軽にどうぞ。\n%s\n\n赤ちゃんがぐったりしている、息が苦しそう、けいれんしているなど、急いだほうがよいときは迷わず119へ。\n夜間や休日の赤ちゃんの急な病気は、子ども医療電話相談 #8000 でも相談できます。", t.phoneLine()))
}

func (t texts) info() Message {
	f := t.f
	return t.withMenu(fmt.Sprintf(`%s(%s)
場所: %s
地図: %s

開所日: %s曜日(祝日・年末年始はお休み)
時間: 10:00〜18:00

1日の流れ
10:00 受付(診察券・保険証・医療証・母子手帳の確認、利用料のお預かり、問診票、赤ちゃんの身体測定)
10:30 小児科医診察・ウォーターベッド(ご希望の方)、ご相談・ご休憩
11:30 自由時間
12:30 ランチ
13:00 アロママッサージ(ご希望の方)
15:00 おやつ
16:30 お部屋を退室(授乳・帰り支度)
17:50 最終退室

持ち物: 診察券・保険証・医療証・母子手帳
利用料: %s(当日お支払い)
%s`, f.Name, f.ClinicName, f.Address, f.MapURL, t.openDays(), yen(f.FeeYen), t.phoneLine()))
}

// Eligibility.

func (t texts) askResident(version int64) Message {
	return Message{
		Text: "ご利用条件を確認させてください。\nお母さんと赤ちゃんは、世田谷区に住民登録がありますか?",
		Buttons: []Button{
			postbackButton(labelYes, Postback{Step: stepResident, Version: version, Choice: choiceYes}.Encode()),
			postbackButton(labelNo, Postback{Step: stepResident, Version: version, Choice: choiceNo}.Encode()),
			messageButton(cmdQuit),
		},
	}
}

// askResidentBeforeBooking is the first question when she wants to book
// before we know whether she may.
func (t texts) askResidentBeforeBooking(version int64) Message {
	m := t.askResident(version)
	m.Text = strings.Replace(m.Text, "ご利用条件を確認させてください。", "ご予約の前に、ご利用条件を確認させてください。", 1)
	return m
}

func (t texts) askBirthday(version int64, today booking.Date) Message {
	return Message{
		Text: "赤ちゃんのお誕生日を教えてください。\n下のボタンから選ぶか、「2026-10-15」「10月15日」のように入力してください。\n(お誕生日はご利用条件の確認のためだけに使い、大切に保管します)",
		Buttons: []Button{
			{Kind: ButtonDate, Label: "お誕生日を選ぶ", Data: Postback{Step: stepBirthday, Version: version}.Encode(),
				Initial: today.String(), Min: today.AddMonths(-12).String(), Max: today.String()},
			messageButton(cmdQuit),
		},
	}
}

func (t texts) birthdayNotADate(version int64, today booking.Date) Message {
	m := t.askBirthday(version, today)
	m.Text = "ごめんなさい、日付として読み取れませんでした。\n「2026-10-15」や「10月15日」のように入力するか、下のボタンから選んでください。"
	return m
}

func (t texts) birthdayInFuture(version int64, today booking.Date) Message {
	m := t.askBirthday(version, today)
	m.Text = "まだ先の日付のようです。\nお手数ですが、赤ちゃんのお誕生日をもう一度教えてください。"
	return m
}

// thanksForAnswer opens the answer to her eligibility answers.
func (t texts) thanksForAnswer() string {
	return "お答えいただきありがとうございます。"
}

func (t texts) notResident() Message {
	return t.withMenu(fmt.Sprintf("申し訳ありません。こちらの産後ケアは、世田谷区の事業のため、お母さんと赤ちゃんが世田谷区に住民登録のある方がご利用いただけます。\n\nお住まいの区市町村にも産後ケアがあることが多いので、お住まいの自治体の窓口にお問い合わせください。ご不明な点は、お気軽にお電話ください。\n%s", t.phoneLine()))
}

func (t texts) eligible(lastDay booking.Date) Message {
	return Message{Text: fmt.Sprintf("ありがとうございます。ご利用いただけます。\nご利用いただけるのは、赤ちゃんが生後4か月になる前日の%sまでです。\n\n※区の制度では、産後の心身の不調や育児への不安があり、ご家族などから十分な手助けが受けられない方が対象です。ご不安なときは世田谷区の窓口(お住まいの地域の健康づくり課)か、こちらにお気軽にご相談ください。", plainDate(lastDay))}
}

func (t texts) eligibleMenu(lastDay booking.Date) Message {
	m := t.eligible(lastDay)
	m.Buttons = t.menuButtons()
	return m
}

func (t texts) babyTooOld(lastDay booking.Date) Message {
	return t.withMenu(fmt.Sprintf("申し訳ありません。世田谷区の産後ケアは、赤ちゃんが生後4か月になる前日(%s)までのご利用となっているため、ご利用いただけません。\n\n子育てのご相談は、世田谷区の子育て支援の窓口(お住まいの地域の健康づくり課)でも受け付けています。ご不明な点は、お気軽にお電話ください。\n%s", plainDate(lastDay), t.phoneLine()))
}

// Booking.

// pickDay offers the bookable days, a page at a time; note, when given,
// says first why she is choosing again.
func (t texts) pickDay(version int64, days []booking.Date, page int, note string) Message {
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n")
	}
	b.WriteString("ご希望の日をお選びください。")
	if len(days) > daysPerPage {
		fmt.Fprintf(&b, "\n(空いている日 全%d日のうち %d〜%d日目を表示しています)", len(days), page*daysPerPage+1, min((page+1)*daysPerPage, len(days)))
	}
	start := min(page*daysPerPage, len(days))
	end := min(start+daysPerPage, len(days))
	buttons := make([]Button, 0, daysPerPage+2)
	for _, d := range days[start:end] {
		buttons = append(buttons, postbackButton(buttonDate(d), Postback{Step: stepDay, Version: version, Choice: d.String()}.Encode()))
	}
	if end < len(days) {
		buttons = append(buttons, postbackButton(labelNext, Postback{Step: stepDay, Version: version, Choice: choicePage, Page: page + 1}.Encode()))
	} else if page > 0 {
		buttons = append(buttons, postbackButton(labelFirstPage, Postback{Step: stepDay, Version: version, Choice: choicePage}.Encode()))
	}
	buttons = append(buttons, messageButton(cmdQuit))
	return Message{Text: b.String(), Buttons: buttons}
}

// daysPerPage leaves room for 「次へ」 and 「やめる」 within LINE's 13 buttons.
const daysPerPage = maxQuickReplyItems - 2

func (t texts) dayJustFilled(d booking.Date) string {
	return fmt.Sprintf("申し訳ありません。%sは、ちょうど満室になってしまいました。近い日で空いているのはこちらです。", buttonDate(d))
}

func (t texts) dayNoLongerOpen(d booking.Date) string {
	return fmt.Sprintf("申し訳ありません。%sは、ご予約いただけなくなりました。近い日で空いているのはこちらです。", buttonDate(d))
}

func (t texts) dayNotOffered() string {
	return "ごめんなさい、その日はお選びいただけません。"
}

func (t texts) noBookableDays() Message {
	return t.withMenu(fmt.Sprintf("申し訳ありません。いまご予約いただける日がありません。\nキャンセルが出ることもありますので、また見ていただくか、お気軽にお電話でご相談ください。\n%s", t.phoneLine()))
}

func (t texts) pickOptions(version int64, day booking.Date, offered []booking.OptionSetting, chosen []booking.Option) Message {
	var b strings.Builder
	if len(chosen) == 0 {
		fmt.Fprintf(&b, "%sですね。\nご希望のオプションがあればお選びください(あとからいくつでも追加できます)。\nなければ「なし」を押してください。", buttonDate(day))
	} else {
		fmt.Fprintf(&b, "%sを承りました。\nほかにもご希望があればお選びください。なければ「なし」を押してください。", t.optionLabels(chosen))
	}
	buttons := []Button{}
	for _, o := range offered {
		if slices.Contains(chosen, o.Option) {
			continue
		}
		buttons = append(buttons, postbackButton(o.Label, Postback{Step: stepOptions, Version: version, Choice: string(o.Option)}.Encode()))
	}
	buttons = append(buttons, postbackButton(labelNone, Postback{Step: stepOptions, Version: version, Choice: choiceNone}.Encode()), messageButton(cmdQuit))
	return Message{Text: b.String(), Buttons: buttons}
}

func (t texts) optionLabels(opts []booking.Option) string {
	if len(opts) == 0 {
		return "なし"
	}
	labels := make([]string, 0, len(opts))
	for _, o := range opts {
		if s, ok := t.f.Option(o); ok {
			labels = append(labels, s.Label)
		}
	}
	return strings.Join(labels, "、")
}

func (t texts) confirmBooking(version int64, day booking.Date, opts []booking.Option) Message {
	return Message{
		Text: fmt.Sprintf("この内容で予約します。よろしいですか?\n\n日にち: %s 10:00 受付\nオプション: %s\n利用料: %s(当日お支払い)",
			longDate(day), t.optionLabels(opts), yen(t.f.FeeYen)),
		Buttons: []Button{
			postbackButton(labelYes, Postback{Step: stepConfirm, Version: version, Choice: choiceYes}.Encode()),
			postbackButton(labelNo, Postback{Step: stepConfirm, Version: version, Choice: choiceNo}.Encode()),
		},
	}
}

func (t texts) booked(b *booking.Booking) Message {
	return t.withMenu(fmt.Sprintf("ご予約を承りました。当日お会いできるのを楽しみにしています。\n\n予約番号: %s\n日にち: %s 10:00 受付\nオプション: %s\n場所: %s\n持ち物: 診察券・保険証・医療証・母子手帳\n利用料: %s(当日お支払い)\n\nご予約の確認やキャンセルは「予約の確認」からどうぞ。LINEでのキャンセルは%sまでです。",
		b.Number, longDate(b.Day), t.optionLabels(b.Options), t.f.Address, yen(t.f.FeeYen), t.cancelDeadline()))
}

func (t texts) bookingNotMade() Message {
	return t.withMenu("わかりました。ご予約はしていません。\nまたいつでもどうぞ。")
}

func (t texts) optionJustFilled() string {
	return "申し訳ありません。お選びのオプションが、ちょうどいっぱいになってしまいました。"
}

func (t texts) thanksForSticker() string {
	return "スタンプありがとうございます。"
}

func (t texts) mediaNotReadInStep() string {
	return "お送りいただきありがとうございます。画像や音声はこちらで確認できないため、下のボタンからお選びください。\n" + t.shortSafetyLine()
}

func (t texts) cancelButton(day booking.Date) string {
	return buttonDate(day) + "をキャンセル"
}

func (t texts) alreadyBookedThatDay(day booking.Date) Message {
	return t.withMenu(fmt.Sprintf("%sは、すでにご予約をいただいています。\nご予約の内容は「予約の確認」からご覧いただけます。", longDate(day)))
}

func (t texts) visitLimitReached() Message {
	return t.withMenu(fmt.Sprintf("申し訳ありません。世田谷区の産後ケアには、お一人あたりのご利用回数に上限があり(%d回まで)、その回数分のご予約をすでにいただいています。\nご不明な点は、お気軽にお電話ください。\n%s", t.f.MaxVisitsPerMother, t.phoneLine()))
}

// My bookings.

func (t texts) noBookings() Message {
	return Message{Text: "いまご予約はありません。\nご予約は「予約する」からどうぞ。", Buttons: t.menuButtons()}
}

func (t texts) bookingList(version int64, list []booking.Booking, cancellable func(booking.Booking) bool) Message {
	var b strings.Builder
	b.WriteString("ご予約は次のとおりです。\n")
	var buttons []Button
	late := false
	for _, bk := range list {
		fmt.Fprintf(&b, "\n・%s 10:00 受付\n  予約番号: %s\n  オプション: %s", longDate(bk.Day), bk.Number, t.optionLabels(bk.Options))
		if cancellable(bk) {
			if len(buttons) < maxQuickReplyItems-1 {
				buttons = append(buttons, postbackButton(t.cancelButton(bk.Day), Postback{Step: stepPickCancel, Version: version, Choice: bk.Number}.Encode()))
			}
		} else {
			late = true
			b.WriteString("\n  (キャンセルはお電話でお願いします)")
		}
	}
	if len(buttons) > 0 {
		b.WriteString("\n\nキャンセルされる場合は、下のボタンを押してください。")
	}
	if late {
		fmt.Fprintf(&b, "\n\nキャンセル期限(%s)を過ぎたご予約は、お電話でご連絡ください。\n%s", t.cancelDeadline(), t.phoneLine())
	}
	buttons = append(buttons, messageButton(cmdBook))
	return Message{Text: b.String(), Buttons: buttons}
}

func (t texts) confirmCancel(version int64, bk *booking.Booking) Message {
	return Message{
		Text: fmt.Sprintf("%sのご予約(予約番号 %s)をキャンセルします。よろしいですか?", longDate(bk.Day), bk.Number),
		Buttons: []Button{
			postbackButton(labelYes, Postback{Step: stepConfirmCancel, Version: version, Choice: choiceYes}.Encode()),
			postbackButton(labelNo, Postback{Step: stepConfirmCancel, Version: version, Choice: choiceNo}.Encode()),
		},
	}
}

func (t texts) cancelled(bk *booking.Booking) Message {
	return t.withMenu(fmt.Sprintf("%sのご予約をキャンセルしました。\nご連絡ありがとうございます。またお会いできるのを楽しみにしています。", longDate(bk.Day)))
}

func (t texts) cancelKept() Message {
	return t.withMenu("わかりました。ご予約はそのままです。")
}

func (t texts) cancelTooLate(bk *booking.Booking) Message {
	return t.withMenu(fmt.Sprintf("%sのご予約は、キャンセル期限(%s)を過ぎているため、LINEではキャンセルできません。\nお手数ですが、お電話でご連絡ください。\n%s", longDate(bk.Day), t.cancelDeadline(), t.phoneLine()))
}

func (t texts) bookingGone() Message {
	return t.withMenu("そのご予約は見つかりませんでした。すでにキャンセルされているかもしれません。\n「予約の確認」で、いまのご予約をご覧いただけます。")
}

func (t texts) somethingWentWrong() Message {
	return t.withMenu(fmt.Sprintf("申し訳ありません。うまく処理できませんでした。\nお手数ですが、少し時間をおいてもう一度お試しいただくか、お電話ください。\n%s", t.phoneLine()))
}

// Safety. These answers come before any flow, so they are short: she may
// be holding a baby who is not well. The numbers and their hours live in
// consult, with their sources.

// safety answers one concern found in her message, with the numbers that
// help at this hour as buttons that dial them.
func (t texts) safety(c consult.Concern, now time.Time) Message {
	now = now.In(booking.Tokyo)
	roomOpen := t.roomAnswersPhone(now)
	var b strings.Builder
	var calls []line.Call
	switch c {
	case consult.MotherCrisis:
		b.WriteString("つらい気持ちを教えてくださって、ありがとうございます。あなたはひとりではありません。\n\n")
		b.WriteString("いま危ないと感じたら、すぐに119番へ。\n")
		fmt.Fprintf(&b, "気持ちを聞いてもらえる電話があります。\n・%s %s\n・%s\n", consult.MentalHealth.Name, consult.MentalHealth.Number, consult.WardHealthOffice.Name)
		calls = append(calls, callButton("こころの相談に電話", consult.MentalHealth), callButton("119に電話", consult.Ambulance))
		if roomOpen {
			fmt.Fprintf(&b, "・%s %s(いまお電話いただけます)\n", t.f.Name, t.f.Phone)
			calls = append(calls, line.Call{Label: t.f.Name + "に電話", Number: t.f.Phone})
		}
	case consult.MotherBody:
		b.WriteString("お体がとても心配です。\n\n")
		b.WriteString("大量の出血、激しい頭痛、高い熱、乳房の強い痛みは、早めの受診が必要なことがあります。\n")
		b.WriteString("つらいとき・急ぐときは、迷わず119番へ。\n")
		fmt.Fprintf(&b, "救急車を呼ぶか迷うときは %s(%s・24時間)へ。\n", consult.EmergencyAdvice.Number, consult.EmergencyAdvice.Name)
		b.WriteString("出産された病院にもご連絡ください。\n")
		calls = append(calls, callButton("119に電話", consult.Ambulance), callButton("#7119に電話", consult.EmergencyAdvice))
	default: // consult.BabyEmergency
		b.WriteString("赤ちゃんのご様子が心配ですね。\n\n")
		b.WriteString("ぐったりしている、息が苦しそう、けいれん、顔色や唇の色が悪いときは、すぐに119番へ。\n")
		fmt.Fprintf(&b, "救急車を呼ぶか迷うときは %s(%s・24時間)へ。\n", consult.EmergencyAdvice.Number, consult.EmergencyAdvice.Name)
		calls = append(calls, callButton("119に電話", consult.Ambulance), callButton("#7119に電話", consult.EmergencyAdvice))
		if consult.ChildHealth.OpenAt(now, holidayOrYearEnd) {
			fmt.Fprintf(&b, "いまの時間は %s(%s)でも相談できます。\n", consult.ChildHealth.Number, consult.ChildHealth.Name)
			calls = append(calls, callButton("#8000に電話", consult.ChildHealth))
		}
		if roomOpen {
			fmt.Fprintf(&b, "いまの時間は %s(%s)にもお電話いただけます。\n", t.f.Phone, t.f.ClinicName)
			calls = append(calls, line.Call{Label: t.f.ClinicName + "に電話", Number: t.f.Phone})
		}
	}
	return Message{Text: strings.TrimSuffix(b.String(), "\n"), Calls: calls}
}

// safetyAgain answers the same red flag sent again within a minute: the
// numbers are right above, and a second long answer would bury them.
func (t texts) safetyAgain() Message {
	return Message{Text: "受け取りました。お電話の番号は、すぐ上のメッセージにあります。"}
}

// roomAnswersPhone reports whether someone at the room picks up at now: an
// open day, in opening hours. A staff closure is not known here, and a call
// on such a day reaches the clinic's answering message, not silence.
func (t texts) roomAnswersPhone(now time.Time) bool {
	return t.f.IsOpen(booking.DateOf(now), nil) && now.Hour() >= openHour && now.Hour() < closeHour
}

// The room's hours, as CONTRACT.md gives them.
const (
	openHour  = 10
	closeHour = 18
)

func callButton(label string, h consult.Hotline) line.Call {
	return line.Call{Label: label, Number: h.Number}
}

// holidayOrYearEnd is when Tokyo's #8000 keeps its weekend hours.
func holidayOrYearEnd(t time.Time) bool {
	d := booking.DateOf(t)
	_, holiday := booking.HolidayName(d)
	return holiday || booking.IsYearEnd(d)
}

// flowCanWait opens the flow's question again after a safety answer.
func (t texts) flowCanWait() string {
	return "続きは、落ち着いてからで大丈夫です。"
}
