package booking

import (
	"errors"
	"fmt"
	"time"
)

// ErrReminderAfterDeadline is a reminder time that would reach a mother
// after she can no longer cancel in LINE.
var ErrReminderAfterDeadline = errors.New("the reminder comes after the cancellation deadline")

// TimeOfDay is a local time in Tokyo, such as 12:00.
type TimeOfDay struct{ Hour, Minute int }

// DefaultReminderAt is REMINDER_AT when it is not set: midday the day
// before, well before the default deadline of 17:00 that day.
var DefaultReminderAt = TimeOfDay{Hour: 12}

// CheckinHour and CheckinMinute are when a visit starts: its reminder is no
// use after that.
const (
	CheckinHour   = 10
	CheckinMinute = 0
)

func (t TimeOfDay) String() string { return fmt.Sprintf("%d:%02d", t.Hour, t.Minute) }

// Reminder is when the reminder of a visit on day is pushed: at ReminderAt
// (DefaultReminderAt when nil) on the day before.
func (f *Facility) Reminder(day Date) time.Time {
	at := DefaultReminderAt
	if f.ReminderAt != nil {
		at = *f.ReminderAt
	}
	return day.AddDays(-1).At(at.Hour, at.Minute)
}

// Checkin is when a visit on day starts.
func Checkin(day Date) time.Time { return day.At(CheckinHour, CheckinMinute) }

// CheckReminder reports ErrReminderAfterDeadline when the reminder would
// come at or after the cancellation deadline: she must be able to cancel in
// LINE when it reaches her. Tokyo keeps no daylight saving time, so one day
// stands for all.
func (f *Facility) CheckReminder() error {
	day := D(2026, time.January, 15)
	if r, d := f.Reminder(day), f.CancelDeadline(day); !r.Before(d) {
		return fmt.Errorf("%w: the reminder at %s the day before, cancelling in LINE until %s",
			ErrReminderAfterDeadline, r.Format("15:04"), deadlineText(f))
	}
	return nil
}

func deadlineText(f *Facility) string {
	at := TimeOfDay{f.CancelHour, f.CancelMinute}
	if f.CancelDaysBefore == 0 {
		return "the day itself at " + at.String()
	}
	return fmt.Sprintf("%s, %d day(s) before", at, f.CancelDaysBefore)
}
