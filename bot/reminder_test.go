package bot_test

import (
	"context"
	"log/slog"
	"testing"

	"mamasroom/booking"
	"mamasroom/bot"
	"mamasroom/postgres"
	"mamasroom/reminders"
)

// The reminder arrives the day before at REMINDER_AT, and its
// 「キャンセルする」 starts cancelling that booking whatever she was doing.
func TestReminderAndItsCancelButton(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25 09:00
	m := h.mother()
	m.booksDay("11/27(金)")
	m.says("ちょっと聞いてください") // in another flow when the reminder comes

	pushes := postgres.NewOutbox(h.pool, h.facility.ID)
	svc := &reminders.Service{
		Store:    postgres.NewReminders(h.pool, pushes),
		Facility: func(ctx context.Context) (*booking.Facility, error) { return h.store.FacilityBySlug(ctx, "mamasroom") },
		Compose:  bot.ReminderMessages,
		Clock:    h.clock,
		Log:      slog.New(slog.DiscardHandler),
	}
	h.clock.Set(tokyo("2026-11-26 11:59"))
	if n, err := svc.EnqueueDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("at 11:59 the day before: %d reminders, %v", n, err)
	}
	h.clock.Set(tokyo("2026-11-26 12:00"))
	before := m.sentCount()
	if n, err := svc.EnqueueDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("at 12:00 the day before: %d reminders, %v", n, err)
	}
	m.note("(前日 12:00、リマインドが届く)")
	got := joinTexts(m.await(before))
	mustContain(t, got, "2026年11月27日(金) 10:00 受付", "東京都世田谷区下馬3-10-7", "母子手帳", "3,000円")
	if sent := h.sim.Sent(m.userID); sent[len(sent)-1].RetryKey == "" {
		t.Error("the reminder was pushed without X-Line-Retry-Key")
	}

	mustContain(t, m.taps("キャンセルする"), "キャンセルします。よろしいですか")
	mustContain(t, m.taps("はい"), "キャンセルしました")
	if n := len(activeBookings(t, h, m)); n != 0 {
		t.Errorf("active bookings after cancelling from the reminder = %d", n)
	}
	m.checkTranscript("reminder")
}

// 「キャンセルする」 typed shows her bookings to pick from: the words do not
// say which booking, the button does.
func TestTypedCancelThisShowsHerBookings(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.booksDay("11/27(金)")

	got := m.says("キャンセルする")

	mustContain(t, got, "ご予約は次のとおりです", "2026年11月27日")
	mustContain(t, m.taps("11/27(金)をキャンセル"), "キャンセルします。よろしいですか")
}
