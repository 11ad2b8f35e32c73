// Package inbox holds what the webhook inbox queues: each event as LINE sent
// it, stored before LINE gets its 200 and handled afterwards. The webhook
// adds events, the dispatcher claims them, and postgres keeps them; this
// package lets the three agree without depending on each other.
package inbox

import (
	"context"
	"errors"
	"time"
)

// ErrUnstorable is the error of an Add whose events include one the store
// cannot keep as it is (a NUL or broken UTF-8 in its text, say): the
// delivery is not stored, and the same events without that one can be.
// Only the data is at fault, so trying again unchanged fails again.
var ErrUnstorable = errors.New("inbox: an event cannot be stored")

// Event is one webhook event as LINE sent it.
type Event struct {
	EventID    string
	LineUserID string    // "" outside a one-to-one chat
	Payload    []byte    // the event's JSON as received
	OccurredAt time.Time // LINE's timestamp of the event
	ReceivedAt time.Time
}

// Pending is an event claimed for handling.
type Pending struct {
	Event
	Attempts int // including this one
}

// Store keeps the events: one user's strictly in order, different users in
// parallel. postgres.Inbox is the one in use.
type Store interface {
	// Add stores events, dropping any already stored (LINE redelivers),
	// and reports how many were new. All or none are stored; an error
	// wrapping ErrUnstorable means an event's data was refused.
	Add(ctx context.Context, events []Event) (added int, err error)
	// Claim leases up to limit due events, each the oldest unfinished one
	// of its user.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Pending, error)
	// Done, GiveUp, RetryAt and Postpone settle a claimed event: handled,
	// failed for good, to be tried again at a time, or put back without
	// counting the attempt (an outage, not the event's fault).
	Done(ctx context.Context, eventID string, at time.Time) error
	GiveUp(ctx context.Context, eventID string, at time.Time) error
	RetryAt(ctx context.Context, eventID string, at time.Time) error
	Postpone(ctx context.Context, eventID string, at time.Time) error
	// Extend renews the lease of an event its worker still has in hand
	// (attempt is the Attempts of its claim), and reports whether the
	// event was still its own: a worker that dies stops renewing, and its
	// event comes back within one short lease.
	Extend(ctx context.Context, eventID string, attempt int, until time.Time) (bool, error)
	// BeginReply writes down, before the event's answer is sent with its
	// reply token, that a reply may reach LINE, and reports whether an
	// earlier one may have. ReplyNotSent takes it back when LINE refused
	// the reply or never got it (earlier is what BeginReply reported).
	BeginReply(ctx context.Context, eventID string, at time.Time) (earlier bool, err error)
	ReplyNotSent(ctx context.Context, eventID string, earlier bool) error
	// Prune deletes events finished before a time.
	Prune(ctx context.Context, finishedBefore time.Time) (int64, error)
	// Pending counts unfinished events; Ping checks the store answers.
	Pending(ctx context.Context) (int, error)
	Ping(ctx context.Context) error
}
