package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"mamasroom/booking"
	"mamasroom/inbox"
)

func TestFollowGreetsInOneBubbleWithTheMenu(t *testing.T) {
	h := setup(t)
	m := h.mother()

	got := m.follows()

	mustContain(t, got, "ママズルーム", "友だち追加ありがとうございます")
	if len(m.last) != 1 {
		t.Errorf("the greeting is %d bubbles, want one", len(m.last))
	}
	// What is kept of her answers is said where she gives them.
	mustNotContain(t, got, "お誕生日", "保管")
	if want := []string{"予約する", "予約の確認", "ちょっと聞いてください", "ご利用条件", "アクセス・持ち物"}; !slices.Equal(m.labels(), want) {
		t.Errorf("menu buttons = %v, want %v", m.labels(), want)
	}
	m.checkTranscript("follow")
}

func TestEligibilityWithDatePicker(t *testing.T) {
	h := setup(t)
	m := h.mother()

	mustContain(t, m.says("ご利用条件"), "世田谷区")
	if !slices.Equal(m.labels()[:2], []string{"はい", "いいえ"}) {
		t.Fatalf("yes/no buttons = %v", m.labels())
	}
	mustContain(t, m.taps("はい"), "お誕生日", "大切に保管します")
	// The picker opens a month back: 決定 pressed at once is not "born today".
	if picker, ok := m.button("お誕生日を選ぶ").(messaging_api.DatetimePickerAction); !ok || picker.Initial == booking.DateOf(h.clock.Now()).String() || picker.Initial == "" {
		t.Errorf("the birthday picker opens on %q; want a day before today (%s)", picker.Initial, booking.DateOf(h.clock.Now()))
	}
	got := m.picksDate("お誕生日を選ぶ", "2026-10-15")

	// 2027-02-14 is a Sunday: the last day she can come is the Friday.
	mustContain(t, got, "ご利用いただけます", "2月14日(日)", "ご予約は2月12日(金)まで", "区の制度", "答え直す")
	m.button("答え直す")
	mother, err := h.store.MotherByLineUser(context.Background(), h.facility.ID, m.userID)
	if err != nil {
		t.Fatal(err)
	}
	if mother.BabyBirthday == nil || *mother.BabyBirthday != booking.D(2026, 10, 15) || mother.WardResident == nil || !*mother.WardResident {
		t.Errorf("stored answers = resident %v, birthday %v; want true, 2026-10-15", mother.WardResident, mother.BabyBirthday)
	}
	m.checkTranscript("eligibility")
}

func TestEligibilityTypedDates(t *testing.T) {
	h := setup(t)
	for _, typed := range []string{"2026-10-15", "2026/10/15", "10月15日", "２０２６年１０月１５日", " 10/15 "} {
		t.Run(typed, func(t *testing.T) {
			m := h.mother()
			m.says("ご利用条件")
			m.taps("はい")
			mustContain(t, m.says(typed), "2月14日(日)")
		})
	}
}

func TestEligibilityReasksKindlyForWhatIsNotADate(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.says("ご利用条件")
	m.taps("はい")

	for _, typed := range []string{"あした", "2026-02-30", "13月1日"} {
		got := m.says(typed)
		mustContain(t, got, "読み取れませんでした")
		m.button("お誕生日を選ぶ") // the picker is offered again
	}
	mustContain(t, m.says("2027-01-10"), "まだ先の日付")
	mustContain(t, m.says("2026-10-15"), "2月14日(日)")
	m.checkTranscript("eligibility_typed_dates")
}

func TestEligibilityMonthEndBirthday(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.says("ご利用条件")
	m.taps("はい")
	mustContain(t, m.picksDate("お誕生日を選ぶ", "2026-10-31"), "2月28日(日)", "ご予約は2月26日(金)まで")
}

func TestEligibilityNotResident(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.says("ご利用条件")

	got := m.taps("いいえ")

	mustContain(t, got, "住民登録をされている方が対象です", "03-6413-8435", "月・火・木・金 10:00〜18:00", "(電話する tel:0364138435)")
	m.button("予約する") // never a dead end

	// She tapped いいえ by mistake: she answers again, and may book.
	mustContain(t, m.taps("答え直す"), "住民登録がありますか")
	m.taps("はい")
	mustContain(t, m.picksDate("お誕生日を選ぶ", "2026-10-15"), "ご利用いただけます")
	m.checkTranscript("eligibility_not_resident")
}

