package bot

import (
	"slices"
	"time"

	"mamasroom/booking"
	"mamasroom/consult"
	"mamasroom/line"
	"mamasroom/words"
)

// replies builds the bot's messages: the words come from package words,
// where every sentence lives; the buttons are made here, since they carry
// the bot's own protocol (postbacks for a session version).
type replies struct {
	f *booking.Facility
	w words.Words
}

func newReplies(f *booking.Facility) replies { return replies{f: f, w: words.New(f)} }

// The commands of the main menu and the labels the flows read back.
const (
	cmdBook       = words.Book
	cmdMyBookings = words.MyBookings
	cmdConsult    = words.Consult
	cmdEligible   = words.Eligible
	cmdInfo       = words.Info
	cmdQuit       = words.Quit
	// cmdAnswerAgain asks the eligibility questions again.
	cmdAnswerAgain = words.AnswerAgain

	labelYes           = words.Yes
	labelNo            = words.No
	labelNone          = words.None
	labelNext          = words.Next
	labelFirstPage     = words.FirstPage
	labelDecide        = words.Decide
	labelChooseOptions = words.ChooseOptions
	labelCallUs        = words.CallUs
	labelMenuBar       = words.MenuBar
	labelSend          = words.Send
	labelSkip          = words.Skip

	labelJoinWaitlist   = words.JoinWaitlist
	labelWaitForFullDay = words.WaitForFullDay
)

// daysPerPage leaves room for 「次へ」 and 「やめる」 within LINE's 13 buttons.
const daysPerPage = line.MaxQuickReplyItems - 2

var buttonDate = words.ButtonDate

func (r replies) menuButtons() []line.Button {
	var buttons []line.Button
	for _, c := range words.MenuCommands() {
		buttons = append(buttons, messageButton(c))
	}
	return buttons
}

func messageButton(label string) line.Button {
	return line.Button{Kind: line.ButtonMessage, Label: label, Text: label}
}

func postbackButton(label string, p Postback) line.Button {
	return line.Button{Kind: line.ButtonPostback, Label: label, Data: p.Encode()}
}

// yesNo are the buttons of a yes/no step.
func yesNo(step string, version int64) []line.Button {
	return []line.Button{
		postbackButton(labelYes, Postback{Step: step, Version: version, Choice: choiceYes}),
		postbackButton(labelNo, Postback{Step: step, Version: version, Choice: choiceNo}),
	}
}

// withMenu puts the main menu under a text.
func (r replies) withMenu(text string) line.Message {
	return line.Message{Text: text, Buttons: r.menuButtons()}
}

// withCall puts a 「電話する」 button that dials the room inside a message
// that suggests a call.
func (r replies) withCall(m line.Message) line.Message {
	m.Calls = append(m.Calls, line.Call{Label: labelCallUs, Number: r.f.Phone})
	return m
}

// withMap puts a 「地図を開く」 button inside a message that gives the
// address.
func (r replies) withMap(m line.Message) line.Message {
	if r.f.MapURL != "" {
		m.Links = append(m.Links, line.Link{Label: words.OpenMap, URI: r.f.MapURL})
	}
	return m
}

func (r replies) greeting() []line.Message {
	return []line.Message{r.withMenu(r.w.Greeting())}
}

func (r replies) help() line.Message        { return r.withCall(r.withMenu(r.w.Help())) }
func (r replies) quit() line.Message        { return r.withMenu(r.w.Quit()) }
func (r replies) flowExpired() line.Message { return r.withMenu(r.w.FlowExpired()) }
func (r replies) staleButton() string       { return r.w.StaleButton() }
func (r replies) notUnderstoodInStep() string {
	return r.w.NotUnderstoodInStep()
}
func (r replies) sticker() line.Message      { return r.withMenu(r.w.Sticker()) }
func (r replies) thanksForSticker() string   { return r.w.ThanksForSticker() }
func (r replies) mediaNotRead() line.Message { return r.withMenu(r.w.MediaNotRead()) }
func (r replies) mediaNotReadInStep() string { return r.w.MediaNotReadInStep() }
func (r replies) somethingWentWrong() line.Message {
	return r.withCall(r.withMenu(r.w.SomethingWentWrong()))
}

