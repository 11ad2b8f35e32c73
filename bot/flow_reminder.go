package bot

import (
	"context"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/booking"
	"mamasroom/line"
	"mamasroom/words"
)

// The reminder, pushed the day before a visit: its 「キャンセルする」 starts
// cancelling that booking whatever she was doing (the my-bookings flow's
// confirmation follows, with its deadline check), and its 「予約の確認」 is
// the menu's command.

const (
	flowReminder       = "reminder"
	stepReminderCancel = "reminder_cancel"
)

func init() {
	addSteps(flowReminder, map[string]step{
		stepReminderCancel: {
			anytime: true,
			prompt: func(t *turn, ctx context.Context, note string) ([]line.Message, error) {
				return t.showMyBookingsNote(ctx, note)
			},
			onText: func(t *turn, ctx context.Context, _ string) ([]line.Message, error) {
				return t.showMyBookings(ctx)
			},
			onPostback: func(t *turn, ctx context.Context, p Postback, _ *webhook.PostbackContent) ([]line.Message, error) {
				// Whatever flow she was in ends: she asked to cancel.
				t.sess.ClearFlow()
				t.sess.Flow, t.sess.Step = flowMyBookings, stepPickCancel
				return t.onCancelPick(ctx, p.Choice)
			},
		},
	})
}

// ReminderMessages is the reminder of b: its words and its two buttons.
// The outbox keeps it as written, so its postback names the booking, not a
// session version.
func ReminderMessages(f *booking.Facility, b *booking.Booking) []line.Message {
	return []line.Message{{
		Text: words.New(f).Reminder(b),
		Buttons: []line.Button{
			messageButton(cmdMyBookings),
			postbackButton(words.CancelThis, Postback{Step: stepReminderCancel, Choice: b.Number}),
		},
	}}
}
