// Package outbox sends every push the program makes: a late answer, a
// reminder, a consultation answer, a waitlist offer, a closure notice.
//
// A push is never sent from inside the change that causes it. The change
// writes a Push row in its own transaction (so the push exists exactly when
// the change does), and a Worker sends it afterwards. Any number of workers,
// in any number of processes (serve replicas, a `remind` run), share the
// rows:
//
//   - A worker claims due rows with a lease (FOR UPDATE SKIP LOCKED in the
//     store), so two workers never hold one row, and the rows of a worker
//     that died come back when its lease runs out.
//   - Every send of a row carries the same X-Line-Retry-Key, derived from
//     the row's facility and dedupe key. A row pushed by a worker that died
//     before recording it is pushed again by another; LINE answers that
//     repeat with 409 and delivers nothing, and 409 counts as sent. That is
//     what makes "sent once" hold across crashes, not the lease alone.
//   - The dedupe key is unique per facility, so the same thing (the reminder
//     of one booking, the answer to one question) is enqueued once however
//     often its cause runs.
//
// The package knows LINE only through the Pusher interface and the HTTP
// status of its errors; it imports nothing of bot/.
package outbox

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"time"

	"mamasroom/line"
)

// Kind is what a push is for. The list matches the CHECK in the migration.
type Kind string

const (
	KindAnswer        Kind = "answer"         // an answer that missed its reply token
	KindReminder      Kind = "reminder"       // the day-before reminder of a booking
	KindConsultAnswer Kind = "consult_answer" // a midwife's answer to a question
	KindWaitlistOffer Kind = "waitlist_offer" // a freed place offered to the waitlist
	KindClosure       Kind = "closure"        // the facility closed a booked day
)

func (k Kind) valid() bool {
	switch k {
	case KindAnswer, KindReminder, KindConsultAnswer, KindWaitlistOffer, KindClosure:
		return true
	}
	return false
}

// Status is where a push stands.
type Status string

const (
	StatusPending Status = "pending" // waiting, being sent, or waiting for a retry
	StatusSent    Status = "sent"    // LINE accepted it (200, or 409 for a repeat)
	StatusFailed  Status = "failed"  // LINE refused it for good, or it failed too long
	StatusSkipped Status = "skipped" // not sent: she unfollowed, or it went stale
)

// MaxMessages is how many messages LINE takes in one push.
const MaxMessages = 5

var (
	// ErrInvalid is returned for a push that could never be sent.
	ErrInvalid = errors.New("invalid push")
	// ErrNotFound is returned when no push has the key asked for.
	ErrNotFound = errors.New("push not found")
)

// Push is one row of the outbox: messages for one user, and what the worker
// knows of sending them.
type Push struct {
	ID         int64
	FacilityID int64
	LineUserID string
	Kind       Kind
	// DedupeKey names what is sent, unique per facility; start it with the
	// kind and name the cause, e.g. "reminder/booking/42",
	// "answer/<webhookEventId>". Enqueueing a key again does nothing, and
	// the first row's messages stand.
	DedupeKey string
	Messages  []line.Message
	// NotBefore is the earliest time to send; zero means at once.
	NotBefore time.Time
	// Expires, when set, is when the push stops being worth sending (a
	// reminder after the visit, an offer after the day): it is skipped
	// then, even after an outage.
	Expires time.Time
	// BookingID, when set, is the booking the push is about: a booking has
	// at most one push of each kind, and a reminder whose booking was
	// cancelled, or whose day was closed, is skipped unsent.
	BookingID int64

	// Set by the store.
	Status    Status
	Attempts  int    // claims so far, this one included
	LastError string // why it was retried, failed or skipped
}

// Validate reports what would make the push impossible to send.
func (p Push) Validate() error {
	switch {
	case p.LineUserID == "":
		return fmt.Errorf("%w: no LINE user", ErrInvalid)
	case !p.Kind.valid():
		return fmt.Errorf("%w: unknown kind %q", ErrInvalid, p.Kind)
	case p.DedupeKey == "":
		return fmt.Errorf("%w: no dedupe key", ErrInvalid)
	case len(p.Messages) == 0 || len(p.Messages) > MaxMessages:
		return fmt.Errorf("%w: %d messages, LINE takes 1 to %d", ErrInvalid, len(p.Messages), MaxMessages)
	case !p.Expires.IsZero() && !p.Expires.After(p.NotBefore):
		return fmt.Errorf("%w: expires before it may be sent", ErrInvalid)
	}
	for i, m := range p.Messages {
		if m.Text == "" {
			return fmt.Errorf("%w: message %d has no text", ErrInvalid, i)
		}
	}
	return nil
}

// RetryKey is the X-Line-Retry-Key of every send of this push. It depends
// only on the facility and the dedupe key, so it is the same in every
// process and after any number of retries; it is shaped as a version 4
// UUID, as LINE asks.
func (p Push) RetryKey() string {
	return RetryKey(p.FacilityID, p.DedupeKey)
}

// RetryKey is Push.RetryKey for a facility and dedupe key.
func RetryKey(facilityID int64, dedupeKey string) string {
	sum := sha256.Sum256([]byte("mamasroom/outbox/" + strconv.FormatInt(facilityID, 10) + "/" + dedupeKey))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Claimed is a push a worker holds until its lease ends.
type Claimed struct {
	Push
	// Unfollowed is true when the mother has blocked the account: LINE
	// would answer 200 and deliver nothing, so the push is skipped.
	Unfollowed bool
	// Void is true for a reminder whose booking was cancelled or whose day
	// was closed after it was written: it is skipped.
	Void bool
}

// Store keeps the outbox. postgres.Outbox implements it; enqueueing is the
// store's own business, done inside the transaction of the change.
type Store interface {
	// Claim takes up to limit pending pushes due at now, reminders first,
	// counts an attempt on each and leases them until now+lease. No two
	// claims overlap. With remindersOnly, it takes nothing else (LINE's
	// monthly quota is nearly spent).
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int, remindersOnly bool) ([]Claimed, error)
	MarkSent(ctx context.Context, id int64, at time.Time) error
	MarkFailed(ctx context.Context, id int64, at time.Time, reason string) error
	MarkSkipped(ctx context.Context, id int64, at time.Time, reason string) error
	// RetryAt makes the push due again at the given time. attempt is the
	// Attempts of the claim: a worker whose lease ran out and whose row was
	// claimed again changes nothing.
	RetryAt(ctx context.Context, id int64, attempt int, at time.Time, reason string) error
	// Postpone is RetryAt that also takes back the claim's attempt: for
	// failures that were not this push's (our access token refused).
	Postpone(ctx context.Context, id int64, attempt int, at time.Time, reason string) error
}
