package linesim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"mamasroom/linesim"
)

// The clock control is on the page only when the sim is given one: the
// page shows the sim's time and a button that calls Move for the mother
// shown; Move's refusal reaches the page as a short note.
func TestChatClockControl(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	sim, err := linesim.New(linesim.Config{ChannelSecret: secret, AccessToken: token, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var moved []string
	refuse := false
	chat := httptest.NewServer(sim.ChatHandlerWithClock(linesim.ClockControl{
		Label: "前日12:00へ",
		Move: func(_ context.Context, user string) error {
			mu.Lock()
			defer mu.Unlock()
			if refuse {
				return errors.New("時計を進められませんでした")
			}
			moved = append(moved, user)
			return nil
		},
	}))
	t.Cleanup(chat.Close)
	plain := httptest.NewServer(sim.ChatHandler())
	t.Cleanup(plain.Close)

	if page := get(t, chat.URL+"/", http.StatusOK); !strings.Contains(page, `id="move-clock">前日12:00へ</button>`) {
		t.Errorf("the page has no clock button:\n%s", page)
	}
	if page := get(t, plain.URL+"/", http.StatusOK); strings.Contains(page, `id="move-clock"`) {
		t.Error("the page without a clock control shows one")
	}
	get(t, plain.URL+"/chat/api/clock", http.StatusNotFound)

	var c struct{ Now time.Time }
	if err := json.Unmarshal([]byte(get(t, chat.URL+"/chat/api/clock", http.StatusOK)), &c); err != nil || !c.Now.Equal(now) {
		t.Errorf("clock = %v (%v), want the sim's %v", c.Now, err, now)
	}

	const user = "U000000000000000000000000000000a1"
	if status, body := chatPost(t, chat, "/chat/api/clock", `{"user":"`+user+`"}`); status != http.StatusNoContent {
		t.Fatalf("POST /chat/api/clock = %d %s, want 204", status, body)
	}
	if status, _ := chatPost(t, chat, "/chat/api/clock", `{"user":"nobody"}`); status != http.StatusBadRequest {
		t.Errorf("POST /chat/api/clock for a bad user = %d, want 400", status)
	}
	mu.Lock()
	refuse = true
	mu.Unlock()
	if status, body := chatPost(t, chat, "/chat/api/clock", `{"user":"`+user+`"}`); status != http.StatusBadGateway || !strings.Contains(body, "時計を進められませんでした") {
		t.Errorf("a refused move = %d %q, want 502 with its note", status, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(moved) != 1 || moved[0] != user {
		t.Errorf("Move called for %q, want once for %s", moved, user)
	}
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s = %d, want %d", url, resp.StatusCode, want)
	}
	return string(b)
}