func TestEligibilityBirthDatePastTheLimit(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.says("ご利用条件")
	m.taps("はい")

	got := m.picksDate("お誕生日を選ぶ", "2026-07-01")

	mustContain(t, got, "2026年10月31日(土)", "ご利用いただけません", "03-6413-8435", "(電話する tel:0364138435)")
	mustContain(t, m.says("予約する"), "ご利用いただけません")

	// A wrong birthday is answered again.
	m.taps("答え直す")
	m.taps("はい")
	mustContain(t, m.picksDate("お誕生日を選ぶ", "2026-10-15"), "ご利用いただけます")
	m.says("やめる")
	if n := countBookings(t, h); n != 0 {
		t.Errorf("bookings = %d, want none", n)
	}
	m.checkTranscript("eligibility_baby_too_old")
}

// becomeEligible answers the eligibility questions for a baby born on birthday.
func (m *mother) becomeEligible(birthday string) {
	m.h.t.Helper()
	m.says("ご利用条件")
	m.taps("はい")
	mustContain(m.h.t, m.picksDate("お誕生日を選ぶ", birthday), "ご利用いただけます")
}

// booksDay makes her eligible (a baby born 2026-10-15) and books the day
// on that button, with no options.
func (m *mother) booksDay(label string) {
	m.h.t.Helper()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps(label)
	mustContain(m.h.t, m.taps("はい"), "ご予約を承りました")
}

func TestBookingEndToEnd(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25 09:00
	m := h.mother()

	got := m.says("予約する")
	mustContain(t, got, "ご予約の前に", "世田谷区")
	m.taps("はい")
	got = m.picksDate("お誕生日を選ぶ", "2026-10-15")
	mustContain(t, got, "2月14日(日)", "ご希望の日をお選びください", "11/26〜12/14", "先の日は「次へ」")
	mustNotContain(t, got, "区の制度") // the ward's criteria are under ご利用条件

	days := m.labels()
	if days[0] != "11/26(木)" || days[1] != "11/27(金)" || days[2] != "11/30(月)" {
		t.Errorf("first days offered = %v, want tomorrow first: 11/26(木) 11/27(金) 11/30(月)", days[:3])
	}
	if len(days) > 13 || !slices.Contains(days, "次へ") || !slices.Contains(days, "やめる") {
		t.Errorf("buttons = %v: want at most 13 with 次へ and やめる", days)
	}

	got = m.taps("11/27(金)")
	mustContain(t, got, "この内容で予約しますか", "11/27(金)", "オプション: なし", "3,000円")
	if want := []string{"はい", "オプションを選ぶ", "いいえ"}; !slices.Equal(m.labels(), want) {
		t.Errorf("confirm buttons = %v, want %v", m.labels(), want)
	}
	got = m.taps("オプションを選ぶ")
	mustNotContain(t, got, "あとから")
	if want := []string{"小児科医診察", "ウォーターベッド", "アロママッサージ", "なし", "やめる"}; !slices.Equal(m.labels(), want) {
		t.Errorf("option buttons = %v, want %v", m.labels(), want)
	}
	got = m.taps("ウォーターベッド")
	mustContain(t, got, "ウォーターベッドを選びました", "確定していません")
	mustNotContain(t, got, "承りました")
	if want := []string{"小児科医診察", "アロママッサージ", "これで決定", "やめる"}; !slices.Equal(m.labels(), want) {
		t.Errorf("once she chose one, buttons = %v, want %v", m.labels(), want)
	}
	got = m.taps("これで決定")
	mustContain(t, got, "この内容で予約しますか", "11/27(金)", "ウォーターベッド", "3,000円")

	got = m.taps("はい")
	mustContain(t, got, "ご予約を承りました", "2026年11月27日", "10:00", "予約番号", "下馬3-10-7", "母子手帳", "3,000円", "(地図を開く https://")

	list := activeBookings(t, h, m)
	if len(list) != 1 || list[0].Day != booking.D(2026, 11, 27) || !slices.Equal(list[0].Options, []booking.Option{booking.OptionWaterBed}) {
		t.Fatalf("bookings = %+v, want one on 2026-11-27 with the water bed", list)
	}
	mustContain(t, got, list[0].Number)

	got = m.says("予約の確認")
	mustContain(t, got, "2026年11月27日", list[0].Number)
	m.checkTranscript("booking")
}

