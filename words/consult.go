package words

import (
	"fmt"
	"strings"
	"time"

	"mamasroom/booking"
	"mamasroom/consult"
)

// The consultation (「ちょっと聞いてください」): her consent to keeping
// health information, the topic, her question in parts, the
// acknowledgment with when a midwife answers, and the answer itself.

// Button labels of the consultation.
const (
	// Send sends her question to the midwives.
	Send = "送信"
	// Skip goes on without choosing a topic.
	Skip = "スキップ"
)

// ConsultAskConsent asks, once, before her first question, whether what
// she writes may be kept: it is health information (APPI 要配慮個人情報).
func (w Words) ConsultAskConsent() string {
	return fmt.Sprintf("ご相談の前に、ひとつだけ確認させてください。\n\nご相談の内容(文章や写真)には、お母さんと赤ちゃんの健康についての情報が含まれます。助産師がお返事するために、%sでこの内容をお預かりしてよろしいですか?\n\nお預かりした内容は、ご相談へのお返事と%sでのケアのためだけに使い、大切に保管します。", w.f.Name, w.f.Name)
}

// ConsultNoConsent answers いいえ to the consent: nothing is kept, and the
// phone is there instead.
func (w Words) ConsultNoConsent() string {
	return fmt.Sprintf("わかりました。ご相談の内容はお預かりしません。\n\nお電話でもご相談いただけます。\n%s\n\n%s", w.PhoneAnswer(), w.ShortSafetyLine())
}

// ConsultPickTopic asks what the question is about.
func (w Words) ConsultPickTopic() string {
	return "ご相談の内容に近いものをお選びください。\n選ばずに進むときは「" + Skip + "」を押してください。"
}

// ConsultWriteQuestion asks for the question, after the topic (none when
// she skipped it). pause is how long a silence sends what she wrote.
func (w Words) ConsultWriteQuestion(topic consult.Topic, pause time.Duration) string {
	var b strings.Builder
	if topic != consult.TopicNone {
		fmt.Fprintf(&b, "「%s」ですね。\n", topic.Label())
	}
	b.WriteString("ご相談の内容を、このトークにお送りください。\n何回かに分けても、写真(湿疹や、うんちの色など)を送っても大丈夫です。\n\n")
	fmt.Fprintf(&b, "書き終えたら「%s」を押してください。%d分ほど新しいメッセージがないときも、そこまでの内容を助産師にお送りします。", Send, int(pause.Minutes()))
	return b.String()
}

// ConsultPartsKept is the question under every part she sends: what is
// kept so far, and what she can do next.
func (w Words) ConsultPartsKept(texts, photos int) string {
	var kept []string
	if texts > 0 {
		kept = append(kept, fmt.Sprintf("文章%d件", texts))
	}
	if photos > 0 {
		kept = append(kept, fmt.Sprintf("写真%d枚", photos))
	}
	return fmt.Sprintf("受け取りました(%s)。\n続けてお送りいただくか、書き終えたら「%s」を押してください。", strings.Join(kept, "・"), Send)
}

// ConsultNothingYet answers 送信 before anything was written.
func (w Words) ConsultNothingYet() string {
	return "まだご相談の内容が届いていません。文章か写真をお送りください。"
}

// ConsultPhotoFailed says a photo could not be fetched from LINE.
func (w Words) ConsultPhotoFailed() string {
	return "申し訳ありません。写真をうまく受け取れませんでした。お手数ですが、もう一度お送りいただくか、文章で様子をお知らせください。"
}

// ConsultMediaNotKept answers a video, voice message or file in the
// question: only texts and photos are kept.
func (w Words) ConsultMediaNotKept() string {
	return "申し訳ありません。動画や音声はお預かりできません。写真か文章でお送りください。"
}

// ConsultTooManyParts says the question is full and should be sent.
func (w Words) ConsultTooManyParts() string {
	return fmt.Sprintf("ひとつのご相談にお送りいただける数がいっぱいになりました。「%s」を押して、いったん助産師にお送りください。", Send)
}

// ConsultSent acknowledges a question she sent, with when midwives read
// it: the answer window of consult.NextAnswerTime (ok false when the
// facility has no answer days at all). urgent adds the numbers not to wait
// for.
func (w Words) ConsultSent(window consult.AnswerWindow, ok bool, now time.Time, urgent bool) string {
	return "ご相談を助産師にお送りしました。ありがとうございます。\n\n" + w.consultWhen(window, ok, now, urgent)
}

// ConsultSentAfterPause is the push that acknowledges a question sent by a
// pause, with when midwives read it.
func (w Words) ConsultSentAfterPause(window consult.AnswerWindow, ok bool, now time.Time, urgent bool) string {
	return "少し時間があいたので、ここまでのご相談を助産師にお送りしました。ありがとうございます。\n\n" +
		w.consultWhen(window, ok, now, urgent) +
		"\n\n続けて送られた内容は、新しいご相談としてお預かりします。"
}

func (w Words) consultWhen(window consult.AnswerWindow, ok bool, now time.Time, urgent bool) string {
	var b strings.Builder
	switch {
	case !ok:
		fmt.Fprintf(&b, "助産師が順番に拝見して、このLINEでお返事します。お急ぎのときはお電話ください。\n%s", w.PhoneLine())
	case window.OpenAt(now):
		fmt.Fprintf(&b, "いまは助産師がお返事する時間です(本日%sまで)。順番に拝見して、このLINEでお返事します。混み合うときは、次のお返事の時間になることがあります。", shortClock(window.End))
	default:
		start := window.Start.In(booking.Tokyo)
		fmt.Fprintf(&b, "いまはお返事の時間外です。%s %sから、助産師が順番に拝見して、このLINEでお返事します。", ButtonDate(booking.DateOf(start)), shortClock(start))
	}
	if urgent {
		b.WriteString("\n\nお急ぎのときは、お返事を待たずに119番へ。迷うときは #7119(救急相談センター・24時間)へお電話ください。")
	}
	return b.String()
}

func shortClock(t time.Time) string {
	t = t.In(booking.Tokyo)
	return fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
}

// ConsultAlreadySent answers 送信 when what she wrote was already sent by
// a pause.
func (w Words) ConsultAlreadySent() string {
	return "ご相談は、すでに助産師にお送りしています。お返事まで、少しお待ちください。"
}

// ConsultAnswer brings her a midwife's answer to the question she sent at
// asked, about topic.
func (w Words) ConsultAnswer(topic consult.Topic, asked time.Time, body string) string {
	about := ""
	if topic != consult.TopicNone {
		about = "「" + topic.Label() + "」の"
	}
	return fmt.Sprintf("助産師からのお返事です。\n(%sに%sご相談をいただいた分)\n\n%s\n\nほかにもご心配があれば、「%s」からいつでもどうぞ。",
		ButtonDate(booking.DateOf(asked)), about, body, Consult)
}
