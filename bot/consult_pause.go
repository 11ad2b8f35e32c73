package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"mamasroom/consult"
	"mamasroom/line"
	"mamasroom/metrics"
)

// ConsultPause sends the questions of mothers who stopped writing for
// consultPause without tapping 送信, and has each acknowledged by push
// (the store enqueues it in the transaction that sends the question).
type ConsultPause struct {
	facilityID int64
	consult    *consult.Service
	// every is how often it looks; the pause is measured on the program's
	// clock, so a fake clock moved on is seen at the next look.
	every time.Duration
	log   *slog.Logger
	sent  *metrics.Counter
}

// Run looks for paused questions until ctx ends. A failure is logged (the
// count and the cause, never what she wrote) and tried at the next look.
func (p *ConsultPause) Run(ctx context.Context) error {
	ticker := time.NewTicker(p.every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		if err := p.SendPaused(ctx); err != nil && ctx.Err() == nil {
			p.log.ErrorContext(ctx, "send paused questions", "error", err)
		}
	}
}

// SendPaused sends now every question paused long enough.
func (p *ConsultPause) SendPaused(ctx context.Context) error {
	sent, err := p.consult.SubmitIdle(ctx, p.facilityID, consultPause)
	for _, q := range sent {
		p.sent.Inc(fmt.Sprint(q.Urgent))
	}
	return err
}

// ConsultNotices words the pushes of consultations, for the store that
// enqueues them (postgres.ConsultNotices): the acknowledgment of a question
// sent by a pause, and a midwife's answer.
type ConsultNotices struct {
	Facilities FacilitySource
}

// Acknowledgment tells her that her question was sent after a pause, and
// when midwives answer.
func (n ConsultNotices) Acknowledgment(ctx context.Context, q *consult.Question, hours consult.AnswerHours, at time.Time) ([]line.Message, error) {
	f, err := n.Facilities.Facility(ctx)
	if err != nil {
		return nil, fmt.Errorf("load facility: %w", err)
	}
	window, ok := consult.NextAnswerTime(f, hours, at)
	return []line.Message{newReplies(f).questionSentAfterPause(window, ok, at, q.Urgent)}, nil
}

// Answer brings her the midwife's answer, with the main menu under it.
func (n ConsultNotices) Answer(ctx context.Context, q *consult.Question) ([]line.Message, error) {
	if q.Answer == nil {
		return nil, fmt.Errorf("question %d has no answer", q.ID)
	}
	f, err := n.Facilities.Facility(ctx)
	if err != nil {
		return nil, fmt.Errorf("load facility: %w", err)
	}
	return []line.Message{newReplies(f).consultAnswer(q)}, nil
}
