package bot

import (
	"context"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/booking"
	"mamasroom/line"
)

// The eligibility check (ご利用条件): does she live in 世田谷区, and is her baby
// still under four months? Her answers are kept, so booking does not ask twice.

func init() {
	addSteps(flowEligibility, map[string]step{
		stepResident: yesNoStep(promptResident, (*turn).onResident),
		stepBirthday: {
			prompt: func(t *turn, ctx context.Context, note string) ([]line.Message, error) {
				return withNote(note, []line.Message{t.say.askBirthday(t.version, t.today())}), nil
			},
			onText: (*turn).onTypedBirthday,
			onPostback: func(t *turn, ctx context.Context, _ Postback, pb *webhook.PostbackContent) ([]line.Message, error) {
				d, err := booking.ParseDate(pb.Params["date"])
				if err != nil {
					return []line.Message{t.say.birthdayNotADate(t.version, t.today())}, nil
				}
				return t.onBirthday(ctx, d)
			},
		},
	})
}

func promptResident(t *turn, _ context.Context, note string) ([]line.Message, error) {
	return withNote(note, []line.Message{t.residentQuestion()}), nil
}

func (t *turn) residentQuestion() line.Message {
	if t.sess.ThenBooking {
		return t.say.askResidentBeforeBooking(t.version)
	}
	return t.say.askResident(t.version)
}

func (t *turn) startEligibility(thenBooking bool) []line.Message {
	t.sess.ClearFlow()
	t.sess.Flow, t.sess.Step, t.sess.ThenBooking = flowEligibility, stepResident, thenBooking
	return []line.Message{t.residentQuestion()}
}

func (t *turn) onResident(ctx context.Context, yes bool) ([]line.Message, error) {
	if !yes {
		m, err := t.loadMother(ctx)
		if err != nil {
			return nil, err
		}
		// No birth date is kept, so there is nothing she consented to.
		if err := t.service.SaveEligibility(ctx, m, false, nil); err != nil {
			return nil, err
		}
		t.sess.ClearFlow()
		return t.thanked(t.say.notResident()), nil
	}
	t.sess.Step = stepBirthday
	return []line.Message{t.say.askBirthday(t.version, t.today())}, nil
}

func (t *turn) onTypedBirthday(ctx context.Context, text string) ([]line.Message, error) {
	d, ok := parseTypedDate(text, t.today(), pastDate)
	if !ok {
		return []line.Message{t.say.birthdayNotADate(t.version, t.today())}, nil
	}
	return t.onBirthday(ctx, d)
}

func (t *turn) onBirthday(ctx context.Context, birthday booking.Date) ([]line.Message, error) {
	elig := booking.CheckEligibility(true, birthday, t.today())
	if elig.Reason == booking.BirthdayInFuture {
		return []line.Message{t.say.birthdayInFuture(t.version, t.today())}, nil
	}
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.service.SaveEligibility(ctx, m, true, &birthday); err != nil {
		return nil, err
	}

	thenBooking := t.sess.ThenBooking
	t.sess.ClearFlow()
	if !elig.OK() {
		return t.thanked(t.say.babyTooOld(elig.LastDay)), nil
	}
	lastOpen := lastOpenDay(t.facility, elig.LastDay, t.today())
	if !thenBooking {
		return []line.Message{t.say.eligibleMenu(elig.LastDay, lastOpen)}, nil
	}
	next, err := t.continueBooking(ctx, elig)
	if err != nil {
		return nil, err
	}
	// One bubble: that she may come, and the days to choose from.
	return withNote(t.say.eligible(elig.LastDay, lastOpen), next), nil
}

// thanked opens an answer to her eligibility answers with a thank-you.
func (t *turn) thanked(m line.Message) []line.Message {
	m.Text = t.say.thanksForAnswer() + "\n" + m.Text
	return []line.Message{m}
}
