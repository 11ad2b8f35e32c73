package bot

import (
	"context"
	"strings"

	"golang.org/x/text/width"

	"mamasroom/line"
)

// What mothers type in their own words: 「予約したい」, 「キャンセル」,
// 「持ち物は?」. A short message that is one of these phrases is read as
// the matching menu command or question; anything longer is left alone,
// since it may be a question for a person.

// typedIntent is what a typed phrase asks for.
type typedIntent int

const (
	intentNone typedIntent = iota
	intentBook
	intentCancel
	intentChange
	intentPlace
	intentWhatToBring
	intentFee
	intentPhone
	intentAnswerAgain
)

var typedPhrases = map[string]typedIntent{
	"予約": intentBook, "予約したい": intentBook, "予約お願いします": intentBook, "予約をお願いします": intentBook,
	"予約を取りたい": intentBook, "予約したいです": intentBook, "よやく": intentBook, "予約をしたい": intentBook,

	"キャンセル": intentCancel, "キャンセルしたい": intentCancel, "キャンセルしたいです": intentCancel,
	"キャンセルお願いします": intentCancel, "キャンセルをお願いします": intentCancel, "予約をキャンセル": intentCancel,
	"予約キャンセル": intentCancel, "予約をキャンセルしたい": intentCancel, "取り消し": intentCancel, "取り消したい": intentCancel,

	"変更": intentChange, "変更したい": intentChange, "予約変更": intentChange, "予約の変更": intentChange,
	"予約を変更したい": intentChange, "日にちを変えたい": intentChange, "日程変更": intentChange, "日にちの変更": intentChange,

	"場所": intentPlace, "地図": intentPlace, "住所": intentPlace, "アクセス": intentPlace, "行き方": intentPlace,
	"持ち物": intentWhatToBring, "もちもの": intentWhatToBring, "持ちもの": intentWhatToBring, "持っていくもの": intentWhatToBring,
	"料金": intentFee, "利用料": intentFee, "値段": intentFee, "費用": intentFee, "いくら": intentFee, "利用料金": intentFee,
	"電話": intentPhone, "電話番号": intentPhone, "電話したい": intentPhone, "でんわ": intentPhone,

	cmdAnswerAgain: intentAnswerAgain, "答えなおす": intentAnswerAgain, "やり直す": intentAnswerAgain, "やりなおす": intentAnswerAgain,
}

// askingSuffixes are how a phrase is often asked: 持ち物は?, 料金を教えてください.
var askingSuffixes = []string{"を教えてください", "教えてください", "を知りたい", "が知りたい", "はどこですか", "はいくらですか", "はどこ", "は"}

// intentOf reads text as one of the phrases, in full- or half-width, with
// or without a question mark or a polite ending.
func intentOf(text string) typedIntent {
	s := width.Fold.String(strings.TrimSpace(text))
	s = strings.TrimRight(s, "?!。.、 　〜ー…")
	if in, ok := typedPhrases[s]; ok {
		return in
	}
	for _, suffix := range askingSuffixes {
		if base, ok := strings.CutSuffix(s, suffix); ok {
			if in, ok := typedPhrases[base]; ok {
				return in
			}
		}
	}
	return intentNone
}

// onTypedWords answers a phrase of her own words, in any state where her
// words are not an answer of their own (her question to the midwives is
// kept as she wrote it). ok is false when text is no such phrase.
func (t *turn) onTypedWords(ctx context.Context, text string) (msgs []line.Message, ok bool, err error) {
	if t.sess.Flow == flowConsult && t.sess.Step == stepQuestion {
		return nil, false, nil
	}
	var answer line.Message
	switch intentOf(text) {
	case intentNone:
		return nil, false, nil
	case intentBook:
		t.kind = "book"
		msgs, err = t.startBooking(ctx)
		return msgs, true, err
	case intentCancel:
		// Her bookings, each with its cancel button; a flow she was in
		// ends, which is what 「キャンセル」 in the middle of one means too.
		t.kind = "mybookings"
		msgs, err = t.showMyBookings(ctx)
		return msgs, true, err
	case intentChange:
		t.kind = "change"
		msgs, err = t.showBookingsToChange(ctx)
		return msgs, true, err
	case intentAnswerAgain:
		t.kind = "eligibility"
		return t.startEligibility(false), true, nil
	case intentPlace:
		answer = t.say.place()
	case intentWhatToBring:
		answer = t.say.whatToBring()
	case intentFee:
		answer = t.say.fee()
	case intentPhone:
		answer = t.say.phone()
	}
	// A question about the room: answered, and her flow's question, if she
	// was in one, comes again below.
	t.kind = "question"
	if !t.sess.InFlow() {
		return []line.Message{t.say.withMenuKept(answer)}, true, nil
	}
	flow, err := t.reprompt(ctx, "")
	if err != nil {
		return nil, true, err
	}
	return append([]line.Message{answer}, flow[:min(len(flow), maxReplyMessages-1)]...), true, nil
}
