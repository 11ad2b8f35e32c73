package consult

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"mamasroom/booking"
)

// A consultation (「ちょっと聞いてください」): a mother writes a question in
// one or several parts (texts and photos) to her draft, sends it (or a
// pause sends it), and it waits in the midwives' queue, urgent first, until
// one of them answers. The answer goes to her through the outbox in the
// same transaction that closes the question.

// Topic is what a question is about, as she picked it; TopicNone when she
// skipped the choice.
type Topic string

const (
	TopicNone       Topic = ""
	TopicFeeding    Topic = "feeding"     // 授乳・ミルク
	TopicSleep      Topic = "sleep"       // 睡眠
	TopicBabyBody   Topic = "baby_body"   // 赤ちゃんの体
	TopicMotherBody Topic = "mother_body" // ママの体・こころ
	TopicOther      Topic = "other"       // その他
)

// Topics lists the topics she can pick, in the order of the buttons.
func Topics() []Topic {
	return []Topic{TopicFeeding, TopicSleep, TopicBabyBody, TopicMotherBody, TopicOther}
}

// Label is the topic as she and the midwives read it; 未選択 for none.
func (t Topic) Label() string {
	switch t {
	case TopicFeeding:
		return "授乳・ミルク"
	case TopicSleep:
		return "睡眠"
	case TopicBabyBody:
		return "赤ちゃんの体"
	case TopicMotherBody:
		return "ママの体・こころ"
	case TopicOther:
		return "その他"
	}
	return "未選択"
}

// Valid reports whether t is one of Topics or TopicNone.
func (t Topic) Valid() bool { return t == TopicNone || slices.Contains(Topics(), t) }

// Status is where a question stands.
type Status string

const (
	// StatusDraft: she is still writing; only she can add to it, and only
	// one draft per mother exists.
	StatusDraft Status = "draft"
	// StatusOpen: sent, waiting in the queue for a midwife.
	StatusOpen Status = "open"
	// StatusAnswered: a midwife answered; the answer is on its way or
	// delivered through the outbox.
	StatusAnswered Status = "answered"
)

// PartKind is what one part of a question is.
type PartKind string

const (
	PartText  PartKind = "text"
	PartPhoto PartKind = "photo"
)

// Limits of what is stored.
const (
	// MaxPhotoBytes is the largest photo kept; LINE sends images of a few
	// MB at most.
	MaxPhotoBytes = 10 << 20
	// MaxAnswerRunes bounds an answer, so that with its opening and closing
	// words it fits in one LINE text message (5,000 characters).
	MaxAnswerRunes = 4000
	// MaxParts bounds the parts of one question; a part beyond it is
	// refused with ErrTooManyParts, and she is asked to send first.
	MaxParts = 30
)

// Part is one message of a question.
type Part struct {
	Seq  int // 1, 2, ... in the order she sent them
	Kind PartKind
	Text string // PartText
	// PhotoType is the photo's media type (image/jpeg); the bytes are read
	// with Service.Photo, not carried here.
	PhotoType string
	// Signs are the red flags found in this part, by Check (names as in
	// the sign table).
	Signs      []string
	ReceivedAt time.Time
}

// Answer is a midwife's answer to a question.
type Answer struct {
	QuestionID int64
	StaffID    int64
	Body       string
	AnsweredAt time.Time
}

// MotherInfo is what the console shows of her beside a question. It is
// filled by Service.Question, not by the queue.
type MotherInfo struct {
	BabyBirthday *booking.Date // nil when she has not told us
	NextVisit    *booking.Date // her next active booking, nil when none
}

// BabyAgeWeeks is the baby's age in whole weeks on day, and false when the
// birthday is not known (or after day).
func (m MotherInfo) BabyAgeWeeks(day booking.Date) (int, bool) {
	if m.BabyBirthday == nil || day.Before(*m.BabyBirthday) {
		return 0, false
	}
	days := int(day.Start().Sub(m.BabyBirthday.Start()).Round(time.Hour).Hours()) / 24
	return days / 7, true
}

