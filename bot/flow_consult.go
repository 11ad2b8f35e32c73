package bot

import (
	"context"
	"errors"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/booking"
	"mamasroom/consult"
	"mamasroom/line"
)

// The consultation flow (ちょっと聞いてください): her consent to keeping
// health information (asked once), a topic or none, then her question in
// as many texts and photos as she likes, sent with 送信 or by a pause of
// consultPause.

// consultPause is how long after her last part a question is sent on its
// own.
const consultPause = 5 * time.Minute

func init() {
	addSteps(flowConsult, map[string]step{
		stepHealthConsent: yesNoStep(func(t *turn, _ context.Context, note string) ([]line.Message, error) {
			return withNote(note, []line.Message{t.say.askHealthConsent(t.version)}), nil
		}, (*turn).onHealthConsent),
		stepTopic: {
			prompt: func(t *turn, _ context.Context, note string) ([]line.Message, error) {
				return withNote(note, []line.Message{t.say.pickTopic(t.version)}), nil
			},
			onText: func(t *turn, ctx context.Context, text string) ([]line.Message, error) {
				if text == labelSkip {
					return t.onTopic(ctx, consult.TopicNone)
				}
				for _, topic := range consult.Topics() {
					if text == topic.Label() {
						return t.onTopic(ctx, topic)
					}
				}
				return t.reprompt(ctx, t.say.notUnderstoodInStep())
			},
			onPostback: func(t *turn, ctx context.Context, p Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
				if p.Choice == choiceNone {
					return t.onTopic(ctx, consult.TopicNone)
				}
				if topic := consult.Topic(p.Choice); topic != consult.TopicNone && topic.Valid() {
					return t.onTopic(ctx, topic)
				}
				return t.reprompt(ctx, t.say.notUnderstoodInStep())
			},
		},
		stepQuestion: {
			prompt: func(t *turn, _ context.Context, note string) ([]line.Message, error) {
				if t.sess.Texts+t.sess.Photos == 0 {
					return withNote(note, []line.Message{t.say.writeQuestion(consult.Topic(t.sess.Topic))}), nil
				}
				return withNote(note, []line.Message{t.say.partsKept(t.sess.Texts, t.sess.Photos)}), nil
			},
			onText: func(t *turn, ctx context.Context, text string) ([]line.Message, error) {
				if text == labelSend {
					return t.sendQuestion(ctx)
				}
				return t.addQuestionPart(ctx, consult.NewPart{Kind: consult.PartText, Text: text})
			},
			onPostback: func(t *turn, ctx context.Context, _ Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
				return t.reprompt(ctx, t.say.staleButton()) // the step has no postbacks
			},
			onImage: (*turn).onQuestionPhoto,
		},
	})
}

