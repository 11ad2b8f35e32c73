package reminders_test

import (
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/reminders"
)

func TestDueDays(t *testing.T) {
	f := &booking.Facility{CancelDaysBefore: 1, CancelHour: 17}
	fri := booking.D(2026, 12, 4)
	thu := fri.AddDays(-1)
	for _, c := range []struct {
		name string
		now  time.Time
		want []booking.Date
	}{
		{"just before REMINDER_AT", thu.At(11, 59).Add(59 * time.Second), nil},
		{"at REMINDER_AT", thu.At(12, 0), []booking.Date{fri}},
		{"just after REMINDER_AT", thu.At(12, 0).Add(time.Second), []booking.Date{fri}},
		{"the morning of the visit, before check-in", fri.At(9, 59), []booking.Date{fri}},
		{"at check-in", fri.At(10, 0), nil},
		{"Thursday 9:00: Thursday's visit, not yet Friday's", thu.At(9, 0), []booking.Date{thu}},
	} {
		got := reminders.DueDays(f, c.now)
		if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
			t.Errorf("%s: due %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCheckReminder(t *testing.T) {
	at := func(h, m int) *booking.TimeOfDay { return &booking.TimeOfDay{Hour: h, Minute: m} }
	for _, c := range []struct {
		reminder   *booking.TimeOfDay
		daysBefore int
		cancelHour int
		ok         bool
	}{
		{nil, 1, 17, true},        // 12:00 the day before, deadline 17:00 the day before
		{at(16, 59), 1, 17, true}, // a minute before
		{at(17, 0), 1, 17, false}, // at the deadline
		{at(18, 0), 1, 17, false}, // the case of the issue
		{at(18, 0), 0, 9, true},   // deadline on the day itself
		{at(9, 0), 2, 17, false},  // deadline two days before
	} {
		f := &booking.Facility{ReminderAt: c.reminder, CancelDaysBefore: c.daysBefore, CancelHour: c.cancelHour}
		if err := f.CheckReminder(); (err == nil) != c.ok {
			t.Errorf("reminder %v, deadline %d days before at %d:00: %v, want ok=%v", c.reminder, c.daysBefore, c.cancelHour, err, c.ok)
		}
	}
}
