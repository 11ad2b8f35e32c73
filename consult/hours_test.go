package consult

import (
	"testing"
	"time"

	"mamasroom/booking"
)

func mamasroom() *booking.Facility {
	return &booking.Facility{OpenWeekdays: []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday}}
}

func TestNextAnswerTime(t *testing.T) {
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return booking.D(y, m, d).At(hh, mm) }
	tests := []struct {
		name      string
		now       time.Time
		start     time.Time
		openAtNow bool
	}{
		{"Thursday in the hours", at(2026, 12, 3, 11, 0), at(2026, 12, 3, 9, 0), true},
		{"Thursday before the hours", at(2026, 12, 3, 7, 30), at(2026, 12, 3, 9, 0), false},
		{"Thursday at the end", at(2026, 12, 3, 17, 0), at(2026, 12, 4, 9, 0), false},
		{"Wednesday, closed", at(2026, 12, 2, 11, 0), at(2026, 12, 3, 9, 0), false},
		{"Friday night to Monday", at(2026, 12, 4, 22, 0), at(2026, 12, 7, 9, 0), false},
		{"a holiday Monday (勤労感謝の日)", at(2026, 11, 23, 10, 0), at(2026, 11, 24, 9, 0), false},
		{"年末年始", at(2026, 12, 28, 18, 0), at(2027, 1, 4, 9, 0), false},
		{"given in UTC", at(2026, 12, 3, 11, 0).UTC(), at(2026, 12, 3, 9, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, ok := NextAnswerTime(mamasroom(), DefaultAnswerHours, tt.now)
			if !ok || !w.Start.Equal(tt.start) || !w.End.Equal(tt.start.Add(8*time.Hour)) {
				t.Errorf("window = %v to %v (%v), want from %v", w.Start, w.End, ok, tt.start)
			}
			if w.OpenAt(tt.now) != tt.openAtNow {
				t.Errorf("open at now = %v, want %v", w.OpenAt(tt.now), tt.openAtNow)
			}
		})
	}
	if _, ok := NextAnswerTime(&booking.Facility{}, DefaultAnswerHours, at(2026, 12, 3, 11, 0)); ok {
		t.Error("a facility never open has an answer window")
	}
}

func TestParseAnswerHours(t *testing.T) {
	h, err := ParseAnswerHours("09:30", "16:45")
	if err != nil || h.String() != "09:30-16:45" || h.FromClock() != "9:30" || h.UntilClock() != "16:45" {
		t.Errorf("hours = %v %q %q, %v", h, h.FromClock(), h.UntilClock(), err)
	}
	for _, bad := range [][2]string{{"17:00", "09:00"}, {"9時", "17:00"}, {"10:00", "10:00"}} {
		if _, err := ParseAnswerHours(bad[0], bad[1]); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestTriagePartsReadsThePartsTogether(t *testing.T) {
	parts := []Part{
		{Kind: PartText, Text: "赤ちゃんの息が"},
		{Kind: PartPhoto},
		{Kind: PartText, Text: "苦しそうで、ぐったりしています"},
	}
	got := TriageParts(parts).SignNames()
	if len(got) != 2 || got[0] != "ぐったり" || got[1] != "息が苦しそう" {
		t.Errorf("signs = %v", got)
	}
	if TriageParts([]Part{{Kind: PartText, Text: "寝かしつけのコツ"}}).Urgent() {
		t.Error("an ordinary question is urgent")
	}
}

func TestBabyAgeWeeks(t *testing.T) {
	born := booking.D(2026, 10, 15)
	m := MotherInfo{BabyBirthday: &born}
	for day, want := range map[booking.Date]int{born: 0, born.AddDays(6): 0, born.AddDays(7): 1, booking.D(2026, 12, 7): 7} {
		if got, ok := m.BabyAgeWeeks(day); !ok || got != want {
			t.Errorf("on %v: %d (%v), want %d", day, got, ok, want)
		}
	}
	if _, ok := (MotherInfo{}).BabyAgeWeeks(born); ok {
		t.Error("age without a birthday")
	}
}
