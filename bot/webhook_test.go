package bot_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/postgres"
)

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(channelSecret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func storedEvents(t testing.TB, h *harness) int {
	t.Helper()
	var n int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM webhook_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWebhookRefusesBadSignatureAndStoresNothing(t *testing.T) {
	h := setup(t)
	body := []byte(`{"destination":"x","events":[{"type":"message","webhookEventId":"01TEST","source":{"type":"user","userId":"U00000000000000000000000000000001"}}]}`)
	for name, sig := range map[string]string{
		"missing":   "",
		"wrong":     sign([]byte("something else")),
		"not b64":   "%%%",
		"truncated": sign(body)[:10],
	} {
		res, err := h.sim.SendRaw(context.Background(), body, sig)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s signature: status %d, want 401", name, res.StatusCode)
		}
	}
	if n := storedEvents(t, h); n != 0 {
		t.Errorf("%d events stored from unsigned requests", n)
	}
}

func TestWebhookRefusesBodiesOverOneMiB(t *testing.T) {
	h := setup(t)
	body := []byte(`{"destination":"x","events":[],"pad":"` + strings.Repeat("a", 1<<20) + `"}`)
	res, err := http.Post(h.webhook, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// Unsigned and too big: the size is refused before anything is read past it.
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, h.webhook, bytes.NewReader(body))
	req.Header.Set("x-line-signature", sign(body))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("signed: status %d, want 413", res.StatusCode)
	}
}