func TestBookingNeverOffersClosedDays(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-11-01") // last usable day 2027-02-28: past the window

	m.says("予約する")
	var offered []string
	for page := 0; ; page++ {
		for _, l := range m.labels() {
			if strings.Contains(l, "(") {
				offered = append(offered, l)
			}
		}
		if !slices.Contains(m.labels(), "次へ") {
			if !slices.Contains(m.labels(), "最初の日へ") {
				t.Errorf("the last page offers no way back: %v", m.labels())
			}
			break
		}
		if page > 10 {
			t.Fatal("paging never ends")
		}
		m.taps("次へ")
	}
	for _, d := range offered {
		if strings.Contains(d, "(水)") || strings.Contains(d, "(土)") || strings.Contains(d, "(日)") {
			t.Errorf("closed weekday offered: %s", d)
		}
	}
	for _, closed := range []string{"12/29(火)", "12/31(木)", "1/1(金)", "1/11(月)"} {
		if slices.Contains(offered, closed) {
			t.Errorf("holiday or 年末年始 offered: %s", closed)
		}
	}
	for _, open := range []string{"11/26(木)", "12/28(月)", "1/4(月)", "1/12(火)", "1/25(月)"} {
		if !slices.Contains(offered, open) {
			t.Errorf("open day %s not offered; offered %v", open, offered)
		}
	}
	if slices.Contains(offered, "1/26(火)") {
		t.Error("a day past the two-month booking window is offered")
	}
	if len(offered) != 31 {
		t.Errorf("offered %d days, want the 31 open days 11/26–1/25: %v", len(offered), offered)
	}
}

func TestBookingOffersOnlyDaysWithinHerEligibility(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-08-01") // last usable day 2026-11-30

	m.says("予約する")
	days := m.labels()
	if want := []string{"11/26(木)", "11/27(金)", "11/30(月)", "やめる"}; !slices.Equal(days, want) {
		t.Errorf("offered %v, want %v", days, want)
	}
}

// fillDay books every place of day for other mothers.
func fillDay(t *testing.T, h *harness, day booking.Date) {
	t.Helper()
	ctx := context.Background()
	counts, err := h.store.DayCounts(ctx, h.facility.ID, day, day)
	if err != nil {
		t.Fatal(err)
	}
	for i := counts[day].Booked; i < counts[day].Capacity; i++ {
		other := h.mother()
		mo, err := h.store.EnsureMother(ctx, h.facility.ID, other.userID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.Book(ctx, booking.NewBooking{FacilityID: h.facility.ID, MotherID: mo.ID, Day: day}); err != nil {
			t.Fatalf("fill %s: %v", day, err)
		}
	}
}

func TestBookingDayFillsWhileSheChooses(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")

	fillDay(t, h, booking.D(2026, 11, 27))
	got := m.taps("11/27(金)")

	mustContain(t, got, "満室")
	if slices.Contains(m.labels(), "11/27(金)") {
		t.Errorf("the full day is offered again: %v", m.labels())
	}
	if want := []string{"11/26(木)", "11/30(月)"}; !slices.Equal(m.labels()[:2], want) {
		t.Errorf("alternatives = %v, want the nearest days first %v", m.labels(), want)
	}
	m.taps("11/30(月)")
	mustContain(t, m.taps("はい"), "2026年11月30日", "予約番号")
	m.checkTranscript("booking_day_fills")
}

func TestBookingDayFillsBeforeHerYes(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")

	fillDay(t, h, booking.D(2026, 11, 27))
	got := m.taps("はい")

	mustContain(t, got, "満室", "ご希望の日をお選びください")
	mustNotContain(t, got, "予約番号")
	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Errorf("she has %d bookings, want none", n)
	}
	m.checkTranscript("booking_day_fills_before_yes")
}

