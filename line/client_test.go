package line

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestErrorsTellOutagesFromRefusals(t *testing.T) {
	for _, tc := range []struct {
		endpoint        string
		status          int
		outage, refused bool
		badToken        bool
	}{
		{"push", 401, true, false, false}, {"push", 403, true, false, false}, {"push", 429, true, false, false},
		{"push", 500, true, false, false}, {"push", 503, true, false, false}, {"push", 0, true, false, false},
		{"push", 400, false, true, false}, {"push", 404, false, true, false},
		{"reply", 400, false, true, true}, {"reply", 500, true, false, false},
	} {
		err := fmt.Errorf("answer: %w", &Error{Endpoint: tc.endpoint, Status: tc.status, err: errors.New("x")})
		if IsOutage(err) != tc.outage || IsRefused(err) != tc.refused || IsInvalidReplyToken(err) != tc.badToken {
			t.Errorf("%s %d: outage %v, refused %v, bad token %v; want %v, %v, %v", tc.endpoint, tc.status,
				IsOutage(err), IsRefused(err), IsInvalidReplyToken(err), tc.outage, tc.refused, tc.badToken)
		}
	}
	if IsOutage(errors.New("database")) || IsRefused(errors.New("database")) {
		t.Error("an error not from LINE is neither")
	}
}

func TestTelURI(t *testing.T) {
	for in, want := range map[string]string{"03-6413-8435": "tel:0364138435", "#7119": "tel:%237119", "119": "tel:119", "0570-064-556": "tel:0570064556"} {
		if got := TelURI(in); got != want {
			t.Errorf("TelURI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRichMenuBlobEndpoint(t *testing.T) {
	for endpoint, want := range map[string]string{
		"https://api.line.me":    "https://api-data.line.me",
		"https://api.line.me/":   "https://api-data.line.me",
		"http://127.0.0.1:41234": "http://127.0.0.1:41234",
	} {
		c := &Client{endpoint: endpoint}
		if got := c.blobEndpoint(); got != want {
			t.Errorf("blob endpoint for %q = %q, want %q", endpoint, got, want)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Thu, 03 Dec 2026 01:00:30 GMT": 30 * time.Second,
		"Thu, 03 Dec 2026 00:59:00 GMT": 0,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("Retry-After %q = %s, want %s", h, got, want)
		}
	}
}
