package bot

import (
	"context"
	"errors"
	"fmt"

	"mamasroom/inbox"
	"mamasroom/line"
	"mamasroom/outbox"
	"mamasroom/privacy"
	"mamasroom/words"
)

// 「データ削除」: she asks that everything kept about her and her baby be
// erased, confirms with はい, and it is erased at once (privacy.Eraser):
// Redis, then PostgreSQL in one transaction that also deletes the event
// being handled. Only then is she answered, so the answer is true when it
// is sent. Her reply token is still in hand (the event was read before it
// was deleted), so the answer goes as a reply; when the token is spent it
// is pushed straight to LINE with a retry key made from the event, not
// through the outbox, whose row would keep her user id.
//
// The cost of this order: the event is gone once the erasure commits, so
// if LINE is down at that moment she does not get the answer (the log
// says so, with the event id and her keyed hash); her data is erased all
// the same.

const (
	cmdErase         = words.EraseData
	flowPrivacy      = "privacy"
	stepConfirmErase = "confirm_erase"
)

func init() {
	addSteps(flowPrivacy, map[string]step{
		stepConfirmErase: yesNoStep(promptErase, answerErase),
	})
}

// directPusher pushes without the outbox; *line.Client is one.
type directPusher interface {
	Push(ctx context.Context, userID, retryKey string, msgs []line.Message) error
}

func (t *turn) startErase(ctx context.Context) ([]line.Message, error) {
	t.sess.ClearFlow()
	t.sess.Flow, t.sess.Step = flowPrivacy, stepConfirmErase
	return promptErase(t, ctx, "")
}

func promptErase(t *turn, _ context.Context, note string) ([]line.Message, error) {
	msg := line.Message{Text: t.say.w.EraseConfirm(), Buttons: yesNo(stepConfirmErase, t.version)}
	return withNote(note, []line.Message{msg}), nil
}

func answerErase(t *turn, _ context.Context, yes bool) ([]line.Message, error) {
	t.sess.ClearFlow()
	if !yes {
		t.kind = "erase_declined"
		return []line.Message{t.say.withMenu(t.say.w.EraseKept())}, nil
	}
	t.kind = "erase"
	t.erase = true
	return []line.Message{t.say.withMenu(t.say.w.Erased())}, nil
}

// eraseThenAnswer erases her, then answers; see the top of this file. Her
// session is not saved: it went with the erasure.
func (e *Engine) eraseThenAnswer(ctx context.Context, ev inbox.Pending, reply eventReply, msgs []line.Message) error {
	if e.eraser == nil {
		return errors.New("erase: no eraser configured")
	}
	if _, err := e.eraser.Erase(ctx, e.facilityID, ev.LineUserID, ev.EventID, e.clock.Now()); err != nil {
		return err // nothing of PostgreSQL erased (one transaction): the event is tried again
	}
	e.handled.Inc("erase")
	// Her reply log went with the event: a retry cannot happen, so the
	// answer's fate is settled here, once.
	if reply.token != "" && reply.fresh {
		err := e.replies.Reply(ctx, reply.token, msgs)
		if err == nil {
			return nil
		}
		if !line.IsInvalidReplyToken(err) && !line.IsOutage(err) {
			return fmt.Errorf("answer the erasure: %w", err)
		}
	}
	err := e.pusher.Push(ctx, ev.LineUserID, outbox.RetryKey(e.facilityID, "erased/"+ev.EventID), msgs)
	var le *line.Error
	if err == nil || (errors.As(err, &le) && le.Status == 409) {
		return nil // 409: an earlier try of this push got through
	}
	return fmt.Errorf("answer the erasure (erased; the answer is lost): %w", err)
}

// newEraser is the bot's eraser; nil without a store.
func newEraser(cfg Config, freed func()) *privacy.Eraser {
	if cfg.Erasure == nil {
		return nil
	}
	return &privacy.Eraser{Store: cfg.Erasure, Redis: cfg.Redis, RedisPrefix: redisPrefix, Freed: freed}
}

// redisPrefix starts every Redis key of the bot.
const redisPrefix = "mamasroom:"
