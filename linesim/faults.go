package linesim

import (
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
