package bot_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/redis/go-redis/v9"

	"mamasroom/booking"
	"mamasroom/bot"
	"mamasroom/clock"
	"mamasroom/consult"
	mline "mamasroom/line"
	"mamasroom/linesim"
	"mamasroom/logcheck"
	"mamasroom/metrics"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
	"mamasroom/redistest"
)

const (
	channelSecret = "test-channel-secret"
	accessToken   = "test-access-token"
)

// tokyo is a wall-clock time in Tokyo, for the fake clock.
func tokyo(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, booking.Tokyo)
	if err != nil {
		panic(err)
	}
	return t
}

// harness is the bot running for real against Postgres, Redis and linesim:
// tests act as a mother's phone (signed webhooks in) and read what LINE
// was asked to send.
type harness struct {
	t        testing.TB
	sim      *linesim.Sim
	clock    *clock.Fake
	store    *postgres.Store
	pool     *pgxpool.Pool
	facility *booking.Facility
	webhook  string
	metrics  *metrics.Registry
	bot      *bot.Bot
	// consult is what the midwives' console uses.
	consult *consult.Service
	// logs is everything the bot logged, for tests that no log line
	// carries what a mother wrote.
	logs *lockedBuffer
	// redis is the bot's Redis, for tests that nothing of hers is left.
	redis *redis.Client
}

// lockedBuffer is a log destination that many goroutines may write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func setup(t *testing.T) *harness {
	t.Helper()
	return setupAt(t, tokyo("2026-11-25 09:00"))
}

func setupAt(t *testing.T, now time.Time) *harness {
	t.Helper()
	return start(t, now, true)
}

// start runs the bot; without dispatch, events are only stored (benchmarks
// of the webhook alone).
func start(t testing.TB, now time.Time, dispatch bool) *harness {
	t.Helper()
	return startOn(t, pgtest.Pool(t), now, dispatch)
}

// startOn runs the bot on a database of the test's choosing (a private
// server it may freeze).
func startOn(t testing.TB, pool *pgxpool.Pool, now time.Time, dispatch bool) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rdb := redistest.New(t)
	clk := clock.NewFake(now)

	sim, err := linesim.New(linesim.Config{ChannelSecret: channelSecret, AccessToken: accessToken, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	lineSrv := httptest.NewServer(sim.Handler())
	t.Cleanup(lineSrv.Close)

	store := postgres.NewStore(pool)
	facility, err := store.FacilityBySlug(ctx, "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	reg := metrics.NewRegistry()
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(io.MultiWriter(testLogOutput(), logs), nil))
	client := mline.NewClient(accessToken, lineSrv.URL, lineSrv.Client(), nil)
	pushes := postgres.NewOutbox(pool, facility.ID)
	pusher, err := outbox.NewWorker(outbox.Config{Store: pushes, Pusher: client, Clock: clk, Log: logger, Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	facilities := bot.FacilityFunc(func(ctx context.Context) (*booking.Facility, error) {
		return store.FacilityBySlug(ctx, "mamasroom")
	})
	consults := &consult.Service{
		Store:  postgres.NewConsultations(pool, pushes, bot.ConsultNotices{Facilities: facilities}),
		Now:    clk.Now,
		Pushed: pusher.Notify,
	}
	waitlist := postgres.NewWaitlist(pool, pushes, bot.WaitlistNotices{Facilities: facilities})
	b := bot.New(bot.Config{
		FacilityID:    facility.ID,
		Facilities:    facilities,
		Bookings:      &booking.Service{Store: store, Waitlist: waitlist, Now: clk.Now},
		Consult:       consults,
		ConsultEvery:  20 * time.Millisecond,
		WaitlistEvery: 20 * time.Millisecond,
		Inbox:         postgres.NewInbox(pool, facility.ID),
		Redis:         rdb,
		Erasure:       postgres.NewErasure(pool),
		ChannelSecret: channelSecret,
		LINE:          client,
		Pushes:        pushes,
		WakePushes:    pusher.Notify,
		Clock:         clk,
		Logger:        logger,
		Metrics:       reg,
	})
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", b.Webhook)
	srv := httptest.NewServer(mux)
	sim.SetWebhookURL(srv.URL + "/webhook")

	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		pusher.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		b.WaitlistOffers.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		b.ConsultPause.Run(ctx)
	}()
	if dispatch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Dispatcher.Run(ctx)
		}()
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		srv.Close()
		if r := sim.Rejected(); len(r) > 0 {
			t.Errorf("LINE refused requests the bot sent: %+v", r)
		}
	})
	return &harness{t: t, sim: sim, clock: clk, store: store, pool: pool, facility: facility,
		webhook: srv.URL + "/webhook", metrics: reg, logs: logs, bot: b, consult: consults, redis: rdb}
}

