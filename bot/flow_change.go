package bot

import (
	"context"
	"errors"
	"slices"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/booking"
	"mamasroom/line"
	"mamasroom/words"
)

// Changing a booking's day (予約の変更): from 予約の確認 she picks a
// booking's 「日にちを変更」, another open day, and says yes; the booking
// moves in one transaction, keeping the options the new day has room for.
// The cancel's deadline holds for a change too.

// flowChange is the change of a booking's day, as kept in the session.
const flowChange = "change"

// Steps of the change, as kept in the session and named in postbacks.
const (
	stepChangeDay     = "change_day"
	stepChangeConfirm = "change_confirm"
)

// choiceChange, at 予約の確認, picks the booking (Postback.Booking) whose
// day she changes.
const choiceChange = "change"

func init() {
	addSteps(flowChange, map[string]step{
		stepChangeDay: {
			prompt: func(t *turn, ctx context.Context, note string) ([]line.Message, error) {
				return t.showChangeDays(ctx, t.sess.Page, note)
			},
			onText: (*turn).onChangeDayText,
			onPostback: func(t *turn, ctx context.Context, p Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
				if p.Choice == choicePage {
					return t.showChangeDays(ctx, p.Page, "")
				}
				d, err := booking.ParseDate(p.Choice)
				if err != nil {
					return t.reprompt(ctx, t.say.notUnderstoodInStep())
				}
				return t.onChangeDay(ctx, d)
			},
		},
		stepChangeConfirm: yesNoStep((*turn).promptConfirmChange, (*turn).onConfirmChange),
	})
}

// startChange begins the change of her booking number.
func (t *turn) startChange(ctx context.Context, number string) ([]line.Message, error) {
	t.sess.ClearFlow()
	t.sess.Flow, t.sess.Step, t.sess.Number = flowChange, stepChangeDay, number
	return t.showChangeDays(ctx, 0, "")
}

// showBookingsToChange answers 「変更」 in her own words: the change of her
// one booking that can still be changed in LINE, else her bookings to pick
// from (each with its 「日にちを変更」), or none.
func (t *turn) showBookingsToChange(ctx context.Context) ([]line.Message, error) {
	list, err := t.upcoming(ctx)
	if err != nil {
		return nil, err
	}
	changeable := slices.DeleteFunc(list, func(b booking.Booking) bool { return !t.cancellable(b) })
	if len(changeable) == 1 {
		return t.startChange(ctx, changeable[0].Number)
	}
	return t.showMyBookings(ctx)
}

// bookingToChange returns the booking she is changing when it can still be
// changed in LINE: hers, active, before the deadline. Otherwise the flow
// ends and msgs says why.
func (t *turn) bookingToChange(ctx context.Context) (bk *booking.Booking, msgs []line.Message, err error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, nil, err
	}
	bk, err = t.service.BookingOf(ctx, t.facility, m, t.sess.Number)
	switch {
	case errors.Is(err, booking.ErrNotFound) || (err == nil && bk.Status != booking.StatusActive):
		t.sess.ClearFlow()
		return nil, []line.Message{t.say.bookingGone()}, nil
	case err != nil:
		return nil, nil, err
	case !t.cancellable(*bk):
		t.sess.ClearFlow()
		return nil, []line.Message{t.say.changeTooLate(bk)}, nil
	}
	return bk, nil, nil
}

// showChangeDays offers the days her booking can move to, a page at a
// time: the days she could book now.
func (t *turn) showChangeDays(ctx context.Context, page int, note string) ([]line.Message, error) {
	bk, msgs, err := t.bookingToChange(ctx)
	if bk == nil {
		return msgs, err
	}
	days, err := t.bookableDays(ctx)
	if err != nil {
		return nil, err
	}
	if len(days) == 0 {
		t.sess.ClearFlow()
		return []line.Message{t.say.noDayToChangeTo(bk)}, nil
	}
	if page < 0 || page > (len(days)-1)/daysPerPage {
		page = 0
	}
	t.sess.Step, t.sess.Page, t.sess.Day, t.sess.Options = stepChangeDay, page, "", nil
	return []line.Message{t.say.changePickDay(t.version, bk, days, page, note)}, nil
}

