package words

// EraseData is the command by which a mother asks that everything kept
// about her and her baby be erased; typed, as it is not in the menu.
const EraseData = "データ削除"

// EraseConfirm asks before erasing, saying what goes and what stays.
func (w Words) EraseConfirm() string {
	return "お母さんと赤ちゃんについてお預かりしている情報を、すべて削除します。\n・お誕生日とご利用条件のお答え\n・ご予約(これからのご予約はキャンセルになります)\n・ご相談とそのお返事、キャンセル待ち\n元には戻せません。ご利用の回数だけは、どなたのものかわからない形で残ります。\n削除してよろしいですか?"
}

// Erased answers the erasure, sent once it is done.
func (w Words) Erased() string {
	return "削除しました。ご利用の回数(どなたのものかわからない形)のほかは、こちらにはもう残っていません。\nこのトークの履歴は、お使いのLINEに残ります。\nまたご利用になるときは、いつでもメニューからどうぞ。"
}

// EraseKept answers a mother who chose not to erase.
func (w Words) EraseKept() string {
	return "わかりました。削除はしていません。"
}
