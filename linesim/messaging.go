package linesim

import (
	"fmt"
	"net/http"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// retryKeyWindow is how long LINE remembers an accepted X-Line-Retry-Key.
const retryKeyWindow = 24 * time.Hour

func (s *Sim) handleReply(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readJSONBody(w, r)
	if !ok {
		return
	}
	var req messaging_api.ReplyMessageRequest
	if details := s.validateJSON(r, "/v2/bot/message/reply", nil, body, &req); len(details) > 0 {
		s.rejectInvalid(w, r, details)
		return
	}

	s.mu.Lock()
	tok := s.replyTokens[req.ReplyToken]
	var why string
	switch {
	case tok == nil:
		why = "reply token was not issued by this sim"
	case tok.used:
		why = "reply token was already used"
	case s.now().Sub(tok.issued) >= s.ttl:
		why = fmt.Sprintf("reply token expired (issued %s ago, TTL %s)", s.now().Sub(tok.issued).Round(time.Millisecond), s.ttl)
	}
	if why != "" && tok != nil && tok.used && tok.answerLost {
		// The bot never heard that its reply went through: trying again
		// is right, and LINE's refusal tells it the reply was delivered.
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "Invalid reply token", nil)
		return
	}
	if why != "" {
		s.mu.Unlock()
		s.reject(w, r, http.StatusBadRequest, "Invalid reply token", why)
		return
	}
	// Only a successful reply uses the token up: a refused one can be
	// corrected and sent again, as on LINE.
	tok.used = true
	s.recordSentLocked(Sent{
		Kind:       "reply",
		To:         tok.userID,
		ReplyToken: req.ReplyToken,
		Messages:   req.Messages,
		Raw:        body,
		At:         s.now(),
		Blocked:    s.users[tok.userID] != nil && s.users[tok.userID].blocked,
	})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, sentMessages(len(req.Messages)))
}

func (s *Sim) handlePush(w http.ResponseWriter, r *http.Request) {
	// The rate limit is counted before anything is read, as LINE counts
	// requests, not good ones.
	s.mu.Lock()
	if ok, wait := s.takePushRateLocked(s.now()); !ok {
		s.rateLimitedLocked(w, r, s.now(), wait)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	retryKey := r.Header.Get("X-Line-Retry-Key")
	if retryKey != "" && !uuidPattern.MatchString(retryKey) {
		s.reject(w, r, http.StatusBadRequest, "The value for the 'X-Line-Retry-Key' header is invalid",
			fmt.Sprintf("X-Line-Retry-Key %q is not a UUID", retryKey))
		return
	}
	body, ok := s.readJSONBody(w, r)
	if !ok {
		return
	}
	var req messaging_api.PushMessageRequest
	if details := s.validateJSON(r, "/v2/bot/message/push", nil, body, &req); len(details) > 0 {
		s.rejectInvalid(w, r, details)
		return
	}

	s.mu.Lock()
	u := s.users[req.To]
	if !userIDPattern.MatchString(req.To) || u == nil {
		s.mu.Unlock()
		s.reject(w, r, http.StatusBadRequest, "The property, 'to', in the request body is invalid (line: -, column: -)",
			fmt.Sprintf("push to %q, a user this sim never saw", req.To))
		return
	}
	now := s.now()
	if retryKey != "" {
		// Checked and recorded under one lock so that two concurrent
		// pushes with one key deliver once, as LINE promises.
		if acc, ok := s.retryKeys[retryKey]; ok && now.Sub(acc.at) < retryKeyWindow {
			s.mu.Unlock()
			// Not a Rejection: answering 409 to a repeat is how LINE makes
			// retries safe, and a bot that retries is doing right.
			w.Header().Set("x-line-accepted-request-id", acc.requestID)
			writeError(w, http.StatusConflict, "The retry key is already accepted", nil)
			return
		}
	}
	// A push over a limit sends nothing, so its retry key stays unused.
	if s.monthSpentLocked(now) {
		s.monthlyLimitedLocked(w, r, now)
		s.mu.Unlock()
		return
	}
	if retryKey != "" {
		s.retryKeys[retryKey] = acceptedKey{requestID: w.Header().Get("x-line-request-id"), at: now}
	}
	if !u.blocked {
		s.usage[monthOf(now)]++
	}
	// LINE answers 200 to a push to a user who blocked the account and
	// silently drops it; Blocked lets tests see that.
	s.recordSentLocked(Sent{
		Kind:     "push",
		To:       req.To,
		RetryKey: retryKey,
		Messages: req.Messages,
		Raw:      body,
		At:       now,
		Blocked:  u.blocked,
	})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, sentMessages(len(req.Messages)))
}

func (s *Sim) handleProfile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("userId")
	s.mu.Lock()
	u := s.users[id]
	s.mu.Unlock()
	switch {
	case u == nil:
		s.reject(w, r, http.StatusNotFound, "Not found", fmt.Sprintf("profile of %q, a user this sim never saw", id))
		return
	case u.blocked:
		s.reject(w, r, http.StatusNotFound, "Not found", "profile of a user who unfollowed")
		return
	}
	writeJSON(w, http.StatusOK, messaging_api.UserProfileResponse{
		DisplayName:   "テストママ" + id[len(id)-4:],
		UserId:        id,
		PictureUrl:    "https://profile.line-scdn.net/0h" + id[1:17],
		StatusMessage: "",
		Language:      "ja",
	})
}

// validateJSON decodes body into dst with the SDK's type, checks it
// strictly, and validates it against the spec when loaded. A property the
// SDK check already reported is not reported again by the spec check.
func (s *Sim) validateJSON(r *http.Request, pattern string, pathParams map[string]string, body []byte, dst any) []errorDetail {
	details := decodeStrict(body, dst)
	seen := map[string]bool{}
	for _, d := range details {
		seen[d.Property] = true
	}
	for _, d := range s.validateSpec(r, pattern, pathParams, body) {
		if d.Property != "" && seen[d.Property] {
			continue
		}
		seen[d.Property] = true
		details = append(details, d)
	}
	return details
}

// sentMessages is the body LINE answers a successful send with.
func sentMessages(n int) messaging_api.ReplyMessageResponse {
	out := messaging_api.ReplyMessageResponse{SentMessages: make([]messaging_api.SentMessage, n)}
	for i := range out.SentMessages {
		out.SentMessages[i] = messaging_api.SentMessage{Id: newMessageID(), QuoteToken: randomHex(16)}
	}
	return out
}