// showChangeNear offers the days nearest to day, which she can no longer
// have, after note.
func (t *turn) showChangeNear(ctx context.Context, day booking.Date, note string) ([]line.Message, error) {
	bk, msgs, err := t.bookingToChange(ctx)
	if bk == nil {
		return msgs, err
	}
	near, err := t.nearDays(ctx, day, daysPerPage)
	if err != nil {
		return nil, err
	}
	if len(near) == 0 {
		t.sess.ClearFlow()
		return []line.Message{t.say.noDayToChangeTo(bk)}, nil
	}
	t.sess.Step, t.sess.Page, t.sess.Day, t.sess.Options = stepChangeDay, 0, "", nil
	return []line.Message{t.say.changePickDay(t.version, bk, near, 0, note)}, nil
}

// onChangeDayText takes a new day typed as on its button or as a date, or
// the paging buttons' words.
func (t *turn) onChangeDayText(ctx context.Context, text string) ([]line.Message, error) {
	switch text {
	case labelNext:
		return t.showChangeDays(ctx, t.sess.Page+1, "")
	case labelFirstPage:
		return t.showChangeDays(ctx, 0, "")
	}
	days, err := t.bookableDays(ctx)
	if err != nil {
		return nil, err
	}
	if d, ok := typedDay(text, days, t.today()); ok {
		return t.onChangeDay(ctx, d)
	}
	return t.reprompt(ctx, t.say.dayNotOffered())
}

