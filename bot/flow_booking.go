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
		m, err := t.loadMother()
		if err != nil {
			return nil, err
		}
		all, err := t.store.ActiveBookings(t.ctx, m.ID, booking.Date{})
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

// bookableDays lists every day she can book now, in order: open, with
// room, within the window and her eligibility, and not already hers.
func (t *turn) bookableDays() ([]booking.Date, error) {
	m, err := t.loadMother()
	if err != nil {
		return nil, err
	}
	elig, _ := t.service.EligibilityOf(m)
	first, _ := t.facility.BookingWindow(t.now)
	days, err := t.service.BookableDays(t.ctx, t.facility, elig, first, 400)
	if err != nil {
		return nil, err
	}
	return t.withoutHerDays(days)
}

// withoutHerDays drops the days she has already booked.
func (t *turn) withoutHerDays(days []booking.Date) ([]booking.Date, error) {
	mine, err := t.upcoming()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(days, func(d booking.Date) bool {
		return slices.ContainsFunc(mine, func(b booking.Booking) bool { return b.Day == d })
	}), nil
}

// bookingOn returns her active booking of day, nil if she has none.
func (t *turn) bookingOn(day booking.Date) (*booking.Booking, error) {
	mine, err := t.upcoming()
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

func (t *turn) showDays(page int, note string) ([]Message, error) {
	days, err := t.bookableDays()
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
	m, err := t.loadMother()
	if err != nil {
		return nil, err
	}
	elig, _ := t.service.EligibilityOf(m)
	near, err := t.service.NearestBookableDays(t.ctx, t.facility, elig, day, daysPerPage)
	if err != nil {
		return nil, err
	}
	if near, err = t.withoutHerDays(near); err != nil {
		return nil, err
	}
	if len(near) == 0 {
		t.sess.ClearFlow()
		return []Message{t.say.noBookableDays()}, nil
	}
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
	days, err := t.bookableDays()
	if err != nil {
		return nil, err
	}
	for _, d := range days {
		if buttonDate(d) == text {
			return t.chooseDay(d, days)
		}
	}
	return t.reprompt(t.say.dayNotOffered())
}

func (t *turn) onDay(day booking.Date) ([]Message, error) {
	days, err := t.bookableDays()
	if err != nil {
		return nil, err
	}
	return t.chooseDay(day, days)
}

// chooseDay takes day if it is still among the bookable days.
func (t *turn) chooseDay(day booking.Date, bookable []booking.Date) ([]Message, error) {
	if !slices.Contains(bookable, day) {
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
		// Days she has booked are not offered, so this is this very step
		// run again after its answer was lost (a retry), or a second phone
		// that got there first: either way she gets the confirmation.
		b, err := t.bookingOn(day)
		if err != nil {
			return nil, err
		}
		if b != nil {
			return []Message{t.say.booked(b)}, nil
		}
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
