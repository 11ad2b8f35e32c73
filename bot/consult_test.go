package bot_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"mamasroom/consult"
	"mamasroom/linesim"
	"mamasroom/postgres"
)

// photo sends a photo as her phone would, through LINE's content store.
func (m *mother) photo() string {
	m.h.t.Helper()
	return m.sends("(写真)", func(ctx context.Context) error {
		_, err := m.h.sim.SendImage(ctx, m.userID)
		return err
	})
}

// awaitPush waits for a push to her that nothing she did caused (an
// acknowledgment after a pause, a midwife's answer), noting it.
func (m *mother) awaitPush(what string) string {
	m.h.t.Helper()
	before := m.sentCount()
	m.note("(" + what + ")")
	return joinTexts(m.await(before))
}

// queue is the midwives' queue as the console reads it.
func (h *harness) queue() []consult.Question {
	h.t.Helper()
	qs, err := h.consult.Queue(context.Background(), h.facility.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return qs
}

func TestConsultFirstQuestionWithConsentTopicTextsAndPhoto(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-26 11:00")) // a Thursday, in the answer hours
	m := h.mother()

	mustContain(t, m.says("ちょっと聞いてください"), "お預かりしてよろしいですか")
	mustContain(t, m.taps("はい"), "近いものをお選びください")
	mustContain(t, m.taps("赤ちゃんの体"), "「赤ちゃんの体」ですね", "送信")
	mustContain(t, m.says("首のあたりに赤いぶつぶつが出ています"), "受け取りました(文章1件)")
	mustContain(t, m.says("かゆがっているようです"), "受け取りました(文章2件)")
	mustContain(t, m.photo(), "受け取りました(文章2件・写真1枚)")
	got := m.taps("送信")

	mustContain(t, got, "助産師にお送りしました", "本日17:00まで")
	m.checkTranscript("consult")
	queue := h.queue()
	if len(queue) != 1 {
		t.Fatalf("queue holds %d questions, want 1", len(queue))
	}
	q := queue[0]
	if q.Topic != consult.TopicBabyBody || q.Urgent || len(q.Parts) != 3 || q.Parts[2].Kind != consult.PartPhoto {
		t.Errorf("question = %+v", q)
	}
	data, mediaType, err := h.consult.Photo(context.Background(), q.ID, 3)
	if err != nil || mediaType != "image/jpeg" || string(data) != string(linesim.SampleJPEG) {
		t.Errorf("photo: %s, %d bytes, %v", mediaType, len(data), err)
	}

	// The consent is asked once.
	mustContain(t, m.says("ちょっと聞いてください"), "近いものをお選びください")
}

func TestConsultWithoutConsentGivesThePhoneAndKeepsNothing(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.says("ちょっと聞いてください")

	got := m.taps("いいえ")

	mustContain(t, got, "お預かりしません", "03-6413-8435", "月・火・木・金曜日 10:00〜18:00", "119")
	m.button("予約する")
	m.checkTranscript("consult_no_consent")
	mustContain(t, m.says("赤ちゃんの寝かしつけについて"), "自動でご案内")
	var n int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM questions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d questions stored (%v), want none", n, err)
	}
}

func TestConsultAPauseSendsTheQuestion(t *testing.T) {
	h := setup(t) // Wednesday 09:00: no answers today
	m := h.mother()
	m.says("ちょっと聞いてください")
	m.taps("はい")
	m.taps("スキップ")
	m.says("寝かしつけに1時間もかかります")

	h.clock.Advance(consultPauseForTests)
	got := m.awaitPush("5分後")

	mustContain(t, got, "少し時間があいたので", "11/26(木) 9:00から")
	m.checkTranscript("consult_pause")
	if q := h.queue(); len(q) != 1 || q[0].Topic != consult.TopicNone {
		t.Fatalf("queue = %+v", q)
	}
	mustContain(t, m.says("送信"), "すでに助産師にお送りしています")
}

// consultPauseForTests is a little more than the bot's pause.
const consultPauseForTests = 5*time.Minute + time.Second