// onChangeDay takes the new day if she could book it now, and asks her to
// confirm, with the options the day has room for.
func (t *turn) onChangeDay(ctx context.Context, day booking.Date) ([]line.Message, error) {
	bk, msgs, err := t.bookingToChange(ctx)
	if bk == nil {
		return msgs, err
	}
	days, err := t.bookableDays(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(days, day) {
		full, err := t.service.IsFull(ctx, t.facility, day)
		if err != nil {
			return nil, err
		}
		if full && day != bk.Day {
			return t.showChangeNear(ctx, day, t.say.dayJustFilled(day))
		}
		return t.reprompt(ctx, t.say.dayNotOffered())
	}
	t.sess.Day, t.sess.Options = day.String(), nil
	return t.promptConfirmChange(ctx, "")
}

// promptConfirmChange asks her yes to the move to the session's day, with
// the options of her booking that day has room for; its yes carries the
// step's key, so the move is made once however often it comes.
func (t *turn) promptConfirmChange(ctx context.Context, note string) ([]line.Message, error) {
	bk, msgs, err := t.bookingToChange(ctx)
	if bk == nil {
		return msgs, err
	}
	day := t.sessDay()
	kept, full, err := t.service.OptionsOnNewDay(ctx, t.facility, day, bk.Options)
	if err != nil {
		return nil, err
	}
	t.sess.Options = optionNames(kept)
	t.sess.Step = stepChangeConfirm
	return withNote(note, []line.Message{t.say.confirmChange(t.version, t.confirmKey(), bk, day, kept, full)}), nil
}

func (t *turn) onConfirmChange(ctx context.Context, yes bool) ([]line.Message, error) {
	bk, msgs, err := t.bookingToChange(ctx)
	if bk == nil {
		return msgs, err
	}
	if !yes {
		t.sess.ClearFlow()
		return []line.Message{t.say.changeKept(bk)}, nil
	}
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	day := t.sessDay()
	moved, err := t.service.ChangeDay(ctx, t.facility, m, t.sess.ConfirmKey, bk.Number, day, t.sessOptions())
	switch {
	case err == nil:
		t.sess.ClearFlow()
		t.wakeWaitlist() // the place she left may go to a mother waiting for it
		return []line.Message{t.say.changed(moved, &bk.Day)}, nil
	case errors.Is(err, booking.ErrFull):
		return t.showChangeNear(ctx, day, t.say.dayJustFilled(day))
	case errors.Is(err, booking.ErrOptionFull):
		return t.promptConfirmChange(ctx, t.say.optionJustFilled())
	case errors.Is(err, booking.ErrClosed), errors.Is(err, booking.ErrOutsideWindow), errors.Is(err, booking.ErrNotEligible):
		return t.showChangeNear(ctx, day, t.say.dayNoLongerOpen(day))
	case errors.Is(err, booking.ErrPastDeadline):
		t.sess.ClearFlow()
		return []line.Message{t.say.changeTooLate(bk)}, nil
	case errors.Is(err, booking.ErrAlreadyCanceled), errors.Is(err, booking.ErrNotFound):
		t.sess.ClearFlow()
		return []line.Message{t.say.bookingGone()}, nil
	case errors.Is(err, booking.ErrAlreadyBooked):
		t.sess.ClearFlow()
		return []line.Message{t.say.alreadyBookedThatDay(day)}, nil
	default:
		return nil, err
	}
}

func optionNames(opts []booking.Option) []string {
	names := make([]string, len(opts))
	for i, o := range opts {
		names[i] = string(o)
	}
	return names
}

// The change's messages.

func (r replies) changeButton(version int64, bk booking.Booking) line.Button {
	return postbackButton(words.ChangeButton(bk.Day), Postback{Step: stepPickCancel, Version: version, Choice: choiceChange, Booking: bk.Number})
}

// changePickDay offers the days her booking can move to, a page at a time.
func (r replies) changePickDay(version int64, bk *booking.Booking, days []booking.Date, page int, note string) line.Message {
	start := min(page*daysPerPage, len(days))
	end := min(start+daysPerPage, len(days))
	buttons := make([]line.Button, 0, daysPerPage+2)
	for _, d := range days[start:end] {
		buttons = append(buttons, postbackButton(buttonDate(d), Postback{Step: stepChangeDay, Version: version, Choice: d.String()}))
	}
	if end < len(days) {
		buttons = append(buttons, postbackButton(labelNext, Postback{Step: stepChangeDay, Version: version, Choice: choicePage, Page: page + 1}))
	} else if page > 0 {
		buttons = append(buttons, postbackButton(labelFirstPage, Postback{Step: stepChangeDay, Version: version, Choice: choicePage}))
	}
	buttons = append(buttons, messageButton(cmdQuit))
	return line.Message{Text: r.w.ChangePickDay(bk, days, page, daysPerPage, note), Buttons: buttons}
}

func (r replies) confirmChange(version int64, key string, bk *booking.Booking, day booking.Date, kept, full []booking.Option) line.Message {
	return line.Message{Text: r.w.ConfirmChange(bk, day, kept, full), Buttons: []line.Button{
		postbackButton(labelYes, Postback{Step: stepChangeConfirm, Version: version, Choice: choiceYes, Key: key}),
		postbackButton(labelNo, Postback{Step: stepChangeConfirm, Version: version, Choice: choiceNo}),
	}}
}

func (r replies) changed(b *booking.Booking, from *booking.Date) line.Message {
	return r.withMenu(r.w.Changed(b, from))
}

func (r replies) changeKept(bk *booking.Booking) line.Message {
	return r.withMenu(r.w.ChangeKept(bk))
}

func (r replies) changeTooLate(bk *booking.Booking) line.Message {
	return r.withCall(r.withMenu(r.w.ChangeTooLate(bk)))
}

func (r replies) noDayToChangeTo(bk *booking.Booking) line.Message {
	return r.withCall(r.withMenu(r.w.NoDayToChangeTo(bk)))
}
