// Package words holds every Japanese sentence mamasroom says to a mother,
// so that all of them speak in one voice: short, warm and polite (です・ます),
// and never a dead end — each answer tells her what she can do next.
//
// The bot's replies, the reminders, the answers to a consultation and the
// notices staff send from the console all take their sentences from here, so
// a change of wording is made, and reviewed, once. testdata/every_text.golden
// shows every sentence as she reads it; read it when you change a word.
//
// The package is pure: functions of domain values (a facility's settings,
// dates, bookings, a red-flag concern and the time). It knows nothing of LINE,
// buttons, postbacks or sessions, and does no I/O. Callers add the buttons:
// the labels are here as constants, what they do is the caller's business.
package words

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"mamasroom/booking"
)

// The commands of the main menu, as CONTRACT.md names them. Each is both a
// button's label and the text the button sends.
const (
	Book       = "予約する"
	MyBookings = "予約の確認"
	Consult    = "ちょっと聞いてください"
	Eligible   = "ご利用条件"
	Info       = "アクセス・持ち物"
	// Quit leaves the current flow; it is under every question, not in the menu.
	Quit = "やめる"
)

// Button labels.
const (
	Yes  = "はい"
	No   = "いいえ"
	None = "なし"
	// Next shows the next page of days.
	Next = "次へ"
	// FirstPage takes her from the last page of days back to the first.
	FirstPage = "最初の日へ"
	// ChooseBirthday opens the date picker for the baby's birthday.
	ChooseBirthday = "お誕生日を選ぶ"
	// CallUs dials the room: the rich menu's phone tile, and the button
	// inside every answer that suggests a call.
	CallUs = "電話する"
	// Decide ends the choice of options once she has chosen one.
	Decide = "これで決定"
	// ChooseOptions, under the booking's summary, leads to the options.
	ChooseOptions = "オプションを選ぶ"
	// AnswerAgain asks the eligibility questions again, for a mis-tapped
	// answer or a wrong birthday.
	AnswerAgain = "答え直す"
	// OpenMap opens the room's place on a map.
	OpenMap = "地図を開く"
	// MenuBar is the bar that opens the rich menu.
	MenuBar = "メニュー"
)

// MenuCommands lists the main menu's commands in the order she sees them.
func MenuCommands() []string {
	return []string{Book, MyBookings, Consult, Eligible, Info}
}

// Words builds the sentences for one facility: its name, phone, address,
// fee, open weekdays, cancel deadline and visit limit appear in them.
type Words struct {
	f *booking.Facility
}

// New returns the sentences of facility f.
func New(f *booking.Facility) Words {
	return Words{f: f}
}

// OpenDays lists the open weekdays from Monday: 月・火・木・金.
func (w Words) OpenDays() string {
	var days []string
	for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		if slices.Contains(w.f.OpenWeekdays, wd) {
			days = append(days, weekdayKanji[wd])
		}
	}
	return strings.Join(days, "・")
}

// CancelDeadline says when cancelling in LINE closes: 前日17:00.
func (w Words) CancelDeadline() string {
	clock := fmt.Sprintf("%d:%02d", w.f.CancelHour, w.f.CancelMinute)
	switch w.f.CancelDaysBefore {
	case 0:
		return "当日" + clock
	case 1:
		return "前日" + clock
	default:
		return fmt.Sprintf("%d日前の%s", w.f.CancelDaysBefore, clock)
	}
}

// PhoneLine is the room's number and when someone there answers it, as
// it closes every answer that suggests a call:
// お電話: 03-6413-8435(ママズルーム 月・火・木・金 10:00〜18:00).
func (w Words) PhoneLine() string {
	return fmt.Sprintf("お電話: %s(%s %s)", w.f.Phone, w.f.Name, w.PhoneHours())
}

// PhoneHours is when the room answers its phone: its open days, in its
// hours (roomAnswersPhone). Holidays and 年末年始 are said where there is
// room for them (PhoneAnswer).
func (w Words) PhoneHours() string {
	return fmt.Sprintf("%s %d:00〜%d:00", w.OpenDays(), openHour, closeHour)
}

// OptionLabels names the options as the facility labels them, 、-separated,
// or なし. An option the facility no longer offers is left out.
func (w Words) OptionLabels(opts []booking.Option) string {
	if len(opts) == 0 {
		return None
	}
	labels := make([]string, 0, len(opts))
	for _, o := range opts {
		if s, ok := w.f.Option(o); ok {
			labels = append(labels, s.Label)
		}
	}
	return strings.Join(labels, "、")
}
