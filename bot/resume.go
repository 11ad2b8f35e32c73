package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"mamasroom/booking"
	"mamasroom/line"
)

// Her place is kept while she is away: a feed, a nap, a night. When she
// comes back after flowIdle, what her answers so far rest on is checked
// again before her tap or text is taken: the day she chose may be full or
// closed now, her eligibility may have ended, staff may have changed the
// facility's settings. She goes on from where she was when nothing that
// matters changed; otherwise she is told what did and asked the next
// question. After placeKept, she starts afresh.

// resumeFlow runs before an event is read as her answer. It returns nil
// when the event can be taken as it is; otherwise the answer to send in its
// place, her session already moved on to what comes next.
func (t *turn) resumeFlow(ctx context.Context) ([]line.Message, error) {
	seen := t.sess.Settings
	t.sess.Settings = settingsDigest(t.facility)
	if !t.sess.InFlow() {
		return nil, nil
	}
	away := t.now.Sub(t.sess.UpdatedAt)
	if away <= t.flowIdle {
		return nil, nil
	}
	if away > placeKept {
		t.sess.ClearFlow()
		t.kind = "expired"
		return []line.Message{t.say.flowExpired()}, nil
	}
	settingsChanged := seen != "" && seen != t.sess.Settings
	var (
		msgs []line.Message
		err  error
		flow = t.sess.Flow
	)
	switch flow {
	case flowBooking:
		msgs, err = t.resumeBooking(ctx, settingsChanged)
	case flowChange:
		msgs, err = t.resumeChange(ctx, settingsChanged)
	}
	// Other flows go on as they were: their next answer is checked as it
	// comes (a question she wrote was sent by its pause, and 送信 then
	// says so; a cancel checks its deadline).
	if msgs != nil {
		t.kind = "resumed_" + flow
	}
	return msgs, err
}

// resumeBooking checks again what her booking so far rests on: that she may
// still book, the day she chose, the options she chose, and, at the
// confirmation, what it said.
func (t *turn) resumeBooking(ctx context.Context, settingsChanged bool) ([]line.Message, error) {
	if msgs, ok, err := t.stillMayBook(ctx); !ok || err != nil {
		return msgs, err
	}
	if t.sess.Day == "" || (t.sess.Step != stepOptions && t.sess.Step != stepConfirm) {
		return nil, nil // her next tap on a day is checked as it comes
	}
	day := t.sessDay()
	if msgs, ok, err := t.dayStillBookable(ctx, day); !ok || err != nil {
		return msgs, err
	}
	kept, full, err := t.service.OptionsOnNewDay(ctx, t.facility, day, t.sessOptions())
	if err != nil {
		return nil, err
	}
	if len(full) > 0 {
		t.sess.Options = optionNames(kept)
		msgs, err := t.promptOptions(ctx)
		return withNote(t.say.chosenOptionsFullSince(full), msgs), err
	}
	if t.sess.Step == stepConfirm && settingsChanged {
		msgs, err := t.promptConfirm(ctx)
		return withNote(t.say.detailsChangedSince(), msgs), err
	}
	return nil, nil
}

// stillMayBook checks that her eligibility and her limits still let her
// book; when they do not, booking starts again, which says why.
func (t *turn) stillMayBook(ctx context.Context) (msgs []line.Message, ok bool, err error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, false, err
	}
	if elig, answered := t.service.EligibilityOf(m); !answered || !elig.OK() {
		msgs, err := t.startBooking(ctx)
		return msgs, false, err
	}
	switch err := t.service.CheckVisitLimit(ctx, t.facility, m); {
	case errors.Is(err, booking.ErrVisitLimit), errors.Is(err, booking.ErrUpcomingLimit):
		msgs, err := t.startBooking(ctx)
		return msgs, false, err
	case err != nil:
		return nil, false, err
	}
	return nil, true, nil
}

