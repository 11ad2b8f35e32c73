package bot_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The three messages the safety issue was filed for, each in the state
// where it used to go wrong.

func TestSafetyOutsideAnyFlow(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-27 11:00")) // a Friday the room is open
	m := h.mother()

	got := m.says("赤ちゃんがけいれんしています")

	mustContain(t, got, "119番", "(119に電話 tel:119)", "#7119", "(#7119に電話 tel:%237119)", "tel:0364138435")
	mustNotContain(t, got, "読み取れませんでした", "#8000") // #8000 is closed on a weekday morning
	m.checkTranscript("safety_no_flow")
}

func TestSafetyInTheMiddleOfBookingKeepsTheFlow(t *testing.T) {
	h := setup(t) // Wednesday 09:00: the room is closed, #8000 too
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")

	got := m.says("赤ちゃんの息が苦しそうです")

	mustContain(t, got, "119番", "tel:119", "#7119", "ご希望の日をお選びください")
	mustNotContain(t, got, "お選びいただけません", "tel:0364138435")
	mustContain(t, m.taps("11/27(金)"), "この内容で予約しますか", "11/27(金)")
	m.checkTranscript("safety_in_booking")
}

func TestSafetyForTheMothersCrisisDuringEligibility(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-27 22:00"))
	m := h.mother()
	m.says("ご利用条件")
	m.taps("はい")

	got := m.says("もう消えてしまいたい")

	mustContain(t, got, "ひとりではありません", "0570-064-556", "tel:0570064556", "tel:119", "健康づくり課", "お誕生日")
	mustNotContain(t, got, "メニューからお選びください")
	mustContain(t, m.picksDate("お誕生日を選ぶ", "2026-10-15"), "ご利用いただけます")
	m.checkTranscript("safety_crisis_in_eligibility")
}

func TestSafetyAtNightNamesChildHealthLine(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-25 23:00"))
	m := h.mother()

	got := m.says("ミルクを全然のまないし、ぐったりしてる")

	mustContain(t, got, "#8000", "tel:%238000", "tel:119")
}

func TestSafetyInEveryStep(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")
	m.says("予約の確認")
	m.taps("11/27(金)をキャンセル")

	got := m.says("出血が多くて止まらない")

	mustContain(t, got, "お体がとても心配です", "tel:119", "キャンセルします。よろしいですか")
	mustContain(t, m.taps("いいえ"), "ご予約はそのままです")
}

func TestSafetyComesBeforeAMenuWord(t *testing.T) {
	h := setup(t)
	m := h.mother()

	got := m.says("予約する 赤ちゃんがぐったりしてます")

	if !strings.HasPrefix(got, "赤ちゃんのご様子が心配ですね") {
		t.Errorf("the safety answer must come first:\n%s", got)
	}
}

func TestTheSameRedFlagTwiceInAMinuteIsAnsweredOnce(t *testing.T) {
	h := setup(t)
	m := h.mother()

	mustContain(t, m.says("ぐったりしてます"), "119番")
	h.clock.Advance(20 * time.Second)
	again := m.says("ぐったりしてます!")
	mustContain(t, again, "すぐ上のメッセージ")
	mustNotContain(t, again, "119番")

	h.clock.Advance(time.Minute)
	mustContain(t, m.says("ぐったりしてます"), "119番")
}

func TestOrdinaryWordsGetNoSafetyAnswer(t *testing.T) {
	h := setup(t)
	m := h.mother()

	got := m.says("息子が元気です")

	mustNotContain(t, got, "119")
	mustContain(t, got, "メニュー")
}

func TestMediaAnswerCarriesTheSafetyLine(t *testing.T) {
	h := setup(t)
	m := h.mother()

	got := m.sends("(写真)", func(ctx context.Context) error {
		_, err := h.sim.SendImage(ctx, m.userID)
		return err
	})

	mustContain(t, got, "確認できません", "119", "#8000")
}

func TestNothingSheWroteIsLogged(t *testing.T) {
	h := setup(t)
	m := h.mother()
	// A failed reply makes the bot log the event's fate.
	h.sim.FailNext("/v2/bot/message/reply", http.StatusInternalServerError, 1)
	const words = "赤ちゃんがけいれんしています"
	if _, err := h.sim.SendText(context.Background(), m.userID, words); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return h.logs.String() != "" })
	h.clock.Advance(5 * time.Second)
	mustContain(t, joinTexts(m.await(0)), "119番")

	logs := h.logs.String()
	for _, secret := range []string{words, "けいれん", m.userID} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log carries %q:\n%s", secret, logs)
		}
	}
}
