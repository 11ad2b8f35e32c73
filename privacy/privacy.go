// Package privacy erases what mamasroom keeps about a mother: at once when
// she asks (「データ削除」), a retention period after she blocks the
// account, and her questions a set time after her last visit. A baby's
// birth date and a mother's health questions are 要配慮個人情報 under
// Japan's APPI; they are kept only while they serve her.
//
// What erasure leaves: the ward counts visits, so a visit that has taken
// place stays counted per day without anyone's identity
// (anonymous_visits); everything else that names her or came from her goes:
// her row, bookings, eligibility answers, questions with their parts and
// answers, waitlist entries, pushes waiting or sent, the inbox's stored
// events (the event that asked for the erasure included) and her Redis
// keys. Bookings of days not yet begun are cancelled by going, and their
// places are offered to the waitlist as any freed place is.
package privacy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Erased tells what an erasure did, in counts only.
type Erased struct {
	// Found is false when nothing was kept of her as a mother (she never
	// got past the greeting); her events and pushes are erased all the same.
	Found bool
	// FreedBookings are bookings of days not yet begun, whose places are
	// free again; KeptVisits are visits counted on without her identity.
	FreedBookings int
	KeptVisits    int
}

// Store erases in PostgreSQL; postgres.Erasure is the one in use.
type Store interface {
	// Erase deletes everything kept about the LINE user in one
	// transaction. eventID, when not "", is the inbox event being handled
	// that asked for it: it is deleted too, so marking it done afterwards
	// finds nothing. at decides which visits have taken place.
	Erase(ctx context.Context, facilityID int64, lineUserID, eventID string, at time.Time) (Erased, error)
	// EraseUnfollowed erases one mother who unfollowed before before and
	// has not followed again, checked under her row's lock; ok is false
	// when she no longer qualifies.
	EraseUnfollowed(ctx context.Context, facilityID int64, lineUserID string, before, at time.Time) (ok bool, err error)
	// UnfollowedBefore lists up to limit LINE users who unfollowed before
	// before and are still kept.
	UnfollowedBefore(ctx context.Context, facilityID int64, before time.Time, limit int) ([]string, error)
	// EraseQuestions deletes the questions (with parts and answers) whose
	// last change was before before and whose mother has no visit on or
	// after before's day; it returns how many.
	EraseQuestions(ctx context.Context, facilityID int64, before time.Time) (int64, error)
}

// Eraser erases a mother in PostgreSQL and Redis.
type Eraser struct {
	Store Store
	Redis redis.UniversalClient
	// RedisPrefix starts every key mamasroom writes, e.g. "mamasroom:".
	RedisPrefix string
	// Freed, when set, is told that places may have been freed (the
	// waitlist's runner offers them).
	Freed func()
}

// Erase erases everything kept about the LINE user; see Store.Erase.
// Redis is cleared before PostgreSQL, so that a crash between the two can
// leave only what a retry (or the unfollow retention) erases, and after
// it, for a key written meanwhile.
func (e *Eraser) Erase(ctx context.Context, facilityID int64, lineUserID, eventID string, at time.Time) (Erased, error) {
	if err := e.forget(ctx, lineUserID); err != nil {
		return Erased{}, err
	}
	erased, err := e.Store.Erase(ctx, facilityID, lineUserID, eventID, at)
	if err != nil {
		return Erased{}, err
	}
	if err := e.forget(ctx, lineUserID); err != nil {
		return erased, err
	}
	if erased.FreedBookings > 0 && e.Freed != nil {
		e.Freed()
	}
	return erased, nil
}

// forget deletes every Redis key of mamasroom that names the user. Keys
// are found with SCAN, not listed by name, so a key another part of the
// program adds later is erased too; an erasure is rare, and a scan costs
// the keyspace of sessions, which is small.
func (e *Eraser) forget(ctx context.Context, lineUserID string) error {
	if e.Redis == nil {
		return nil
	}
	pattern := e.RedisPrefix + "*" + escapeGlob(lineUserID) + "*"
	iter := e.Redis.Scan(ctx, 0, pattern, 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("find her redis keys: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	if err := e.Redis.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("delete her redis keys: %w", err)
	}
	return nil
}

// escapeGlob makes s match itself in a Redis MATCH pattern.
func escapeGlob(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`).Replace(s)
}
