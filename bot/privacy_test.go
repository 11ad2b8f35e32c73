package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mamasroom/booking"
	"mamasroom/logcheck"
	"mamasroom/postgres"
	"mamasroom/privacy"
)

// booksWithoutOptions books the day on that button, taking no option.
func (m *mother) booksWithoutOptions(label string) {
	m.h.t.Helper()
	m.says("予約する")
	m.taps(label)
	for _, b := range m.labels() {
		if b == "なし" {
			m.taps("なし")
			break
		}
	}
	mustContain(m.h.t, m.taps("はい"), "ご予約を承りました")
}

// holdsBooking gives her a booking of day without a conversation, so a
// transcript shows only what follows.
func (m *mother) holdsBooking(day booking.Date) {
	m.h.t.Helper()
	ctx := context.Background()
	mo, err := m.h.store.EnsureMother(ctx, m.h.facility.ID, m.userID)
	if err != nil {
		m.h.t.Fatal(err)
	}
	if _, err := m.h.store.Book(ctx, booking.NewBooking{FacilityID: m.h.facility.ID, MotherID: mo.ID, Day: day}); err != nil {
		m.h.t.Fatal(err)
	}
}

// leftovers lists every place in the database and in Redis that still
// holds one of needles: every row of every table of the schema, read
// whole as text (text, json, jsonb, arrays, dates, numbers), every bytea
// column searched for the bytes, and every Redis key and value.
func leftovers(t *testing.T, h *harness, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	var found []string
	rows, err := h.pool.Query(ctx, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
		ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("found only tables %v: the scan would prove nothing", tables)
	}
	rows, err = h.pool.Query(ctx, `
		SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND data_type = 'bytea'`)
	if err != nil {
		t.Fatal(err)
	}
	byteaColumns, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Table, Column string }])
	if err != nil {
		t.Fatal(err)
	}
	for _, needle := range needles {
		for _, table := range tables {
			var n int
			q := fmt.Sprintf(`SELECT count(*) FROM %s AS r WHERE strpos(r::text, $1) > 0`, pgx.Identifier{table}.Sanitize())
			if err := h.pool.QueryRow(ctx, q, needle).Scan(&n); err != nil {
				t.Fatalf("scan %s: %v", table, err)
			}
			if n > 0 {
				found = append(found, fmt.Sprintf("%d row(s) of %s hold %q", n, table, needle))
			}
		}
		for _, c := range byteaColumns {
			var n int
			q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE position(convert_to($1, 'UTF8') IN %s) > 0`,
				pgx.Identifier{c.Table}.Sanitize(), pgx.Identifier{c.Column}.Sanitize())
			if err := h.pool.QueryRow(ctx, q, needle).Scan(&n); err != nil {
				t.Fatalf("scan %s.%s: %v", c.Table, c.Column, err)
			}
			if n > 0 {
				found = append(found, fmt.Sprintf("%d row(s) of %s.%s hold %q", n, c.Table, c.Column, needle))
			}
		}
	}
	keys, err := h.redis.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		value, err := h.redis.Dump(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, needle := range needles {
			if strings.Contains(key, needle) || strings.Contains(value, needle) {
				found = append(found, fmt.Sprintf("redis key %q holds %q", key, needle))
			}
		}
	}
	return found
}

// The done-when of 「データ削除」: a mother with a past visit, a booking to
// come, a wait for a full day, a question answered by a midwife and her
// talk in the inbox asks to be erased; afterwards no table and no Redis
// key holds her LINE user id, her baby's birth date or what she wrote,
// her past visit is still counted without her, and the place she held is
// offered to the mother waiting for it.
func TestEraseLeavesNothingOfHer(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-26 11:00")) // a Thursday, in the answer hours
	ctx := context.Background()
	const (
		birthday = "2026-10-20"
		question = "おへそがじゅくじゅくしています"
	)
	m := h.mother()
	m.follows()
	m.becomeEligible(birthday)
	m.booksWithoutOptions("11/27(金)")

	h.clock.Set(tokyo("2026-11-30 11:00")) // a Monday: her visit of the 27th is past
	m.booksWithoutOptions("12/1(火)")
	fillDay(t, h, booking.D(2026, 12, 1))
	fillDay(t, h, booking.D(2026, 12, 3))
	m.says("予約する")
	m.taps("満室の日のキャンセル待ち")
	mustContain(t, m.taps("12/3(木)"), "キャンセル待ちに登録しました")

	m.says("ちょっと聞いてください")
	m.taps("はい")
	m.taps("赤ちゃんの体")
	m.says(question)
	m.photo()
	m.taps("送信")
	q := h.queue()[0]
	midwife := h.midwife(t, "sato")
	claimed, err := h.consult.Claim(ctx, q.ID, midwife, q.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.consult.Answer(ctx, q.ID, midwife, "明日の診察で拝見します。", claimed.Version); err != nil {
		t.Fatal(err)
	}
	m.awaitPush("助産師がお返事")

	// Another mother waits for the day she holds.
	other := h.mother()
	other.waitsFor("12/1(火)")

	if found := leftovers(t, h, m.userID, birthday, question); len(found) == 0 {
		t.Fatal("before the erasure nothing of her was found: the scan cannot see")
	}

	got := m.says("データ削除")
	mustContain(t, got, "すべて削除します", "元には戻せません")
	otherBefore := other.sentCount()
	got = m.taps("はい")
	mustContain(t, got, "削除しました")
	if last := h.sim.Sent(m.userID); last[len(last)-1].Kind != "reply" {
		t.Errorf("the erasure was answered by %s, want its reply token", last[len(last)-1].Kind)
	}

	if found := leftovers(t, h, m.userID, birthday, question); len(found) > 0 {
		t.Errorf("after the erasure:\n%s", strings.Join(found, "\n"))
	}
	var visits int
	if err := h.pool.QueryRow(ctx, `SELECT visits FROM anonymous_visits WHERE day = '2026-11-27'`).Scan(&visits); err != nil || visits != 1 {
		t.Errorf("her visit of the 27th counted %d times (%v), want 1 without her", visits, err)
	}
	mustContain(t, other.getsPush(otherBefore), "空きが出ました")
}

// On her visit day, before check-in, the visit has not taken place: the
// erasure frees her place and counts no visit; from check-in on, it does.
func TestEraseOnHerVisitDayCountsTheVisitOnlyFromCheckin(t *testing.T) {
	for _, tt := range []struct {
		at      string
		counted int
	}{
		{"2026-11-27 08:00", 0},
		{"2026-11-27 10:30", 1},
	} {
		t.Run(tt.at, func(t *testing.T) {
			h := setup(t)
			m := h.mother()
			m.holdsBooking(booking.D(2026, 11, 27))
			h.clock.Set(tokyo(tt.at))
			m.says("データ削除")
			mustContain(t, m.taps("はい"), "削除しました")
			var visits int
			err := h.pool.QueryRow(context.Background(),
				`SELECT coalesce(sum(visits), 0) FROM anonymous_visits WHERE day = '2026-11-27'`).Scan(&visits)
			if err != nil || visits != tt.counted {
				t.Errorf("erased at %s: her visit of the 27th counted %d times (%v), want %d", tt.at, visits, err, tt.counted)
			}
		})
	}
}

func TestEraseAskedThenDeclinedKeepsEverything(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.holdsBooking(booking.D(2026, 11, 27))

	m.says("データ削除")
	mustContain(t, m.says("いいえ"), "削除はしていません")

	if n := len(activeBookings(t, h, m)); n != 1 {
		t.Errorf("she holds %d bookings after declining, want 1", n)
	}
	m.checkTranscript("erase_declined")
}

// When her reply token is spent, the answer is pushed straight to LINE
// with a retry key, never through the outbox, whose row would keep her id.
func TestEraseAnsweredByPushWhenTheTokenIsSpent(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.becomeEligible("2026-10-15")
	m.booksWithoutOptions("11/27(金)")
	m.says("データ削除")

	h.sim.FailNext("/v2/bot/message/reply", 400, 1)
	mustContain(t, m.taps("はい"), "削除しました")

	sent := h.sim.Sent(m.userID)
	if last := sent[len(sent)-1]; last.Kind != "push" || last.RetryKey == "" {
		t.Errorf("answered by %s with retry key %q, want a push with one", last.Kind, last.RetryKey)
	}
	if found := leftovers(t, h, m.userID, "2026-10-15"); len(found) > 0 {
		t.Errorf("after the erasure:\n%s", strings.Join(found, "\n"))
	}
}

// retention is the runner serve starts hourly, on the harness's clock.
func (h *harness) retention() *privacy.Retention {
	return &privacy.Retention{
		Eraser: &privacy.Eraser{Store: postgres.NewErasure(h.pool), Redis: h.redis, RedisPrefix: "mamasroom:"},
		Facility: func(ctx context.Context) (*booking.Facility, error) {
			return h.store.FacilityBySlug(ctx, "mamasroom")
		},
		Pushes: postgres.NewOutbox(h.pool, h.facility.ID),
		Clock:  h.clock,
		Log:    slog.New(slog.NewTextHandler(logcheck.Writer(h.logs), nil)),
	}
}

// pushesSettled waits until no push to her is waiting in the outbox.
func (h *harness) pushesSettled(t *testing.T, userID string) {
	t.Helper()
	waitUntil(t, func() bool {
		var pending int
		err := h.pool.QueryRow(context.Background(),
			`SELECT count(*) FROM outbox WHERE line_user_id = $1 AND status = 'pending'`, userID).Scan(&pending)
		return err == nil && pending == 0
	})
}

func (h *harness) sweep() privacy.Swept {
	h.t.Helper()
	swept, err := h.retention().Sweep(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return swept
}

// Unfollow stops every push at once (here a midwife's answer, written
// after she blocked the account), and her data is erased 30 days later.
func TestUnfollowStopsPushesAndErasesAfterRetention(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-26 11:00"))
	ctx := context.Background()
	m := h.mother()
	m.follows()
	m.becomeEligible("2026-10-21")
	m.booksWithoutOptions("12/1(火)")
	m.says("ちょっと聞いてください")
	m.taps("はい")
	m.taps("赤ちゃんの体")
	m.says("おへそが赤いです")
	m.taps("送信")

	if _, err := h.sim.SendUnfollow(ctx, m.userID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		mo, err := h.store.MotherByLineUser(ctx, h.facility.ID, m.userID)
		return err == nil && !mo.Following
	})
	sentBefore := m.sentCount()
	q := h.queue()[0]
	midwife := h.midwife(t, "sato")
	claimed, err := h.consult.Claim(ctx, q.ID, midwife, q.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.consult.Answer(ctx, q.ID, midwife, "明日お電話します。", claimed.Version); err != nil {
		t.Fatal(err)
	}
	h.pushesSettled(t, m.userID)
	var skipped int
	if err := h.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE line_user_id = $1 AND status = 'skipped'`, m.userID).Scan(&skipped); err != nil || skipped != 1 {
		t.Errorf("%d pushes skipped (%v), want the answer", skipped, err)
	}
	if n := m.sentCount(); n != sentBefore {
		t.Errorf("LINE was asked to send her %d messages after she unfollowed", n-sentBefore)
	}

	h.clock.Set(tokyo("2026-12-25 11:00")) // 29 days on
	if swept := h.sweep(); swept.Mothers != 0 {
		t.Fatalf("erased %d mothers within the retention", swept.Mothers)
	}
	if found := leftovers(t, h, m.userID); len(found) == 0 {
		t.Fatal("her data went before its time")
	}
	h.clock.Set(tokyo("2026-12-27 11:00")) // 31 days on
	if swept := h.sweep(); swept.Mothers != 1 {
		t.Errorf("erased %d mothers after the retention, want 1", swept.Mothers)
	}
	if found := leftovers(t, h, m.userID, "2026-10-21", "おへそが赤いです"); len(found) > 0 {
		t.Errorf("after the retention:\n%s", strings.Join(found, "\n"))
	}
}

