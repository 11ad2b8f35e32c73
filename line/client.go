package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

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
	// retryAfter is LINE's Retry-After, when it sent one.
	retryAfter time.Duration
	// monthlyLimit is set for a 429 whose body says the month's messages
	// are spent, as opposed to a rate limit.
	monthlyLimit bool
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

// RetryAfter is how long LINE asked us to wait with a Retry-After header,
// 0 when it did not.
func (e *Error) RetryAfter() time.Duration { return e.retryAfter }

// MonthlyLimitReached reports whether LINE refused with 429 because the
// month's messages (the plan's free messages, or the target limit set for
// additional ones) are spent: nothing more is sent until the next month or
// until the limit is raised, and waiting a few seconds changes nothing.
func (e *Error) MonthlyLimitReached() bool { return e.monthlyLimit }

// IsMonthlyLimit reports whether err is LINE's 429 for a spent month.
func IsMonthlyLimit(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.monthlyLimit
}

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

// Quota is the month's target limit of messages sent with the Messaging
// API: the plan's free messages and the additional messages allowed.
type Quota struct {
	// Limited is false when no target limit is set; Limit is then 0.
	Limited bool
	Limit   int64
}

// Quota reads this month's target limit (GET /v2/bot/message/quota).
func (c *Client) Quota(ctx context.Context) (Quota, error) {
	api, err := c.api(ctx)
	if err != nil {
		return Quota{}, err
	}
	res, q, err := api.GetMessageQuotaWithHttpInfo()
	if _, err := c.outcome("quota", res, err); err != nil {
		return Quota{}, err
	}
	if q.Type == messaging_api.QuotaType_LIMITED {
		return Quota{Limited: true, Limit: q.Value}, nil
	}
	return Quota{}, nil
}

// QuotaConsumption reads how many messages were sent this month (GET
// /v2/bot/message/quota/consumption). Replies are free and not counted.
func (c *Client) QuotaConsumption(ctx context.Context) (int64, error) {
	api, err := c.api(ctx)
	if err != nil {
		return 0, err
	}
	res, q, err := api.GetMessageQuotaConsumptionWithHttpInfo()
	if _, err := c.outcome("quota_consumption", res, err); err != nil {
		return 0, err
	}
	return q.TotalUsage, nil
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
			defer res.Body.Close()
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
	// only the status is kept, and what the headers and body say of when to
	// try again.
	e := &Error{Endpoint: endpoint, Status: status, retryAfter: retryAfter(res.Header.Get("Retry-After"), time.Now())}
	if status == http.StatusTooManyRequests {
		e.monthlyLimit = monthlyLimitBody(res.Body)
	}
	return status, e
}

// monthlyLimitMessage is what LINE's 429 says when the month's messages
// are spent; its other 429s are rate and concurrency limits.
const monthlyLimitMessage = "You have reached your monthly limit."

// monthlyLimitBody reads LINE's error body only to tell the monthly limit
// from a rate limit. The SDK leaves the body it read in res.Body; nothing
// of it is kept or logged.
func monthlyLimitBody(body io.Reader) bool {
	if body == nil {
		return false
	}
	var e struct {
		Message string `json:"message"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 64<<10)).Decode(&e); err != nil {
		return false
	}
	return e.Message == monthlyLimitMessage
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date
// (RFC 9110 §10.2.3); 0 when it is absent or cannot be read.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(h); err == nil {
		return time.Duration(max(secs, 0)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
