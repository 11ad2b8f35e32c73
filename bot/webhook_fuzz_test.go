package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"mamasroom/inbox"
	"mamasroom/words"
)

// The fuzz targets of what comes from outside: LINE's webhook bodies and
// signatures, every kind of event, and what a mother types. Their seeds
// are in testdata/fuzz/<target>/ (one of every event type of LINE's
// webhook.yml and an unknown one); scripts/test runs each briefly.

// FuzzWebhook posts any body: signed, it is stored or refused as a bad
// request, never a 5xx (LINE would redeliver it forever) and never a
// panic; signed with anything else, it is refused with 401.
func FuzzWebhook(f *testing.F) {
	h := start(f, tokyo("2026-11-25 09:00"), false)
	post := func(body []byte, signature string) int {
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set("x-line-signature", signature)
		rec := httptest.NewRecorder()
		h.bot.Webhook.ServeHTTP(rec, req)
		return rec.Code
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		switch status := post(body, sign(body)); status {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("signed body answered %d:\n%q", status, body)
		}
		if status := post(body, sign(append(body[:len(body):len(body)], ' '))); status != http.StatusUnauthorized && status != http.StatusRequestEntityTooLarge {
			t.Fatalf("body with another body's signature answered %d, want 401", status)
		}
	})
}

// FuzzEvent hands any event, as the dispatcher would, to the engine of a
// bot running on Postgres, Redis and linesim: it is answered in a way LINE
// accepts or ignored, never an error or a panic. The event comes from a
// new mother each time, without a reply token (linesim did not issue one),
// so its answer goes by push, which linesim checks against LINE's spec.
func FuzzEvent(f *testing.F) {
	h := start(f, tokyo("2026-11-25 09:00"), false)
	f.Fuzz(func(t *testing.T, event []byte) {
		m := fuzzMother(t, h)
		handleFuzzed(t, h, m, event)
	})
}

// FuzzConversationText types any text, up to LINE's 5,000 characters
// (very long, emoji, control characters), at a point of the conversation:
// nowhere, the question to the midwives, the booking, the eligibility
// questions, her baby's birthday.
func FuzzConversationText(f *testing.F) {
	for _, seed := range []struct {
		at   uint8
		text string
	}{
		{0, "予約の確認"},
		{1, "赤ちゃんが38.5℃の熱でぐったりしています"},
		{1, string(bytes.Repeat([]byte("あ"), 5000))},
		{1, string(bytes.Repeat([]byte("👩‍👧"), 700))},
		{2, "１１／２７（金）"},
		{3, "はい"},
		{4, "令和8年10月15日"},
		{4, "２０２６年１０月１５日"},
		{4, "\x00\x01\u202e"},
	} {
		f.Add(seed.at, seed.text)
	}
	h := start(f, tokyo("2026-11-25 09:00"), false)
	before := [][]string{
		{},
		{words.Consult},
		{words.Book},
		{words.Eligible},
		{words.Eligible, words.Yes},
	}
	f.Fuzz(func(t *testing.T, at uint8, text string) {
		if utf8.RuneCountInString(text) > 5000 {
			text = string([]rune(text)[:5000]) // LINE sends no more
		}
		m := fuzzMother(t, h)
		for _, said := range before[int(at)%len(before)] {
			handleFuzzed(t, h, m, textEvent(said))
		}
		handleFuzzed(t, h, m, textEvent(text))
	})
}

// fuzzMother is a new LINE user whom linesim knows (she followed the
// account), so that pushes to her are accepted.
func fuzzMother(t *testing.T, h *harness) string {
	t.Helper()
	m := h.mother()
	if _, err := h.sim.SendFollow(context.Background(), m.userID); err != nil {
		t.Fatal(err)
	}
	return m.userID
}

func textEvent(text string) []byte {
	event, _ := json.Marshal(map[string]any{
		"type": "message", "mode": "active", "timestamp": 1795564800000,
		"webhookEventId": "01FUZZ", "deliveryContext": map[string]any{"isRedelivery": false},
		"source":  map[string]any{"type": "user", "userId": "U0"},
		"message": map[string]any{"type": "text", "id": "1", "quoteToken": "q", "text": text},
	})
	return event
}

var fuzzEventSeq atomic.Int64

// handleFuzzed runs one event through the engine, as from userID, and
// waits until the answers it queued have gone to linesim.
func handleFuzzed(t *testing.T, h *harness, userID string, event []byte) {
	t.Helper()
	now := h.clock.Now()
	ev := inbox.Pending{Event: inbox.Event{
		EventID:    fmt.Sprintf("01FUZZ%020d", fuzzEventSeq.Add(1)),
		LineUserID: userID,
		Payload:    withoutReplyToken(event),
		OccurredAt: now,
		ReceivedAt: now,
	}, Attempts: 1}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.bot.Engine.Handle(ctx, ev); err != nil {
		t.Fatalf("event %q: %v", event, err)
	}
	for {
		var waiting int
		if err := h.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE status = 'pending' AND not_before <= $1`, now).Scan(&waiting); err != nil {
			t.Fatalf("answers to %q were not sent: %v", event, err)
		}
		if waiting == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("answers to %q were not sent", event)
		case <-time.After(2 * time.Millisecond):
		}
	}
	if r := h.sim.Rejected(); len(r) > 0 {
		t.Fatalf("LINE refused what the bot sent for %q: %+v", event, r)
	}
}

// withoutReplyToken drops the event's replyToken, which linesim never
// issued and so would refuse.
func withoutReplyToken(event []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var fields map[string]any
	if dec.Decode(&fields) != nil {
		return event
	}
	if _, ok := fields["replyToken"]; !ok {
		return event
	}
	delete(fields, "replyToken")
	out, err := json.Marshal(fields)
	if err != nil {
		return event
	}
	return out
}
