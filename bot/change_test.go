package bot_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"mamasroom/booking"
)

// bookOther books day for another mother, with options.
func bookOther(t *testing.T, h *harness, day booking.Date, options ...booking.Option) {
	t.Helper()
	ctx := context.Background()
	mo, err := h.store.EnsureMother(ctx, h.facility.ID, h.mother().userID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Book(ctx, booking.NewBooking{FacilityID: h.facility.ID, MotherID: mo.ID, Day: day, Options: options}); err != nil {
		t.Fatalf("book %v for another mother: %v", day, err)
	}
}

// booksWithOption makes her eligible and books day with one option.
func (m *mother) booksWithOption(day, option string) {
	m.h.t.Helper()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps(day)
	m.taps("オプションを選ぶ")
	m.taps(option)
	m.taps("これで決定")
	mustContain(m.h.t, m.taps("はい"), "予約番号")
}

// The done-when of 予約の変更: from 予約の確認 she changes her booking's
// day without cancelling first; the booking moves, options kept, in one
// step, and the day she left is free for others.
func TestChangeDayFromMyBookings(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25 09:00
	m := h.mother()
	m.booksWithOption("11/27(金)", "ウォーターベッド")
	old := activeBookings(t, h, m)[0]

	got := m.says("予約の確認")
	mustContain(t, got, "日にちの変更やキャンセルは")
	got = m.taps("11/27(金)の日にちを変更")
	mustContain(t, got, "11/27(金)のご予約の日にちを変更します")
	if slices.Contains(m.labels(), "11/27(金)") || !slices.Contains(m.labels(), "12/1(火)") {
		t.Errorf("days offered %v: want the open days without hers", m.labels())
	}
	got = m.taps("12/1(火)")
	mustContain(t, got, "11/27(金)のご予約を、次の日に変更します", "2026年12月1日(火)", "ウォーターベッド")
	if n := len(activeBookings(t, h, m)); n != 1 {
		t.Fatalf("she holds %d bookings before her yes", n)
	}

	got = m.taps("はい")

	mustContain(t, got, "日にちを変更しました", "2026年12月1日(火)", "ウォーターベッド", "11/27(金)のご予約は取り消しました", "予約番号")
	list := activeBookings(t, h, m)
	if len(list) != 1 || list[0].Day != booking.D(2026, 12, 1) || !slices.Equal(list[0].Options, []booking.Option{booking.OptionWaterBed}) {
		t.Fatalf("bookings %+v, want one of 12/1 with the water bed", list)
	}
	mustContain(t, got, list[0].Number)
	left, err := h.store.BookingByNumber(context.Background(), h.facility.ID, old.Number)
	if err != nil || left.Status != booking.StatusCancelled {
		t.Errorf("the booking of 11/27 is %+v (%v), want cancelled", left, err)
	}
	if c := dayCount(t, h, booking.D(2026, 11, 27)); c.Booked != 0 || c.Options[booking.OptionWaterBed].Booked != 0 {
		t.Errorf("11/27 still counts %d bookings, %d water beds", c.Booked, c.Options[booking.OptionWaterBed].Booked)
	}
	mustContain(t, m.says("予約の確認"), "2026年12月1日(火)")
	m.checkTranscript("change")
}

// An option the new day has no room for is said before she says yes, and
// the booking moves without it.
func TestChangeDaySaysAnOptionItCannotKeep(t *testing.T) {
	h := setup(t)
	bookOther(t, h, booking.D(2026, 12, 1), booking.OptionWaterBed)
	bookOther(t, h, booking.D(2026, 12, 1), booking.OptionWaterBed)
	m := h.mother()
	m.booksWithOption("11/27(金)", "ウォーターベッド")
	m.says("予約の確認")
	m.taps("11/27(金)の日にちを変更")

	got := m.taps("12/1(火)")

	mustContain(t, got, "オプション: なし", "ウォーターベッドは、12/1(火)はいっぱいのためお付けできません")
	m.taps("はい")
	list := activeBookings(t, h, m)
	if len(list) != 1 || list[0].Day != booking.D(2026, 12, 1) || len(list[0].Options) != 0 {
		t.Errorf("bookings %+v, want one of 12/1 without options", list)
	}
	m.checkTranscript("change_option_full")
}

// The new day fills before her yes: she is told and offered the nearest
// days; her booking stays where it was.
func TestChangeDayFillsBeforeHerYes(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")
	m.says("予約の確認")
	m.taps("11/27(金)の日にちを変更")
	m.taps("12/1(火)")

	fillDay(t, h, booking.D(2026, 12, 1))
	got := m.taps("はい")

	mustContain(t, got, "12/1(火)は、ちょうど満室")
	if slices.Contains(m.labels(), "12/1(火)") || !slices.Contains(m.labels(), "11/30(月)") {
		t.Errorf("days offered %v, want the nearest without 12/1", m.labels())
	}
	if list := activeBookings(t, h, m); len(list) != 1 || list[0].Day != booking.D(2026, 11, 27) {
		t.Errorf("bookings %+v, want hers of 11/27 as it was", list)
	}
	m.taps("11/30(月)")
	mustContain(t, m.taps("いいえ"), "ご予約は11/27(金)のまま")
	if list := activeBookings(t, h, m); len(list) != 1 || list[0].Day != booking.D(2026, 11, 27) {
		t.Errorf("bookings %+v after いいえ, want hers of 11/27", list)
	}
}

// The cancel's deadline holds for a change: after it, she is told kindly,
// with the phone, and nothing changes.
func TestChangeDayAfterTheDeadline(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-26 16:50"))
	m := h.mother()
	m.booksDay("11/27(金)")
	m.says("予約の確認")
	m.button("11/27(金)の日にちを変更")

	m.comesBackAfter(15 * time.Minute) // 17:05, past the deadline of 17:00
	got := m.taps("11/27(金)の日にちを変更")

	mustContain(t, got, "期限(前日17:00)を過ぎているため", "お電話", "tel:")
	m.button("予約する")
	if list := activeBookings(t, h, m); len(list) != 1 || list[0].Day != booking.D(2026, 11, 27) {
		t.Errorf("bookings %+v, want hers of 11/27 as it was", list)
	}
	// Her list no longer offers a change of that booking.
	m.says("予約の確認")
	if slices.Contains(m.labels(), "11/27(金)の日にちを変更") {
		t.Errorf("a change past the deadline is offered: %v", m.labels())
	}
	m.checkTranscript("change_too_late")
}

// The place she leaves goes to the first mother waiting for it, as a
// cancel's does.
func TestChangeDayOffersTheFreedPlaceToTheWaitlist(t *testing.T) {
	h := setup(t)
	day := booking.D(2026, 11, 27)
	m := h.mother()
	m.booksDay("11/27(金)")
	fillDay(t, h, day)
	waiting := h.mother()
	waiting.waitsFor("11/27(金)")

	m.says("予約の確認")
	m.taps("11/27(金)の日にちを変更")
	m.taps("12/1(火)")
	before := waiting.sentCount()
	mustContain(t, m.taps("はい"), "日にちを変更しました")

	mustContain(t, waiting.getsPush(before), "空きが出ました", "11月27日")
	if s := waitStatus(t, h, waiting, day); s != string(booking.WaitOffered) {
		t.Errorf("the waiting mother's entry is %s, want offered", s)
	}
}

// A change confirmed again (her session lost after the move, a second
// tap) tells her of the booking she has; nothing moves twice.
func TestChangeDayConfirmedAgain(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")
	m.says("予約の確認")
	m.taps("11/27(金)の日にちを変更")
	m.taps("12/1(火)")
	yes := m.postbackOf("はい")
	m.taps("はい")

	got := m.sends("[はい] をもう一度タップ", func(ctx context.Context) error {
		_, err := h.sim.SendPostback(ctx, m.userID, yes, nil)
		return err
	})

	mustContain(t, got, "日にちを変更しました", "2026年12月1日(火)")
	if list := activeBookings(t, h, m); len(list) != 1 || list[0].Day != booking.D(2026, 12, 1) {
		t.Errorf("bookings %+v, want the one of 12/1", list)
	}
}

// She is away between choosing the new day and her yes, and the day fills
// meanwhile: told what changed, offered the nearest days.
func TestChangeDayPlaceKeptTheDayFilledMeanwhile(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")
	m.says("予約の確認")
	m.taps("11/27(金)の日にちを変更")
	m.taps("12/1(火)")

	m.comesBackAfter(6 * time.Hour)
	fillDay(t, h, booking.D(2026, 12, 1))
	got := m.taps("はい")

	mustContain(t, got, "お選びいただいた12/1(火)は、その後満室になりました", "11/27(金)のご予約の日にちを変更します")
	if list := activeBookings(t, h, m); len(list) != 1 || list[0].Day != booking.D(2026, 11, 27) {
		t.Errorf("bookings %+v, want hers of 11/27 as it was", list)
	}
	m.checkTranscript("change_resume_day_filled")
}

// After a booking, 「続けて別の日も予約」 books another day while her
// limits allow; at the limit it is not offered.
func TestBookAnotherDayWhileHerLimitAllows(t *testing.T) {
	h := setup(t)
	if _, err := h.pool.Exec(context.Background(), `UPDATE facilities SET max_visits_per_mother = 2`); err != nil {
		t.Fatal(err)
	}
	m := h.mother()
	m.booksDay("11/27(金)")
	got := m.taps("続けて別の日も予約")
	mustContain(t, got, "ご希望の日をお選びください")
	if slices.Contains(m.labels(), "11/27(金)") {
		t.Errorf("her booked day is offered again: %v", m.labels())
	}
	m.taps("12/1(火)")
	mustContain(t, m.taps("はい"), "予約番号")

	if slices.Contains(m.labels(), "続けて別の日も予約") {
		t.Errorf("another day is offered past her limit of 2: %v", m.labels())
	}
	if n := len(activeBookings(t, h, m)); n != 2 {
		t.Errorf("she holds %d bookings, want 2", n)
	}
	m.checkTranscript("book_another_day")
}

func dayCount(t *testing.T, h *harness, day booking.Date) booking.DayCount {
	t.Helper()
	counts, err := h.store.DayCounts(context.Background(), h.facility.ID, day, day)
	if err != nil {
		t.Fatal(err)
	}
	return counts[day]
}

// 「変更」 in her own words: with one booking, its change begins at once;
// with two, she picks one from her list.
func TestChangeTyped(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")

	mustContain(t, m.says("変更したい"), "11/27(金)のご予約の日にちを変更します")

	m.says("やめる")
	m.taps("予約する")
	m.taps("12/1(火)")
	m.taps("はい")
	got := m.says("変更")
	mustContain(t, got, "ご予約は次のとおりです")
	for _, want := range []string{"11/27(金)の日にちを変更", "12/1(火)の日にちを変更"} {
		if !slices.Contains(m.labels(), want) {
			t.Errorf("no %q under her list: %v", want, m.labels())
		}
	}
}