// Question is one consultation.
type Question struct {
	ID         int64
	FacilityID int64
	MotherID   int64
	// LineUserID is whom the acknowledgment and the answer go to. Never
	// log it.
	LineUserID string
	Topic      Topic
	Status     Status
	// Urgent is true when any part, or the parts read together, carries a
	// red flag: the question goes to the top of the queue.
	Urgent bool
	// Signs are the names of the red flags found, for the console to say
	// why it is urgent.
	Signs []string
	Parts []Part

	CreatedAt   time.Time
	LastPartAt  time.Time
	SubmittedAt *time.Time
	AnsweredAt  *time.Time
	// ClaimedBy is the staff member answering it, when one said so
	// (Service.Claim); nil otherwise.
	ClaimedBy *int64
	ClaimedAt *time.Time
	// Version grows with every change a midwife can see (a claim, a
	// release, the answer); Claim and Answer take the version she saw.
	Version int

	Answer *Answer     // when answered
	Mother *MotherInfo // filled by Service.Question only
}

// Text is the question's text parts joined, in order, for the console's
// preview. It is what she wrote: never log it.
func (q *Question) Text() string {
	var texts []string
	for _, p := range q.Parts {
		if p.Kind == PartText {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// Photos counts the photo parts.
func (q *Question) Photos() int {
	n := 0
	for _, p := range q.Parts {
		if p.Kind == PartPhoto {
			n++
		}
	}
	return n
}

// TriageParts is the red-flag check of a whole question: every part on its
// own, and the text parts read together, since a sign may be split between
// two messages. The signs are named once each, in the order found.
func TriageParts(parts []Part) Triage {
	var t Triage
	add := func(found Triage) {
		for _, s := range found.Signs {
			if !slices.Contains(t.Signs, s) {
				t.Signs = append(t.Signs, s)
			}
		}
	}
	var texts []string
	for _, p := range parts {
		if p.Kind == PartText {
			add(Check(p.Text))
			texts = append(texts, p.Text)
		}
	}
	if len(texts) > 1 {
		add(Check(strings.Join(texts, "")))
	}
	return t
}

// NewPart is what Service.AddPart stores.
type NewPart struct {
	FacilityID int64
	MotherID   int64
	// Topic is used when the part starts a new draft; a draft keeps the
	// topic it was started with.
	Topic Topic
	Kind  PartKind
	Text  string
	Photo []byte
	// PhotoType is the media type LINE gave for the photo.
	PhotoType string
	// LineMessageID is LINE's id of the message: the same message added
	// again (a redelivered event) adds nothing.
	LineMessageID string
	// Signs is set by Service.AddPart from Check.
	Signs      []string
	ReceivedAt time.Time
}

func (p NewPart) validate() error {
	switch {
	case p.FacilityID == 0 || p.MotherID == 0:
		return fmt.Errorf("%w: part without facility or mother", ErrInvalid)
	case !p.Topic.Valid():
		return fmt.Errorf("%w: unknown topic %q", ErrInvalid, p.Topic)
	case p.LineMessageID == "":
		return fmt.Errorf("%w: part without a LINE message id", ErrInvalid)
	}
	switch p.Kind {
	case PartText:
		if strings.TrimSpace(p.Text) == "" {
			return fmt.Errorf("%w: empty text part", ErrInvalid)
		}
	case PartPhoto:
		if len(p.Photo) == 0 || len(p.Photo) > MaxPhotoBytes {
			return fmt.Errorf("%w: photo of %d bytes", ErrInvalid, len(p.Photo))
		}
		if !strings.HasPrefix(p.PhotoType, "image/") {
			return fmt.Errorf("%w: photo of type %q", ErrInvalid, p.PhotoType)
		}
	default:
		return fmt.Errorf("%w: part of kind %q", ErrInvalid, p.Kind)
	}
	return nil
}

// NewAnswer is what Service.Answer stores.
type NewAnswer struct {
	QuestionID int64
	StaffID    int64
	Body       string
	// ExpectedVersion is the question's Version as the midwife saw it.
	ExpectedVersion int
	AnsweredAt      time.Time
}

// The consultation's errors. Stores translate driver errors into these.
var (
	ErrNotFound = errors.New("question not found")
	// ErrConflict: the question changed since the midwife saw it (another
	// claimed or answered it). Reload and look again.
	ErrConflict = errors.New("question changed meanwhile")
	// ErrAlreadyAnswered is an ErrConflict: someone answered it first.
	ErrAlreadyAnswered = fmt.Errorf("%w: already answered", ErrConflict)
	// ErrNoConsent: she has not agreed to her health information being
	// kept, so nothing of her question may be stored.
	ErrNoConsent = errors.New("no consent to keep health information")
	// ErrTooManyParts: the draft has MaxParts parts already.
	ErrTooManyParts = errors.New("too many parts in one question")
	// ErrInvalid: a part or answer that could never be stored.
	ErrInvalid = errors.New("invalid consultation data")
)