func TestWebhookAcceptsLINEsVerificationRequest(t *testing.T) {
	h := setup(t)
	// LINE's "Verify" button sends a signed body with no events.
	body := []byte(`{"destination":"Uxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","events":[]}`)
	res, err := h.sim.SendRaw(context.Background(), body, sign(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("status %d, want 200", res.StatusCode)
	}
}

func TestRedeliveredEventIsHandledOnce(t *testing.T) {
	h := setup(t)
	m := h.mother()
	ctx := context.Background()

	d, err := h.sim.SendText(ctx, m.userID, "アクセス・持ち物")
	if err != nil {
		t.Fatal(err)
	}
	m.await(0)
	again, err := h.sim.Redeliver(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if again.StatusCode != http.StatusOK {
		t.Fatalf("redelivery answered %d, want 200", again.StatusCode)
	}
	// Her events are handled in order, so once the answer to a later
	// message is out, a second answer to the redelivery would be too.
	mustContain(t, m.says("予約の確認"), "いまご予約はありません")
	if n := m.sentCount(); n != 2 {
		t.Errorf("LINE was asked to send %d answers, want 2 (the redelivery answered again?)", n)
	}
	if n := storedEvents(t, h); n != 2 {
		t.Errorf("%d events stored, want 2", n)
	}
}

func TestWebhookAnswers5xxAtOnceWhilePostgresIsFrozen(t *testing.T) {
	pg := startPrivatePostgres(t)
	pool, err := pgxpool.New(context.Background(), pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	h := startOn(t, pool, tokyo("2026-11-25 09:00"), true)
	t.Cleanup(pg.Thaw) // first of all: nothing stops while the server is frozen
	m := h.mother()
	mustContain(t, m.says("アクセス・持ち物"), "母子手帳")

	pg.Freeze()
	// Generous: the answer must come in a few seconds (storeTimeout), and
	// hung for more than 40 s before.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := h.sim.SendText(ctx, m.userID, "予約の確認")
	if d == nil {
		t.Fatalf("no answer from the webhook while Postgres was frozen: %v", err)
	}
	if d.StatusCode < 500 {
		t.Fatalf("webhook answered %d while Postgres was frozen, want a 5xx so that LINE redelivers", d.StatusCode)
	}
	t.Logf("answered %d in %v while Postgres was frozen", d.StatusCode, d.Elapsed)
	pg.Thaw()

	again, err := h.sim.Redeliver(ctx, d)
	if err != nil {
		t.Fatalf("redelivery after Postgres came back: %v", err)
	}
	if again.StatusCode != http.StatusOK {
		t.Fatalf("redelivery answered %d, want 200", again.StatusCode)
	}
	mustContain(t, joinTexts(m.await(1)), "いまご予約はありません")
	// Her events are handled in order: once a later message is answered,
	// a second answer to the redelivered one would be out too.
	mustContain(t, m.says("アクセス・持ち物"), "母子手帳")
	if n := m.sentCount(); n != 3 {
		t.Errorf("LINE was asked to send %d answers, want 3 (one per message)", n)
	}
	if n := storedEvents(t, h); n != 3 {
		t.Errorf("%d events stored, want 3", n)
	}
}

func TestOneEventLINECannotSendDoesNotHoldBackTheOthers(t *testing.T) {
	h := setup(t)
	a, b := h.mother(), h.mother()
	// Each has talked to the bot before, so its answers to the events
	// below (which carry no reply token) go by push to a user LINE knows.
	a.says("アクセス・持ち物")
	b.says("アクセス・持ち物")

	at := h.clock.Now().UnixMilli()
	text := func(id, user, text string) string {
		return fmt.Sprintf(`{"type":"message","mode":"active","timestamp":%d,"webhookEventId":"%s","deliveryContext":{"isRedelivery":false},"source":{"type":"user","userId":"%s"},"message":{"type":"text","id":"1","quoteToken":"q","text":"%s"}}`,
			at, id, user, text)
	}
	events := []string{
		text("01GOODA0000000000000000000", a.userID, "予約の確認"),
		text("01NULUSER00000000000000000", `U\u0000secret-user`, "予約の確認"), // Postgres text holds no NUL
		text("01BADUTF800000000000000000", b.userID, "\xff\xfe"),          // nor broken UTF-8
		`{"type":"message","webhookEventId":"01NOTIME000000000000000000","source":{"type":"user","userId":"` + a.userID + `"}}`,
		`"not an event"`,
		text("01GOODB0000000000000000000", b.userID, "予約の確認"),
	}
	body := deliveryOf(len(events), func(j int) string { return events[j] })
	res, err := h.sim.SendRaw(context.Background(), body, sign(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200: the good events are stored, the others dropped", res.StatusCode)
	}
	mustContain(t, joinTexts(a.await(1)), "いまご予約はありません")
	mustContain(t, joinTexts(b.await(1)), "いまご予約はありません")

	var stored []string
	rows, err := h.pool.Query(context.Background(), `
		SELECT event_id FROM webhook_events WHERE event_id LIKE '01%000000000000' ORDER BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, id)
	}
	if want := "01GOODA0000000000000000000 01GOODB0000000000000000000"; strings.Join(stored, " ") != want {
		t.Errorf("stored %v, want %s", stored, want)
	}
	for reason, want := range map[string]int{"unstorable": 2, "no_timestamp": 1, "unreadable": 1} {
		if got := metricValue(h, `mamasroom_webhook_events_dropped_total{reason="`+reason+`"}`); got != want {
			t.Errorf("dropped %s = %d, want %d", reason, got, want)
		}
	}
	logs := h.logs.String()
	if n := strings.Count(logs, "webhook event dropped"); n != 4 {
		t.Errorf("%d log lines of dropped events, want 4:\n%s", n, logs)
	}
	if !strings.Contains(logs, "01NULUSER00000000000000000") {
		t.Errorf("no log line names the refused event:\n%s", logs)
	}
	if strings.Contains(logs, "secret-user") {
		t.Errorf("a log line carries the refused event's user:\n%s", logs)
	}
}

func TestAnEventTheInboxRefusesIsLeftOutOfItsDelivery(t *testing.T) {
	h := setup(t)
	a, b := h.mother(), h.mother()
	a.says("アクセス・持ち物") // LINE knows them: their answers below go by push
	b.says("アクセス・持ち物")
	ctx := context.Background()
	// Postgres refuses some events' data for a reason the webhook does not
	// check beforehand.
	if _, err := h.pool.Exec(ctx, `
		CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.event_id LIKE '%REFUSED%' THEN
				RAISE EXCEPTION 'refused for the test' USING ERRCODE = 'invalid_parameter_value';
			END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER refuse_event BEFORE INSERT ON webhook_events
		FOR EACH ROW EXECUTE FUNCTION refuse_event()`); err != nil {
		t.Fatal(err)
	}
	at := h.clock.Now().UnixMilli()
	ids := []string{"01GOODA1", "01REFUSED1", "01GOODB1", "01GOODA2", "01GOODB2", "01REFUSED2", "01GOODA3"}
	users := []string{a.userID, a.userID, b.userID, a.userID, b.userID, b.userID, a.userID}
	body := deliveryOf(len(ids), func(j int) string {
		return fmt.Sprintf(`{"type":"message","mode":"active","timestamp":%d,"webhookEventId":"%s","deliveryContext":{"isRedelivery":false},"source":{"type":"user","userId":"%s"},"message":{"type":"text","id":"1","quoteToken":"q","text":"予約の確認"}}`,
			at+int64(j), ids[j], users[j])
	})
	res, err := h.sim.SendRaw(ctx, body, sign(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200: the events the inbox takes are stored, the others dropped", res.StatusCode)
	}
	wait, cancel := context.WithTimeout(ctx, waitFor)
	defer cancel()
	for m, answers := range map[*mother]int{a: 1 + 3, b: 1 + 2} {
		if _, err := h.sim.WaitSent(wait, m.userID, answers); err != nil {
			t.Fatalf("her good events were not all answered: %v", err)
		}
		m.awaitDone(wait)
	}
	var stored int
	if err := h.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_events WHERE event_id LIKE '01GOOD%'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 5 {
		t.Errorf("%d of the 5 good events stored", stored)
	}
	if n := metricValue(h, `mamasroom_webhook_events_dropped_total{reason="unstorable"}`); n != 2 {
		t.Errorf("dropped unstorable = %d, want 2", n)
	}
}

func TestAReplayOlderThanTheInboxKeepsEventsIsNotHandledAgain(t *testing.T) {
	h := setup(t)
	m := h.mother()
	ctx := context.Background()
	first, err := h.sim.SendText(ctx, m.userID, "アクセス・持ち物")
	if err != nil {
		t.Fatal(err)
	}
	m.await(0)

	// Eight days on, past the inbox's retention (7 days), her handled
	// event's row has been pruned, and with it what drops a redelivery.
	h.clock.Advance(8 * 24 * time.Hour)
	pruned, err := postgres.NewInbox(h.pool, h.facility.ID).Prune(ctx, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if pruned != 1 {
		t.Fatalf("pruned %d events, want her one", pruned)
	}
	again, err := h.sim.Redeliver(ctx, first)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if again.StatusCode != http.StatusOK {
		t.Fatalf("replay answered %d, want 200 (nothing for LINE to redeliver)", again.StatusCode)
	}
	// Her events are handled in order: had the replay been taken, it
	// would be answered before this.
	mustContain(t, m.says("予約の確認"), "いまご予約はありません")
	if n := m.sentCount(); n != 2 {
		t.Errorf("LINE was asked to send %d answers, want 2 (the replay was handled again?)", n)
	}
	if n := metricValue(h, `mamasroom_webhook_events_dropped_total{reason="too_old"}`); n != 1 {
		t.Errorf("dropped too_old = %d, want 1", n)
	}
}

func TestLINEOutageIsRetriedWithTheReplyToken(t *testing.T) {
	h := setup(t)
	m := h.mother()
	h.sim.FailNext("/v2/bot/message/reply", http.StatusInternalServerError, 1)

	if _, err := h.sim.SendText(context.Background(), m.userID, "アクセス・持ち物"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return retries(h) == 1 })
	h.clock.Advance(5 * time.Second) // past the first retry delay, within the token's life
	m.await(0)

	sent := h.sim.Sent(m.userID)
	if len(sent) != 1 || sent[0].Kind != "reply" {
		t.Fatalf("sent %+v, want one reply", sent)
	}
	mustContain(t, joinTexts(sent[0].Messages), "母子手帳")
}

func TestLateAnswerIsPushedWithARetryKey(t *testing.T) {
	h := setup(t)
	m := h.mother()
	h.sim.FailNext("/v2/bot/message/reply", http.StatusServiceUnavailable, 1)

	if _, err := h.sim.SendText(context.Background(), m.userID, "アクセス・持ち物"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return retries(h) == 1 })
	h.clock.Advance(2 * time.Minute) // the reply token has expired meanwhile
	m.await(0)

	sent := h.sim.Sent(m.userID)
	if len(sent) != 1 || sent[0].Kind != "push" || sent[0].RetryKey == "" {
		t.Fatalf("sent %+v, want one push with a retry key", sent)
	}
	mustContain(t, joinTexts(sent[0].Messages), "母子手帳")
}

func retries(h *harness) int {
	return metricValue(h, `mamasroom_events_total{outcome="retry"}`)
}

// metricValue reads one counter, by its name and labels as /metrics shows
// them; 0 when it has not been counted yet.
func metricValue(h *harness, series string) int {
	var b strings.Builder
	h.metrics.WriteTo(&b)
	var n int
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, series+" ") {
			fmt.Sscanf(strings.Fields(line)[1], "%d", &n)
		}
	}
	return n
}

// BenchmarkWebhook measures the webhook's answer to LINE: verify, store in
// Postgres, 200. CONTRACT.md asks for it within 100 ms.
func BenchmarkWebhook(b *testing.B) {
	h := start(b, tokyo("2026-11-25 09:00"), false)
	client := &http.Client{}
	b.ResetTimer()
	for i := range b.N {
		body := []byte(fmt.Sprintf(`{"destination":"U0","events":[{"type":"message","mode":"active","timestamp":1795564800000,"webhookEventId":"01BENCH%020d","deliveryContext":{"isRedelivery":false},"source":{"type":"user","userId":"U%032x"},"replyToken":"r","message":{"type":"sticker","id":"1","packageId":"1","stickerId":"1","stickerResourceType":"STATIC","quoteToken":"q"}}]}`, i, i))
		req, _ := http.NewRequest(http.MethodPost, h.webhook, bytes.NewReader(body))
		req.Header.Set("x-line-signature", sign(body))
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// BenchmarkTurn measures one whole conversation turn: a signed webhook in,
// stored, dispatched, answered, and the reply accepted by LINE.
func BenchmarkTurn(b *testing.B) {
	h := start(b, tokyo("2026-11-25 09:00"), true)
	m := h.mother()
	b.ResetTimer()
	for range b.N {
		m.says("アクセス・持ち物")
	}
}

// BenchmarkWebhook1000Events measures the answer to one delivery of 1,000
// events (LINE batches events when a channel is busy): verify, store every
// event in Postgres, 200. CONTRACT.md asks for it within 100 ms.
func BenchmarkWebhook1000Events(b *testing.B) {
	for _, mothers := range []int{1000, 10} {
		b.Run(fmt.Sprintf("%d mothers", mothers), func(b *testing.B) {
			h := start(b, tokyo("2026-11-25 09:00"), false)
			client := &http.Client{}
			at := h.clock.Now().UnixMilli()
			// Written beforehand, each with its own event ids: the time
			// is the webhook's alone.
			bodies := make([][]byte, b.N)
			for i := range bodies {
				bodies[i] = deliveryOf(1000, func(j int) string {
					return fmt.Sprintf(`{"type":"message","mode":"active","timestamp":%d,"webhookEventId":"01BENCH%08d%012d","deliveryContext":{"isRedelivery":false},"source":{"type":"user","userId":"U%032x"},"replyToken":"%032x","message":{"type":"text","id":"%d","quoteToken":"q","text":"予約の確認"}}`,
						at, i, j, j%mothers, j, j)
				})
			}
			b.ResetTimer()
			for _, body := range bodies {
				req, _ := http.NewRequest(http.MethodPost, h.webhook, bytes.NewReader(body))
				req.Header.Set("x-line-signature", sign(body))
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("status %d", res.StatusCode)
				}
			}
			b.StopTimer()
			if n := storedEvents(b, h); n != 1000*b.N {
				b.Fatalf("%d events stored, want %d", n, 1000*b.N)
			}
		})
	}
}

// deliveryOf is a webhook body of n events, the jth written by event(j).
func deliveryOf(n int, event func(j int) string) []byte {
	var body strings.Builder
	body.WriteString(`{"destination":"U0123456789abcdef0123456789abcdef","events":[`)
	for j := range n {
		if j > 0 {
			body.WriteByte(',')
		}
		body.WriteString(event(j))
	}
	body.WriteString(`]}`)
	return []byte(body.String())
}
