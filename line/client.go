package line

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// Client calls the Messaging API. Its errors carry the endpoint and the
// status only: LINE's error bodies are never passed on, so no log line can
// repeat what a request held.
type Client struct {
	token    string
	endpoint string
	http     *http.Client
	calls    CallCounter
}

// CallCounter counts calls by endpoint and HTTP status (0: no answer).
type CallCounter interface {
	Inc(endpointAndStatus ...string)
}

// NewClient makes a client of the Messaging API at endpoint
// (https://api.line.me, or a fake in tests). calls may be nil.
func NewClient(token, endpoint string, httpClient *http.Client, calls CallCounter) *Client {
	return &Client{token: token, endpoint: endpoint, http: httpClient, calls: calls}
}

// api makes an SDK client for one call. The SDK's WithContext changes the
// client it is called on, so a shared one would mix up concurrent calls.
func (c *Client) api(ctx context.Context) (*messaging_api.MessagingApiAPI, error) {
	api, err := messaging_api.NewMessagingApiAPI(c.token,
		messaging_api.WithEndpoint(c.endpoint), messaging_api.WithHTTPClient(c.http))
	if err != nil {
		return nil, fmt.Errorf("make LINE client: %w", err)
	}
	return api.WithContext(ctx), nil
}

// Error is a failed Messaging API call.
type Error struct {
	Endpoint string
	Status   int // 0 when LINE could not be reached
	err      error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("LINE %s: %v", e.Endpoint, e.err) // a transport error: no body in it
	}
	return fmt.Sprintf("LINE %s: status %d", e.Endpoint, e.Status)
}

func (e *Error) Unwrap() error { return e.err }

// HTTPStatus is LINE's answer, 0 when it gave none.
func (e *Error) HTTPStatus() int { return e.Status }

// IsOutage reports whether LINE fails every request alike rather than
// refusing this one: 401 or 403 (the token expired, was rotated or lacks a
// right), 429 (the rate limit or the month's quota is spent), a 5xx, or no
// answer at all. Work should pause and try again, keeping what it holds.
func IsOutage(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch s := e.Status; {
	case s == 0, s == http.StatusUnauthorized, s == http.StatusForbidden, s == http.StatusTooManyRequests, s >= 500:
		return true
	}
	return false
}

// IsRefused reports whether LINE refused this one request (a 4xx that is
// not an outage): sending it again will not change the answer.
func IsRefused(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status >= 400 && e.Status < 500 && !IsOutage(err)
}

// IsInvalidReplyToken reports whether a reply was refused as a bad request:
// for a reply the program built itself, that is its token, spent or
// expired, and the answer must go by push.
func IsInvalidReplyToken(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Endpoint == "reply" && e.Status == http.StatusBadRequest
}

// Reply answers with a reply token.
func (c *Client) Reply(ctx context.Context, token string, msgs []Message) error {
	api, err := c.api(ctx)
	if err != nil {
		return err
	}
	res, _, err := api.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{
		ReplyToken: token, Messages: ToLINE(msgs),
	})
	_, err = c.outcome("reply", res, err)
	return err
}

// Push sends messages to a user with an X-Line-Retry-Key. A 409 means LINE
// already accepted a push with this key: the messages were sent, and that
// is success.
func (c *Client) Push(ctx context.Context, userID, retryKey string, msgs []Message) error {
	api, err := c.api(ctx)
	if err != nil {
		return err
	}
	res, _, err := api.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
		To: userID, Messages: ToLINE(msgs),
	}, retryKey)
	status, err := c.outcome("push", res, err)
	if status == http.StatusConflict {
		return nil
	}
	return err
}

// outcome counts a call and turns its failure into an *Error.
func (c *Client) outcome(endpoint string, res *http.Response, err error) (int, error) {
	status := 0
	if res != nil {
		status = res.StatusCode
		if res.Body != nil {
			res.Body.Close()
		}
	}
	if c.calls != nil {
		c.calls.Inc(endpoint, fmt.Sprint(status))
	}
	switch {
	case err == nil:
		return status, nil
	case status == 0:
		return 0, &Error{Endpoint: endpoint, err: err}
	}
	// The SDK's error quotes LINE's body, which may repeat the request:
	// only the status is kept.
	return status, &Error{Endpoint: endpoint, Status: status}
}