func TestConsultRedFlagInAQuestionIsAnsweredAndKeptUrgent(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-26 11:00"))
	m := h.mother()
	calm := h.mother()
	calm.says("ちょっと聞いてください")
	calm.taps("はい")
	calm.taps("授乳・ミルク")
	calm.says("授乳の間隔を教えてください")
	calm.taps("送信")
	h.clock.Advance(time.Minute)

	m.says("ちょっと聞いてください")
	m.taps("はい")
	m.taps("赤ちゃんの体")
	m.says("朝から様子が気になります")
	got := m.says("赤ちゃんがぐったりしています")

	mustContain(t, got, "119番", "tel:119", "受け取りました(文章2件)")
	mustContain(t, m.taps("送信"), "お返事を待たずに119番へ")
	m.checkTranscript("consult_red_flag")
	queue := h.queue()
	if len(queue) != 2 || !queue[0].Urgent || !slices.Contains(queue[0].Signs, "ぐったり") || queue[1].Urgent {
		t.Fatalf("queue = %+v, want her urgent question first", queue)
	}
}

func TestConsultQuestionToAnswerEndToEnd(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-26 11:00"))
	m := h.mother()
	m.says("ちょっと聞いてください")
	m.taps("はい")
	m.taps("赤ちゃんの体")
	m.says("うんちが白っぽい気がします")
	m.photo()
	m.taps("送信")

	queue := h.queue()
	if len(queue) != 1 || !queue[0].Urgent {
		t.Fatalf("queue = %+v, want one urgent question", queue)
	}
	q := queue[0]
	ctx := context.Background()
	sato, suzuki := h.midwife(t, "sato"), h.midwife(t, "suzuki")
	claimed, err := h.consult.Claim(ctx, q.ID, sato, q.Version)
	if err != nil {
		t.Fatal(err)
	}
	const answer = "写真を拝見しました。白っぽいうんちは早めの受診が必要なことがあります。今日のうちに小児科を受診してください。"
	if _, err := h.consult.Answer(ctx, q.ID, sato, answer, claimed.Version); err != nil {
		t.Fatal(err)
	}

	got := m.awaitPush("助産師がお返事")
	mustContain(t, got, "助産師からのお返事です", answer)
	sent := h.sim.Sent(m.userID)
	if last := sent[len(sent)-1]; last.Kind != "push" || last.RetryKey == "" {
		t.Errorf("the answer went as %s with retry key %q, want a push with one", last.Kind, last.RetryKey)
	}
	if _, err := h.consult.Answer(ctx, q.ID, suzuki, "二人目", claimed.Version); err == nil {
		t.Error("a second midwife answered the same question")
	}
	if len(h.queue()) != 0 {
		t.Error("the answered question is still in the queue")
	}
}

func TestConsultQuitKeepsNothing(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.says("ちょっと聞いてください")
	m.taps("はい")
	m.taps("睡眠")
	m.says("やっぱり大丈夫かも")

	mustContain(t, m.taps("やめる"), "やめておきますね")
	var n int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM question_parts`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d parts kept (%v), want none", n, err)
	}
}

func TestConsultNothingSheAskedIsLogged(t *testing.T) {
	h := setupAt(t, tokyo("2026-11-26 11:00"))
	m := h.mother()
	m.says("ちょっと聞いてください")
	m.taps("はい")
	m.taps("ママの体・こころ")
	// A failed reply makes the bot log the fate of the event that carries
	// her question.
	h.sim.FailNext("/v2/bot/message/reply", http.StatusInternalServerError, 1)
	const words = "夜になると涙が止まりません"
	before := m.sentCount()
	if _, err := h.sim.SendText(context.Background(), m.userID, words); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return h.logs.String() != "" })
	h.clock.Advance(5 * time.Second)
	mustContain(t, joinTexts(m.await(before)), "受け取りました(文章1件)")
	m.photo()
	m.taps("送信")
	q := h.queue()[0]
	if len(q.Parts) != 2 {
		t.Fatalf("the question has %d parts, want 2 (the retried event added once)", len(q.Parts))
	}
	if _, err := h.consult.Answer(context.Background(), q.ID, h.midwife(t, "sato"), "おつらいですね。お話を聞かせてください。", q.Version); err != nil {
		t.Fatal(err)
	}
	mustContain(t, m.awaitPush("お返事"), "おつらいですね")

	logs := h.logs.String()
	for _, secret := range []string{words, "涙", "おつらい", m.userID, string(linesim.SampleJPEG[:8])} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log carries %q:\n%s", secret, logs)
		}
	}
}

// midwife is a staff account of the console: claims and answers name one.
func (h *harness) midwife(t *testing.T, login string) int64 {
	t.Helper()
	a, err := postgres.NewStaffStore(h.pool, nil).CreateAccount(context.Background(), h.facility.ID, login, "$2a$04$not-a-real-hash", h.clock.Now())
	if err != nil {
		t.Fatalf("create account %s: %v", login, err)
	}
	return a.ID
}
