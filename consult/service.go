package consult

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mamasroom/booking"
)

// Store keeps consultations. postgres.Consultations implements it; every
// method that changes a question does so in one transaction, and those
// that tell her something by push (SubmitIdle, Answer) enqueue the push in
// that same transaction. The words of those pushes are the store's
// wiring's business: they come from package words, which this package
// cannot import.
type Store interface {
	// HealthConsentAt is when she agreed to her health information being
	// kept (APPI 要配慮個人情報), nil if she has not.
	HealthConsentAt(ctx context.Context, motherID int64) (*time.Time, error)
	// SetHealthConsent records her consent; a consent already given keeps
	// its first time.
	SetHealthConsent(ctx context.Context, motherID int64, at time.Time) error

	// AddPart adds a part to her draft, creating the draft when she has
	// none. added is false when the part's LINE message was added before
	// (the question is returned all the same). Fails with ErrNoConsent
	// without her consent, ErrTooManyParts when the draft is full.
	AddPart(ctx context.Context, p NewPart) (q *Question, added bool, err error)
	// Discard deletes her draft and its parts, if she has one.
	Discard(ctx context.Context, motherID int64) error
	// Submit sends her draft to the queue (draft → open) at the given time,
	// with its triage (TriageParts) stored. ErrNotFound when she has no
	// draft (it was sent already). The bot acknowledges it in its reply.
	Submit(ctx context.Context, motherID int64, at time.Time) (*Question, error)
	// SubmitIdle submits the facility's drafts whose last part came before
	// idleSince, at most limit of them, each in its own transaction with
	// the push that acknowledges it to her, and returns them.
	SubmitIdle(ctx context.Context, facilityID int64, idleSince, at time.Time, limit int) ([]Question, error)

	// Queue lists the facility's open questions, urgent first, then
	// oldest first, with their parts (without photo bytes).
	Queue(ctx context.Context, facilityID int64, limit int) ([]Question, error)
	// Question returns one question with its parts, its answer and
	// MotherInfo (her next visit on or after today).
	Question(ctx context.Context, id int64, today booking.Date) (*Question, error)
	// History lists her questions that were sent, newest first, with
	// parts and answers.
	History(ctx context.Context, motherID int64, limit int) ([]Question, error)
	// Photo returns the bytes and media type of a photo part.
	Photo(ctx context.Context, questionID int64, seq int) (data []byte, mediaType string, err error)

	// Claim marks an open question as being answered by staffID (release
	// with staffID 0), if its version is still expectedVersion; the
	// version then grows. ErrConflict otherwise, ErrAlreadyAnswered when
	// it was answered.
	Claim(ctx context.Context, questionID, staffID int64, expectedVersion int, at time.Time) (*Question, error)
	// Answer stores the answer, closes the question and enqueues the push
	// to her (outbox.KindConsultAnswer, dedupe key consult_answer/<id>),
	// all in one transaction, if the question is open at
	// a.ExpectedVersion. ErrAlreadyAnswered or ErrConflict otherwise.
	Answer(ctx context.Context, a NewAnswer) (*Question, error)

	// AnswerHours and SetAnswerHours read and change the facility's
	// answer hours.
	AnswerHours(ctx context.Context, facilityID int64) (AnswerHours, error)
	SetAnswerHours(ctx context.Context, facilityID int64, h AnswerHours) error
}

// Service is the only door to consultations, for the bot and the console.
type Service struct {
	Store Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Pushed, when set, is called after a change that enqueued a push
	// (SubmitIdle, Answer) committed: it wakes the outbox worker.
	Pushed func()
}

