package bot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/clock"
	"mamasroom/inbox"
	"mamasroom/metrics"
)

// maxWebhookBody caps what is read of a webhook request; LINE's own bodies are
// far smaller, so anything larger is not from LINE.
const maxWebhookBody = 1 << 20

const (
	// storeTimeout bounds storing a delivery. It takes milliseconds; when
	// Postgres does not answer, LINE gets a 503 in this time and redelivers
	// later, rather than a request that hangs until LINE gives up on it.
	storeTimeout = 3 * time.Second
	// maxEventAge is the oldest event the webhook takes, by LINE's
	// timestamp. A handled event's row, which is what drops a redelivery,
	// is pruned inboxRetention after it was handled; handling comes after
	// the event happened, so an event whose row may be gone happened more
	// than inboxRetention ago. Refusing those keeps a replay after the
	// prune from being handled twice; the hour is room for LINE's clock
	// running ahead of ours. LINE never delivers an event that old for the
	// first time.
	maxEventAge = inboxRetention - time.Hour
	// maxEventAhead is how far ahead of our clock an event's timestamp
	// may be before it is taken as the time it arrived instead: a clock
	// that wrong is not LINE's, and a time past year 294276 cannot be
	// stored at all.
	maxEventAhead = 24 * time.Hour
)

// Webhook receives LINE's webhook: it verifies the signature, stores every
// event in the inbox and answers 200 at once. It does no LINE call and no
// conversation work: the dispatcher does that after the answer.
type Webhook struct {
	secret   string
	inbox    inbox.Store
	wake     func()
	clock    clock.Clock
	log      *slog.Logger
	requests *metrics.Counter
	// dropped counts events left out of a delivery that is otherwise
	// stored, by reason.
	dropped *metrics.Counter
}

// Why an event is dropped from its delivery, the label of the dropped
// counter: none of these can come from LINE, and none is worth LINE
// redelivering the whole delivery for.
const (
	droppedUnreadable  = "unreadable"   // not an event object, or no webhookEventId
	droppedNoTimestamp = "no_timestamp" // so its age cannot be told
	droppedTooOld      = "too_old"      // older than maxEventAge
	droppedUnstorable  = "unstorable"   // the store refused its data
)

// envelope is LINE's webhook body with each event kept raw, so the inbox
// stores exactly what arrived and the worker parses it later.
type envelope struct {
	Destination string            `json:"destination"`
	Events      []json.RawMessage `json:"events"`
}

// eventHeader is the part of an event the inbox needs.
type eventHeader struct {
	WebhookEventID string `json:"webhookEventId"`
	Timestamp      int64  `json:"timestamp"` // ms since the epoch, when it happened
	Source         struct {
		Type   string `json:"type"`
		UserID string `json:"userId"`
	} `json:"source"`
}

// chatUser is the user of a one-to-one chat. Events from groups and rooms
// carry a userId too, but answering them would show a mother's bookings to
// the whole group: they get no user, and so no answer.
func (h eventHeader) chatUser() string {
	if h.Source.Type != "user" {
		return ""
	}
	return h.Source.UserID
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status := h.serve(w, r)
	h.requests.Inc(http.StatusText(status))
	if status != http.StatusOK {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// serve returns the status to answer. It never logs the body or the SDK's
// error text, which carries the body.
func (h *Webhook) serve(w http.ResponseWriter, r *http.Request) int {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge
		}
		return http.StatusBadRequest
	}
	if !webhook.ValidateSignature(h.secret, r.Header.Get("x-line-signature"), body) {
		return http.StatusUnauthorized
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		h.log.WarnContext(r.Context(), "webhook body is not LINE's JSON")
		return http.StatusBadRequest
	}

	now := h.clock.Now()
	events := make([]inbox.Event, 0, len(env.Events))
	places := make([]int, 0, len(env.Events)) // events[k] is env.Events[places[k]]
	for i, raw := range env.Events {
		var head eventHeader
		if err := json.Unmarshal(raw, &head); err != nil || head.WebhookEventID == "" {
			h.drop(r.Context(), droppedUnreadable, i, "")
			continue
		}
		if !storable(head, raw) {
			h.drop(r.Context(), droppedUnstorable, i, head.WebhookEventID)
			continue
		}
		if head.Timestamp <= 0 {
			h.drop(r.Context(), droppedNoTimestamp, i, head.WebhookEventID)
			continue
		}
		occurred := time.UnixMilli(head.Timestamp)
		if now.Sub(occurred) > maxEventAge {
			h.drop(r.Context(), droppedTooOld, i, head.WebhookEventID)
			continue
		}
		if occurred.Sub(now) > maxEventAhead {
			occurred = now
		}
		events = append(events, inbox.Event{
			EventID:    head.WebhookEventID,
			LineUserID: head.chatUser(),
			Payload:    raw,
			OccurredAt: occurred,
			ReceivedAt: now,
		})
		places = append(places, i)
	}
	// Stored before the 200: once LINE has its answer the event must not be
	// lost. If the database is down or slow LINE gets a 503 and redelivers.
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	refused, err := h.store(ctx, events, 0)
	if err != nil {
		h.log.ErrorContext(r.Context(), "store webhook events", "error", err, "events", len(events))
		return http.StatusServiceUnavailable
	}
	for _, k := range refused {
		h.drop(r.Context(), droppedUnstorable, places[k], events[k].EventID)
	}
	if len(events) > len(refused) {
		h.wake()
	}
	return http.StatusOK
}

// storable tells beforehand what Postgres's text refuses (a NUL, broken
// UTF-8), so that a delivery full of such events costs no search in store,
// which still catches whatever else the inbox refuses.
func storable(head eventHeader, raw []byte) bool {
	return utf8.Valid(raw) && !strings.ContainsRune(head.WebhookEventID, 0) && !strings.ContainsRune(head.Source.UserID, 0)
}

// store adds events to the inbox in their order and returns the places of
// those whose data the inbox refused (counted from offset); the rest are
// stored. A refused delivery is split in halves until the refused events
// stand alone, so one bad event costs a few more statements, not one per
// event.
func (h *Webhook) store(ctx context.Context, events []inbox.Event, offset int) (refused []int, err error) {
	if len(events) == 0 {
		return nil, nil
	}
	_, err = h.inbox.Add(ctx, events)
	if !errors.Is(err, inbox.ErrUnstorable) {
		return nil, err
	}
	if len(events) == 1 {
		return []int{offset}, nil
	}
	half := len(events) / 2
	first, err := h.store(ctx, events[:half], offset)
	if err != nil {
		return nil, err
	}
	second, err := h.store(ctx, events[half:], offset+half)
	if err != nil {
		return nil, err
	}
	return append(first, second...), nil
}

// drop counts and logs an event left out of its delivery. The log names
// its place in the delivery and its event id when that looks like LINE's,
// never its content or its user.
func (h *Webhook) drop(ctx context.Context, reason string, index int, eventID string) {
	h.dropped.Inc(reason)
	attrs := []any{"reason", reason, "index", index}
	if lineEventID.MatchString(eventID) {
		attrs = append(attrs, "event", eventID)
	}
	h.log.WarnContext(ctx, "webhook event dropped", attrs...)
}

// lineEventID is the shape of LINE's webhookEventId, a ULID.
var lineEventID = regexp.MustCompile(`^[0-9A-Z]{26}$`)
