package bot_test

import (
	"context"
	"testing"
	"time"
)

const replyPath = "/v2/bot/message/reply"

// A reply LINE delivered but whose answer the bot never heard (lost on the
// way, or after its timeout) is not sent again: the retry replies with the
// same token, LINE refuses the spent token, and that counts as delivered.
// Neither a second reply nor a push reaches her, whether the retry comes
// while the token is young or after it expired.
func TestAReplyWhoseAnswerWasLostIsNotSentAgain(t *testing.T) {
	for _, tt := range []struct {
		name  string
		after time.Duration // between the lost answer and the retry
	}{
		{"retried within the token's life", 5 * time.Second},
		{"retried after the token expired", 2 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := setup(t)
			m := h.mother()
			h.sim.LoseAnswerNext(replyPath, 1)

			if _, err := h.sim.SendText(context.Background(), m.userID, "アクセス・持ち物"); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, func() bool { return retries(h) == 1 })
			h.clock.Advance(tt.after)
			h.bot.Dispatcher.Wake()
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			m.awaitDone(ctx)

			sent := h.sim.Sent(m.userID)
			var kinds []string
			for _, s := range sent {
				kinds = append(kinds, s.Kind)
			}
			if len(sent) != 1 || sent[0].Kind != "reply" {
				t.Fatalf("LINE delivered %d answers %v, want the one reply", len(sent), kinds)
			}
			mustContain(t, joinTexts(sent[0].Messages), "母子手帳")
			var pushes int
			if err := h.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE line_user_id = $1`, m.userID).Scan(&pushes); err != nil {
				t.Fatal(err)
			}
			if pushes != 0 {
				t.Errorf("%d pushes queued for an answer LINE had delivered, want none", pushes)
			}
		})
	}
}

// The booking she made is the booking she is told about: when her session
// is lost after the booking's commit (Redis lost it, or it expired), the
// same confirm coming again (the turn retried, or her tap repeated) answers
// with that booking's confirmation, not with a stale button, and books
// nothing more.
func TestAConfirmAfterHerSessionWasLostTellsOfTheBookingItMade(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.says("予約する")
	m.taps("11/27(金)")
	yes := m.postbackOf("はい")
	mustContain(t, m.taps("はい"), "ご予約を承りました")
	list := activeBookings(t, h, m)
	if len(list) != 1 {
		t.Fatalf("%d bookings, want 1", len(list))
	}

	if err := h.redis.Del(context.Background(), "mamasroom:session:"+m.userID).Err(); err != nil {
		t.Fatal(err)
	}
	got := m.sends("(はい again, her session lost)", func(ctx context.Context) error {
		_, err := h.sim.SendPostback(ctx, m.userID, yes, nil)
		return err
	})

	mustContain(t, got, "ご予約を承りました", "2026年11月27日", list[0].Number)
	mustNotContain(t, got, "前の画面")
	if n := countBookings(t, h); n != 1 {
		t.Errorf("%d bookings after the confirm came again, want 1", n)
	}
}