func TestOptionFullIsNotOffered(t *testing.T) {
	h := setup(t)
	ctx := context.Background()
	day := booking.D(2026, 11, 27)
	for range 2 { // the water bed takes two a day
		other := h.mother()
		mo, err := h.store.EnsureMother(ctx, h.facility.ID, other.userID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.Book(ctx, booking.NewBooking{FacilityID: h.facility.ID, MotherID: mo.ID, Day: day, Options: []booking.Option{booking.OptionWaterBed}}); err != nil {
			t.Fatal(err)
		}
	}
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")
	got := m.taps("オプションを選ぶ")

	if want := []string{"小児科医診察", "アロママッサージ", "なし", "やめる"}; !slices.Equal(m.labels(), want) {
		t.Errorf("options offered = %v, want %v", m.labels(), want)
	}
	mustContain(t, got, "ウォーターベッドは、この日はいっぱいです") // said, not silently missing
}

// Staff lowered the water bed to one on 11/27 and one mother has it: it is
// not offered that day, though the facility's figure is two.
func TestDayOptionCapacityIsNotOffered(t *testing.T) {
	h := setup(t)
	ctx := context.Background()
	day := booking.D(2026, 11, 27)
	if err := h.store.SetDayOverride(ctx, h.facility.ID, booking.DayOverride{
		Day: day, OptionCapacities: map[booking.Option]int{booking.OptionWaterBed: 1},
	}); err != nil {
		t.Fatal(err)
	}
	other, err := h.store.EnsureMother(ctx, h.facility.ID, h.mother().userID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Book(ctx, booking.NewBooking{FacilityID: h.facility.ID, MotherID: other.ID, Day: day, Options: []booking.Option{booking.OptionWaterBed}}); err != nil {
		t.Fatal(err)
	}
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")
	m.taps("オプションを選ぶ")
	if want := []string{"小児科医診察", "アロママッサージ", "なし", "やめる"}; !slices.Equal(m.labels(), want) {
		t.Errorf("options offered on 11/27 = %v, want %v", m.labels(), want)
	}

	// The next open day keeps the facility's two.
	m.taps("やめる")
	m.says("予約する")
	m.taps("11/30(月)")
	m.taps("オプションを選ぶ")
	if want := []string{"小児科医診察", "ウォーターベッド", "アロママッサージ", "なし", "やめる"}; !slices.Equal(m.labels(), want) {
		t.Errorf("options offered on 11/30 = %v, want %v", m.labels(), want)
	}
}

func TestTwoQuickTapsMakeOneBooking(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")

	// Both taps of はい reach LINE before the first answer comes back.
	first, second := m.tapsTwiceQuickly("はい")
	mustContain(t, first, "ご予約を承りました")
	list := activeBookings(t, h, m)
	if len(list) != 1 {
		t.Fatalf("two taps made %d bookings, want 1", len(list))
	}
	// The second tap is told of the same booking (see confirmedAgain).
	mustContain(t, second, "ご予約を承りました", list[0].Number)
}

func TestDoubleTapOnDayAdvancesOnce(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	first, second := m.tapsTwiceQuickly("次へ")

	mustContain(t, first, "12/15〜1/7")
	mustContain(t, second, "いまは使えません", "12/15〜1/7") // the second page again, not the third
}

func TestCancelBooking(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")
	fillOthers := booking.D(2026, 11, 27)
	fillDay(t, h, fillOthers) // the day is now full, her place included

	got := m.says("予約の確認")
	mustContain(t, got, "2026年11月27日")
	got = m.taps("11/27(金)をキャンセル")
	mustContain(t, got, "キャンセルします。よろしいですか")
	got = m.taps("はい")
	mustContain(t, got, "キャンセルしました")

	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Errorf("active bookings after cancel = %d", n)
	}
	counts, err := h.store.DayCounts(context.Background(), h.facility.ID, fillOthers, fillOthers)
	if err != nil {
		t.Fatal(err)
	}
	if counts[fillOthers].Full() {
		t.Error("cancelling did not free her place")
	}
	mustContain(t, m.says("予約の確認"), "いまご予約はありません")
	m.checkTranscript("cancel")
}

func TestCancelAfterDeadlineNeedsAPhoneCall(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")

	h.clock.Set(tokyo("2026-11-26 17:01")) // past the day before at 17:00
	got := m.says("予約の確認")

	mustContain(t, got, "2026年11月27日", "お電話", "03-6413-8435")
	if slices.Contains(m.labels(), "11/27(金)をキャンセル") {
		t.Error("a booking past its deadline can still be cancelled in LINE")
	}
	if n := len(activeBookings(t, h, m)); n != 1 {
		t.Errorf("bookings = %d, want 1", n)
	}
	m.checkTranscript("cancel_too_late")
}

func TestCancelButtonPressedAfterDeadline(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")
	h.clock.Set(tokyo("2026-11-26 16:58"))
	m.says("予約の確認")
	m.taps("11/27(金)をキャンセル")

	h.clock.Set(tokyo("2026-11-26 17:01"))
	got := m.taps("はい")

	mustContain(t, got, "お電話", "03-6413-8435")
	if n := len(activeBookings(t, h, m)); n != 1 {
		t.Errorf("bookings = %d, want 1: cancelled past the deadline", n)
	}
}

func TestVisitLimit(t *testing.T) {
	h := setup(t)
	if _, err := h.pool.Exec(context.Background(), `UPDATE facilities SET max_visits_per_mother = 1`); err != nil {
		t.Fatal(err)
	}
	h.facility.MaxVisitsPerMother = 1
	m := h.mother()
	m.booksDay("11/27(金)")

	got := m.says("予約する")

	mustContain(t, got, "上限", "1回まで")
	m.button("予約の確認")
	m.checkTranscript("visit_limit")
}

func TestQuitEndsTheFlowAndOldButtonsAreStale(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	day := m.postbackOf("11/27(金)")

	mustContain(t, m.says("やめる"), "やめておきますね")
	got := m.sends("[11/27(金)] を前のご案内でタップ", func(ctx context.Context) error {
		_, err := h.sim.SendPostback(ctx, m.userID, day, nil)
		return err
	})

	mustContain(t, got, "そのボタンは前のご案内のもので、いまは使えません")
	m.button("予約する")
	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Errorf("bookings = %d after quitting", n)
	}
	m.checkTranscript("quit")
}