func (t *turn) startConsult(ctx context.Context) ([]line.Message, error) {
	t.sess.ClearFlow()
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	consented, err := t.consult.HasConsent(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	t.sess.Flow = flowConsult
	if !consented {
		t.sess.Step = stepHealthConsent
		return []line.Message{t.say.askHealthConsent(t.version)}, nil
	}
	t.sess.Step = stepTopic
	return []line.Message{t.say.pickTopic(t.version)}, nil
}

// onHealthConsent takes her answer. Without her yes nothing of a question
// is stored: she is given the phone instead.
func (t *turn) onHealthConsent(ctx context.Context, yes bool) ([]line.Message, error) {
	if !yes {
		t.sess.ClearFlow()
		return []line.Message{t.say.noHealthConsent()}, nil
	}
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.consult.Consent(ctx, m.ID); err != nil {
		return nil, err
	}
	t.sess.Step = stepTopic
	return []line.Message{t.say.pickTopic(t.version)}, nil
}

func (t *turn) onTopic(_ context.Context, topic consult.Topic) ([]line.Message, error) {
	t.sess.Topic, t.sess.Step, t.sess.Texts, t.sess.Photos = string(topic), stepQuestion, 0, 0
	return []line.Message{t.say.writeQuestion(topic)}, nil
}

// addQuestionPart keeps one message of hers in her draft question.
func (t *turn) addQuestionPart(ctx context.Context, p consult.NewPart) ([]line.Message, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	p.FacilityID, p.MotherID, p.Topic = t.facility.ID, m.ID, consult.Topic(t.sess.Topic)
	p.LineMessageID, p.ReceivedAt = t.messageID, t.now
	q, _, err := t.consult.AddPart(ctx, p)
	switch {
	case errors.Is(err, consult.ErrNoConsent):
		// Taken back since the flow began (by staff, on her request):
		// ask again rather than keep anything.
		return t.startConsult(ctx)
	case errors.Is(err, consult.ErrTooManyParts):
		return t.reprompt(ctx, t.say.tooManyParts())
	case errors.Is(err, consult.ErrInvalid) && p.Kind == consult.PartPhoto:
		return t.reprompt(ctx, t.say.photoFailed())
	case err != nil:
		return nil, err
	}
	t.countParts(q)
	return t.reprompt(ctx, "")
}

// onQuestionPhoto fetches a photo from LINE and keeps it in her question.
// LINE failing as a whole is an outage (the event is kept and tried
// again); LINE refusing this one photo, or a photo too large, is told to
// her.
func (t *turn) onQuestionPhoto(ctx context.Context, messageID string) ([]line.Message, error) {
	data, mediaType, err := t.content.Content(ctx, messageID)
	switch {
	case line.IsOutage(err):
		return nil, err
	case err != nil:
		return t.reprompt(ctx, t.say.photoFailed())
	}
	return t.addQuestionPart(ctx, consult.NewPart{Kind: consult.PartPhoto, Photo: data, PhotoType: mediaType})
}

// sendQuestion sends her draft to the midwives and tells her when they
// answer.
func (t *turn) sendQuestion(ctx context.Context) ([]line.Message, error) {
	m, err := t.loadMother(ctx)
	if err != nil {
		return nil, err
	}
	q, err := t.consult.Submit(ctx, m.ID)
	switch {
	case errors.Is(err, consult.ErrNotFound) && t.sess.Texts+t.sess.Photos > 0:
		t.sess.ClearFlow()
		return []line.Message{t.say.questionAlreadySent()}, nil // sent by a pause
	case errors.Is(err, consult.ErrNotFound):
		return t.reprompt(ctx, t.say.nothingWrittenYet())
	case err != nil:
		return nil, err
	}
	t.sess.ClearFlow()
	hours, err := t.consult.AnswerHours(ctx, t.facility.ID)
	if err != nil {
		return nil, err
	}
	window, ok := consult.NextAnswerTime(t.facility, hours, t.now)
	return []line.Message{t.say.questionSent(window, ok, t.now, q.Urgent)}, nil
}

// keepRedFlagInQuestion keeps a message with a red flag in her question
// when she is writing one, before the safety answer: the answer comes
// either way, and the midwives see the question urgent.
func (t *turn) keepRedFlagInQuestion(ctx context.Context, text string) error {
	if t.sess.Flow != flowConsult || t.sess.Step != stepQuestion || t.now.Sub(t.sess.UpdatedAt) > t.flowIdle {
		return nil
	}
	m, err := t.loadMother(ctx)
	if err != nil {
		return err
	}
	q, _, err := t.consult.AddPart(ctx, consult.NewPart{
		FacilityID: t.facility.ID, MotherID: m.ID, Topic: consult.Topic(t.sess.Topic),
		Kind: consult.PartText, Text: text, LineMessageID: t.messageID, ReceivedAt: t.now,
	})
	switch {
	case errors.Is(err, consult.ErrNoConsent), errors.Is(err, consult.ErrTooManyParts):
		return nil // the safety answer is what matters now
	case err != nil:
		return err
	}
	t.countParts(q)
	return nil
}

// countParts notes what her draft holds, for the words under each part.
func (t *turn) countParts(q *consult.Question) {
	t.sess.Photos = q.Photos()
	t.sess.Texts = len(q.Parts) - t.sess.Photos
}

// discardQuestion drops her draft when she says やめる while writing it:
// nothing is kept.
func (t *turn) discardQuestion(ctx context.Context) error {
	if t.sess.Flow != flowConsult {
		return nil
	}
	m, err := t.service.FindMother(ctx, t.facility, t.userID)
	if errors.Is(err, booking.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return t.consult.Discard(ctx, m.ID)
}
