package linesim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// fault is a pending injected failure for one path.
type fault struct {
	status int
	left   int
}

// FailNext makes the next n requests to path (e.g. "/v2/bot/message/reply")
// fail with status and a LINE-style error body, so tests can see how the
// bot copes with LINE's 5xx and 429. It replaces any pending fault for path;
// n <= 0 clears it. Injected failures are not Rejections: the bot did
// nothing wrong. They happen after authentication, before validation.
func (s *Sim) FailNext(path string, status int, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		delete(s.faults, path)
		return
	}
	s.faults[path] = &fault{status: status, left: n}
}

// Delay adds latency to every request to path; d <= 0 removes it.
func (s *Sim) Delay(path string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.delays, path)
		return
	}
	s.delays[path] = d
}

func (s *Sim) delayFor(path string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delays[path]
}

// takeFault consumes one pending failure for path, if any.
func (s *Sim) takeFault(path string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[path]
	if !ok {
		return 0, false
	}
	f.left--
	if f.left <= 0 {
		delete(s.faults, path)
	}
	return f.status, true
}

// faultMessage is what LINE says for the statuses tests inject.
func faultMessage(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "The API rate limit has been exceeded. Try again later."
	case http.StatusInternalServerError:
		return "Internal server error"
	case http.StatusServiceUnavailable:
		return "Service unavailable"
	default:
		if t := http.StatusText(status); t != "" {
			return t
		}
		return "Error"
	}
}

// hold keeps the answers of requests to one path until Release.
type hold struct {
	after   int           // requests still to answer at once
	held    int           // requests done and waiting for their answer
	release chan struct{} // closed by Release
	changed chan struct{} // closed and replaced whenever held changes
}

// Hold makes the sim do the requests to path as usual but keep their
// answers until Release: a reply is delivered and a push accepted, and the
// bot hears nothing meanwhile, as when LINE's answer comes after the bot's
// timeout, or the bot dies waiting for it. The first after requests are
// answered at once. A request is carried out even when its sender has gone
// (LINE does not notice). Holding again while holding changes nothing.
func (s *Sim) Hold(path string, after int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holds == nil {
		s.holds = map[string]*hold{}
	}
	if s.holds[path] == nil {
		s.holds[path] = &hold{after: after, release: make(chan struct{}), changed: make(chan struct{})}
	}
}

// Release answers the requests held on path and stops holding.
func (s *Sim) Release(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.holds[path]; h != nil {
		close(h.release)
		delete(s.holds, path)
	}
}

// WaitHeld waits until n requests to path are done and held, and fails
// when ctx ends first or nothing holds path.
func (s *Sim) WaitHeld(ctx context.Context, path string, n int) error {
	for {
		s.mu.Lock()
		h := s.holds[path]
		if h == nil {
			s.mu.Unlock()
			return fmt.Errorf("linesim: nothing holds %s", path)
		}
		held, changed := h.held, h.changed
		s.mu.Unlock()
		if held >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("linesim: waiting for %d held requests to %s, have %d: %w", n, path, held, ctx.Err())
		}
	}
}

// takeHold returns the hold a request to path falls under, if any.
func (s *Sim) takeHold(path string) *hold {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.holds[path]
	if h == nil {
		return nil
	}
	if h.after > 0 {
		h.after--
		return nil
	}
	return h
}

// serveHeld carries the request out, then keeps its answer until released.
func (s *Sim) serveHeld(w http.ResponseWriter, r *http.Request, next http.Handler, h *hold) {
	body := s.noteUnanswered(r)
	rec := &heldAnswer{header: w.Header().Clone(), code: http.StatusOK}
	next.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
	s.answerLost(r, body, rec.code)
	s.heldChanged(h, +1)
	defer s.heldChanged(h, -1)
	select {
	case <-h.release:
	case <-r.Context().Done():
		<-h.release // the sender has gone; the count still shows it until released
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.code)
	_, _ = w.Write(rec.body.Bytes())
}

// heldAnswer is an answer kept for later.
type heldAnswer struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (a *heldAnswer) Header() http.Header         { return a.header }
func (a *heldAnswer) WriteHeader(code int)        { a.code = code }
func (a *heldAnswer) Write(p []byte) (int, error) { return a.body.Write(p) }

func (s *Sim) heldChanged(h *hold, by int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h.held += by
	close(h.changed)
	h.changed = make(chan struct{})
}

// LoseAnswerNext makes the next n requests to path be carried out (a reply
// delivered, a push accepted) and their connection then closed without an
// answer, as when LINE's answer is lost on the way: the bot cannot know
// whether LINE did it. n <= 0 clears it.
func (s *Sim) LoseAnswerNext(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost == nil {
		s.lost = map[string]int{}
	}
	if n <= 0 {
		delete(s.lost, path)
		return
	}
	s.lost[path] = n
}

// takeLost consumes one pending lost answer for path, if any.
func (s *Sim) takeLost(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost[path] <= 0 {
		return false
	}
	s.lost[path]--
	return true
}

// serveLost carries the request out and drops its connection unanswered.
func (s *Sim) serveLost(w http.ResponseWriter, r *http.Request, next http.Handler) {
	body := s.noteUnanswered(r)
	rec := &heldAnswer{header: w.Header().Clone(), code: http.StatusOK}
	next.ServeHTTP(rec, r)
	s.answerLost(r, body, rec.code)
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // closes the connection unanswered
}

// noteUnanswered reads a reply's body and puts it back, to learn its token.
func (s *Sim) noteUnanswered(r *http.Request) []byte {
	if r.URL.Path != "/v2/bot/message/reply" {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxJSONBody))
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// answerLost notes that the bot never heard LINE's answer to a reply that
// used its token: trying that token again is then what a careful bot does,
// and LINE's 400 to it is not the bot's mistake (not a Rejection).
func (s *Sim) answerLost(r *http.Request, body []byte, status int) {
	if body == nil || status != http.StatusOK {
		return
	}
	var req struct {
		ReplyToken string `json:"replyToken"`
	}
	if json.Unmarshal(body, &req) != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok := s.replyTokens[req.ReplyToken]; tok != nil {
		tok.answerLost = true
	}
}