// info answers アクセス・持ち物 in two bubbles: what she needs (with the
// map and the phone), then the day's schedule.
func (r replies) info() []line.Message {
	return []line.Message{
		r.withCall(r.withMap(line.Message{Text: r.w.InfoEssentials()})),
		r.withMenu(r.w.InfoSchedule()),
	}
}

// withMenuKept puts the main menu under a message, keeping its buttons.
func (r replies) withMenuKept(m line.Message) line.Message {
	m.Buttons = r.menuButtons()
	return m
}

// The answers to a question typed in her own words (場所, 持ち物, ...).
func (r replies) place() line.Message       { return r.withMap(line.Message{Text: r.w.Place()}) }
func (r replies) whatToBring() line.Message { return line.Message{Text: r.w.WhatToBring()} }
func (r replies) fee() line.Message         { return line.Message{Text: r.w.Fee()} }
func (r replies) phone() line.Message       { return r.withCall(line.Message{Text: r.w.PhoneAnswer()}) }

// Eligibility.

func (r replies) askResident(version int64) line.Message {
	return line.Message{Text: r.w.AskResident(), Buttons: append(yesNo(stepResident, version), messageButton(cmdQuit))}
}

// askResidentBeforeBooking is the first question when she wants to book
// before we know whether she may.
func (r replies) askResidentBeforeBooking(version int64) line.Message {
	return line.Message{Text: r.w.AskResidentBeforeBooking(), Buttons: append(yesNo(stepResident, version), messageButton(cmdQuit))}
}

// birthdayButtons offer LINE's date picker, from a year ago to today. It
// opens a month back, not on today: a tired thumb pressing 決定 at once
// must not say her baby was born today.
func (r replies) birthdayButtons(version int64, today booking.Date) []line.Button {
	return []line.Button{
		{Kind: line.ButtonDate, Label: words.ChooseBirthday, Data: Postback{Step: stepBirthday, Version: version}.Encode(),
			Initial: today.AddMonths(-1).String(), Min: today.AddMonths(-12).String(), Max: today.String()},
		messageButton(cmdQuit),
	}
}

func (r replies) askBirthday(version int64, today booking.Date) line.Message {
	return line.Message{Text: r.w.AskBirthday(), Buttons: r.birthdayButtons(version, today)}
}

func (r replies) birthdayNotADate(version int64, today booking.Date) line.Message {
	return line.Message{Text: r.w.BirthdayNotADate(), Buttons: r.birthdayButtons(version, today)}
}

func (r replies) birthdayInFuture(version int64, today booking.Date) line.Message {
	return line.Message{Text: r.w.BirthdayInFuture(), Buttons: r.birthdayButtons(version, today)}
}

func (r replies) thanksForAnswer() string { return r.w.ThanksForAnswer() }

// withAnswerAgain puts 「答え直す」 first under an answer to her
// eligibility answers, then the menu.
func (r replies) withAnswerAgain(text string) line.Message {
	m := r.withMenu(text)
	m.Buttons = append([]line.Button{messageButton(cmdAnswerAgain)}, m.Buttons...)
	return m
}

func (r replies) notResident() line.Message {
	return r.withCall(r.withAnswerAgain(r.w.NotResident()))
}

// eligible is the note above the days when she goes on to booking.
func (r replies) eligible(lastDay, lastOpen booking.Date) string {
	return r.w.Eligible(lastDay, lastOpen)
}

func (r replies) eligibleMenu(lastDay, lastOpen booking.Date) line.Message {
	return r.withAnswerAgain(r.w.EligibleMenu(lastDay, lastOpen))
}

func (r replies) babyTooOld(lastDay booking.Date) line.Message {
	return r.withCall(r.withAnswerAgain(r.w.BabyTooOld(lastDay)))
}

func (r replies) noDayLeft(lastDay booking.Date) line.Message {
	return r.withCall(r.withMenu(r.w.NoDayLeft(lastDay)))
}

// Booking.

