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

// What she types in her own words is understood, in any state but her
// question to the midwives, where her words are the question.
func TestTypedWordsAreUnderstood(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-26 11:00")) // a Thursday, the room open
	m := h.mother()

	mustContain(t, m.says("予約したい"), "ご予約の前に確認です", "住民登録がありますか")
	m.taps("はい")
	m.picksDate("お誕生日を選ぶ", "2026-10-15")
	m.says("予約")

	// A question about the room in the middle of booking: answered, and
	// the day question comes again.
	got := m.says("持ち物は?")
	mustContain(t, got, "当日の持ち物", "マイナ保険証(または資格確認書)", "ご希望の日をお選びください")
	mustContain(t, m.says("料金"), "利用料は3,000円です", "ご希望の日をお選びください")
	mustContain(t, m.says("場所"), "下馬3-10-7", "(地図を開く https://")
	got = m.says("電話")
	mustContain(t, got, "03-6413-8435", "月・火・木・金曜日 10:00〜18:00(祝日・年末年始を除く)", "(電話する tel:0364138435)")
	mustContain(t, m.says("あした"), "この内容で予約しますか", "11/27(金)")
	mustContain(t, m.taps("はい"), "ご予約を承りました")

	mustContain(t, m.says("キャンセルしたい"), "ご予約は次のとおりです", "2026年11月27日")
	m.button("11/27(金)をキャンセル")
	mustContain(t, m.says("電話の前に聞きたいことがあります"), "読み取れませんでした") // not a phrase
	mustContain(t, m.says("でんわ"), "03-6413-8435")

	// Her question to the midwives keeps her words as they are.
	m.says("ちょっと聞いてください")
	m.taps("はい")
	m.taps("スキップ")
	mustContain(t, m.says("電話"), "受け取りました(文章1件)")
	m.taps("やめる")
	m.checkTranscript("typed_words")
}
