package bot

import (
	"context"
	"errors"
	"slices"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/booking"
	"mamasroom/line"
)

// The waitlist (キャンセル待ち): from the booking flow she waits for the day
// that just filled, or picks a full day; an offer of a freed place comes
// by push, and its buttons work whenever she taps them.

func init() {
	addSteps(flowBooking, map[string]step{
		stepWaitDay: {
			prompt: (*turn).showFullDays,
			onText: (*turn).onFullDayText,
			onPostback: func(t *turn, ctx context.Context, p Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
				d, err := booking.ParseDate(p.Choice)
				if err != nil {
					return t.reprompt(ctx, t.say.notUnderstoodInStep())
				}
				return t.joinWaitlist(ctx, d)
			},
		},
	})
	addSteps("", map[string]step{
		stepOffer: {
			anytime: true,
			onPostback: func(t *turn, ctx context.Context, p Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
				return t.onOffer(ctx, p.Entry, p.Choice == choiceYes)
			},
		},
	})
}

// waitableDays lists the full days she may wait for now: none when the
// waitlist is off.
func (t *turn) waitableDays(ctx context.Context) ([]booking.Date, error) {
	if !t.service.HasWaitlist() {
		return nil, nil
	}
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	elig, _ := t.service.EligibilityOf(m)
	days, err := t.service.WaitableDays(ctx, t.facility, elig)
	if err != nil {
		return nil, err
	}
	if days, err = t.withoutHerDays(ctx, days); err != nil {
		return nil, err
	}
	waits, err := t.service.Waiting(ctx, m)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(days, func(d booking.Date) bool {
		return slices.ContainsFunc(waits, func(e booking.WaitlistEntry) bool { return e.Day == d })
	}), nil
}

// onWaitlistChoice takes 「キャンセル待ちに登録」 under the days near one that
// just filled (kept in the session), or 「満室の日のキャンセル待ち」 under
// the days.
func (t *turn) onWaitlistChoice(ctx context.Context) ([]line.Message, error) {
	if t.sess.Day != "" {
		return t.joinWaitlist(ctx, t.sessDay())
	}
	return t.showFullDays(ctx, "")
}

func (t *turn) showFullDays(ctx context.Context, note string) ([]line.Message, error) {
	days, err := t.waitableDays(ctx)
	if err != nil {
		return nil, err
	}
	if len(days) == 0 {
		t.sess.ClearFlow()
		return []line.Message{t.say.noFullDayToWait()}, nil
	}
	t.sess.Flow, t.sess.Step, t.sess.Day = flowBooking, stepWaitDay, ""
	return []line.Message{t.say.pickFullDay(t.version, days, note)}, nil
}

// onFullDayText takes a day typed as on its button or as a date.
func (t *turn) onFullDayText(ctx context.Context, text string) ([]line.Message, error) {
	days, err := t.waitableDays(ctx)
	if err != nil {
		return nil, err
	}
	if d, ok := typedDay(text, days, t.today()); ok {
		return t.joinWaitlist(ctx, d)
	}
	return t.reprompt(ctx, t.say.dayNotOffered())
}

func (t *turn) joinWaitlist(ctx context.Context, day booking.Date) ([]line.Message, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	_, err = t.service.JoinWaitlist(ctx, t.facility, m, day)
	switch {
	case err == nil:
		t.sess.ClearFlow()
		return []line.Message{t.say.waitlistJoined(day)}, nil
	case errors.Is(err, booking.ErrHasRoom):
		// A place freed while she chose: she books it instead.
		t.sess.Flow, t.sess.Day, t.sess.Options = flowBooking, day.String(), nil
		msgs, err := t.promptOptions(ctx)
		return withNote(t.say.dayHasRoomNow(day), msgs), err
	case errors.Is(err, booking.ErrAlreadyWaiting):
		t.sess.ClearFlow()
		return []line.Message{t.say.alreadyWaiting(day)}, nil
	case errors.Is(err, booking.ErrAlreadyBooked):
		t.sess.ClearFlow()
		return []line.Message{t.say.alreadyBookedThatDay(day)}, nil
	case errors.Is(err, booking.ErrVisitLimit):
		t.sess.ClearFlow()
		return []line.Message{t.say.visitLimitReached()}, nil
	case errors.Is(err, booking.ErrUpcomingLimit):
		t.sess.ClearFlow()
		return []line.Message{t.say.upcomingLimitReached()}, nil
	case errors.Is(err, booking.ErrClosed), errors.Is(err, booking.ErrOutsideWindow),
		errors.Is(err, booking.ErrNotEligible), errors.Is(err, booking.ErrInvalidDate):
		return t.showFullDays(ctx, t.say.dayNotOffered())
	default:
		return nil, err
	}
}