// pickDay offers the bookable days, a page at a time; note, when given,
// says first why she is choosing again. wait, when given, labels a button
// that asks for the waitlist (choiceWaitlist); a page then holds one day
// fewer.
func (r replies) pickDay(version int64, days []booking.Date, page int, note, wait string) line.Message {
	perPage := daysPerPage
	if wait != "" {
		perPage--
	}
	start := min(page*perPage, len(days))
	end := min(start+perPage, len(days))
	buttons := make([]line.Button, 0, daysPerPage+2)
	for _, d := range days[start:end] {
		buttons = append(buttons, postbackButton(buttonDate(d), Postback{Step: stepDay, Version: version, Choice: d.String()}))
	}
	if end < len(days) {
		buttons = append(buttons, postbackButton(labelNext, Postback{Step: stepDay, Version: version, Choice: choicePage, Page: page + 1}))
	} else if page > 0 {
		buttons = append(buttons, postbackButton(labelFirstPage, Postback{Step: stepDay, Version: version, Choice: choicePage}))
	}
	if wait != "" {
		buttons = append(buttons, postbackButton(wait, Postback{Step: stepDay, Version: version, Choice: choiceWaitlist}))
	}
	buttons = append(buttons, messageButton(cmdQuit))
	text := r.w.PickDay(days, page, perPage, note)
	if len(days) == 0 {
		text = note // no day to pick: the note says what she can do
	}
	return line.Message{Text: text, Buttons: buttons}
}

func (r replies) dayJustFilled(d booking.Date) string   { return r.w.DayJustFilled(d) }
func (r replies) dayNoLongerOpen(d booking.Date) string { return r.w.DayNoLongerOpen(d) }
func (r replies) dayNotOffered() string                 { return r.w.DayNotOffered() }
func (r replies) noBookableDays() line.Message {
	return r.withCall(r.withMenu(r.w.NoBookableDays()))
}

// pickOptions offers the options with room she has not chosen yet, then
// 「なし」, or 「これで決定」 once she has chosen one; full are those
// with no room left that day.
func (r replies) pickOptions(version int64, offered []booking.OptionSetting, chosen, full []booking.Option) line.Message {
	buttons := []line.Button{}
	for _, o := range offered {
		if slices.Contains(chosen, o.Option) {
			continue
		}
		buttons = append(buttons, postbackButton(o.Label, Postback{Step: stepOptions, Version: version, Choice: string(o.Option)}))
	}
	done := labelNone
	if len(chosen) > 0 {
		done = labelDecide
	}
	buttons = append(buttons, postbackButton(done, Postback{Step: stepOptions, Version: version, Choice: choiceNone}), messageButton(cmdQuit))
	return line.Message{Text: r.w.PickOptions(chosen, full), Buttons: buttons}
}

// confirmBooking asks for her yes; the yes carries the step's key, so the
// booking it makes is made once however often it comes. moreOptions puts
// 「オプションを選ぶ」 between yes and no, while an option she has not
// chosen has room.
func (r replies) confirmBooking(version int64, key string, day booking.Date, opts []booking.Option, moreOptions bool) line.Message {
	buttons := yesNo(stepConfirm, version)
	buttons[0] = postbackButton(labelYes, Postback{Step: stepConfirm, Version: version, Choice: choiceYes, Key: key})
	if moreOptions {
		buttons = slices.Insert(buttons, 1, postbackButton(labelChooseOptions, Postback{Step: stepConfirm, Version: version, Choice: choiceOptions}))
	}
	return line.Message{Text: r.w.ConfirmBooking(day, opts), Buttons: buttons}
}

func (r replies) booked(b *booking.Booking) line.Message {
	return r.withMap(r.withMenu(r.w.Booked(b)))
}
func (r replies) bookingNotMade() line.Message         { return r.withMenu(r.w.BookingNotMade()) }
func (r replies) optionJustFilled() string             { return r.w.OptionJustFilled() }
func (r replies) cancelButton(day booking.Date) string { return words.CancelButton(day) }

func (r replies) alreadyBookedThatDay(day booking.Date) line.Message {
	return r.withMenu(r.w.AlreadyBookedThatDay(day))
}

func (r replies) visitLimitReached() line.Message {
	return r.withCall(r.withMenu(r.w.VisitLimitReached()))
}

// My bookings.

func (r replies) noBookings() line.Message { return r.withMenu(r.w.NoBookings()) }

