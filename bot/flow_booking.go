package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/booking"
	"mamasroom/line"
	"mamasroom/words"
)

// The booking flow (予約する): a day, then options, then a yes.

func init() {
	addSteps(flowBooking, map[string]step{
		stepDay: {
			prompt: func(t *turn, ctx context.Context, note string) ([]line.Message, error) {
				return t.showDays(ctx, t.sess.Page, note)
			},
			onText: (*turn).onDayText,
			onPostback: func(t *turn, ctx context.Context, p Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
				switch p.Choice {
				case choicePage:
					return t.showDays(ctx, p.Page, "")
				case choiceWaitlist:
					return t.onWaitlistChoice(ctx)
				}
				d, err := booking.ParseDate(p.Choice)
				if err != nil {
					return t.reprompt(ctx, t.say.notUnderstoodInStep())
				}
				return t.onDay(ctx, d)
			},
		},
		stepOptions: {
			prompt: func(t *turn, ctx context.Context, note string) ([]line.Message, error) {
				msgs, err := t.promptOptions(ctx)
				return withNote(note, msgs), err
			},
			onText: (*turn).onOptionText,
			onPostback: func(t *turn, ctx context.Context, p Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
				return t.onOption(ctx, p.Choice)
			},
		},
		stepConfirm: confirmStep(),
	})
}

// choiceOptions, at the confirm step, leads to the options.
const choiceOptions = "options"

// confirmStep is a yes/no step whose third answer, 「オプションを選ぶ」,
// tapped or typed, leads to the options and back.
func confirmStep() step {
	st := yesNoStep(func(t *turn, ctx context.Context, note string) ([]line.Message, error) {
		msgs, err := t.promptConfirm(ctx)
		return withNote(note, msgs), err
	}, (*turn).onConfirmBooking)
	yesNoText, yesNoPostback := st.onText, st.onPostback
	st.onText = func(t *turn, ctx context.Context, text string) ([]line.Message, error) {
		if text == labelChooseOptions {
			return t.promptOptions(ctx)
		}
		return yesNoText(t, ctx, text)
	}
	st.onPostback = func(t *turn, ctx context.Context, p Postback, pb *webhook.PostbackContent) ([]line.Message, error) {
		if p.Choice == choiceOptions {
			return t.promptOptions(ctx)
		}
		return yesNoPostback(t, ctx, p, pb)
	}
	return st
}

// promptConfirm asks her to confirm the day and the options chosen, with
// 「オプションを選ぶ」 while an option she has not chosen has room.
func (t *turn) promptConfirm(ctx context.Context) ([]line.Message, error) {
	day, chosen := t.sessDay(), t.sessOptions()
	offered, err := t.service.OptionsWithRoom(ctx, t.facility, day)
	if err != nil {
		return nil, err
	}
	more := slices.ContainsFunc(offered, func(o booking.OptionSetting) bool { return !slices.Contains(chosen, o.Option) })
	t.sess.Step = stepConfirm
	return []line.Message{t.say.confirmBooking(t.version, t.confirmKey(), day, chosen, more)}, nil
}

func (t *turn) startBooking(ctx context.Context) ([]line.Message, error) {
	t.sess.ClearFlow()
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	elig, answered := t.service.EligibilityOf(m)
	if !answered {
		return t.startEligibility(true), nil
	}
	switch elig.Reason {
	case booking.NotResident:
		return []line.Message{t.say.notResident()}, nil
	case booking.BabyTooOld:
		return []line.Message{t.say.babyTooOld(elig.LastDay)}, nil
	}
	if !elig.OK() {
		// Her stored answers no longer make sense (a birthday in the future):
		// ask again rather than guess.
		return t.startEligibility(true), nil
	}
	return t.continueBooking(ctx, elig)
}

// continueBooking starts the day choice for an eligible mother.
func (t *turn) continueBooking(ctx context.Context, elig booking.Eligibility) ([]line.Message, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	switch err := t.service.CheckVisitLimit(ctx, t.facility, m); {
	case errors.Is(err, booking.ErrVisitLimit):
		t.sess.ClearFlow()
		return []line.Message{t.say.visitLimitReached()}, nil
	case errors.Is(err, booking.ErrUpcomingLimit):
		t.sess.ClearFlow()
		return []line.Message{t.say.upcomingLimitReached()}, nil
	case err != nil:
		return nil, err
	}
	t.sess.Flow, t.sess.Step = flowBooking, stepDay
	return t.showDays(ctx, 0, "")
}

