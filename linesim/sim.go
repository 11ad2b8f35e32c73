// Package linesim is a fake LINE platform for tests and the demo.
//
// It plays both sides LINE plays: it signs and POSTs webhooks to the bot the
// way LINE does, and it serves the Messaging API endpoints the bot calls,
// refusing anything the real platform would refuse. Requests are decoded with
// the SDK's own request types, unknown fields are refused, LINE's documented
// limits are enforced, and, when LINE's OpenAPI spec is found, every request
// is also validated against it. A lenient fake would let a bot pass its tests
// and then fail against LINE; this one is meant to fail first.
package linesim

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// Config sets up a Sim. ChannelSecret and AccessToken are required.
type Config struct {
	ChannelSecret string // signs webhooks
	AccessToken   string // the bearer token the bot must send
	WebhookURL    string // where to POST webhooks (may be set later with SetWebhookURL)
	// OpenAPIPath is LINE's messaging-api.yml. "" searches upward from the
	// working directory for shared/line-openapi/messaging-api.yml; when none
	// is found, spec validation is skipped and SpecLoaded reports false.
	OpenAPIPath string
	// Now is the clock for reply-token expiry and timestamps; default time.Now.
	Now func() time.Time
	// ReplyTokenTTL is how long a reply token stays usable; default 1 minute,
	// about what LINE allows.
	ReplyTokenTTL time.Duration
}

// Sent is one Messaging API send the sim accepted.
type Sent struct {
	Kind       string // "reply" or "push"
	To         string // userID (for reply: the user the reply token was issued to)
	ReplyToken string
	RetryKey   string
	Messages   []messaging_api.MessageInterface // decoded with the SDK's own types
	Raw        []byte
	At         time.Time
	// Blocked is true when the user had unfollowed the account: LINE answers
	// 200 but delivers nothing, so the bot cannot tell; tests can.
	Blocked bool
}

// Rejection is one request the sim refused because the bot got it wrong.
// Answers that are not the bot's fault are not rejections: faults injected
// with FailNext, 409 to a repeated X-Line-Retry-Key (that is how LINE makes
// retries safe), and 404 from GET /v2/bot/user/all/richmenu when no default
// rich menu is set.
type Rejection struct {
	Status               int
	Method, Path, Reason string
}

// Sim is a fake LINE platform. It is safe for concurrent use.
type Sim struct {
	secret   string
	token    string
	now      func() time.Time
	ttl      time.Duration
	spec     *openapi3.T // nil when the spec was not found
	handler  http.Handler
	botID    string // the "destination" of webhooks
	webhooks *http.Client

	mu          sync.Mutex
	webhookURL  string
	users       map[string]*user
	replyTokens map[string]*replyToken
	retryKeys   map[string]acceptedKey
	sent        []Sent
	heard       map[string][]heard // per user: what she did, for the chat page
	changed     chan struct{}      // closed and replaced whenever sent grows
	rejected    []Rejection
	faults      map[string]*fault
	delays      map[string]time.Duration
	holds       map[string]*hold // by path; made by Hold
	lost        map[string]int   // by path: answers still to lose
	menus       map[string]*richMenu
	contents    map[string]content // by message id: what users sent as images
	menuOrder   []string
	defaultMenu string
	// LINE's limits on sending (quota.go).
	monthlyLimit int64            // 0: no target limit
	usage        map[string]int64 // messages counted, by Tokyo month "2006-01"
	pushRate     *rateWindow      // nil: no rate limit
	limited      []Limited
}

type user struct {
	blocked  bool // has unfollowed
	followed bool // has ever followed; a later follow is then an unblock
}

type replyToken struct {
	userID string
	issued time.Time
	used   bool
	// answerLost: the bot never heard LINE's answer to the reply that
	// used it (a held or lost answer), so its trying again is no mistake.
	answerLost bool
}

type acceptedKey struct {
	requestID string
	at        time.Time
}

// New makes a Sim. It fails when the secret or token is missing, or when
// an explicit OpenAPIPath cannot be loaded.
func New(cfg Config) (*Sim, error) {
	if cfg.ChannelSecret == "" || cfg.AccessToken == "" {
		return nil, fmt.Errorf("linesim: ChannelSecret and AccessToken are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReplyTokenTTL <= 0 {
		cfg.ReplyTokenTTL = time.Minute
	}
	spec, err := loadSpec(cfg.OpenAPIPath)
	if err != nil {
		return nil, fmt.Errorf("linesim: %w", err)
	}
	s := &Sim{
		secret:      cfg.ChannelSecret,
		token:       cfg.AccessToken,
		now:         cfg.Now,
		ttl:         cfg.ReplyTokenTTL,
		spec:        spec,
		botID:       "U" + randomHex(16),
		webhooks:    &http.Client{Timeout: 10 * time.Second},
		webhookURL:  cfg.WebhookURL,
		users:       map[string]*user{},
		replyTokens: map[string]*replyToken{},
		retryKeys:   map[string]acceptedKey{},
		heard:       map[string][]heard{},
		changed:     make(chan struct{}),
		faults:      map[string]*fault{},
		delays:      map[string]time.Duration{},
		menus:       map[string]*richMenu{},
		contents:    map[string]content{},
		usage:       map[string]int64{},
	}
	s.handler = s.routes()
	return s, nil
}

// Handler serves the Messaging API (both the api and api-data hosts).
func (s *Sim) Handler() http.Handler { return s.handler }

// SetWebhookURL sets where webhooks go, e.g. once the bot's server is up.
func (s *Sim) SetWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = u
}

// SpecLoaded reports whether requests are also validated against LINE's
// OpenAPI spec.
func (s *Sim) SpecLoaded() bool { return s.spec != nil }

// Sent returns every accepted send to userID, in order.
func (s *Sim) Sent(userID string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentToLocked(userID)
}

func (s *Sim) sentToLocked(userID string) []Sent {
	var out []Sent
	for _, m := range s.sent {
		if m.To == userID {
			out = append(out, m)
		}
	}
	return out
}

// WaitSent waits until at least n sends to userID were accepted and returns
// them all. The bot answers webhooks before it replies, so tests wait here.
func (s *Sim) WaitSent(ctx context.Context, userID string, n int) ([]Sent, error) {
	for {
		s.mu.Lock()
		got := s.sentToLocked(userID)
		changed := s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return got, fmt.Errorf("linesim: waiting for %d sends to %s, have %d: %w", n, userID, len(got), ctx.Err())
		}
	}
}

// Texts returns the text of every text message sent to userID, in order.
func (s *Sim) Texts(userID string) []string {
	var out []string
	for _, m := range s.Sent(userID) {
		for _, msg := range m.Messages {
			switch t := msg.(type) {
			case messaging_api.TextMessage:
				out = append(out, t.Text)
			case *messaging_api.TextMessage:
				out = append(out, t.Text)
			case messaging_api.TextMessageV2:
				out = append(out, t.Text)
			case *messaging_api.TextMessageV2:
				out = append(out, t.Text)
			}
		}
	}
	return out
}

// Rejected returns every request the sim refused, in order.
func (s *Sim) Rejected() []Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Rejection(nil), s.rejected...)
}

// Reset forgets what was sent and refused. Users, tokens, retry keys, rich
// menus, faults, limits and the month's count stay, as they would on LINE.
func (s *Sim) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = nil
	s.heard = map[string][]heard{}
	s.rejected = nil
	s.limited = nil
}

// recordSentLocked stores an accepted send and wakes WaitSent callers.
func (s *Sim) recordSentLocked(m Sent) {
	s.sent = append(s.sent, m)
	close(s.changed)
	s.changed = make(chan struct{})
}
