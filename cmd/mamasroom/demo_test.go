package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mamasroom/postgres/pgtest"
	"mamasroom/redistest"
)

var demoLine = regexp.MustCompile(`demo: open (http://\S+)/ in a browser to chat as a mother\n`)

// TestDemo runs `mamasroom demo` on free ports and chats through its page's
// API as a mother would in the browser.
func TestDemo(t *testing.T) {
	t.Parallel()
	demo := startDemo(t, env{
		// Ignored: the demo makes its own channel and talks to its simulator.
		"LINE_CHANNEL_SECRET":       testChannelSecret,
		"LINE_CHANNEL_ACCESS_TOKEN": testAccessToken,
		"LINE_API_BASE_URL":         "http://127.0.0.1:1",
	})
	base := demo.url

	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page), "ママズルーム") {
		t.Errorf("GET / = %d %s, want 200 text/html naming ママズルーム", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	mother := newUserID()
	post := func(path, body string) {
		t.Helper()
		resp, err := client.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST %s = %d %s, want 204", path, resp.StatusCode, msg)
		}
	}
	post("/chat/api/follow", `{"user":"`+mother+`"}`)
	post("/chat/api/send", `{"user":"`+mother+`","text":"予約する"}`)

	var conv []struct{ From, Text string }
	eventually(t, "the greeting and the booking question in the conversation", func() bool {
		resp, err := client.Get(base + "/chat/api/conversation?user=" + mother)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		conv = nil
		if err := json.NewDecoder(resp.Body).Decode(&conv); err != nil {
			t.Fatal(err)
		}
		var greeted, asked bool
		for _, item := range conv {
			greeted = greeted || item.From == "bot" && strings.Contains(item.Text, "ママズルーム")
			asked = asked || item.From == "bot" && strings.Contains(item.Text, "世田谷区")
		}
		return greeted && asked
	})
	if len(conv) < 2 || conv[0].From != "mother" {
		t.Errorf("conversation does not start with her follow: %+v", conv)
	}

	if err := demo.stop(); err != nil {
		t.Errorf("after cancel: %v", err)
	}
	if _, err := client.Get(base + "/"); err == nil {
		t.Error("the simulator still answers after the demo stopped")
	}
}

func TestDemoNeedsStorage(t *testing.T) {
	t.Parallel()
	got := runMain(t, env{"LINE_CHANNEL_SECRET": testChannelSecret}, "demo", "-sim-addr", "127.0.0.1:0")
	if got.code != 2 {
		t.Errorf("exit status %d, want 2", got.code)
	}
	for _, want := range []string{"DATABASE_URL is required", "REDIS_URL is required"} {
		if !strings.Contains(got.stderr, want) {
			t.Errorf("stderr lacks %q: %q", want, got.stderr)
		}
	}
	if strings.Contains(got.stderr, "LINE_") || got.stdout != "" {
		t.Errorf("demo asked for LINE settings or printed: stdout %q, stderr %q", got.stdout, got.stderr)
	}
}

// runningDemo is `mamasroom demo` running on free ports.
type runningDemo struct {
	url    string // the chat page
	stop   func() error
	stdout *syncBuffer // what it printed
}

// startDemo runs `mamasroom demo` with a fresh database and Redis (and the
// extra settings given), waits until it says where to chat, and stops it
// at cleanup if the test did not. Nothing it printed may hold a secret.
func startDemo(t *testing.T, extra env) *runningDemo {
	t.Helper()
	e := env{
		"DATABASE_URL":    pgtest.EmptyURL(t),
		"REDIS_URL":       redistest.URL(t),
		"HTTP_ADDR":       "127.0.0.1:0",
		"MAMASROOM_CLOCK": clockStart,
	}
	maps.Copy(e, extra)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "-sim-addr", "127.0.0.1:0"}, e.getenv, strings.NewReader(""), stdout, stderr)
	}()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(waitFor):
				stopErr = fmt.Errorf("demo did not stop within %v of cancelling", waitFor)
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("demo: %v", err)
		}
		if t.Failed() {
			t.Logf("demo's stdout:\n%s\ndemo's stderr:\n%s", stdout, stderr)
		}
		assertNoSecrets(t, stdout.String(), stderr.String())
	})

	deadline := time.After(waitFor)
	for {
		stdout.mu.Lock()
		m := demoLine.FindStringSubmatch(stdout.buf.String())
		changed := stdout.changed
		stdout.mu.Unlock()
		if m != nil {
			return &runningDemo{url: m[1], stop: stop, stdout: stdout}
		}
		select {
		case <-changed:
		case err := <-done:
			once.Do(func() { stopErr = err })
			t.Fatalf("demo ended before it was ready: %v", err)
		case <-deadline:
			t.Fatalf("demo did not say where to chat within %v", waitFor)
		}
	}
}