func TestIdleFlowEndsKindly(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")

	h.clock.Advance(placeKeptPlusAMinute) // her place is kept a day (resume_test.go)
	got := m.taps("11/27(金)")

	mustContain(t, got, "はじめからご案内します")
	m.button("予約する")
	m.checkTranscript("idle_flow")
}

func TestUnknownInputGetsHelpNotSilence(t *testing.T) {
	h := setup(t)
	m := h.mother()

	// What she reads says this is an automatic guide, what it does, and
	// where a person answers.
	help := m.says("こんにちは")
	mustContain(t, help, "自動でご案内", "ご予約", "ご相談", "お電話", "月・火・木・金 10:00〜18:00", "(電話する tel:0364138435)")
	mustNotContain(t, help, "読み取れません")
	m.button("予約する")

	got := m.sends("(スタンプ)", func(ctx context.Context) error {
		_, err := h.sim.SendSticker(ctx, m.userID, "446", "1988")
		return err
	})
	mustContain(t, got, "スタンプありがとうございます")

	got = m.sends("(写真)", func(ctx context.Context) error {
		_, err := h.sim.SendImage(ctx, m.userID)
		return err
	})
	mustContain(t, got, "確認できません")
	m.checkTranscript("unknown_input")
}

func TestUnknownTextInAStepRepeatsTheQuestion(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.says("ご利用条件")

	got := m.says("たぶん")

	mustContain(t, got, "読み取れませんでした", "住民登録")
	m.button("はい")
}

func TestInfo(t *testing.T) {
	h := setup(t)
	m := h.mother()

	got := m.says("アクセス・持ち物")

	mustContain(t, got, "東京都世田谷区下馬3-10-7", "10:00", "18:00", "診察券", "マイナ保険証(または資格確認書)", "医療証", "母子手帳", "3,000円", "03-6413-8435",
		"(地図を開く https://", "(電話する tel:0364138435)", "1日の流れ")
	mustNotContain(t, strings.Split(got, "(地図を開く")[0], "https://", "%E6") // no address of a page to read
	if len(m.last) != 2 {
		t.Errorf("info is %d bubbles, want two: what she needs, then the day's schedule", len(m.last))
	}
	m.checkTranscript("info")
}

