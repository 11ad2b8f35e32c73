package linesim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Delivery is one webhook POST and what the bot answered.
type Delivery struct {
	StatusCode  int
	EventIDs    []string
	ReplyTokens []string // "" for an event without one (unfollow)
	Body        []byte
	Elapsed     time.Duration // from sending the request to reading the answer
}

// SendText delivers a text message from userID.
func (s *Sim) SendText(ctx context.Context, userID, text string) (*Delivery, error) {
	return s.sendEvent(ctx, userID, "message", true, map[string]any{
		"message": map[string]any{
			"type": "text", "id": newMessageID(), "quoteToken": randomHex(16), "text": text,
		},
	}, heard{kind: "text", text: text})
}

// SendPostback delivers a postback from userID. params are what LINE adds
// for a datetimepicker, e.g. {"date": "2026-10-15"}; nil for none.
func (s *Sim) SendPostback(ctx context.Context, userID, data string, params map[string]string) (*Delivery, error) {
	return s.sendPostback(ctx, userID, data, params, "")
}

// sendPostback is SendPostback with the text her chat shows for it: the
// action's displayText, or "" when LINE shows nothing.
func (s *Sim) sendPostback(ctx context.Context, userID, data string, params map[string]string, shown string) (*Delivery, error) {
	postback := map[string]any{"data": data}
	if params != nil {
		postback["params"] = params
	}
	return s.sendEvent(ctx, userID, "postback", true, map[string]any{"postback": postback}, heard{kind: "postback", text: shown})
}

// SendFollow delivers a follow: the user added the account, or unblocked it.
func (s *Sim) SendFollow(ctx context.Context, userID string) (*Delivery, error) {
	if !userIDPattern.MatchString(userID) {
		return nil, fmt.Errorf("linesim: user id %q is not U followed by 32 hex digits", userID)
	}
	s.mu.Lock()
	u := s.userLocked(userID)
	unblocked := u.blocked
	u.blocked, u.followed = false, true
	s.mu.Unlock()
	return s.sendEvent(ctx, userID, "follow", true, map[string]any{
		"follow": map[string]any{"isUnblocked": unblocked},
	}, heard{kind: "follow"})
}

// SendUnfollow delivers an unfollow (the user blocked the account). LINE
// gives no reply token for it, and later pushes to the user are dropped.
func (s *Sim) SendUnfollow(ctx context.Context, userID string) (*Delivery, error) {
	if !userIDPattern.MatchString(userID) {
		return nil, fmt.Errorf("linesim: user id %q is not U followed by 32 hex digits", userID)
	}
	s.mu.Lock()
	s.userLocked(userID).blocked = true
	s.mu.Unlock()
	return s.sendEvent(ctx, userID, "unfollow", false, nil, heard{kind: "unfollow"})
}

// SendSticker delivers a sticker message from userID.
func (s *Sim) SendSticker(ctx context.Context, userID, packageID, stickerID string) (*Delivery, error) {
	return s.sendEvent(ctx, userID, "message", true, map[string]any{
		"message": map[string]any{
			"type": "sticker", "id": newMessageID(), "quoteToken": randomHex(16),
			"packageId": packageID, "stickerId": stickerID, "stickerResourceType": "STATIC",
		},
	}, heard{kind: "sticker"})
}

// SendImage delivers an image message (content held by LINE) from userID;
// its content is a small JPEG, served at the content endpoint.
func (s *Sim) SendImage(ctx context.Context, userID string) (*Delivery, error) {
	return s.SendPhoto(ctx, userID, SampleJPEG, "image/jpeg")
}

// SendPhoto delivers an image message from userID whose content, served
// at GET /v2/bot/message/{messageId}/content, is data of type mediaType.
func (s *Sim) SendPhoto(ctx context.Context, userID string, data []byte, mediaType string) (*Delivery, error) {
	id := newMessageID()
	s.mu.Lock()
	s.contents[id] = content{userID: userID, data: append([]byte(nil), data...), mediaType: mediaType, at: s.now()}
	s.mu.Unlock()
	return s.sendEvent(ctx, userID, "message", true, map[string]any{
		"message": map[string]any{
			"type": "image", "id": id, "quoteToken": randomHex(16),
			"contentProvider": map[string]any{"type": "line"},
		},
	}, heard{kind: "image"})
}