// dayStillBookable checks that she could still book day; when she cannot,
// she is told why and offered the days nearest to it.
func (t *turn) dayStillBookable(ctx context.Context, day booking.Date) (msgs []line.Message, ok bool, err error) {
	bookable, err := t.bookableDays(ctx)
	if err != nil {
		return nil, false, err
	}
	if slices.Contains(bookable, day) {
		return nil, true, nil
	}
	if mine, err := t.bookingOn(ctx, day); err != nil || mine != nil {
		// Booked meanwhile, from another phone: nothing is left to do.
		t.sess.ClearFlow()
		return []line.Message{t.say.alreadyBookedThatDay(day)}, false, err
	}
	note, full, err := t.dayGoneNote(ctx, day)
	if err != nil {
		return nil, false, err
	}
	if full {
		msgs, err = t.showFilledSaying(ctx, day, note)
	} else {
		msgs, err = t.showAlternatives(ctx, day, note)
	}
	return msgs, false, err
}

// dayGoneNote says why day, chosen before she went away, can no longer be
// had: it filled meanwhile (full), or it closed or left her reach.
func (t *turn) dayGoneNote(ctx context.Context, day booking.Date) (note string, full bool, err error) {
	full, err = t.service.IsFull(ctx, t.facility, day)
	if err != nil {
		return "", false, err
	}
	if full {
		return t.say.chosenDayFilledSince(day), true, nil
	}
	return t.say.chosenDayClosedSince(day), false, nil
}

// resumeChange checks again the booking she is changing (still hers, still
// before the deadline) and, once she has chosen the new day, that day,
// the options it has room for, and what the confirmation said.
func (t *turn) resumeChange(ctx context.Context, settingsChanged bool) ([]line.Message, error) {
	bk, msgs, err := t.bookingToChange(ctx)
	if bk == nil {
		return msgs, err
	}
	if t.sess.Step != stepChangeConfirm {
		return nil, nil // her next tap on a day is checked as it comes
	}
	day := t.sessDay()
	bookable, err := t.bookableDays(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(bookable, day) {
		note, _, err := t.dayGoneNote(ctx, day)
		if err != nil {
			return nil, err
		}
		return t.showChangeNear(ctx, day, note)
	}
	kept, _, err := t.service.OptionsOnNewDay(ctx, t.facility, day, bk.Options)
	if err != nil {
		return nil, err
	}
	if now := optionNames(kept); !slices.Equal(now, t.sess.Options) {
		var lost []booking.Option
		for _, o := range t.sess.Options {
			if !slices.Contains(now, o) {
				lost = append(lost, booking.Option(o))
			}
		}
		note := t.say.detailsChangedSince() // an option has room again
		if len(lost) > 0 {
			note = t.say.chosenOptionsFullSince(lost)
		}
		return t.promptConfirmChange(ctx, note)
	}
	if settingsChanged {
		return t.promptConfirmChange(ctx, t.say.detailsChangedSince())
	}
	return nil, nil
}

// settingsDigest sums up the facility's settings that her answers rest on
// or that a confirmation shows: a change of any is a change she is told of
// at a confirmation she comes back to.
func settingsDigest(f *booking.Facility) string {
	var b strings.Builder
	reminder := booking.DefaultReminderAt
	if f.ReminderAt != nil {
		reminder = *f.ReminderAt
	}
	fmt.Fprintf(&b, "%s|%s|%s|%s|%d|%d|%d:%02d|%s|", f.Name, f.ClinicName, f.Address, f.Phone, f.FeeYen,
		f.CancelDaysBefore, f.CancelHour, f.CancelMinute, reminder)
	for _, o := range f.Options {
		fmt.Fprintf(&b, "%s=%s|", o.Option, o.Label)
	}
	h := fnv.New64a()
	h.Write([]byte(b.String()))
	return fmt.Sprintf("%016x", h.Sum64())
}

func (r replies) chosenDayFilledSince(d booking.Date) string { return r.w.ChosenDayFilledSince(d) }
func (r replies) chosenDayClosedSince(d booking.Date) string { return r.w.ChosenDayClosedSince(d) }
func (r replies) detailsChangedSince() string                { return r.w.DetailsChangedSince() }
func (r replies) chosenOptionsFullSince(opts []booking.Option) string {
	return r.w.ChosenOptionsFullSince(opts)
}