// A mother who follows again within the retention is kept.
func TestFollowAgainKeepsHer(t *testing.T) {
	h := setup(t)
	ctx := context.Background()
	m := h.mother()
	m.follows()
	if _, err := h.sim.SendUnfollow(ctx, m.userID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		mo, err := h.store.MotherByLineUser(ctx, h.facility.ID, m.userID)
		return err == nil && !mo.Following
	})
	h.clock.Set(tokyo("2026-12-10 09:00"))
	m.follows()
	h.clock.Set(tokyo("2027-02-10 09:00"))
	if swept := h.sweep(); swept.Mothers != 0 {
		t.Errorf("erased %d mothers, want none: she follows again", swept.Mothers)
	}
}

// Questions are kept a year after the later of their last change and her
// last visit, then erased; she and her bookings stay.
func TestQuestionsErasedAYearAfterHerLastVisit(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-26 11:00"))
	m := h.mother()
	m.becomeEligible("2026-10-22")
	m.booksWithoutOptions("12/1(火)")
	m.says("ちょっと聞いてください")
	m.taps("はい")
	m.taps("赤ちゃんの体")
	m.says("よく吐きます")
	m.taps("送信")
	q := h.queue()[0]
	midwife := h.midwife(t, "sato")
	claimed, err := h.consult.Claim(context.Background(), q.ID, midwife, q.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.consult.Answer(context.Background(), q.ID, midwife, "少しずつ飲ませてください。", claimed.Version); err != nil {
		t.Fatal(err)
	}
	m.awaitPush("助産師がお返事")
	// LINE has the answer; the outbox marks it sent just after.
	h.pushesSettled(t, m.userID)

	h.clock.Set(tokyo("2027-11-30 11:00")) // a year after the question, before a year after her visit
	if swept := h.sweep(); swept.Questions != 0 {
		t.Fatalf("erased %d questions within a year of her visit", swept.Questions)
	}
	h.clock.Set(tokyo("2027-12-02 11:00"))
	if swept := h.sweep(); swept.Questions != 1 {
		t.Errorf("erased %d questions, want 1", swept.Questions)
	}
	// Her messages in the inbox go a week after they were handled, by the
	// dispatcher's hourly prune, done here at once.
	if _, err := postgres.NewInbox(h.pool, h.facility.ID).Prune(context.Background(), h.clock.Now().Add(-7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if found := leftovers(t, h, "よく吐きます"); len(found) > 0 {
		t.Errorf("after the retention:\n%s", strings.Join(found, "\n"))
	}
	if n := len(activeBookings(t, h, m)); n != 1 {
		t.Errorf("she has %d bookings, want her one kept", n)
	}
	var pushes int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE line_user_id = $1`, m.userID).Scan(&pushes); err != nil || pushes != 0 {
		t.Errorf("%d pushes to her kept a year on (%v), want none", pushes, err)
	}
}
