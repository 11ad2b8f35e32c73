package bot_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"mamasroom/linesim"
)

// The happy path's reading load: what a tired mother, one thumb free, reads
// and taps from adding the bot as a friend to a confirmed booking. Issue 11
// set the budget: at most 450 characters of bubble text and 7 taps, with
// all she needs kept (date, time, address, what to bring, fee, booking
// number, how to cancel).
const (
	maxHappyPathChars = 450
	maxHappyPathTaps  = 7
)

// reading counts what she reads and does. A character is a rune of a
// bubble's text as LINE shows it (a flex bubble's texts included); line
// breaks are layout, not reading, and are not counted; button labels are
// counted as taps, not reading. A tap is one thing she does that sends an
// event: adding the friend, a button, or the date picker's 決定.
type reading struct {
	m     *mother
	chars int
	taps  int
}

func (r *reading) count(did func() string) string {
	r.m.h.t.Helper()
	got := did()
	r.taps++
	for _, msg := range r.m.last {
		text := linesim.ChatItemOf(msg).Text
		r.chars += utf8.RuneCountInString(strings.ReplaceAll(text, "\n", ""))
	}
	return got
}

func TestHappyPathIsShortToRead(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25 09:00
	m := h.mother()
	r := &reading{m: m}

	r.count(m.follows)
	r.count(func() string { return m.taps("予約する") })
	r.count(func() string { return m.taps("はい") })
	r.count(func() string { return m.picksDate("お誕生日を選ぶ", "2026-10-15") })
	r.count(func() string { return m.taps("11/27(金)") })
	got := r.count(func() string { return m.taps("はい") })

	// What she needs on the day is all in the confirmation.
	list := activeBookings(t, h, m)
	if len(list) != 1 {
		t.Fatalf("bookings = %+v, want one", list)
	}
	mustContain(t, got, list[0].Number, "2026年11月27日(金)", "10:00", h.facility.Address,
		"母子手帳", "マイナ保険証(または資格確認書)", "3,000円", "キャンセル", "予約の確認", "前日17:00")
	mustContain(t, got, "(地図を開く "+h.facility.MapURL+")")

	t.Logf("happy path: %d characters, %d taps", r.chars, r.taps)
	if r.chars > maxHappyPathChars {
		t.Errorf("the happy path has %d characters to read, want at most %d", r.chars, maxHappyPathChars)
	}
	if r.taps > maxHappyPathTaps {
		t.Errorf("the happy path takes %d taps, want at most %d", r.taps, maxHappyPathTaps)
	}
	m.checkTranscript("happy_path")
}