// bookingList lists her bookings, each cancellable one with its button,
// then the days she waits for, each with a button that ends the wait.
func (r replies) bookingList(version int64, list []booking.Booking, cancellable func(booking.Booking) bool, waits []booking.WaitlistEntry, now time.Time) line.Message {
	var buttons []line.Button
	for _, bk := range list {
		if cancellable(bk) && len(buttons) < line.MaxQuickReplyItems-2 {
			buttons = append(buttons, postbackButton(r.cancelButton(bk.Day), Postback{Step: stepPickCancel, Version: version, Choice: bk.Number}),
				r.changeButton(version, bk))
		}
	}
	var text string
	if len(list) > 0 {
		text = r.w.BookingList(list, cancellable, len(buttons) > 0)
	} else {
		text = r.w.NoBookings()
	}
	if len(waits) > 0 {
		text += "\n\n" + r.w.Waitlists(waits, now)
	}
	for _, e := range waits {
		if len(buttons) < line.MaxQuickReplyItems-1 {
			buttons = append(buttons, postbackButton(words.LeaveWaitlistButton(e.Day), Postback{Step: stepPickCancel, Version: version, Entry: e.ID}))
		}
	}
	m := line.Message{Text: text, Buttons: append(buttons, messageButton(cmdBook))}
	if slices.ContainsFunc(list, func(bk booking.Booking) bool { return !cancellable(bk) }) {
		m = r.withCall(m) // a late booking is cancelled by phone
	}
	return m
}

func (r replies) confirmCancel(version int64, bk *booking.Booking) line.Message {
	return line.Message{Text: r.w.ConfirmCancel(bk), Buttons: yesNo(stepConfirmCancel, version)}
}

func (r replies) cancelled(bk *booking.Booking) line.Message { return r.withMenu(r.w.Cancelled(bk)) }
func (r replies) cancelKept() line.Message                   { return r.withMenu(r.w.CancelKept()) }
func (r replies) cancelTooLate(bk *booking.Booking) line.Message {
	return r.withCall(r.withMenu(r.w.CancelTooLate(bk)))
}
func (r replies) bookingGone() line.Message { return r.withMenu(r.w.BookingGone()) }

// Waitlist.

// pickFullDay offers the full days she may wait for.
func (r replies) pickFullDay(version int64, days []booking.Date, note string) line.Message {
	buttons := make([]line.Button, 0, daysPerPage+1)
	for _, d := range days[:min(len(days), daysPerPage)] {
		buttons = append(buttons, postbackButton(buttonDate(d), Postback{Step: stepWaitDay, Version: version, Choice: d.String()}))
	}
	buttons = append(buttons, messageButton(cmdQuit))
	return line.Message{Text: r.w.PickFullDay(note), Buttons: buttons}
}

func (r replies) waitlistHint() string                    { return r.w.WaitlistHint() }
func (r replies) dayFilledNoneNear(d booking.Date) string { return r.w.DayFilledNoneNear(d) }
func (r replies) noBookableDaysButWaitlist() string       { return r.w.NoBookableDaysButWaitlist() }
func (r replies) dayHasRoomNow(d booking.Date) string     { return r.w.DayHasRoomNow(d) }

func (r replies) noFullDayToWait() line.Message { return r.withMenu(r.w.NoFullDayToWait()) }
func (r replies) waitlistJoined(day booking.Date) line.Message {
	return r.withMenu(r.w.WaitlistJoined(day))
}
func (r replies) alreadyWaiting(day booking.Date) line.Message {
	return r.withMenu(r.w.AlreadyWaiting(day))
}
func (r replies) leftWaitlist(day booking.Date) line.Message {
	return r.withMenu(r.w.LeftWaitlist(day))
}

// waitlistOffer is the push that offers her a freed place. Its buttons
// name the offer, not her session: they work whenever she taps them.
func (r replies) waitlistOffer(o booking.Offer) line.Message {
	sent := o.ExpiresAt
	if o.Entry.OfferedAt != nil {
		sent = *o.Entry.OfferedAt
	}
	return line.Message{
		Text: r.w.WaitlistOffer(o.Entry.Day, o.ExpiresAt, sent, o.Paused),
		Buttons: []line.Button{
			postbackButton(words.AcceptOffer, Postback{Step: stepOffer, Entry: o.Entry.ID, Choice: choiceYes}),
			postbackButton(words.DeclineOffer, Postback{Step: stepOffer, Entry: o.Entry.ID, Choice: choiceNo}),
		},
	}
}