// mother is one LINE user talking to the bot.
type mother struct {
	h      *harness
	userID string
	// last is the last answer she got.
	last []messaging_api.MessageInterface
	// transcript is the conversation so far, as a reviewer reads it.
	transcript strings.Builder
}

var userSeq struct {
	sync.Mutex
	n int
}

func (h *harness) mother() *mother {
	userSeq.Lock()
	userSeq.n++
	n := userSeq.n
	userSeq.Unlock()
	return &mother{h: h, userID: fmt.Sprintf("U%032x", 0xbeef0000+n)}
}

// waitFor bounds a wait for an answer; a busy CI machine (the race
// detector, process tests alongside) once took longer than 10 s.
const waitFor = 30 * time.Second

// await waits for the bot's answer to the event she just sent: one more
// accepted request to LINE for her.
func (m *mother) await(before int) []messaging_api.MessageInterface {
	m.h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sent, err := m.h.sim.WaitSent(ctx, m.userID, before+1)
	if err != nil {
		m.h.t.Fatalf("no answer from the bot: %v", err)
	}
	m.last = sent[before].Messages
	m.transcript.WriteString(renderAnswer(m.last))
	m.awaitDone(ctx)
	return m.last
}

// awaitDone waits until the inbox holds nothing unfinished of hers: the
// answer is sent before its event is marked done, and a test that moves
// the clock in between would see the event's lease run out and the event
// handled again.
func (m *mother) awaitDone(ctx context.Context) {
	m.h.t.Helper()
	for {
		var pending int
		err := m.h.pool.QueryRow(ctx, `
			SELECT count(*) FROM webhook_events WHERE line_user_id = $1 AND processed_at IS NULL`, m.userID).Scan(&pending)
		if err != nil {
			m.h.t.Fatalf("her events were not marked done: %v", err)
		}
		if pending == 0 {
			return
		}
		select {
		case <-ctx.Done():
			m.h.t.Fatalf("her events were not marked done: %v", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (m *mother) sentCount() int { return len(m.h.sim.Sent(m.userID)) }

// says sends a text message and returns the answer's texts joined.
func (m *mother) says(text string) string {
	m.h.t.Helper()
	before := m.sentCount()
	m.note("ママ: " + text)
	if _, err := m.h.sim.SendText(context.Background(), m.userID, text); err != nil {
		m.h.t.Fatalf("send %q: %v", text, err)
	}
	return joinTexts(m.await(before))
}

// sends does what send does on her phone, noting what in the transcript,
// and returns the answer.
func (m *mother) sends(what string, send func(context.Context) error) string {
	m.h.t.Helper()
	before := m.sentCount()
	m.note("ママ: " + what)
	if err := send(context.Background()); err != nil {
		m.h.t.Fatalf("%s: %v", what, err)
	}
	return joinTexts(m.await(before))
}

func (m *mother) follows() string {
	m.h.t.Helper()
	before := m.sentCount()
	m.note("ママ: (友だち追加)")
	if _, err := m.h.sim.SendFollow(context.Background(), m.userID); err != nil {
		m.h.t.Fatalf("follow: %v", err)
	}
	return joinTexts(m.await(before))
}

// taps presses the quick reply button with that label under the last answer,
// as LINE would: a message action sends its text, a postback its data.
func (m *mother) taps(label string) string {
	m.h.t.Helper()
	action := m.button(label)
	before := m.sentCount()
	m.note("ママ: [" + label + "] をタップ")
	var err error
	switch a := action.(type) {
	case messaging_api.MessageAction:
		_, err = m.h.sim.SendText(context.Background(), m.userID, a.Text)
	case messaging_api.PostbackAction:
		_, err = m.h.sim.SendPostback(context.Background(), m.userID, a.Data, nil)
	default:
		m.h.t.Fatalf("button %q is a %T; use picksDate", label, action)
	}
	if err != nil {
		m.h.t.Fatalf("tap %q: %v", label, err)
	}
	return joinTexts(m.await(before))
}

// picksDate answers the date picker button under the last answer.
func (m *mother) picksDate(label, date string) string {
	m.h.t.Helper()
	a, ok := m.button(label).(messaging_api.DatetimePickerAction)
	if !ok {
		m.h.t.Fatalf("button %q is not a date picker", label)
	}
	if a.Mode != messaging_api.DatetimePickerActionMODE_DATE {
		m.h.t.Fatalf("date picker mode = %q, want date", a.Mode)
	}
	logcheck.Secret(date) // a birth date, as far as the log is concerned
	before := m.sentCount()
	m.note("ママ: [" + label + "] で " + date + " を選ぶ")
	if _, err := m.h.sim.SendPostback(context.Background(), m.userID, a.Data, map[string]string{"date": date}); err != nil {
		m.h.t.Fatalf("pick date: %v", err)
	}
	return joinTexts(m.await(before))
}

// postbackOf returns the data of a postback button, to replay a stale tap.
func (m *mother) postbackOf(label string) string {
	m.h.t.Helper()
	a, ok := m.button(label).(messaging_api.PostbackAction)
	if !ok {
		m.h.t.Fatalf("button %q is not a postback", label)
	}
	return a.Data
}

func (m *mother) button(label string) messaging_api.ActionInterface {
	m.h.t.Helper()
	for _, l := range m.buttons() {
		if l.label == label {
			return l.action
		}
	}
	m.h.t.Fatalf("no button %q under the last answer; buttons: %v\nanswer: %s", label, m.labels(), joinTexts(m.last))
	return nil
}

type labelled struct {
	label  string
	action messaging_api.ActionInterface
}

func (m *mother) buttons() []labelled {
	var out []labelled
	for _, msg := range m.last {
		var qr *messaging_api.QuickReply
		switch msg := msg.(type) {
		case messaging_api.TextMessage:
			qr = msg.QuickReply
		case messaging_api.FlexMessage: // a bubble with call or map buttons
			qr = msg.QuickReply
		}
		if qr == nil {
			continue
		}
		for _, item := range qr.Items {
			out = append(out, labelled{actionLabel(item.Action), item.Action})
		}
	}
	return out
}

// labels are the quick reply labels under the last answer.
func (m *mother) labels() []string {
	var out []string
	for _, b := range m.buttons() {
		out = append(out, b.label)
	}
	return out
}

func actionLabel(a messaging_api.ActionInterface) string {
	switch a := a.(type) {
	case messaging_api.MessageAction:
		return a.Label
	case messaging_api.PostbackAction:
		return a.Label
	case messaging_api.DatetimePickerAction:
		return a.Label
	case messaging_api.UriAction:
		return a.Label
	}
	return ""
}

// joinTexts is what she reads of an answer: every bubble's text, and the
// call buttons with the numbers they dial.
func joinTexts(msgs []messaging_api.MessageInterface) string {
	var parts []string
	for _, msg := range msgs {
		item := linesim.ChatItemOf(msg)
		part := item.Text
		for _, l := range item.Links {
			part += "\n(" + l.Label + " " + l.URI + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "\n---\n")
}

func mustContain(t testing.TB, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("answer lacks %q:\n%s", w, got)
		}
	}
}

func mustNotContain(t testing.TB, got string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			t.Errorf("answer has %q but should not:\n%s", w, got)
		}
	}
}

// testLogOutput is where the bot's log goes in tests: nowhere, unless
// MAMASROOM_TEST_LOG is set while debugging.
func testLogOutput() io.Writer {
	if os.Getenv("MAMASROOM_TEST_LOG") != "" {
		return logcheck.Writer(os.Stderr)
	}
	return logcheck.Writer(io.Discard) // checked all the same (main_test.go)
}

func (m *mother) note(line string) {
	m.transcript.WriteString(line + "\n")
}

// renderAnswer writes the bot's answer as the mother sees it: each bubble's
// text, the call buttons inside it, then its quick reply buttons.
func renderAnswer(msgs []messaging_api.MessageInterface) string {
	var b strings.Builder
	for _, msg := range msgs {
		item := linesim.ChatItemOf(msg)
		b.WriteString("ボット: " + strings.ReplaceAll(item.Text, "\n", "\n        ") + "\n")
		if len(item.Links) > 0 {
			var calls []string
			for _, l := range item.Links {
				calls = append(calls, "("+l.Label+" "+l.URI+")")
			}
			b.WriteString("        " + strings.Join(calls, " ") + "\n")
		}
		if len(item.Buttons) > 0 {
			var labels []string
			for _, btn := range item.Buttons {
				label := btn.Label
				if btn.Kind == "date" {
					label += fmt.Sprintf(" 📅%s〜%s", btn.Min, btn.Max)
				}
				labels = append(labels, "["+label+"]")
			}
			b.WriteString("        " + strings.Join(labels, " ") + "\n")
		}
	}
	b.WriteString("\n")
	return b.String()
}

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/")

// bookingNumber is masked in transcripts: it is random.
var bookingNumber = regexp.MustCompile(`(予約番号:? ?)\d{4}-\d{4}`)

// checkTranscript compares the conversation so far with
// testdata/transcripts/name.golden, so a reviewer reads every word a
// mother reads. Run the tests with -update to rewrite it.
func (m *mother) checkTranscript(name string) {
	m.h.t.Helper()
	got := bookingNumber.ReplaceAllString(m.transcript.String(), "${1}####-####")
	path := filepath.Join("testdata", "transcripts", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			m.h.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			m.h.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		m.h.t.Fatalf("read golden transcript (run the tests with -update to make it): %v", err)
	}
	if got != string(want) {
		m.h.t.Errorf("transcript %s differs from %s (rerun with -update if the change is meant):\n%s", name, path, got)
	}
}