// Redeliver sends d's events again as LINE does after a failed delivery:
// same event ids and reply tokens, deliveryContext.isRedelivery true, signed
// afresh.
func (s *Sim) Redeliver(ctx context.Context, d *Delivery) (*Delivery, error) {
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	dec.UseNumber() // keep timestamps exactly as they were
	var cb map[string]any
	if err := dec.Decode(&cb); err != nil {
		return nil, fmt.Errorf("linesim: redeliver: decode earlier body: %w", err)
	}
	events, _ := cb["events"].([]any)
	for _, e := range events {
		if ev, ok := e.(map[string]any); ok {
			ev["deliveryContext"] = map[string]any{"isRedelivery": true}
		}
	}
	body, err := json.Marshal(cb)
	if err != nil {
		return nil, fmt.Errorf("linesim: redeliver: %w", err)
	}
	return s.deliver(ctx, body, d.EventIDs, d.ReplyTokens)
}

// SendRaw POSTs body to the webhook with the given x-line-signature (none
// when ""), for tests of bad signatures and malformed bodies. The caller
// closes the response body.
func (s *Sim) SendRaw(ctx context.Context, body []byte, signature string) (*http.Response, error) {
	return s.post(ctx, body, signature)
}

// userLocked returns userID's record, creating it on first sight.
func (s *Sim) userLocked(userID string) *user {
	u := s.users[userID]
	if u == nil {
		u = &user{}
		s.users[userID] = u
	}
	return u
}

// sendEvent builds one event of kind typ from userID, issues its reply
// token before the webhook goes out (the bot may reply at once), notes what
// her chat shows of it, and delivers it.
func (s *Sim) sendEvent(ctx context.Context, userID, typ string, withReplyToken bool, fields map[string]any, shown heard) (*Delivery, error) {
	if !userIDPattern.MatchString(userID) {
		return nil, fmt.Errorf("linesim: user id %q is not U followed by 32 hex digits", userID)
	}
	now := s.now()
	id := newULID(now)
	event := map[string]any{
		"type":            typ,
		"timestamp":       now.UnixMilli(),
		"mode":            "active",
		"webhookEventId":  id,
		"deliveryContext": map[string]any{"isRedelivery": false},
		"source":          map[string]any{"type": "user", "userId": userID},
	}
	for k, v := range fields {
		event[k] = v
	}

	var token string
	s.mu.Lock()
	u := s.userLocked(userID)
	if u.blocked && typ != "unfollow" {
		s.mu.Unlock()
		// A user who blocked the account cannot talk to it.
		return nil, fmt.Errorf("linesim: %s from %s, who has unfollowed; SendFollow first", typ, userID)
	}
	if withReplyToken {
		token = randomHex(16)
		s.replyTokens[token] = &replyToken{userID: userID, issued: now}
		event["replyToken"] = token
	}
	s.recordHeardLocked(userID, shown, now)
	s.mu.Unlock()

	body, err := json.Marshal(map[string]any{"destination": s.botID, "events": []any{event}})
	if err != nil {
		return nil, fmt.Errorf("linesim: encode webhook: %w", err)
	}
	return s.deliver(ctx, body, []string{id}, []string{token})
}

// deliver signs and POSTs a webhook body. It returns an error, with the
// Delivery, when the bot does not answer 200.
func (s *Sim) deliver(ctx context.Context, body []byte, eventIDs, replyTokens []string) (*Delivery, error) {
	start := time.Now() // wall time, not s.now: Elapsed measures the bot
	resp, err := s.post(ctx, body, s.sign(body))
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := &Delivery{
		StatusCode:  resp.StatusCode,
		EventIDs:    eventIDs,
		ReplyTokens: replyTokens,
		Body:        body,
		Elapsed:     time.Since(start),
	}
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("linesim: webhook answered %d, want 200", resp.StatusCode)
	}
	return d, nil
}

func (s *Sim) post(ctx context.Context, body []byte, signature string) (*http.Response, error) {
	s.mu.Lock()
	url := s.webhookURL
	s.mu.Unlock()
	if url == "" {
		return nil, fmt.Errorf("linesim: no webhook URL; call SetWebhookURL")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("linesim: build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "LineBotWebhook/2.0")
	if signature != "" {
		req.Header.Set("x-line-signature", signature)
	}
	resp, err := s.webhooks.Do(req)
	if err != nil {
		return nil, fmt.Errorf("linesim: post webhook: %w", err)
	}
	return resp, nil
}

// sign computes x-line-signature as LINE does: base64 of the HMAC-SHA256
// of the body keyed with the channel secret.
func (s *Sim) sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(s.secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
