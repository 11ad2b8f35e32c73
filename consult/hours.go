package consult

import (
	"fmt"
	"time"

	"mamasroom/booking"
)

// AnswerHours is when midwives answer questions, a facility setting staff
// change in the console: From to Until (Asia/Tokyo) on the facility's open
// weekdays, never on holidays or 年末年始. Each is a time of day, as an
// offset from midnight.
type AnswerHours struct {
	From  time.Duration
	Until time.Duration
}

// DefaultAnswerHours is what migration 005 sets: 09:00 to 17:00.
var DefaultAnswerHours = AnswerHours{From: 9 * time.Hour, Until: 17 * time.Hour}

// ParseAnswerHours reads two times of day written HH:MM, as the console's
// form sends them.
func ParseAnswerHours(from, until string) (AnswerHours, error) {
	f, err := parseClock(from)
	if err != nil {
		return AnswerHours{}, err
	}
	u, err := parseClock(until)
	if err != nil {
		return AnswerHours{}, err
	}
	h := AnswerHours{From: f, Until: u}
	return h, h.Validate()
}

func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%w: time of day %q, want HH:MM", ErrInvalid, s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Validate reports hours that are not a span within one day.
func (h AnswerHours) Validate() error {
	if h.From < 0 || h.Until > 24*time.Hour || h.From >= h.Until || h.From%time.Minute != 0 || h.Until%time.Minute != 0 {
		return fmt.Errorf("%w: answer hours %s", ErrInvalid, h)
	}
	return nil
}

// String writes the hours as 09:00-17:00.
func (h AnswerHours) String() string {
	return clockString(h.From) + "-" + clockString(h.Until)
}

// FromClock and UntilClock write each end as 9:00 and 17:00.
func (h AnswerHours) FromClock() string  { return shortClock(h.From) }
func (h AnswerHours) UntilClock() string { return shortClock(h.Until) }

func clockString(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func shortClock(d time.Duration) string {
	return fmt.Sprintf("%d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// AnswerWindow is the span in which a question sent at some moment will be
// read: the answer hours it falls in, or the next ones.
type AnswerWindow struct {
	Start, End time.Time
}

// OpenAt reports whether midwives are answering at t (the window began).
func (w AnswerWindow) OpenAt(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// answerSearchDays bounds the look for the next answering day: 年末年始 and a
// long holiday run are less than two weeks.
const answerSearchDays = 31

// NextAnswerTime is the answer window of a question sent at now: the
// current one when midwives answer now, else the next one on an open day of
// f (its weekdays, not a holiday, not 年末年始). A day staff closed in the
// console is not known here and counts as open. ok is false only when f
// has no open weekday at all.
func NextAnswerTime(f *booking.Facility, h AnswerHours, now time.Time) (w AnswerWindow, ok bool) {
	now = now.In(booking.Tokyo)
	day := booking.DateOf(now)
	for range answerSearchDays {
		if f.IsOpen(day, nil) {
			start, end := day.Start().Add(h.From), day.Start().Add(h.Until)
			if now.Before(end) {
				return AnswerWindow{Start: start, End: end}, true
			}
		}
		day = day.AddDays(1)
	}
	return AnswerWindow{}, false
}
