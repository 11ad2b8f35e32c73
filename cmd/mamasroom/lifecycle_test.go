package main

import (
	"context"
	"net"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"mamasroom/clock"
	"mamasroom/linesim"
	"mamasroom/postgres/pgtest"
	"mamasroom/redistest"
)

// TestServeStopsEverythingWhenHTTPFails: when the HTTP server dies, serve
// stops the dispatcher, the outbox worker and the rich menu's setup too,
// and returns the server's error only once none of them runs any more, so
// none outlives the pool it uses.
//
// Not parallel: it looks at every goroutine of the test binary, and the
// parallel tests only start once the sequential ones are done.
func TestServeStopsEverythingWhenHTTPFails(t *testing.T) {
	sim, err := linesim.New(linesim.Config{
		ChannelSecret: testChannelSecret,
		AccessToken:   testAccessToken,
		Now:           clock.StartingAt(mustParseTime(t, clockStart)).Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	lineAPI := httptest.NewServer(sim.Handler())
	defer lineAPI.Close()
	cfg, err := LoadConfig(env{
		"LINE_CHANNEL_SECRET":       testChannelSecret,
		"LINE_CHANNEL_ACCESS_TOKEN": testAccessToken,
		"LINE_API_BASE_URL":         lineAPI.URL,
		"DATABASE_URL":              pgtest.EmptyURL(t),
		"REDIS_URL":                 redistest.URL(t),
		"HTTP_ADDR":                 "127.0.0.1:0",
		"MAMASROOM_CLOCK":           clockStart,
	}.getenv)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := listenHTTP(cfg)
	if err != nil {
		t.Fatal(err)
	}

	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	serving := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- serve(context.Background(), cfg, ln, stdout, stderr, func(net.Addr) { close(serving) })
	}()
	select {
	case <-serving:
	case err := <-done:
		t.Fatalf("serve ended before serving: %v\nstderr:\n%s", err, stderr)
	case <-time.After(waitFor):
		t.Fatalf("serve did not start within %v\nstderr:\n%s", waitFor, stderr)
	}
	// The rich menu is being set up, so that member is running too.

	ln.Close() // the listener dies under the server
	select {
	case err = <-done:
	case <-time.After(waitFor):
		t.Fatalf("serve did not return within %v of its listener dying; still running:\n%s",
			waitFor, strings.Join(programGoroutines(), "\n\n"))
	}
	if err == nil || !strings.Contains(err.Error(), "http server") {
		t.Errorf("serve returned %v, want the HTTP server's error", err)
	}
	if left := programGoroutines(); len(left) > 0 {
		t.Errorf("after serve returned, %d of its goroutines still run:\n%s", len(left), strings.Join(left, "\n\n"))
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

// programGoroutines returns the stacks of the goroutines running the
// program's own code, leaving out the test's own. The test's LINE server
// and connections the program's LINE client left idle are not the
// program's components and may end a little later; they are not counted.
func programGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "TestServeStopsEverythingWhenHTTPFails") || strings.Contains(g, "main.programGoroutines") {
			continue
		}
		// The HTTP server's Serve runs in a closure of serve; a request in
		// flight runs in the server's or the bot's code.
		for _, mark := range []string{"main.serve", "mamasroom/bot.", "mamasroom/outbox.", "mamasroom/server."} {
			if strings.Contains(g, mark) {
				found = append(found, g)
				break
			}
		}
	}
	return found
}
