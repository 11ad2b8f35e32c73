package bot

import (
	"context"
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
type permanentError struct {
	status int
	err    error
}

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() error   { return e.err }
func (e *permanentError) HTTPStatus() int { return e.status }

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

// HTTPStatus is LINE's answer, 0 when it gave none; the outbox reads it.
func (e *outageError) HTTPStatus() int { return e.status }

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
		return &permanentError{status: status, err: err}
	}
	return err
}

// Reply answers with a reply token. A 400 means the token is spent or was
// never good (isInvalidReplyToken): the answer must go by push.
func (s *Sender) Reply(ctx context.Context, token string, msgs []Message) error {
	api, err := s.api(ctx)
	if err != nil {
		return err
	}
	res, _, err := api.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{
		ReplyToken: token, Messages: toLINE(msgs),
	})
	return classify(s.outcome("reply", res, err))
}

// isInvalidReplyToken reports whether LINE refused a reply as a bad request:
// for a reply the bot built itself, that is its token.
func isInvalidReplyToken(err error) bool {
	var pe *permanentError
	return errors.As(err, &pe) && pe.status == http.StatusBadRequest
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
