package words

import (
	"fmt"
	"strings"
	"time"

	"mamasroom/booking"
	"mamasroom/consult"
)

// Safety answers come before any flow, so they are short: she may be
// holding a baby who is not well. The numbers and their hours live in
// consult, with their sources.

// Call is a number to offer as a button that dials it.
type Call struct {
	Label  string
	Number string
}

// Safety answers one concern found in her message, with the numbers that
// help at this hour; the caller offers calls as buttons that dial them.
func (w Words) Safety(c consult.Concern, now time.Time) (text string, calls []Call) {
	now = now.In(booking.Tokyo)
	roomOpen := w.roomAnswersPhone(now)
	var b strings.Builder
	switch c {
	case consult.MotherCrisis:
		b.WriteString("つらい気持ちを教えてくださって、ありがとうございます。あなたはひとりではありません。\n\n")
		b.WriteString("いま危ないと感じたら、すぐに119番へ。\n")
		fmt.Fprintf(&b, "気持ちを聞いてもらえる電話があります。\n・%s %s(24時間)\n・%s %s\n・%s\n",
			consult.AroundTheClock.Name, consult.AroundTheClock.Number,
			consult.MentalHealth.Name, consult.MentalHealth.Number, consult.WardHealthOffice.Name)
		calls = append(calls, hotlineCall("よりそいホットラインに電話", consult.AroundTheClock),
			hotlineCall("こころの相談に電話", consult.MentalHealth), hotlineCall("119に電話", consult.Ambulance))
		if roomOpen {
			fmt.Fprintf(&b, "・%s %s(いまお電話いただけます)\n", w.f.Name, w.f.Phone)
			calls = append(calls, Call{Label: w.f.Name + "に電話", Number: w.f.Phone})
		}
	case consult.MotherBody:
		b.WriteString("お体がとても心配です。\n\n")
		b.WriteString("大量の出血、激しい頭痛、高い熱、乳房の強い痛みは、早めの受診が必要なことがあります。\n")
		b.WriteString("つらいとき・急ぐときは、迷わず119番へ。\n")
		fmt.Fprintf(&b, "救急車を呼ぶか迷うときは %s(%s・24時間)へ。\n", consult.EmergencyAdvice.Number, consult.EmergencyAdvice.Name)
		b.WriteString("出産された病院にもご連絡ください。\n")
		calls = append(calls, hotlineCall("119に電話", consult.Ambulance), hotlineCall("#7119に電話", consult.EmergencyAdvice))
	default: // consult.BabyEmergency
		b.WriteString("赤ちゃんのご様子が心配ですね。\n\n")
		b.WriteString("ぐったりしている、息が苦しそう、けいれん、顔色や唇の色が悪いときは、すぐに119番へ。\n")
		fmt.Fprintf(&b, "救急車を呼ぶか迷うときは %s(%s・24時間)へ。\n", consult.EmergencyAdvice.Number, consult.EmergencyAdvice.Name)
		calls = append(calls, hotlineCall("119に電話", consult.Ambulance), hotlineCall("#7119に電話", consult.EmergencyAdvice))
		if consult.ChildHealth.OpenAt(now, holidayOrYearEnd) {
			fmt.Fprintf(&b, "いまの時間は %s(%s)でも相談できます。\n", consult.ChildHealth.Number, consult.ChildHealth.Name)
			calls = append(calls, hotlineCall("#8000に電話", consult.ChildHealth))
		}
		if roomOpen {
			// The number is the room's, beside the clinic: say whose it is.
			fmt.Fprintf(&b, "いまの時間は %s(%s)にもお電話いただけます。\n", w.f.Phone, w.f.Name)
			calls = append(calls, Call{Label: w.f.Name + "に電話", Number: w.f.Phone})
		}
	}
	return strings.TrimSuffix(b.String(), "\n"), calls
}

// SafetyAgain answers the same red flag sent again within a minute: the
// numbers are right above, and a second long answer would bury them.
func (w Words) SafetyAgain() string {
	return "受け取りました。お電話の番号は、すぐ上のメッセージにあります。"
}

// ShortSafetyLine goes under answers to what the bot cannot read (a photo,
// a voice message): it may have been a call for help.
func (w Words) ShortSafetyLine() string {
	return "赤ちゃんの様子が急に心配なときは、迷わず119番へ。夜間・休日は #8000(子供の健康相談室)でも相談できます。"
}

// FlowCanWait opens the flow's question again after a safety answer.
func (w Words) FlowCanWait() string {
	return "続きは、落ち着いてからで大丈夫です。"
}

// roomAnswersPhone reports whether someone at the room picks up at now: an
// open day, in opening hours. A staff closure is not known here, and a call
// on such a day reaches the clinic's answering message, not silence.
func (w Words) roomAnswersPhone(now time.Time) bool {
	return w.f.IsOpen(booking.DateOf(now), nil) && now.Hour() >= openHour && now.Hour() < closeHour
}

// The room's hours, as CONTRACT.md gives them.
const (
	openHour  = 10
	closeHour = 18
)

func hotlineCall(label string, h consult.Hotline) Call {
	return Call{Label: label, Number: h.Number}
}

// holidayOrYearEnd is when Tokyo's #8000 keeps its weekend hours.
func holidayOrYearEnd(t time.Time) bool {
	d := booking.DateOf(t)
	_, holiday := booking.HolidayName(d)
	return holiday || booking.IsYearEnd(d)
}