func (r replies) offerTaken(day booking.Date) line.Message { return r.withMenu(r.w.OfferTaken(day)) }
func (r replies) offerExpired(day booking.Date) line.Message {
	return r.withMenu(r.w.OfferExpired(day))
}
func (r replies) offerEnded(day booking.Date) line.Message { return r.withMenu(r.w.OfferEnded(day)) }
func (r replies) offerDeclined(day booking.Date) line.Message {
	return r.withMenu(r.w.OfferDeclined(day))
}

// Safety.

// safety answers one concern found in her message, with buttons that dial
// the numbers it names.
func (r replies) safety(c consult.Concern, now time.Time) line.Message {
	text, calls := r.w.Safety(c, now)
	msg := line.Message{Text: text}
	for _, call := range calls {
		msg.Calls = append(msg.Calls, line.Call{Label: call.Label, Number: call.Number})
	}
	return msg
}

func (r replies) safetyAgain() line.Message { return line.Message{Text: r.w.SafetyAgain()} }
func (r replies) flowCanWait() string       { return r.w.FlowCanWait() }

// Consultation.

func (r replies) askHealthConsent(version int64) line.Message {
	return line.Message{Text: r.w.ConsultAskConsent(), Buttons: append(yesNo(stepHealthConsent, version), messageButton(cmdQuit))}
}

func (r replies) noHealthConsent() line.Message {
	return r.withCall(r.withMenu(r.w.ConsultNoConsent()))
}

// pickTopic offers the topics, スキップ and やめる.
func (r replies) pickTopic(version int64) line.Message {
	var buttons []line.Button
	for _, topic := range consult.Topics() {
		buttons = append(buttons, postbackButton(topic.Label(), Postback{Step: stepTopic, Version: version, Choice: string(topic)}))
	}
	buttons = append(buttons, postbackButton(labelSkip, Postback{Step: stepTopic, Version: version, Choice: choiceNone}), messageButton(cmdQuit))
	return line.Message{Text: r.w.ConsultPickTopic(), Buttons: buttons}
}

// questionButtons are under every answer while she writes: 送信 is a
// message button, so that typing 送信 does the same.
func questionButtons() []line.Button {
	return []line.Button{messageButton(labelSend), messageButton(cmdQuit)}
}

func (r replies) writeQuestion(topic consult.Topic) line.Message {
	return line.Message{Text: r.w.ConsultWriteQuestion(topic, consultPause), Buttons: []line.Button{messageButton(cmdQuit)}}
}

func (r replies) partsKept(texts, photos int) line.Message {
	return line.Message{Text: r.w.ConsultPartsKept(texts, photos), Buttons: questionButtons()}
}

func (r replies) questionSent(window consult.AnswerWindow, ok bool, now time.Time, urgent bool) line.Message {
	return r.withMenu(r.w.ConsultSent(window, ok, now, urgent))
}

func (r replies) questionSentAfterPause(window consult.AnswerWindow, ok bool, now time.Time, urgent bool) line.Message {
	return r.withMenu(r.w.ConsultSentAfterPause(window, ok, now, urgent))
}

func (r replies) questionAlreadySent() line.Message { return r.withMenu(r.w.ConsultAlreadySent()) }
func (r replies) nothingWrittenYet() string         { return r.w.ConsultNothingYet() }
func (r replies) photoFailed() string               { return r.w.ConsultPhotoFailed() }
func (r replies) mediaNotKept() string              { return r.w.ConsultMediaNotKept() }
func (r replies) tooManyParts() string              { return r.w.ConsultTooManyParts() }

func (r replies) consultAnswer(q *consult.Question) line.Message {
	asked := q.CreatedAt
	if q.SubmittedAt != nil {
		asked = *q.SubmittedAt
	}
	return r.withMenu(r.w.ConsultAnswer(q.Topic, asked, q.Answer.Body))
}
