package bot

import (
	"errors"

	"mamasroom/booking"
)

// 予約の確認: her upcoming bookings, each cancellable until the deadline.

func (t *turn) showMyBookings() ([]Message, error) {
	t.sess.ClearFlow()
	return t.showMyBookingsNote("")
}

func (t *turn) showMyBookingsNote(note string) ([]Message, error) {
	list, err := t.upcoming()
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		t.sess.ClearFlow()
		return []Message{t.say.noBookings()}, nil
	}
	t.sess.Flow, t.sess.Step = flowMyBookings, stepPickCancel
	msg := t.say.bookingList(t.version, list, t.cancellable)
	if note != "" {
		msg.Text = note + "\n\n" + msg.Text
	}
	return []Message{msg}, nil
}

func (t *turn) cancellable(b booking.Booking) bool {
	return !t.now.After(t.facility.CancelDeadline(b.Day))
}

func (t *turn) upcoming() ([]booking.Booking, error) {
	m, err := t.loadMother()
	if err != nil {
		return nil, err
	}
	return t.service.Upcoming(t.ctx, m)
}

func (t *turn) onCancelPickText(text string) ([]Message, error) {
	list, err := t.upcoming()
	if err != nil {
		return nil, err
	}
	for _, b := range list {
		if t.say.cancelButton(b.Day) == text {
			return t.onCancelPick(b.Number)
		}
	}
	return t.reprompt(t.say.notUnderstoodInStep())
}

func (t *turn) onCancelPick(number string) ([]Message, error) {
	m, err := t.loadMother()
	if err != nil {
		return nil, err
	}
	b, err := t.store.BookingByNumber(t.ctx, t.facility.ID, number)
	if errors.Is(err, booking.ErrNotFound) || (err == nil && (b.MotherID != m.ID || b.Status != booking.StatusActive)) {
		t.sess.ClearFlow()
		return []Message{t.say.bookingGone()}, nil
	}
	if err != nil {
		return nil, err
	}
	if !t.cancellable(*b) {
		t.sess.ClearFlow()
		return []Message{t.say.cancelTooLate(b)}, nil
	}
	t.sess.Step, t.sess.Number = stepConfirmCancel, number
	return []Message{t.say.confirmCancel(t.version, b)}, nil
}

func (t *turn) onConfirmCancel(yes bool) ([]Message, error) {
	number := t.sess.Number
	t.sess.ClearFlow()
	if !yes {
		return []Message{t.say.cancelKept()}, nil
	}
	m, err := t.loadMother()
	if err != nil {
		return nil, err
	}
	b, err := t.service.Cancel(t.ctx, t.facility, m, number)
	switch {
	case err == nil:
		return []Message{t.say.cancelled(b)}, nil
	case errors.Is(err, booking.ErrPastDeadline):
		late, lookupErr := t.store.BookingByNumber(t.ctx, t.facility.ID, number)
		if lookupErr != nil {
			return nil, lookupErr
		}
		return []Message{t.say.cancelTooLate(late)}, nil
	case errors.Is(err, booking.ErrAlreadyCanceled):
		// Cancelled by this very step, whose answer was lost (a retry), or
		// from a second phone: either way it is cancelled, as she wished.
		b, err := t.store.BookingByNumber(t.ctx, t.facility.ID, number)
		if err != nil {
			return nil, err
		}
		return []Message{t.say.cancelled(b)}, nil
	case errors.Is(err, booking.ErrNotFound):
		return []Message{t.say.bookingGone()}, nil
	default:
		return nil, err
	}
}
