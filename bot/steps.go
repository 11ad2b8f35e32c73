package bot

import (
	"context"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/line"
)

// A flow is a few steps, each one question to her. Everything about a step
// is in its entry of the step table, filled by the file of its flow: how it
// asks (prompt), how it takes a typed answer (onText) and a tapped one
// (onPostback). Typing a button's text works like tapping it, because both
// paths end in the same handler.
type step struct {
	flow string
	// prompt asks the step's question, after note when there is one.
	prompt func(t *turn, ctx context.Context, note string) ([]line.Message, error)
	// onText takes what she typed at this step.
	onText func(t *turn, ctx context.Context, text string) ([]line.Message, error)
	// onPostback takes a button of this step; params are LINE's (the date
	// she picked).
	onPostback func(t *turn, ctx context.Context, p Postback, params *webhook.PostbackContent) ([]line.Message, error)
	// onImage, when set, takes a photo she sent at this step (by LINE's
	// message id); without it a photo is answered as unread.
	onImage func(t *turn, ctx context.Context, messageID string) ([]line.Message, error)
	// anytime marks a step whose buttons work whatever her session says:
	// an offer's, pushed hours after any flow she was in. Its postbacks
	// carry what they need and its handler is safe to run twice.
	anytime bool
}

// Flows, as kept in the session.
const (
	flowEligibility = "eligibility"
	flowBooking     = "booking"
	flowMyBookings  = "mybookings"
	flowConsult     = "consult"
)

// Steps, as kept in the session and named in postbacks.
const (
	stepResident      = "resident"
	stepBirthday      = "birthday"
	stepDay           = "day"
	stepOptions       = "options"
	stepConfirm       = "confirm"
	stepPickCancel    = "pick"
	stepConfirmCancel = "confirm_cancel"
	stepHealthConsent = "health_consent"
	stepTopic         = "topic"
	stepQuestion      = "question"
	stepWaitDay       = "wait_day"
	stepOffer         = "offer"
)

// steps is the step table. Each flow file adds its own in init: the
// handlers refer back to the table (to ask again), which a package-level
// initializer could not.
var steps = map[string]step{}

func addSteps(flow string, table map[string]step) {
	for name, s := range table {
		if _, dup := steps[name]; dup {
			panic("bot: step " + name + " defined twice")
		}
		s.flow = flow
		steps[name] = s
	}
}

// yesNoStep is a step whose answer is はい or いいえ, tapped or typed.
func yesNoStep(prompt func(t *turn, ctx context.Context, note string) ([]line.Message, error), answer func(t *turn, ctx context.Context, yes bool) ([]line.Message, error)) step {
	return step{
		prompt: prompt,
		onText: func(t *turn, ctx context.Context, text string) ([]line.Message, error) {
			switch text {
			case labelYes:
				return answer(t, ctx, true)
			case labelNo:
				return answer(t, ctx, false)
			}
			return t.reprompt(ctx, t.say.notUnderstoodInStep())
		},
		onPostback: func(t *turn, ctx context.Context, p Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
			switch p.Choice {
			case choiceYes:
				return answer(t, ctx, true)
			case choiceNo:
				return answer(t, ctx, false)
			}
			return t.reprompt(ctx, t.say.notUnderstoodInStep())
		},
	}
}

// withNote puts a short note before the first message.
func withNote(note string, msgs []line.Message) []line.Message {
	if note != "" && len(msgs) > 0 {
		msgs[0].Text = note + "\n\n" + msgs[0].Text
	}
	return msgs
}
