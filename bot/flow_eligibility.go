package bot

import (
	"time"

	"mamasroom/booking"
)

// The eligibility check (ご利用条件): does she live in 世田谷区, and is her baby
// still under four months? Her answers are kept, so booking does not ask twice.

func (t *turn) startEligibility(thenBooking bool) []Message {
	t.sess.ClearFlow()
	t.sess.Flow, t.sess.Step, t.sess.ThenBooking = flowEligibility, stepResident, thenBooking
	if thenBooking {
		return []Message{t.say.askResidentBeforeBooking(t.version)}
	}
	return []Message{t.say.askResident(t.version)}
}

func (t *turn) onResident(yes bool) ([]Message, error) {
	if !yes {
		m, err := t.loadMother()
		if err != nil {
			return nil, err
		}
		// No birth date is kept, so there is nothing she consented to.
		if err := t.store.SaveEligibility(t.ctx, m.ID, false, nil, time.Time{}); err != nil {
			return nil, err
		}
		t.sess.ClearFlow()
		return t.thanked(t.say.notResident()), nil
	}
	resident := true
	t.sess.Resident = &resident
	t.sess.Step = stepBirthday
	return []Message{t.say.askBirthday(t.version, t.today())}, nil
}

func (t *turn) onTypedBirthday(text string) ([]Message, error) {
	d, ok := parseTypedDate(text, t.today())
	if !ok {
		return []Message{t.say.birthdayNotADate(t.version, t.today())}, nil
	}
	return t.onBirthday(d)
}

func (t *turn) onBirthday(birthday booking.Date) ([]Message, error) {
	elig := booking.CheckEligibility(true, birthday, t.today())
	if elig.Reason == booking.BirthdayInFuture {
		return []Message{t.say.birthdayInFuture(t.version, t.today())}, nil
	}
	m, err := t.loadMother()
	if err != nil {
		return nil, err
	}
	if err := t.store.SaveEligibility(t.ctx, m.ID, true, &birthday, t.now); err != nil {
		return nil, err
	}
	resident := true
	m.WardResident, m.BabyBirthday = &resident, &birthday

	thenBooking := t.sess.ThenBooking
	t.sess.ClearFlow()
	if !elig.OK() {
		return t.thanked(t.say.babyTooOld(elig.LastDay)), nil
	}
	if !thenBooking {
		return []Message{t.say.eligibleMenu(elig.LastDay)}, nil
	}
	next, err := t.continueBooking(elig)
	if err != nil {
		return nil, err
	}
	return append([]Message{t.say.eligible(elig.LastDay)}, next...), nil
}

// thanked opens an answer to her eligibility answers with a thank-you.
func (t *turn) thanked(m Message) []Message {
	m.Text = t.say.thanksForAnswer() + "\n" + m.Text
	return []Message{m}
}
