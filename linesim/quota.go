package linesim

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// LINE's limits on sending, as the sim plays them:
//
//   - The month's messages. A push to one user counts one message, however
//     many message objects it holds; replies are free; a push to a user who
//     blocked the account is not delivered and not counted; a repeat
//     answered 409 sends nothing. The month is Tokyo's. Once the month's
//     count reaches the limit, a push is answered 429 with LINE's "You have
//     reached your monthly limit." and sends nothing, until the limit is
//     raised or the month ends.
//   - A rate limit on pushes, N in a window. A push beyond it is answered
//     429 with LINE's "The API rate limit has been exceeded. Try again
//     later." and a Retry-After header (whole seconds until the window
//     ends). LINE does not promise a Retry-After; the sim sends one so that
//     honouring it can be tested, and a client must cope without one too.
//
// Neither kind of 429 is a Rejection: the bot sent nothing wrong.

// monthlyLimitMessage and rateLimitMessage are LINE's words for its two 429s.
const (
	monthlyLimitMessage = "You have reached your monthly limit."
	rateLimitMessage    = "The API rate limit has been exceeded. Try again later."
)

// Limited is one request the sim answered 429 for one of LINE's limits.
type Limited struct {
	At           time.Time
	Path         string
	RetryKey     string        // the push's X-Line-Retry-Key
	MonthlyLimit bool          // else the rate limit
	RetryAfter   time.Duration // the Retry-After sent, 0 for none
}

// rateWindow is the push rate limit and its current window.
type rateWindow struct {
	limit int
	per   time.Duration
	start time.Time
	used  int
}

// tokyo is LINE's month for counting messages.
var tokyo = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		return time.FixedZone("JST", 9*60*60)
	}
	return loc
}()

func monthOf(t time.Time) string { return t.In(tokyo).Format("2006-01") }

// SetMonthlyLimit sets the month's target limit of messages; n <= 0 sets
// none, which is the sim's default.
func (s *Sim) SetMonthlyLimit(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.monthlyLimit = max(n, 0)
}

// SetPushRateLimit lets at most n pushes through in each window of per
// (the window starts with its first push); n <= 0 removes the limit.
func (s *Sim) SetPushRateLimit(n int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 || per <= 0 {
		s.pushRate = nil
		return
	}
	s.pushRate = &rateWindow{limit: n, per: per}
}

// Consumption is how many messages were counted in the month of the
// sim's clock.
func (s *Sim) Consumption() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usage[monthOf(s.now())]
}

// LimitedRequests returns every request answered 429 for a limit, in order.
func (s *Sim) LimitedRequests() []Limited {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Limited(nil), s.limited...)
}

// takePushRateLocked counts a push against the rate limit and reports
// whether it may go, and if not, how long until the window ends.
func (s *Sim) takePushRateLocked(now time.Time) (ok bool, wait time.Duration) {
	rw := s.pushRate
	if rw == nil {
		return true, 0
	}
	if rw.start.IsZero() || now.Sub(rw.start) >= rw.per {
		rw.start, rw.used = now, 0
	}
	if rw.used < rw.limit {
		rw.used++
		return true, 0
	}
	return false, rw.start.Add(rw.per).Sub(now)
}

// monthSpentLocked reports whether the month's messages are spent.
func (s *Sim) monthSpentLocked(now time.Time) bool {
	return s.monthlyLimit > 0 && s.usage[monthOf(now)] >= s.monthlyLimit
}

// rateLimitedLocked answers a push over the rate limit.
func (s *Sim) rateLimitedLocked(w http.ResponseWriter, r *http.Request, now time.Time, wait time.Duration) {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	s.limited = append(s.limited, Limited{At: now, Path: r.URL.Path, RetryKey: r.Header.Get("X-Line-Retry-Key"),
		RetryAfter: time.Duration(secs) * time.Second})
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests, rateLimitMessage, nil)
}

// monthlyLimitedLocked answers a push once the month's messages are spent.
func (s *Sim) monthlyLimitedLocked(w http.ResponseWriter, r *http.Request, now time.Time) {
	s.limited = append(s.limited, Limited{At: now, Path: r.URL.Path, RetryKey: r.Header.Get("X-Line-Retry-Key"), MonthlyLimit: true})
	writeError(w, http.StatusTooManyRequests, monthlyLimitMessage, nil)
}

func (s *Sim) handleQuota(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	limit := s.monthlyLimit
	s.mu.Unlock()
	if limit == 0 {
		// "value" is returned only for a limited quota.
		writeJSON(w, http.StatusOK, map[string]any{"type": messaging_api.QuotaType_NONE})
		return
	}
	writeJSON(w, http.StatusOK, messaging_api.MessageQuotaResponse{Type: messaging_api.QuotaType_LIMITED, Value: limit})
}

func (s *Sim) handleQuotaConsumption(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, messaging_api.QuotaConsumptionResponse{TotalUsage: s.Consumption()})
}

// String names a limited request for test failures.
func (l Limited) String() string {
	if l.MonthlyLimit {
		return fmt.Sprintf("%s %s: monthly limit", l.At.Format(time.TimeOnly), l.Path)
	}
	return fmt.Sprintf("%s %s: rate limit, Retry-After %s", l.At.Format(time.TimeOnly), l.Path, l.RetryAfter)
}
