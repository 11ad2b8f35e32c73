package bot_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"mamasroom/booking"
)

// Her place is kept while she is away: she picks a day, comes back hours
// later, and goes on where she was when nothing changed.
func TestPlaceKeptSheGoesOnWhereSheWas(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25 09:00
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	mustContain(t, m.taps("11/27(金)"), "11/27(金)")

	m.comesBackAfter(5 * time.Hour) // a feed, a nap
	got := m.taps("はい")

	mustContain(t, got, "予約番号")
	mustNotContain(t, got, "おかえりなさい")
	if list := activeBookings(t, h, m); len(list) != 1 || list[0].Day != booking.D(2026, 11, 27) {
		t.Errorf("bookings %+v, want one of 11/27", list)
	}
	m.checkTranscript("resume_goes_on")
}

// The done-when: she picks a day, comes back 5 hours later, the day filled
// meanwhile: she is told, and offered other days and the day's waitlist.
func TestPlaceKeptTheDayFilledMeanwhile(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")

	m.comesBackAfter(5 * time.Hour)
	fillDay(t, h, booking.D(2026, 11, 27))
	got := m.taps("はい")

	mustContain(t, got, "おかえりなさい", "お選びいただいた11/27(金)は、その後満室になりました")
	mustNotContain(t, got, "予約番号")
	labels := m.labels()
	if slices.Contains(labels, "11/27(金)") || !slices.Contains(labels, "11/26(木)") || !slices.Contains(labels, "キャンセル待ちに登録") {
		t.Errorf("buttons %v, want the nearest days without 11/27 and its waitlist", labels)
	}
	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Fatalf("she has %d bookings, want none yet", n)
	}
	m.taps("11/30(月)")
	mustContain(t, m.taps("はい"), "予約番号")
	if list := activeBookings(t, h, m); len(list) != 1 || list[0].Day != booking.D(2026, 11, 30) {
		t.Errorf("bookings %+v, want one of 11/30", list)
	}
	m.checkTranscript("resume_day_filled")
}

// A day staff closed while she was away: told, and offered the nearest.
func TestPlaceKeptTheDayClosedMeanwhile(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")

	m.comesBackAfter(3 * time.Hour)
	if err := h.store.SetDayOverride(context.Background(), h.facility.ID, booking.DayOverride{Day: booking.D(2026, 11, 27), Closed: true}); err != nil {
		t.Fatal(err)
	}
	got := m.taps("はい")

	mustContain(t, got, "お選びいただいた11/27(金)は、その後ご予約いただけなくなりました")
	if slices.Contains(m.labels(), "11/27(金)") || !slices.Contains(m.labels(), "11/30(月)") {
		t.Errorf("buttons %v, want the nearest days without 11/27", m.labels())
	}
	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Errorf("she has %d bookings, want none", n)
	}
}

// An option she chose filled while she was away: said, and the options
// asked again; nothing is dropped silently.
func TestPlaceKeptAnOptionFilledMeanwhile(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")
	m.taps("オプションを選ぶ")
	m.taps("ウォーターベッド")

	m.comesBackAfter(2 * time.Hour)
	ctx := context.Background()
	for range 2 { // the water bed takes two a day
		mo, err := h.store.EnsureMother(ctx, h.facility.ID, h.mother().userID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.Book(ctx, booking.NewBooking{FacilityID: h.facility.ID, MotherID: mo.ID, Day: booking.D(2026, 11, 27), Options: []booking.Option{booking.OptionWaterBed}}); err != nil {
			t.Fatal(err)
		}
	}
	var got string
	for _, l := range m.labels() { // whichever button she meets next
		if l == "はい" || l == "これで決定" {
			got = m.taps(l)
			break
		}
	}

	mustContain(t, got, "お選びいただいたウォーターベッドは、その後お付けできなくなりました")
	mustNotContain(t, got, "予約番号")
	if slices.Contains(m.labels(), "ウォーターベッド") {
		t.Errorf("the full option is offered again: %v", m.labels())
	}
	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Errorf("she has %d bookings, want none yet", n)
	}
	m.checkTranscript("resume_option_filled")
}

// Staff changed what her confirmation says (the fee) while she was away:
// it is shown again, and her yes is taken only to what it says now.
func TestPlaceKeptTheConfirmationChangedMeanwhile(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	mustContain(t, m.taps("11/27(金)"), "3,000円")

	m.comesBackAfter(4 * time.Hour)
	if _, err := h.pool.Exec(context.Background(), `UPDATE facilities SET fee_yen = 3500`); err != nil {
		t.Fatal(err)
	}
	got := m.taps("はい")

	mustContain(t, got, "その後ご案内の内容が変わりました", "3,500円")
	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Fatalf("her yes to 3,000円 booked at 3,500円: %d bookings", n)
	}
	mustContain(t, m.taps("はい"), "予約番号")
	m.checkTranscript("resume_settings_changed")
}

// Her eligibility ended while she was away (her baby reached 4 months
// overnight): she is told truly, with no day to pick.
func TestPlaceKeptHerEligibilityEndedMeanwhile(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-25 22:00"))
	m := h.mother()
	m.becomeEligible("2026-07-27") // her last usable day is Thursday 11-26
	m.says("予約する")
	mustContain(t, m.taps("11/26(木)"), "11/26(木)")

	m.comesBackAfter(5 * time.Hour) // 03:00 on 11-26: that day can no longer be booked
	got := m.taps("はい")

	mustNotContain(t, got, "予約番号")
	if slices.Contains(m.labels(), "11/26(木)") || slices.Contains(m.labels(), "はい") {
		t.Errorf("buttons %v: the day she can no longer have is offered", m.labels())
	}
	m.button("予約する") // never a dead end
	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Errorf("she has %d bookings, want none", n)
	}
	m.checkTranscript("resume_eligibility_ended")
}

// After more than a day away, she starts afresh, kindly; a command typed
// then is simply done.
func TestPlaceNotKeptPastADay(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")

	m.comesBackAfter(25 * time.Hour)
	got := m.taps("はい")

	mustContain(t, got, "はじめから")
	m.button("予約する")
	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Errorf("a yes after 25 hours booked: %d bookings", n)
	}
	m.taps("予約する")
	m.taps("11/30(月)")
	m.comesBackAfter(25 * time.Hour)
	mustContain(t, m.says("予約の確認"), "いまご予約はありません")
	m.checkTranscript("resume_after_a_day")
}

// placeKeptPlusAMinute is just past the 24 hours her place is kept.
const placeKeptPlusAMinute = 24*time.Hour + time.Minute

// comesBackAfter moves the clock on while she is away, noting it in her
// transcript.
func (m *mother) comesBackAfter(d time.Duration) {
	m.h.t.Helper()
	m.h.clock.Advance(d)
	if d < time.Hour {
		m.note(fmt.Sprintf("(%d分後)", int(d.Minutes())))
		return
	}
	m.note(fmt.Sprintf("(%d時間後)", int(d.Hours())))
}