// onOffer answers an offer's button. The offer is named by its button, so
// this works whatever flow she is in, and a second tap says again how it
// stands. Her flow, if any, ends: the answer carries the menu.
func (t *turn) onOffer(ctx context.Context, id int64, accept bool) ([]line.Message, error) {
	t.sess.ClearFlow()
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	e, err := t.service.WaitlistEntryOf(ctx, t.facility, m, id)
	if errors.Is(err, booking.ErrNotFound) {
		return []line.Message{t.say.withMenu(t.say.staleButton())}, nil
	}
	if err != nil {
		return nil, err
	}
	if !accept {
		return t.declineOffer(ctx, m, e)
	}
	b, err := t.service.AcceptOffer(ctx, t.facility, m, id)
	switch {
	case err == nil:
		return t.bookedWithMore(ctx, b)
	case errors.Is(err, booking.ErrAlreadyBooked):
		// A second tap, or she booked the day herself meanwhile.
		b, err := t.bookingOn(ctx, e.Day)
		if err != nil {
			return nil, err
		}
		if b != nil {
			return []line.Message{t.say.booked(b)}, nil
		}
		return []line.Message{t.say.offerEnded(e.Day)}, nil
	case errors.Is(err, booking.ErrFull):
		return []line.Message{t.say.offerTaken(e.Day)}, nil
	case errors.Is(err, booking.ErrOfferExpired):
		return []line.Message{t.say.offerExpired(e.Day)}, nil
	case errors.Is(err, booking.ErrVisitLimit):
		t.wakeWaitlist()
		return []line.Message{t.say.visitLimitReached()}, nil
	case errors.Is(err, booking.ErrUpcomingLimit):
		t.wakeWaitlist()
		return []line.Message{t.say.upcomingLimitReached()}, nil
	case errors.Is(err, booking.ErrOfferEnded), errors.Is(err, booking.ErrClosed),
		errors.Is(err, booking.ErrOutsideWindow), errors.Is(err, booking.ErrNotEligible):
		t.wakeWaitlist()
		return []line.Message{t.say.offerEnded(e.Day)}, nil
	default:
		return nil, err
	}
}

func (t *turn) declineOffer(ctx context.Context, m *booking.Mother, e *booking.WaitlistEntry) ([]line.Message, error) {
	was := e.Status
	e, err := t.service.DeclineOffer(ctx, t.facility, m, e.ID)
	if err != nil {
		return nil, err
	}
	switch e.Status {
	case booking.WaitDeclined:
		if was.Live() {
			t.wakeWaitlist()
		}
		return []line.Message{t.say.offerDeclined(e.Day)}, nil
	case booking.WaitBooked:
		b, err := t.bookingOn(ctx, e.Day)
		if err != nil {
			return nil, err
		}
		if b != nil {
			return []line.Message{t.say.booked(b)}, nil
		}
	case booking.WaitExpired:
		return []line.Message{t.say.offerExpired(e.Day)}, nil
	}
	return []line.Message{t.say.offerEnded(e.Day)}, nil
}

// leaveWaitlist ends her wait, from 予約の確認.
func (t *turn) leaveWaitlist(ctx context.Context, id int64) ([]line.Message, error) {
	t.sess.ClearFlow()
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	e, err := t.service.LeaveWaitlist(ctx, t.facility, m, id)
	if errors.Is(err, booking.ErrNotFound) {
		return []line.Message{t.say.withMenu(t.say.staleButton())}, nil
	}
	if err != nil {
		return nil, err
	}
	t.wakeWaitlist()
	return []line.Message{t.say.leftWaitlist(e.Day)}, nil
}

// wakeWaitlist tells the runner that a place may wait for an offer.
func (t *turn) wakeWaitlist() {
	if t.wakeOffers != nil {
		t.wakeOffers()
	}
}

// declineTypedOffer takes 「見送る」 typed instead of tapped: it answers her
// one open offer. With none, or several, she sees her bookings and waits,
// where each offer has its own buttons.
func (t *turn) declineTypedOffer(ctx context.Context) ([]line.Message, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	waits, err := t.service.Waiting(ctx, m)
	if err != nil {
		return nil, err
	}
	var offered []booking.WaitlistEntry
	for _, w := range waits {
		if w.Status == booking.WaitOffered {
			offered = append(offered, w)
		}
	}
	if len(offered) != 1 {
		return t.showMyBookings(ctx)
	}
	t.sess.ClearFlow()
	return t.declineOffer(ctx, m, &offered[0])
}
