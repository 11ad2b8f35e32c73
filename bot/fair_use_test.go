package bot_test

import (
	"context"
	"testing"

	"mamasroom/booking"
)

// Fair use: with two upcoming bookings (the facility's default limit) she
// is told kindly why a third cannot be made and what she can do.
func TestFairUseLimitsUpcomingBookings(t *testing.T) {
	h := setup(t) // Wednesday 2026-11-25 09:00
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.booksWithoutOptions("11/27(金)")
	m.booksWithoutOptions("11/30(月)")

	got := m.says("予約する")

	mustContain(t, got, "先のご予約はお一人2件まで", "ご来所の日が過ぎると", "予約の確認")
	if n := len(activeBookings(t, h, m)); n != 2 {
		t.Errorf("she holds %d bookings, want 2", n)
	}
	// After her first visit she may book again.
	h.clock.Set(tokyo("2026-11-28 09:00"))
	m.booksWithoutOptions("12/1(火)")
}

// The waitlist's offer books through the same limit: an offer she took
// after filling her two places is refused kindly, and the place goes on.
func TestFairUseHoldsForAWaitlistOffer(t *testing.T) {
	h := setup(t)
	day := booking.D(2026, 11, 27)
	fillDay(t, h, day)
	m := h.mother()
	m.waitsFor("11/27(金)")
	before := m.sentCount()
	freePlace(t, h, day)
	mustContain(t, m.getsPush(before), "空きが出ました")
	offer := offerData(t, h, m)
	m.booksWithoutOptions("11/30(月)")
	m.booksWithoutOptions("12/1(火)")

	got := m.sends("[予約する] (オファー)", func(ctx context.Context) error {
		_, err := h.sim.SendPostback(ctx, m.userID, offer, nil)
		return err
	})

	mustContain(t, got, "先のご予約はお一人2件まで")
	if n := len(activeBookings(t, h, m)); n != 2 {
		t.Errorf("she holds %d bookings, want 2", n)
	}
}
