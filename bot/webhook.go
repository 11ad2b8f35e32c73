package bot

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/clock"
	"mamasroom/inbox"
	"mamasroom/metrics"
)

// maxWebhookBody caps what is read of a webhook request; LINE's own bodies are
// far smaller, so anything larger is not from LINE.
const maxWebhookBody = 1 << 20

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
}

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
	for _, raw := range env.Events {
		var head eventHeader
		if err := json.Unmarshal(raw, &head); err != nil || head.WebhookEventID == "" {
			h.log.WarnContext(r.Context(), "webhook event without an id dropped")
			continue
		}
		occurred := now
		if head.Timestamp > 0 {
			occurred = time.UnixMilli(head.Timestamp)
		}
		events = append(events, inbox.Event{
			EventID:    head.WebhookEventID,
			LineUserID: head.chatUser(),
			Payload:    raw,
			OccurredAt: occurred,
			ReceivedAt: now,
		})
	}
	// Stored before the 200: once LINE has its answer the event must not be
	// lost. If the database is down LINE gets a 500 and may redeliver.
	if _, err := h.inbox.Add(r.Context(), events); err != nil {
		h.log.ErrorContext(r.Context(), "store webhook events", "error", err, "events", len(events))
		return http.StatusInternalServerError
	}
	if len(events) > 0 {
		h.wake()
	}
	return http.StatusOK
}
