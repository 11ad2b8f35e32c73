package bot

import (
	"context"
	"errors"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/booking"
	"mamasroom/line"
	"mamasroom/words"
)

// 予約の確認: her upcoming bookings, each cancellable, or its day
// changeable (flow_change.go), until the deadline.

func init() {
	addSteps(flowMyBookings, map[string]step{
		stepPickCancel: {
			prompt: (*turn).showMyBookingsNote,
			onText: (*turn).onCancelPickText,
			onPostback: func(t *turn, ctx context.Context, p Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
				if p.Entry != 0 {
					return t.leaveWaitlist(ctx, p.Entry)
				}
				if p.Choice == choiceChange {
					return t.startChange(ctx, p.Booking)
				}
				return t.onCancelPick(ctx, p.Choice)
			},
		},
		stepConfirmCancel: yesNoStep(promptConfirmCancel, (*turn).onConfirmCancel),
	})
}

func promptConfirmCancel(t *turn, ctx context.Context, note string) ([]line.Message, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	bk, err := t.service.BookingOf(ctx, t.facility, m, t.sess.Number)
	if errors.Is(err, booking.ErrNotFound) || (err == nil && bk.Status != booking.StatusActive) {
		t.sess.ClearFlow()
		return []line.Message{t.say.bookingGone()}, nil
	}
	if err != nil {
		return nil, err
	}
	return withNote(note, []line.Message{t.say.confirmCancel(t.version, bk)}), nil
}

func (t *turn) showMyBookings(ctx context.Context) ([]line.Message, error) {
	t.sess.ClearFlow()
	return t.showMyBookingsNote(ctx, "")
}

func (t *turn) showMyBookingsNote(ctx context.Context, note string) ([]line.Message, error) {
	list, err := t.upcoming(ctx)
	if err != nil {
		return nil, err
	}
	waits, err := t.waits(ctx)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 && len(waits) == 0 {
		t.sess.ClearFlow()
		return []line.Message{t.say.noBookings()}, nil
	}
	t.sess.Flow, t.sess.Step = flowMyBookings, stepPickCancel
	return withNote(note, []line.Message{t.say.bookingList(t.version, list, t.cancellable, waits, t.now)}), nil
}

// waits lists the days she waits for; none when the waitlist is off.
func (t *turn) waits(ctx context.Context) ([]booking.WaitlistEntry, error) {
	if !t.service.HasWaitlist() {
		return nil, nil
	}
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	return t.service.Waiting(ctx, m)
}

func (t *turn) cancellable(b booking.Booking) bool {
	return !t.now.After(t.facility.CancelDeadline(b.Day))
}

func (t *turn) upcoming(ctx context.Context) ([]booking.Booking, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	return t.service.Upcoming(ctx, m)
}

func (t *turn) onCancelPickText(ctx context.Context, text string) ([]line.Message, error) {
	list, err := t.upcoming(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range list {
		if t.say.cancelButton(b.Day) == text {
			return t.onCancelPick(ctx, b.Number)
		}
		if words.ChangeButton(b.Day) == text {
			return t.startChange(ctx, b.Number)
		}
	}
	waits, err := t.waits(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range waits {
		if words.LeaveWaitlistButton(e.Day) == text {
			return t.leaveWaitlist(ctx, e.ID)
		}
	}
	return t.reprompt(ctx, t.say.notUnderstoodInStep())
}

func (t *turn) onCancelPick(ctx context.Context, number string) ([]line.Message, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	b, err := t.service.BookingOf(ctx, t.facility, m, number)
	if errors.Is(err, booking.ErrNotFound) || (err == nil && b.Status != booking.StatusActive) {
		t.sess.ClearFlow()
		return []line.Message{t.say.bookingGone()}, nil
	}
	if err != nil {
		return nil, err
	}
	if !t.cancellable(*b) {
		t.sess.ClearFlow()
		return []line.Message{t.say.cancelTooLate(b)}, nil
	}
	t.sess.Step, t.sess.Number = stepConfirmCancel, b.Number
	return []line.Message{t.say.confirmCancel(t.version, b)}, nil
}

func (t *turn) onConfirmCancel(ctx context.Context, yes bool) ([]line.Message, error) {
	number := t.sess.Number
	t.sess.ClearFlow()
	if !yes {
		return []line.Message{t.say.cancelKept()}, nil
	}
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	b, err := t.service.Cancel(ctx, t.facility, m, number)
	switch {
	case err == nil:
		t.wakeWaitlist() // her place may go to a mother waiting for the day
		return []line.Message{t.say.cancelled(b)}, nil
	case errors.Is(err, booking.ErrPastDeadline), errors.Is(err, booking.ErrAlreadyCanceled):
		// Past the deadline she must phone. Already cancelled is this very
		// step run again after its answer was lost (a retry), or a second
		// phone: either way it is cancelled, as she wished.
		b, lookupErr := t.service.BookingOf(ctx, t.facility, m, number)
		if lookupErr != nil {
			return nil, lookupErr
		}
		if errors.Is(err, booking.ErrPastDeadline) {
			return []line.Message{t.say.cancelTooLate(b)}, nil
		}
		return []line.Message{t.say.cancelled(b)}, nil
	case errors.Is(err, booking.ErrNotFound):
		return []line.Message{t.say.bookingGone()}, nil
	default:
		return nil, err
	}
}