func TestUnfollowStopsHerAndFollowWelcomesBack(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.follows()
	ctx := context.Background()

	if _, err := h.sim.SendUnfollow(ctx, m.userID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		mo, err := h.store.MotherByLineUser(ctx, h.facility.ID, m.userID)
		return err == nil && !mo.Following
	})
	mustContain(t, m.follows(), "友だち追加ありがとうございます")
	mo, err := h.store.MotherByLineUser(ctx, h.facility.ID, m.userID)
	if err != nil || !mo.Following {
		t.Errorf("after following again: following = %v, err %v", mo != nil && mo.Following, err)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func activeBookings(t *testing.T, h *harness, m *mother) []booking.Booking {
	t.Helper()
	ctx := context.Background()
	mo, err := h.store.MotherByLineUser(ctx, h.facility.ID, m.userID)
	if errors.Is(err, booking.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	list, err := h.store.ActiveBookings(ctx, mo.ID, booking.Date{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func countBookings(t *testing.T, h *harness) int {
	t.Helper()
	var n int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM bookings WHERE status = 'active'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// tapsTwiceQuickly sends a postback button twice, the second before the
// first is answered, and returns the two answers.
func (m *mother) tapsTwiceQuickly(label string) (first, second string) {
	m.h.t.Helper()
	data := m.postbackOf(label)
	before := m.sentCount()
	ctx := context.Background()
	for range 2 {
		if _, err := m.h.sim.SendPostback(ctx, m.userID, data, nil); err != nil {
			m.h.t.Fatal(err)
		}
	}
	waitCtx, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	sent, err := m.h.sim.WaitSent(waitCtx, m.userID, before+2)
	if err != nil {
		m.h.t.Fatal(err)
	}
	return joinTexts(sent[before].Messages), joinTexts(sent[before+1].Messages)
}

func TestHerBookedDaysAreNotOfferedAgain(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")

	m.says("予約する")

	if slices.Contains(m.labels(), "11/27(金)") {
		t.Errorf("the day she booked is offered again: %v", m.labels())
	}
	m.button("11/26(木)")
}

func TestBookingFromASecondPhoneStillConfirms(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")

	// The same day gets booked for her elsewhere (her other phone, or this
	// step's first run whose answer was lost) before this はい.
	ctx := context.Background()
	mo, err := h.store.MotherByLineUser(ctx, h.facility.ID, m.userID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.store.Book(ctx, booking.NewBooking{FacilityID: h.facility.ID, MotherID: mo.ID, Day: booking.D(2026, 11, 27)})
	if err != nil {
		t.Fatal(err)
	}
	got := m.taps("はい")

	mustContain(t, got, "ご予約を承りました", b.Number, "2026年11月27日")
	if n := len(activeBookings(t, h, m)); n != 1 {
		t.Errorf("bookings = %d, want 1", n)
	}
}

func TestGroupChatsGetNoAnswer(t *testing.T) {
	h := setup(t)
	m := h.mother()
	body := []byte(`{"destination":"U0","events":[{"type":"message","mode":"active","timestamp":1795564800000,` +
		`"webhookEventId":"01GROUPEVENT0000000000000A","deliveryContext":{"isRedelivery":false},` +
		`"source":{"type":"group","groupId":"C0123456789abcdef0123456789abcdef","userId":"` + m.userID + `"},` +
		`"replyToken":"0123456789abcdef0123456789abcdef","message":{"type":"text","id":"1","quoteToken":"q","text":"予約の確認"}}]}`)
	res, err := h.sim.SendRaw(context.Background(), body, sign(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	waitUntil(t, func() bool {
		var done bool
		err := h.pool.QueryRow(context.Background(),
			`SELECT processed_at IS NOT NULL FROM webhook_events WHERE event_id = '01GROUPEVENT0000000000000A'`).Scan(&done)
		return err == nil && done
	})
	// Her own chat is answered; the group message never was.
	mustContain(t, m.says("アクセス・持ち物"), "母子手帳")
	if n := m.sentCount(); n != 1 {
		t.Errorf("LINE was asked to send %d answers, want only the one-to-one answer", n)
	}
}

func TestTypingADayWorksLikeTappingIt(t *testing.T) {
	for _, typed := range []string{"11/27(金)", "11/27", "11月27日", "2026-11-27", "１１／２７"} {
		t.Run(typed, func(t *testing.T) {
			h := setup(t)
			m := h.mother()
			m.becomeEligible("2026-10-15")
			m.says("予約する")

			mustContain(t, m.says(typed), "この内容で予約しますか", "11/27(金)")
		})
	}
}

func TestTypingADayInHerOwnWords(t *testing.T) {
	for typed, want := range map[string]string{"あした": "11/26(木)", "あさって": "11/27(金)", "来週の月曜": "11/30(月)", "１２/７": "12/7(月)"} {
		t.Run(typed, func(t *testing.T) {
			h := setup(t) // Wednesday 2026-11-25
			m := h.mother()
			m.becomeEligible("2026-10-15")
			m.says("予約する")

			mustContain(t, m.says(typed), "この内容で予約しますか", want)
		})
	}
}

func TestTypingEveryButtonOfTheBookingWorks(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.says("次へ")
	mustContain(t, m.says("最初の日へ"), "ご希望の日")
	m.says("11/27(金)")
	m.says("オプションを選ぶ")
	m.says("アロママッサージ")
	mustContain(t, m.says("これで決定"), "この内容で予約します", "アロママッサージ")
	mustContain(t, m.says("はい"), "ご予約を承りました")

	m.says("予約の確認")
	m.says("11/27(金)をキャンセル")
	mustContain(t, m.says("はい"), "キャンセルしました")
}

func TestAForgedPostbackIsStaleNotAFailure(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")

	for _, data := range []string{
		"a=next&p=838488366986797801&v=1",
		"s=day&v=1&c=page&p=838488366986797801",
		"s=day&v=999&c=2026-11-27",
	} {
		before := m.sentCount()
		if _, err := h.sim.SendPostback(context.Background(), m.userID, data, nil); err != nil {
			t.Fatal(err)
		}
		mustContain(t, joinTexts(m.await(before)), "ご希望の日をお選びください")
	}
	mustContain(t, m.says("やめる"), "ここでやめておきますね")
}

func TestAChangedSettingAppliesToTheNextMessage(t *testing.T) {
	h := setup(t)
	m := h.mother()
	mustContain(t, m.says("アクセス・持ち物"), "03-6413-8435")

	if _, err := h.pool.Exec(context.Background(), `UPDATE facilities SET phone = '03-1111-2222'`); err != nil {
		t.Fatal(err)
	}

	got := m.says("アクセス・持ち物")
	mustContain(t, got, "03-1111-2222")
	mustNotContain(t, got, "03-6413-8435")
}

// An event that failed for good still gets her an answer: never silence.
func TestAnEventGivenUpIsAnsweredKindly(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.follows()
	before := m.sentCount()
	ev := inbox.Pending{Event: inbox.Event{
		EventID: "01GIVENUP0000000000000000", LineUserID: m.userID,
		Payload: []byte(`{"type":"message","mode":"active","timestamp":0,"source":{"type":"user","userId":"` + m.userID + `"},"webhookEventId":"01GIVENUP0000000000000000","deliveryContext":{"isRedelivery":false},"message":{"type":"text","id":"1","quoteToken":"q","text":"x"}}`),
	}}

	for range 2 { // a repeat is sent once
		if err := h.bot.Engine.GiveUp(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}

	got := joinTexts(m.await(before))
	mustContain(t, got, "うまく処理できませんでした", "03-6413-8435")
	waitUntil(t, func() bool {
		var pending int
		h.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&pending)
		return pending == 0
	})
	if n := len(h.sim.Sent(m.userID)) - before; n != 1 {
		t.Errorf("%d pushes for one given-up event, want 1", n)
	}
}

// Her last usable day comes before the room's next open day: no
// cancellation can help her, and she is told so, with where to turn.
func TestNoDayLeftBeforeHerLastDay(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25: the first bookable day is Thursday
	m := h.mother()
	m.says("ご利用条件")
	m.taps("はい")
	mustContain(t, m.picksDate("お誕生日を選ぶ", "2026-07-26"), "ご利用いただけます", "11月25日(水)")

	got := m.says("予約する")

	mustContain(t, got, "ご利用いただけるのは2026年11月25日(水)まで", "開所日がもうない", "健康づくり課", "(電話する tel:0364138435)")
	mustNotContain(t, got, "キャンセルが出る")
	m.checkTranscript("no_day_left")
}
