package bot

import (
	"errors"
	"slices"

	"mamasroom/booking"
)

// The booking flow (予約する): a day, then options, then a yes.

func (t *turn) startBooking() ([]Message, error) {
	t.sess.ClearFlow()
	m, err := t.loadMother()
	if err != nil {
		return nil, err
	}
	elig, answered := t.service.EligibilityOf(m)
	if !answered {
		return t.startEligibility(true), nil
	}
	switch elig.Reason {
	case booking.NotResident:
		return []Message{t.say.notResident()}, nil
	case booking.BabyTooOld:
		return []Message{t.say.babyTooOld(elig.LastDay)}, nil
	}
	if !elig.OK() {
		// Her stored answers no longer make sense (a birthday in the future):
		// ask again rather than guess.
		return t.startEligibility(true), nil
	}
	return t.continueBooking(elig)
}

// continueBooking starts the day choice for an eligible mother.
func (t *turn) continueBooking(elig booking.Eligibility) ([]Message, error) {
	if limit := t.facility.MaxVisitsPerMother; limit > 0 {
		all, err := t.store.ActiveBookings(t.ctx, t.mother.ID, booking.Date{})
		if err != nil {
			return nil, err
		}
		if len(all) >= limit {
			t.sess.ClearFlow()
			return []Message{t.say.visitLimitReached()}, nil
		}
	}
	t.sess.Flow, t.sess.Step = flowBooking, stepDay
	return t.showDays(0, "")
}

// bookableDays lists every day she can book now, in order.
func (t *turn) bookableDays() ([]booking.Date, booking.Eligibility, error) {
	m, err := t.loadMother()
	if err != nil {
		return nil, booking.Eligibility{}, err
	}
	elig, _ := t.service.EligibilityOf(m)
	first, _ := t.facility.BookingWindow(t.now)
	days, err := t.service.BookableDays(t.ctx, t.facility, elig, first, 400)
	return days, elig, err
}

func (t *turn) showDays(page int, note string) ([]Message, error) {
	days, _, err := t.bookableDays()
	if err != nil {
		return nil, err
	}
	if len(days) == 0 {
		t.sess.ClearFlow()
		return []Message{t.say.noBookableDays()}, nil
	}
	if page < 0 || page*daysPerPage >= len(days) {
		page = 0
	}
	t.sess.Flow, t.sess.Step, t.sess.Page = flowBooking, stepDay, page
	return []Message{t.say.pickDay(t.version, days, page, note)}, nil
}

// showAlternatives offers the bookable days nearest to a day she can no
// longer have.
func (t *turn) showAlternatives(day booking.Date, note string) ([]Message, error) {
	_, elig, err := t.bookableDays()
	if err != nil {
		return nil, err
	}
	near, err := t.service.NearestBookableDays(t.ctx, t.facility, elig, day, daysPerPage)
	if err != nil {
		return nil, err
	}
	if len(near) == 0 {
		t.sess.ClearFlow()
		return []Message{t.say.noBookableDays()}, nil
	}
	slices.SortFunc(near, booking.Date.Compare)
	t.sess.Flow, t.sess.Step, t.sess.Page, t.sess.Day, t.sess.Options = flowBooking, stepDay, 0, "", nil
	return []Message{t.say.pickDay(t.version, near, 0, note)}, nil
}

func (t *turn) onDayText(text string) ([]Message, error) {
	switch text {
	case labelNext:
		return t.showDays(t.sess.Page+1, "")
	case labelFirstPage:
		return t.showDays(0, "")
	}
	days, _, err := t.bookableDays()
	if err != nil {
		return nil, err
	}
	for _, d := range days {
		if buttonDate(d) == text {
			return t.onDay(d)
		}
	}
	return t.reprompt(t.say.dayNotOffered())
}

func (t *turn) onDay(day booking.Date) ([]Message, error) {
	days, _, err := t.bookableDays()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(days, day) {
		counts, err := t.store.DayCounts(t.ctx, t.facility.ID, day, day)
		if err != nil {
			return nil, err
		}
		if c, ok := counts[day]; ok && c.Full() {
			return t.showAlternatives(day, t.say.dayJustFilled(day))
		}
		return t.reprompt(t.say.dayNotOffered())
	}
	t.sess.Day, t.sess.Options, t.sess.Step = day.String(), nil, stepOptions
	return t.promptOptions()
}

// promptOptions asks for options that still have room, or goes on to the
// summary when none has.
func (t *turn) promptOptions() ([]Message, error) {
	day := t.sessDay()
	offered, err := t.service.OptionsWithRoom(t.ctx, t.facility, day)
	if err != nil {
		return nil, err
	}
	chosen := t.sessOptions()
	remaining := slices.DeleteFunc(slices.Clone(offered), func(o booking.OptionSetting) bool {
		return slices.Contains(chosen, o.Option)
	})
	if len(remaining) == 0 {
		t.sess.Step = stepConfirm
		return []Message{t.say.confirmBooking(t.version, day, chosen)}, nil
	}
	t.sess.Step = stepOptions
	return []Message{t.say.pickOptions(t.version, day, offered, chosen)}, nil
}

func (t *turn) onOptionText(text string) ([]Message, error) {
	if text == labelNone {
		return t.onOption("none")
	}
	for _, o := range t.facility.Options {
		if o.Label == text {
			return t.onOption(string(o.Option))
		}
	}
	return t.reprompt(t.say.notUnderstoodInStep())
}

func (t *turn) onOption(choice string) ([]Message, error) {
	if choice == "none" {
		t.sess.Step = stepConfirm
		return []Message{t.say.confirmBooking(t.version, t.sessDay(), t.sessOptions())}, nil
	}
	option := booking.Option(choice)
	if _, ok := t.facility.Option(option); ok && !slices.Contains(t.sess.Options, choice) {
		t.sess.Options = append(t.sess.Options, choice)
	}
	return t.promptOptions()
}

func (t *turn) onConfirmBooking(yes bool) ([]Message, error) {
	if !yes {
		t.sess.ClearFlow()
		return []Message{t.say.bookingNotMade()}, nil
	}
	m, err := t.loadMother()
	if err != nil {
		return nil, err
	}
	day := t.sessDay()
	b, err := t.service.Book(t.ctx, t.facility, m, day, t.sessOptions())
	switch {
	case err == nil:
		t.sess.ClearFlow()
		return []Message{t.say.booked(b)}, nil
	case errors.Is(err, booking.ErrFull):
		return t.showAlternatives(day, t.say.dayJustFilled(day))
	case errors.Is(err, booking.ErrOptionFull):
		t.sess.Options = nil
		msgs, err := t.promptOptions()
		if err != nil {
			return nil, err
		}
		msgs[0].Text = t.say.optionJustFilled() + "\n\n" + msgs[0].Text
		return msgs, nil
	case errors.Is(err, booking.ErrAlreadyBooked):
		t.sess.ClearFlow()
		return []Message{t.say.alreadyBookedThatDay(day)}, nil
	case errors.Is(err, booking.ErrVisitLimit):
		t.sess.ClearFlow()
		return []Message{t.say.visitLimitReached()}, nil
	case errors.Is(err, booking.ErrClosed), errors.Is(err, booking.ErrOutsideWindow), errors.Is(err, booking.ErrNotEligible):
		return t.showAlternatives(day, t.say.dayNoLongerOpen(day))
	default:
		return nil, err
	}
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
