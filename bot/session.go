package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Session is a mother's place in a conversation. It lives in Redis only:
// losing it costs her at most a half-finished flow, never a booking.
type Session struct {
	// Version grows by one with every save; a save that expected another
	// version loses (compare-and-set), and postback buttons carry the
	// version they were made for, so a stale tap is recognised.
	Version int64 `json:"version"`

	Flow string `json:"flow,omitempty"` // "" when no flow is under way
	Step string `json:"step,omitempty"`

	// Answers gathered in the flow so far.
	Day         string   `json:"day,omitempty"` // YYYY-MM-DD
	Options     []string `json:"options,omitempty"`
	Page        int      `json:"page,omitempty"`
	Number      string   `json:"number,omitempty"` // booking being cancelled or changed
	ThenBooking bool     `json:"then_booking,omitempty"`

	// ConfirmKey is the key of the booking's confirm step, made when she
	// reaches it and carried by its 「はい」 (Postback.Key).
	ConfirmKey string `json:"confirm_key,omitempty"`

	// The consultation: her topic, and what she has sent of her question
	// in this flow (the question itself is in Postgres).
	Topic  string `json:"topic,omitempty"`
	Texts  int    `json:"texts,omitempty"`
	Photos int    `json:"photos,omitempty"`

	// The last event handled and what was answered, so an event processed
	// again (a retry after a crash) repeats the answer instead of the step.
	LastEventID string          `json:"last_event_id,omitempty"`
	LastReply   json.RawMessage `json:"last_reply,omitempty"`

	// SafetyAnswered is when each kind of safety answer last went to her,
	// so the same red flag sent twice in a minute is answered once.
	SafetyAnswered map[string]time.Time `json:"safety_answered,omitempty"`

	// Settings is a digest of the facility's settings as her last answer
	// was made from them, so that a confirmation she comes back to after
	// staff changed what it says (the fee, an option) is shown again, not
	// taken as read (resume.go).
	Settings string `json:"settings,omitempty"`

	UpdatedAt time.Time `json:"updated_at"`
}

// InFlow reports whether a flow is under way.
func (s *Session) InFlow() bool { return s.Flow != "" }

// ClearFlow ends the flow, keeping only what must outlive it.
func (s *Session) ClearFlow() {
	*s = Session{Version: s.Version, LastEventID: s.LastEventID, LastReply: s.LastReply, SafetyAnswered: s.SafetyAnswered, Settings: s.Settings, UpdatedAt: s.UpdatedAt}
}

// errSessionConflict means another save won the race for this session.
var errSessionConflict = errors.New("session changed meanwhile")

// placeKept is how long her place in a flow is kept while she is away: a
// day and a night of feeds and naps. When she comes back within it, what
// her answers rest on is checked again and she goes on from where she was
// (resume.go); after it, she starts afresh.
const placeKept = 24 * time.Hour

// sessionKept is how long Redis holds a session after its last save. It is
// well past placeKept, so that a flow kept too long is still recognised and
// ended kindly, rather than her taps on its buttons being taken for strays.
const sessionKept = 7 * 24 * time.Hour

// Sessions keeps sessions in Redis, one key per user.
type Sessions struct {
	rdb    redis.UniversalClient
	prefix string
	// keep is how long Redis holds a session: sessionKept.
	keep time.Duration
}

func NewSessions(rdb redis.UniversalClient, prefix string) *Sessions {
	return &Sessions{rdb: rdb, prefix: prefix, keep: sessionKept}
}

func (s *Sessions) key(userID string) string { return s.prefix + "session:" + userID }

// Load returns the user's session, or a new one at version 0.
func (s *Sessions) Load(ctx context.Context, userID string) (*Session, error) {
	raw, err := s.rdb.Get(ctx, s.key(userID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return &Session{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		// A session we cannot read (written by another version, say) is
		// dropped, so her next save starts over instead of failing forever.
		if err := s.rdb.Del(ctx, s.key(userID)).Err(); err != nil {
			return nil, fmt.Errorf("drop unreadable session: %w", err)
		}
		return &Session{}, nil
	}
	return &sess, nil
}

// saveScript writes the session only if the stored version is still the one
// the caller loaded (absent counts as 0).
var saveScript = redis.NewScript(`
local current = redis.call('GET', KEYS[1])
local version = 0
if current then
  version = tonumber(cjson.decode(current)['version']) or 0
end
if version ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`)

// Save stores sess if nobody saved since it was loaded, and bumps its version.
func (s *Sessions) Save(ctx context.Context, userID string, sess *Session) error {
	loaded := sess.Version
	next := *sess
	next.Version = loaded + 1
	raw, err := json.Marshal(&next)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	ok, err := saveScript.Run(ctx, s.rdb, []string{s.key(userID)}, loaded, raw, s.keep.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	if ok != 1 {
		return errSessionConflict
	}
	sess.Version = next.Version
	return nil
}

// Delete forgets the user's session (unfollow, data deletion).
func (s *Sessions) Delete(ctx context.Context, userID string) error {
	if err := s.rdb.Del(ctx, s.key(userID)).Err(); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
