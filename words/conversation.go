package words

import "fmt"

// Greeting welcomes her when she adds the bot as a friend: two messages,
// the second to go above the main menu.
func (w Words) Greeting() []string {
	return []string{
		fmt.Sprintf("はじめまして。%sの%sです。\n友だち追加ありがとうございます。\n\n産後のお疲れやご不安があるとき、ゆっくり休んで、助産師にご相談いただける場所です。このLINEから、ご利用条件の確認・ご予約・ご相談ができます。", w.f.ClinicName, w.f.Name),
		"※ご利用条件の確認のため、赤ちゃんのお誕生日をお伺いすることがあります。お伺いした内容は産後ケアのご案内のためだけに使い、大切に保管します。\n\n下のメニューからお選びください。",
	}
}

// Help answers a message outside any flow that is not a command.
func (w Words) Help() string {
	return "ごめんなさい、うまく読み取れませんでした。\n下のメニューからお選びください。"
}

// Quit answers やめる.
func (w Words) Quit() string {
	return "わかりました。ここでやめておきますね。\nまたいつでもどうぞ。"
}

// FlowExpired says a flow left idle was ended.
func (w Words) FlowExpired() string {
	return "お時間があいたため、途中の操作はいったん終了しました。\nお手数ですが、もう一度メニューからお選びください。"
}

// StaleButton answers a tap on a button of an earlier question.
func (w Words) StaleButton() string {
	return "そのボタンは前の画面のものでした。いまのご案内からお選びください。"
}

// NotUnderstoodInStep answers text that does not answer the question asked.
func (w Words) NotUnderstoodInStep() string {
	return "ごめんなさい、うまく読み取れませんでした。下のボタンからお選びください。"
}

// Sticker answers a sticker outside any flow.
func (w Words) Sticker() string {
	return "スタンプありがとうございます。\nご用件があれば、下のメニューからお選びください。"
}

// ThanksForSticker answers a sticker in a flow, above the question again.
func (w Words) ThanksForSticker() string {
	return "スタンプありがとうございます。"
}

// MediaNotRead answers a photo, video or voice message outside any flow.
func (w Words) MediaNotRead() string {
	return "お送りいただきありがとうございます。\n申し訳ありませんが、ここでは画像や動画、音声を確認できません。写真を助産師に見てほしいときは、「" + Consult + "」からお送りください。\n\n" + w.ShortSafetyLine()
}

// MediaNotReadInStep answers a photo, video or voice message in a flow.
func (w Words) MediaNotReadInStep() string {
	return "お送りいただきありがとうございます。画像や動画、音声はこちらで確認できないため、下のボタンからお選びください。\n" + w.ShortSafetyLine()
}

// Info answers アクセス・持ち物: where, when, the day's schedule, what to
// bring and the fee.
func (w Words) Info() string {
	f := w.f
	return fmt.Sprintf(`%s(%s)
場所: %s
地図: %s

開所日: %s曜日(祝日・年末年始はお休み)
時間: 10:00〜18:00

1日の流れ
10:00 受付(持ち物の確認、利用料のお預かり、問診票、赤ちゃんの身体測定)
10:30 小児科医診察・ウォーターベッド(ご希望の方)、ご相談・ご休憩
11:30 自由時間
12:30 ランチ
13:00 アロママッサージ(ご希望の方)
15:00 おやつ
16:30 お部屋を退室(授乳・帰り支度)
17:50 最終退室

持ち物: `+whatToBring+`
利用料: %s(当日お支払い)
%s`, f.Name, f.ClinicName, f.Address, f.MapURL, w.OpenDays(), Yen(f.FeeYen), w.PhoneLine())
}

// SomethingWentWrong answers when the turn failed on our side.
func (w Words) SomethingWentWrong() string {
	return fmt.Sprintf("申し訳ありません。うまく処理できませんでした。\nお手数ですが、少し時間をおいてもう一度お試しいただくか、お電話ください。\n%s", w.PhoneLine())
}
