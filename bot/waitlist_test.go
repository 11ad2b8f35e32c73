package bot_test

import (
	"context"
	"testing"
	"time"

	"mamasroom/booking"
)

// freePlace cancels one booking of day, as another mother would.
func freePlace(t *testing.T, h *harness, day booking.Date) {
	t.Helper()
	ctx := context.Background()
	var (
		motherID int64
		number   string
	)
	err := h.pool.QueryRow(ctx, `
		SELECT mother_id, number FROM bookings
		WHERE day = $1 AND status = 'active' ORDER BY id LIMIT 1`, day.Start().Format(time.DateOnly)).Scan(&motherID, &number)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Cancel(ctx, motherID, number, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// getsPush waits for a push sent after she had before messages, and
// notes it in her transcript.
func (m *mother) getsPush(before int) string {
	m.h.t.Helper()
	m.note("(お知らせ)")
	return joinTexts(m.await(before))
}

// waitsFor makes her eligible and puts her on the waitlist of a full day
// from the day list.
func (m *mother) waitsFor(label string) {
	m.h.t.Helper()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("満室の日のキャンセル待ち")
	mustContain(m.h.t, m.taps(label), "キャンセル待ちに登録しました")
}

func waitStatus(t *testing.T, h *harness, m *mother, day booking.Date) string {
	t.Helper()
	var status string
	err := h.pool.QueryRow(context.Background(), `
		SELECT w.status FROM waitlist_entries w JOIN mothers m ON m.id = w.mother_id
		WHERE m.line_user_id = $1 AND w.day = $2 ORDER BY w.id DESC LIMIT 1`,
		m.userID, day.Start().Format(time.DateOnly)).Scan(&status)
	if err != nil {
		t.Fatal(err)
	}
	return status
}

// The done-when of the waitlist: a mother waits for a full day, a place
// frees, the offer comes by push, she accepts and has her booking; a
// second tap says the same.
func TestWaitlistOfferAccepted(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25 09:00
	day := booking.D(2026, 11, 27)
	fillDay(t, h, day)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	got := m.says("予約する")
	mustNotContain(t, got, "11/27(金)")
	m.taps("満室の日のキャンセル待ち")
	mustContain(t, m.taps("11/27(金)"), "2026年11月27日(金)のキャンセル待ちに登録しました")
	mustContain(t, m.says("予約の確認"), "キャンセル待ち:", "2026年11月27日(金)")

	before := m.sentCount()
	freePlace(t, h, day)
	offer := m.getsPush(before)
	mustContain(t, offer, "空きが出ました", "本日11:00まで")

	mustContain(t, m.taps("予約する"), "ご予約を承りました", "2026年11月27日")
	if len(activeBookings(t, h, m)) != 1 {
		t.Fatalf("she has %v, want one booking", activeBookings(t, h, m))
	}
	// The offer's button again, as from an old message: her booking stands.
	m.last = nil
	got = m.sends("[予約する] をもう一度タップ", func(ctx context.Context) error {
		_, err := h.sim.SendPostback(ctx, m.userID, offerData(t, h, m), nil)
		return err
	})
	mustContain(t, got, "ご予約を承りました")
	if n := len(activeBookings(t, h, m)); n != 1 {
		t.Errorf("a second tap made %d bookings", n)
	}
	mustNotContain(t, m.says("予約の確認"), "キャンセル待ち:")
	m.checkTranscript("waitlist_offer_accepted")
}

// offerData is the data of the 予約する button of the last offer pushed to her.
func offerData(t *testing.T, h *harness, m *mother) string {
	t.Helper()
	for _, s := range h.sim.Sent(m.userID) {
		m.last = s.Messages
		for _, b := range m.buttons() {
			if b.label == "見送る" {
				return m.postbackOf("予約する")
			}
		}
	}
	t.Fatal("no offer was pushed to her")
	return ""
}

// Three mothers wait: the first lets the offer pass, the second declines,
// the third accepts. One offer at a time.
func TestWaitlistOfferPassesDownTheQueue(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25 09:00
	day := booking.D(2026, 11, 27)
	fillDay(t, h, day)
	first, second, third := h.mother(), h.mother(), h.mother()
	first.waitsFor("11/27(金)")
	second.waitsFor("11/27(金)")
	third.waitsFor("11/27(金)")

	before1, before2, before3 := first.sentCount(), second.sentCount(), third.sentCount()
	freePlace(t, h, day)
	mustContain(t, first.getsPush(before1), "空きが出ました", "本日11:00まで")
	if s := waitStatus(t, h, second, day); s != "waiting" {
		t.Errorf("the second mother is %s while the first holds the offer", s)
	}

	// Her time runs out at 11:00; the runner moves on.
	h.clock.Set(tokyo("2026-11-25 11:00"))
	mustContain(t, second.getsPush(before2), "空きが出ました", "本日13:00まで")
	if s := waitStatus(t, h, first, day); s != "expired" {
		t.Errorf("the first mother's offer is %s, want expired", s)
	}
	mustContain(t, first.taps("予約する"), "お返事の期限を過ぎたため")

	mustContain(t, second.taps("見送る"), "見送りました")
	mustContain(t, third.getsPush(before3), "空きが出ました")
	mustContain(t, third.taps("予約する"), "ご予約を承りました")

	if len(activeBookings(t, h, first)) != 0 || len(activeBookings(t, h, second)) != 0 || len(activeBookings(t, h, third)) != 1 {
		t.Error("the place did not go to the third mother alone")
	}
	third.checkTranscript("waitlist_third_accepts")
}

// An offer made at 20:30 runs 30 minutes that evening and 90 after 8:00;
// a place freed at 21:30 is offered at 8:00.
func TestWaitlistOfferQuietHours(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-25 20:30"))
	day := booking.D(2026, 11, 27)
	fillDay(t, h, day)
	m := h.mother()
	m.waitsFor("11/27(金)")

	before := m.sentCount()
	freePlace(t, h, day)
	offer := m.getsPush(before)
	mustContain(t, offer, "11/26(木) 9:30まで", "21:00〜8:00")
	mustContain(t, m.taps("予約する"), "ご予約を承りました")
	m.checkTranscript("waitlist_offer_quiet_hours")

	// Full again; a place freed in the night waits for the morning.
	other := h.mother()
	other.waitsFor("11/27(金)")
	h.clock.Set(tokyo("2026-11-25 21:30"))
	freePlace(t, h, day)
	if err := h.bot.WaitlistOffers.OfferFreedPlaces(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := waitStatus(t, h, other, day); s != "waiting" {
		t.Fatalf("at 21:30 her wait is %s, want no offer before 8:00", s)
	}
	before = other.sentCount()
	h.clock.Set(tokyo("2026-11-26 08:00"))
	mustContain(t, other.getsPush(before), "空きが出ました", "本日10:00まで")
}

// A day that filled while she chose offers its waitlist with the nearest
// days, and the button's text typed does the same.
func TestWaitlistFromADayThatJustFilled(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	fillDay(t, h, booking.D(2026, 11, 27))
	mustContain(t, m.taps("11/27(金)"), "満室", "キャンセル待ちに登録")
	mustContain(t, m.says("キャンセル待ちに登録"), "2026年11月27日(金)のキャンセル待ちに登録しました")

	got := m.says("予約の確認")
	mustContain(t, got, "2026年11月27日(金)")
	mustContain(t, m.taps("11/27(金)の待ちをやめる"), "キャンセル待ちをやめました")
	mustContain(t, m.says("予約の確認"), "いまご予約はありません")
	m.checkTranscript("waitlist_join_and_leave")
}

// 「見送る」 typed works like the tap when she has one open offer.
func TestTypedDeclineAnswersHerOffer(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25 09:00
	day := booking.D(2026, 11, 27)
	fillDay(t, h, day)
	first, second := h.mother(), h.mother()
	first.waitsFor("11/27(金)")
	second.waitsFor("11/27(金)")

	before1, before2 := first.sentCount(), second.sentCount()
	freePlace(t, h, day)
	first.getsPush(before1)

	mustContain(t, first.says("見送る"), "見送りました")
	mustContain(t, second.getsPush(before2), "空きが出ました")
	if s := waitStatus(t, h, first, day); s != "declined" {
		t.Errorf("her wait is %s after typing 見送る, want declined", s)
	}
}