// bookableDays lists every day she can book now, in order: open, with
// room, within the window and her eligibility, and not already hers.
func (t *turn) bookableDays(ctx context.Context) ([]booking.Date, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	elig, _ := t.service.EligibilityOf(m)
	first, _ := t.facility.BookingWindow(t.now)
	days, err := t.service.BookableDays(ctx, t.facility, elig, first, 400)
	if err != nil {
		return nil, err
	}
	return t.withoutHerDays(ctx, days)
}

// withoutHerDays drops the days she has already booked.
func (t *turn) withoutHerDays(ctx context.Context, days []booking.Date) ([]booking.Date, error) {
	mine, err := t.upcoming(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(days, func(d booking.Date) bool {
		return slices.ContainsFunc(mine, func(b booking.Booking) bool { return b.Day == d })
	}), nil
}

// bookingOn returns her active booking of day, nil if she has none.
func (t *turn) bookingOn(ctx context.Context, day booking.Date) (*booking.Booking, error) {
	mine, err := t.upcoming(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range mine {
		if b.Day == day {
			return &b, nil
		}
	}
	return nil, nil
}

func (t *turn) showDays(ctx context.Context, page int, note string) ([]line.Message, error) {
	days, err := t.bookableDays(ctx)
	if err != nil {
		return nil, err
	}
	waitable, err := t.waitableDays(ctx)
	if err != nil {
		return nil, err
	}
	var wait string
	perPage := daysPerPage
	if len(waitable) > 0 {
		wait, perPage = labelWaitForFullDay, daysPerPage-1
	}
	if len(days) == 0 {
		if wait == "" {
			t.sess.ClearFlow()
			return t.noDays(ctx)
		}
		note = t.say.noBookableDaysButWaitlist()
	}
	if page < 0 || page > max(len(days)-1, 0)/perPage {
		page = 0
	}
	t.sess.Flow, t.sess.Step, t.sess.Page, t.sess.Day = flowBooking, stepDay, page, ""
	return []line.Message{t.say.pickDay(t.version, days, page, note, wait)}, nil
}

// noDays answers when no day has room for her: a cancellation may still
// free one, unless her last usable day comes before the room's next open
// day, when nothing can.
func (t *turn) noDays(ctx context.Context) ([]line.Message, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	if elig, _ := t.service.EligibilityOf(m); elig.OK() {
		first, _ := t.facility.BookingWindow(t.now)
		last := lastOpenDay(t.facility, elig.LastDay, t.today())
		if !t.facility.IsOpen(last, nil) || last.Before(first) {
			return []line.Message{t.say.noDayLeft(elig.LastDay)}, nil
		}
	}
	return []line.Message{t.say.noBookableDays()}, nil
}

// showFilled offers the bookable days nearest to a day that just filled,
// and the waitlist of that day, which the session keeps.
func (t *turn) showFilled(ctx context.Context, day booking.Date) ([]line.Message, error) {
	return t.showFilledSaying(ctx, day, t.say.dayJustFilled(day))
}

// showFilledSaying is showFilled after filled, which says that day is full.
func (t *turn) showFilledSaying(ctx context.Context, day booking.Date, filled string) ([]line.Message, error) {
	if !t.service.HasWaitlist() {
		return t.showAlternatives(ctx, day, filled)
	}
	// One day fewer than a page, for the waitlist's button.
	near, err := t.nearDays(ctx, day, daysPerPage-1)
	if err != nil {
		return nil, err
	}
	note := filled + "\n" + t.say.waitlistHint()
	if len(near) == 0 {
		note = t.say.dayFilledNoneNear(day)
	}
	t.sess.Flow, t.sess.Step, t.sess.Page, t.sess.Day, t.sess.Options = flowBooking, stepDay, 0, day.String(), nil
	return []line.Message{t.say.pickDay(t.version, near, 0, note, labelJoinWaitlist)}, nil
}

// nearDays lists the bookable days nearest to day, without hers.
func (t *turn) nearDays(ctx context.Context, day booking.Date, n int) ([]booking.Date, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	elig, _ := t.service.EligibilityOf(m)
	near, err := t.service.NearestBookableDays(ctx, t.facility, elig, day, n)
	if err != nil {
		return nil, err
	}
	return t.withoutHerDays(ctx, near)
}

// showAlternatives offers the bookable days nearest to a day she can no
// longer have.
func (t *turn) showAlternatives(ctx context.Context, day booking.Date, note string) ([]line.Message, error) {
	near, err := t.nearDays(ctx, day, daysPerPage)
	if err != nil {
		return nil, err
	}
	if len(near) == 0 {
		t.sess.ClearFlow()
		return t.noDays(ctx)
	}
	t.sess.Flow, t.sess.Step, t.sess.Page, t.sess.Day, t.sess.Options = flowBooking, stepDay, 0, "", nil
	return []line.Message{t.say.pickDay(t.version, near, 0, note, "")}, nil
}

// onDayText takes a day typed as on its button (12/7(月)), as a date
// (12/7, 12月7日, 2026-12-07, in full- or half-width digits), or from
// today (あした, 来週の月曜), or the paging buttons' words.
func (t *turn) onDayText(ctx context.Context, text string) ([]line.Message, error) {
	switch text {
	case labelNext:
		return t.showDays(ctx, t.sess.Page+1, "")
	case labelFirstPage:
		return t.showDays(ctx, 0, "")
	case labelJoinWaitlist, labelWaitForFullDay:
		if t.service.HasWaitlist() {
			return t.onWaitlistChoice(ctx)
		}
	}
	days, err := t.bookableDays(ctx)
	if err != nil {
		return nil, err
	}
	if d, ok := typedDay(text, days, t.today()); ok {
		return t.chooseDay(ctx, d, days)
	}
	return t.reprompt(ctx, t.say.dayNotOffered())
}

func (t *turn) onDay(ctx context.Context, day booking.Date) ([]line.Message, error) {
	days, err := t.bookableDays(ctx)
	if err != nil {
		return nil, err
	}
	return t.chooseDay(ctx, day, days)
}

// chooseDay takes day if it is still among the bookable days.
func (t *turn) chooseDay(ctx context.Context, day booking.Date, bookable []booking.Date) ([]line.Message, error) {
	if !slices.Contains(bookable, day) {
		full, err := t.service.IsFull(ctx, t.facility, day)
		if err != nil {
			return nil, err
		}
		if full {
			return t.showFilled(ctx, day)
		}
		return t.reprompt(ctx, t.say.dayNotOffered())
	}
	t.sess.Day, t.sess.Options = day.String(), nil
	return t.promptConfirm(ctx)
}

// promptOptions asks for options that still have room, naming those that
// have none, or goes back to the summary when none is left to choose.
func (t *turn) promptOptions(ctx context.Context) ([]line.Message, error) {
	day := t.sessDay()
	offered, err := t.service.OptionsWithRoom(ctx, t.facility, day)
	if err != nil {
		return nil, err
	}
	chosen := t.sessOptions()
	remaining := slices.DeleteFunc(slices.Clone(offered), func(o booking.OptionSetting) bool {
		return slices.Contains(chosen, o.Option)
	})
	if len(remaining) == 0 {
		return t.promptConfirm(ctx)
	}
	var full []booking.Option
	for _, o := range t.facility.Options {
		if !slices.ContainsFunc(offered, func(s booking.OptionSetting) bool { return s.Option == o.Option }) {
			full = append(full, o.Option)
		}
	}
	t.sess.Step = stepOptions
	return []line.Message{t.say.pickOptions(t.version, offered, chosen, full)}, nil
}

func (t *turn) onOptionText(ctx context.Context, text string) ([]line.Message, error) {
	if text == labelNone || text == labelDecide {
		return t.onOption(ctx, choiceNone)
	}
	for _, o := range t.facility.Options {
		if o.Label == text {
			return t.onOption(ctx, string(o.Option))
		}
	}
	return t.reprompt(ctx, t.say.notUnderstoodInStep())
}

func (t *turn) onOption(ctx context.Context, choice string) ([]line.Message, error) {
	if choice == choiceNone {
		return t.promptConfirm(ctx)
	}
	option := booking.Option(choice)
	if _, ok := t.facility.Option(option); ok && !slices.Contains(t.sess.Options, choice) {
		t.sess.Options = append(t.sess.Options, choice)
	}
	return t.promptOptions(ctx)
}

func (t *turn) onConfirmBooking(ctx context.Context, yes bool) ([]line.Message, error) {
	if !yes {
		t.sess.ClearFlow()
		return []line.Message{t.say.bookingNotMade()}, nil
	}
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	day := t.sessDay()
	b, err := t.service.BookConfirmed(ctx, t.facility, m, t.sess.ConfirmKey, day, t.sessOptions())
	switch {
	case err == nil:
		t.sess.ClearFlow()
		return t.bookedWithMore(ctx, b)
	case errors.Is(err, booking.ErrFull):
		return t.showFilled(ctx, day)
	case errors.Is(err, booking.ErrOptionFull):
		t.sess.Options = nil
		msgs, err := t.promptOptions(ctx)
		if err != nil {
			return nil, err
		}
		msgs[0].Text = t.say.optionJustFilled() + "\n\n" + msgs[0].Text
		return msgs, nil
	case errors.Is(err, booking.ErrAlreadyBooked):
		t.sess.ClearFlow()
		// Days she has booked are not offered, so this is this very step
		// run again after its answer was lost (a retry), or a second phone
		// that got there first: either way she gets the confirmation.
		b, err := t.bookingOn(ctx, day)
		if err != nil {
			return nil, err
		}
		if b != nil {
			return []line.Message{t.say.booked(b)}, nil
		}
		return []line.Message{t.say.alreadyBookedThatDay(day)}, nil
	case errors.Is(err, booking.ErrVisitLimit):
		t.sess.ClearFlow()
		return []line.Message{t.say.visitLimitReached()}, nil
	case errors.Is(err, booking.ErrUpcomingLimit):
		t.sess.ClearFlow()
		return []line.Message{t.say.upcomingLimitReached()}, nil
	case errors.Is(err, booking.ErrClosed), errors.Is(err, booking.ErrOutsideWindow), errors.Is(err, booking.ErrNotEligible):
		return t.showAlternatives(ctx, day, t.say.dayNoLongerOpen(day))
	default:
		return nil, err
	}
}

// confirmKey is the key of her confirm step, made when she first reaches
// it and kept while she stays there.
func (t *turn) confirmKey() string {
	if t.sess.ConfirmKey == "" {
		var key [16]byte
		_, _ = rand.Read(key[:]) // never fails (crypto/rand)
		t.sess.ConfirmKey = hex.EncodeToString(key[:])
	}
	return t.sess.ConfirmKey
}

// confirmedAgain answers a 「はい」 of a booking's or a change's confirm
// whose booking exists already, whatever her session says: the same turn
// retried after her session was lost (Redis lost it between the booking's
// commit and the session's save), or the button tapped again. She is told
// of her booking, not of a stale button. ok is false for any other postback.
func (t *turn) confirmedAgain(ctx context.Context, p Postback) (msgs []line.Message, ok bool, err error) {
	if (p.Step != stepConfirm && p.Step != stepChangeConfirm) || p.Choice != choiceYes || p.Key == "" {
		return nil, false, nil
	}
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, false, err
	}
	b, err := t.service.BookingConfirmedBy(ctx, t.facility, m, p.Key)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	t.kind = "confirmed_again"
	flow, answer := flowBooking, t.say.booked(b)
	if p.Step == stepChangeConfirm {
		flow, answer = flowChange, t.say.changed(b, nil)
	}
	if t.sess.Flow == flow {
		t.sess.ClearFlow()
	}
	return []line.Message{answer}, true, nil
}

func (t *turn) sessDay() booking.Date {
	d, _ := booking.ParseDate(t.sess.Day)
	return d
}

func (t *turn) sessOptions() []booking.Option {
	opts := make([]booking.Option, 0, len(t.sess.Options))
	for _, o := range t.sess.Options {
		opts = append(opts, booking.Option(o))
	}
	return opts
}

// bookedWithMore is the confirmation of a booking made, with
// 「続けて別の日も予約」 first under it while her limits allow one more.
func (t *turn) bookedWithMore(ctx context.Context, b *booking.Booking) ([]line.Message, error) {
	msg := t.say.booked(b)
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	switch err := t.service.CheckVisitLimit(ctx, t.facility, m); {
	case err == nil:
		// It takes the place of the menu's 「予約する」, which does the same.
		another := line.Button{Kind: line.ButtonMessage, Label: words.BookAnother, Text: cmdBook}
		menu := slices.DeleteFunc(msg.Buttons, func(b line.Button) bool { return b.Text == cmdBook })
		msg.Buttons = append([]line.Button{another}, menu...)
	case errors.Is(err, booking.ErrVisitLimit), errors.Is(err, booking.ErrUpcomingLimit):
	default:
		return nil, err
	}
	return []line.Message{msg}, nil
}
