package outbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"mamasroom/line"
	"mamasroom/linesim"
)

const (
	simSecret = "outbox-test-secret"
	simToken  = "outbox-test-token"
	pushPath  = "/v2/bot/message/push"
)

// newSim starts a linesim Messaging API on 127.0.0.1:0, wrapped in wrap
// (nil for none), and has the given users follow the account so pushes to
// them are accepted. It returns the sim and the API's base URL.
func newSim(t testing.TB, users []string, wrap func(http.Handler) http.Handler) (*linesim.Sim, string) {
	t.Helper()
	// The sim delivers follow events somewhere; nothing here reads them.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(hook.Close)
	sim, err := linesim.New(linesim.Config{ChannelSecret: simSecret, AccessToken: simToken, WebhookURL: hook.URL})
	if err != nil {
		t.Fatal(err)
	}
	h := sim.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	api := httptest.NewServer(h)
	t.Cleanup(api.Close)
	for _, u := range users {
		if _, err := sim.SendFollow(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	return sim, api.URL
}

// userID is the i-th test user's LINE id.
func userID(i int) string { return fmt.Sprintf("U%032x", i+1) }

// simPusher pushes with the SDK, the way line.Client does: 409 is success,
// and an error tells its HTTP status through HTTPStatus, never LINE's body.
type simPusher struct {
	endpoint string
	token    string
	http     *http.Client
}

func newPusher(endpoint string) *simPusher {
	return &simPusher{endpoint: endpoint, token: simToken, http: &http.Client{Timeout: 10 * time.Second}}
}

type statusError struct{ status int }

func (e *statusError) Error() string   { return fmt.Sprintf("LINE push: status %d", e.status) }
func (e *statusError) HTTPStatus() int { return e.status }

func (p *simPusher) Push(ctx context.Context, userID, retryKey string, msgs []line.Message) error {
	api, err := messaging_api.NewMessagingApiAPI(p.token,
		messaging_api.WithEndpoint(p.endpoint), messaging_api.WithHTTPClient(p.http))
	if err != nil {
		return err
	}
	res, _, err := api.WithContext(ctx).PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
		To: userID, Messages: line.ToLINE(msgs),
	}, retryKey)
	status := 0
	if res != nil {
		status = res.StatusCode
		res.Body.Close()
	}
	switch {
	case err == nil || status == http.StatusConflict:
		return nil
	case status != 0:
		return &statusError{status}
	default:
		return fmt.Errorf("LINE push: %w", err)
	}
}

// slowMachine bounds a wait for what takes milliseconds: a test that
// waits so long has failed, and on a busy CI machine (the race detector,
// other packages' process tests alongside) 10 s was seen to be too short.
const slowMachine = 30 * time.Second

// waitFor polls cond until it holds, failing the test at the deadline.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sentTexts returns the texts of one send the sim accepted.
func sentTexts(s linesim.Sent) []string {
	var out []string
	for _, m := range s.Messages {
		switch t := m.(type) {
		case messaging_api.TextMessage:
			out = append(out, t.Text)
		case *messaging_api.TextMessage:
			out = append(out, t.Text)
		}
	}
	return out
}
