package words

import "fmt"

// Greeting welcomes her when she adds the bot as a friend: one bubble,
// above the main menu. What is kept of her answers is said where she gives
// them (AskBirthday), not here.
func (w Words) Greeting() string {
	return fmt.Sprintf("%sの%sです。友だち追加ありがとうございます。\nご予約・ご相談は、下のメニューからどうぞ。", w.f.ClinicName, w.f.Name)
}

// Help answers a message outside any flow that is not a command: this is
// an automatic guide, what it can do, and where a person answers.
func (w Words) Help() string {
	return fmt.Sprintf("このLINEは自動でご案内しています。\nご予約・ご予約の確認・助産師へのご相談(「%s」)は、下のメニューからどうぞ。\nスタッフとお話ししたいときは、お電話ください。\n%s\nご登録の情報を消したいときは「%s」と送ってください。", Consult, w.PhoneLine(), EraseData)
}

// Quit answers やめる.
func (w Words) Quit() string {
	return "わかりました。ここでやめておきますね。\nまたいつでもどうぞ。"
}

// FlowExpired says a flow left for more than a day (the bot's placeKept)
// was ended: she starts afresh.
func (w Words) FlowExpired() string {
	return "前回のお手続きから1日以上たちましたので、はじめからご案内します。\n下のメニューからお選びください。"
}

// StaleButton answers a tap on a button of an earlier question.
func (w Words) StaleButton() string {
	return "そのボタンは前のご案内のもので、いまは使えません。下のボタンからお選びください。"
}

// NotUnderstoodInStep answers text that does not answer the question asked.
func (w Words) NotUnderstoodInStep() string {
	return "申し訳ありません。うまく読み取れませんでした。下のボタンからお選びください。"
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

// InfoEssentials is the first answer to アクセス・持ち物: where, when,
// what to bring, the fee and the phone. The map and the call are buttons
// under it.
func (w Words) InfoEssentials() string {
	f := w.f
	return fmt.Sprintf("%s(%s)\n場所: %s\n開所日: %s曜日 10:00〜18:00(祝日・年末年始はお休み)\n\n持ち物: %s\n利用料: %s(当日お支払い)\n%s",
		f.Name, f.ClinicName, f.Address, w.OpenDays(), whatToBring, Yen(f.FeeYen), w.PhoneLine())
}

// InfoSchedule is the second answer to アクセス・持ち物: the day's schedule.
func (w Words) InfoSchedule() string {
	return `1日の流れ
10:00 受付(持ち物の確認、利用料のお預かり、問診票、赤ちゃんの身体測定)
10:30 小児科医診察・ウォーターベッド(ご希望の方)、ご相談・ご休憩
11:30 自由時間
12:30 ランチ
13:00 アロママッサージ(ご希望の方)
15:00 おやつ
16:30 お部屋を退室(授乳・帰り支度)
17:50 最終退室`
}

// Place answers 場所 or 地図 typed: the address; the map is a button.
func (w Words) Place() string {
	return fmt.Sprintf("%sの場所はこちらです。\n%s", w.f.Name, w.f.Address)
}

// WhatToBring answers 持ち物 typed.
func (w Words) WhatToBring() string {
	return "当日の持ち物: " + whatToBring
}

// Fee answers 料金 typed.
func (w Words) Fee() string {
	return fmt.Sprintf("利用料は%sです(当日お支払い)。", Yen(w.f.FeeYen))
}

// PhoneAnswer answers 電話 typed: the number and when it is answered.
func (w Words) PhoneAnswer() string {
	return fmt.Sprintf("%sのお電話は %s です。\n受付: %s曜日 %d:00〜%d:00(祝日・年末年始を除く)", w.f.Name, w.f.Phone, w.OpenDays(), openHour, closeHour)
}

// SomethingWentWrong answers when the turn failed on our side.
func (w Words) SomethingWentWrong() string {
	return fmt.Sprintf("申し訳ありません。うまく処理できませんでした。\nお手数ですが、少し時間をおいてもう一度お試しいただくか、お電話ください。\n%s", w.PhoneLine())
}
