package bot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"mamasroom/metrics"
)

// Sender sends messages with the Messaging API. Errors carry the endpoint
// and status only: LINE's error bodies are never passed on, so no log line
// can repeat what a request held.
type Sender struct {
	token    string
	endpoint string
	http     *http.Client
	calls    *metrics.Counter
}

func NewSender(token, endpoint string, client *http.Client, reg *metrics.Registry) *Sender {
	return &Sender{
		token:    token,
		endpoint: endpoint,
		http:     client,
		calls:    reg.NewCounter("mamasroom_line_api_calls_total", "Messaging API calls by endpoint and HTTP status.", "endpoint", "status"),
	}
}

// api makes a client for one call. The SDK's WithContext changes the client
// it is called on, so a shared client would mix up concurrent calls.
func (s *Sender) api(ctx context.Context) (*messaging_api.MessagingApiAPI, error) {
	api, err := messaging_api.NewMessagingApiAPI(s.token,
		messaging_api.WithEndpoint(s.endpoint), messaging_api.WithHTTPClient(s.http))
	if err != nil {
		return nil, fmt.Errorf("make LINE client: %w", err)
	}
	return api.WithContext(ctx), nil
}

// permanentError is a refusal that sending again will not change (a 4xx
// other than 401, 403 and 429): the request itself was wrong, so the
// dispatcher gives the event up.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func isPermanent(err error) bool {
	var pe *permanentError
	return errors.As(err, &pe)
}

// outageError is LINE failing every request alike, not refusing this one:
// 401 or 403 (the token expired, was rotated or lacks a right), 429 (the
// rate limit or the month's message quota is spent), a 5xx, or no answer at
// all. The dispatcher keeps the event and pauses until LINE works again.
type outageError struct {
	status int // 0 when LINE could not be reached
	err    error
}

func (e *outageError) Error() string { return e.err.Error() }
func (e *outageError) Unwrap() error { return e.err }

// IsOutage reports whether err is a LINE outage rather than a refusal of
// one request.
func IsOutage(err error) bool {
	var oe *outageError
	return errors.As(err, &oe)
}

// classify types a failed Messaging API call by its status.
func classify(status int, err error) error {
	switch {
	case err == nil:
		return nil
	case status == 0, status == http.StatusUnauthorized, status == http.StatusForbidden,
		status == http.StatusTooManyRequests, status >= 500:
		return &outageError{status: status, err: err}
	case status >= 400:
		return &permanentError{err}
	}
	return err
}

// Answer answers an event: with its reply token while that is good, and by
// push, under a retry key made from the event, when the token is missing or
// spent (the answer came late, or this is a retry).
func (s *Sender) Answer(ctx context.Context, userID, replyToken, eventID string, msgs []Message) error {
	if replyToken != "" {
		status, err := s.reply(ctx, replyToken, msgs)
		if err == nil {
			return nil
		}
		if status != http.StatusBadRequest {
			return classify(status, err) // LINE or the network failed: the token may still be good next time
		}
	}
	return s.Push(ctx, userID, retryKey("answer", eventID), msgs)
}

func (s *Sender) reply(ctx context.Context, token string, msgs []Message) (int, error) {
	api, err := s.api(ctx)
	if err != nil {
		return 0, err
	}
	res, _, err := api.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{
		ReplyToken: token, Messages: toLINE(msgs),
	})
	return s.outcome("reply", res, err)
}

// Push sends messages to a user. A 409 means LINE already accepted a push
// with this retry key: the messages were sent, and that is success.
func (s *Sender) Push(ctx context.Context, userID, retryKey string, msgs []Message) error {
	api, err := s.api(ctx)
	if err != nil {
		return err
	}
	res, _, err := api.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
		To: userID, Messages: toLINE(msgs),
	}, retryKey)
	status, err := s.outcome("push", res, err)
	if status == http.StatusConflict {
		return nil
	}
	return classify(status, err)
}

func (s *Sender) outcome(endpoint string, res *http.Response, err error) (int, error) {
	status := 0
	if res != nil {
		status = res.StatusCode
		if res.Body != nil {
			res.Body.Close()
		}
	}
	s.calls.Inc(endpoint, fmt.Sprint(status))
	if err == nil {
		return status, nil
	}
	if status == 0 {
		return 0, fmt.Errorf("LINE %s: %w", endpoint, err) // a transport error: no body in it
	}
	return status, fmt.Errorf("LINE %s: status %d", endpoint, status)
}

// retryKey derives the X-Line-Retry-Key of a push from what it is for, so a
// push sent again after a crash carries the same key and LINE drops the
// repeat. It is shaped as a version 4 UUID, as LINE asks.
func retryKey(purpose, id string) string {
	sum := sha256.Sum256([]byte("mamasroom/" + purpose + "/" + id))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