func (s *Service) pushed() {
	if s.Pushed != nil {
		s.Pushed()
	}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// HasConsent reports whether she agreed to her health information being
// kept.
func (s *Service) HasConsent(ctx context.Context, motherID int64) (bool, error) {
	at, err := s.Store.HealthConsentAt(ctx, motherID)
	if err != nil {
		return false, fmt.Errorf("read health consent: %w", err)
	}
	return at != nil, nil
}

// Consent records that she agreed, now.
func (s *Service) Consent(ctx context.Context, motherID int64) error {
	if err := s.Store.SetHealthConsent(ctx, motherID, s.now()); err != nil {
		return fmt.Errorf("record health consent: %w", err)
	}
	return nil
}

// AddPart adds one message of hers to her draft, creating it, with the red
// flags Check finds in it. added is false for a message added before.
func (s *Service) AddPart(ctx context.Context, p NewPart) (q *Question, added bool, err error) {
	if p.ReceivedAt.IsZero() {
		p.ReceivedAt = s.now()
	}
	if err := p.validate(); err != nil {
		return nil, false, err
	}
	p.Signs = nil
	if p.Kind == PartText {
		p.Signs = Check(p.Text).SignNames()
	}
	q, added, err = s.Store.AddPart(ctx, p)
	if err != nil {
		return nil, false, fmt.Errorf("add part to question: %w", err)
	}
	return q, added, nil
}

// Discard drops her draft: she said やめる, and nothing is kept.
func (s *Service) Discard(ctx context.Context, motherID int64) error {
	if err := s.Store.Discard(ctx, motherID); err != nil {
		return fmt.Errorf("discard draft: %w", err)
	}
	return nil
}

// Submit sends her draft to the midwives' queue. ErrNotFound when she has
// no draft. The acknowledgment is the caller's to give (the bot replies
// with it).
func (s *Service) Submit(ctx context.Context, motherID int64) (*Question, error) {
	q, err := s.Store.Submit(ctx, motherID, s.now())
	if err != nil {
		return nil, fmt.Errorf("submit question: %w", err)
	}
	return q, nil
}

// IdleSubmitLimit is how many idle drafts one SubmitIdle call sends.
const IdleSubmitLimit = 100

// SubmitIdle sends the drafts left without a new part for idleFor (she
// paused): each is submitted and its acknowledgment enqueued for push in
// one transaction. It returns the questions sent.
func (s *Service) SubmitIdle(ctx context.Context, facilityID int64, idleFor time.Duration) ([]Question, error) {
	now := s.now()
	qs, err := s.Store.SubmitIdle(ctx, facilityID, now.Add(-idleFor), now, IdleSubmitLimit)
	if len(qs) > 0 {
		s.pushed()
	}
	if err != nil {
		return qs, fmt.Errorf("submit idle questions: %w", err)
	}
	return qs, nil
}

// QueueLimit is the most questions Queue returns.
const QueueLimit = 200

// Queue lists the open questions, urgent first, then oldest.
func (s *Service) Queue(ctx context.Context, facilityID int64) ([]Question, error) {
	qs, err := s.Store.Queue(ctx, facilityID, QueueLimit)
	if err != nil {
		return nil, fmt.Errorf("list question queue: %w", err)
	}
	return qs, nil
}

// Question returns one question with its parts, answer and what the
// console shows of her (MotherInfo).
func (s *Service) Question(ctx context.Context, id int64) (*Question, error) {
	q, err := s.Store.Question(ctx, id, booking.DateOf(s.now()))
	if err != nil {
		return nil, fmt.Errorf("question %d: %w", id, err)
	}
	return q, nil
}

// HistoryLimit is the most earlier questions History returns.
const HistoryLimit = 50

// History lists her sent questions, newest first, with their answers.
func (s *Service) History(ctx context.Context, motherID int64) ([]Question, error) {
	qs, err := s.Store.History(ctx, motherID, HistoryLimit)
	if err != nil {
		return nil, fmt.Errorf("question history: %w", err)
	}
	return qs, nil
}

// Photo returns a photo part's bytes and media type, for the console.
func (s *Service) Photo(ctx context.Context, questionID int64, seq int) ([]byte, string, error) {
	data, typ, err := s.Store.Photo(ctx, questionID, seq)
	if err != nil {
		return nil, "", fmt.Errorf("photo %d of question %d: %w", seq, questionID, err)
	}
	return data, typ, nil
}

// Claim says that staffID is answering the question, so a second midwife
// sees it. version is the question's Version as she saw it: ErrConflict
// when it changed (someone else claimed it), ErrAlreadyAnswered when it was
// answered. The returned question has the new version.
func (s *Service) Claim(ctx context.Context, questionID, staffID int64, version int) (*Question, error) {
	if staffID == 0 {
		return nil, fmt.Errorf("claim question %d: %w: no staff id", questionID, ErrInvalid)
	}
	q, err := s.Store.Claim(ctx, questionID, staffID, version, s.now())
	if err != nil {
		return nil, fmt.Errorf("claim question %d: %w", questionID, err)
	}
	return q, nil
}

// Release takes back a claim, at the version the midwife saw.
func (s *Service) Release(ctx context.Context, questionID int64, version int) (*Question, error) {
	q, err := s.Store.Claim(ctx, questionID, 0, version, s.now())
	if err != nil {
		return nil, fmt.Errorf("release question %d: %w", questionID, err)
	}
	return q, nil
}

// Answer stores a midwife's answer, closes the question and queues the
// push that brings the answer to her, in one transaction. expectedVersion
// is the question's Version as she saw it: a second midwife, or a change
// she did not see, gets ErrConflict (ErrAlreadyAnswered when answered)
// and nothing is stored.
func (s *Service) Answer(ctx context.Context, questionID, staffID int64, body string, expectedVersion int) (*Question, error) {
	body = strings.TrimSpace(body)
	switch n := utf8.RuneCountInString(body); {
	case staffID == 0:
		return nil, fmt.Errorf("answer question %d: %w: no staff id", questionID, ErrInvalid)
	case n == 0:
		return nil, fmt.Errorf("answer question %d: %w: empty answer", questionID, ErrInvalid)
	case n > MaxAnswerRunes:
		return nil, fmt.Errorf("answer question %d: %w: %d characters, at most %d", questionID, ErrInvalid, n, MaxAnswerRunes)
	}
	q, err := s.Store.Answer(ctx, NewAnswer{
		QuestionID: questionID, StaffID: staffID, Body: body, ExpectedVersion: expectedVersion, AnsweredAt: s.now(),
	})
	if err != nil {
		return nil, fmt.Errorf("answer question %d: %w", questionID, err)
	}
	s.pushed()
	return q, nil
}

// AnswerHours returns the facility's answer hours as staff last saved them.
func (s *Service) AnswerHours(ctx context.Context, facilityID int64) (AnswerHours, error) {
	h, err := s.Store.AnswerHours(ctx, facilityID)
	if err != nil {
		return AnswerHours{}, fmt.Errorf("read answer hours: %w", err)
	}
	return h, nil
}

// SetAnswerHours changes the facility's answer hours; the bot uses them
// from its next message on.
func (s *Service) SetAnswerHours(ctx context.Context, facilityID int64, h AnswerHours) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if err := s.Store.SetAnswerHours(ctx, facilityID, h); err != nil {
		return fmt.Errorf("set answer hours: %w", err)
	}
	return nil
}
