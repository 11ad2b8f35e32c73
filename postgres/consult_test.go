package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/consult"
	"mamasroom/line"
	"mamasroom/outbox"
	"mamasroom/postgres"
)

// plainNotices words the pushes in a way the tests can read.
type plainNotices struct{}

func (plainNotices) Acknowledgment(_ context.Context, q *consult.Question, h consult.AnswerHours, _ time.Time) ([]line.Message, error) {
	return []line.Message{{Text: fmt.Sprintf("ack %d %s", q.ID, h)}}, nil
}

func (plainNotices) Answer(_ context.Context, q *consult.Question) ([]line.Message, error) {
	return []line.Message{{Text: "answer: " + q.Answer.Body}}, nil
}

type consultFixture struct {
	fixture
	outbox  *postgres.Outbox
	service *consult.Service
	now     time.Time
}

func setupConsult(t *testing.T) *consultFixture {
	t.Helper()
	fx := setup(t)
	out := postgres.NewOutbox(fx.pool, fx.facility.ID)
	cf := &consultFixture{fixture: fx, outbox: out, now: monday.At(10, 0)}
	cf.service = &consult.Service{
		Store: postgres.NewConsultations(fx.pool, out, plainNotices{}),
		Now:   func() time.Time { return cf.now },
	}
	return cf
}

// consenting is a new mother who agreed to her health data being kept.
func (cf *consultFixture) consenting(t *testing.T) *booking.Mother {
	t.Helper()
	m := cf.newMother(t)
	if err := cf.service.Consent(cf.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	return m
}

var messageSeq struct {
	sync.Mutex
	n int
}

func nextMessageID() string {
	messageSeq.Lock()
	defer messageSeq.Unlock()
	messageSeq.n++
	return fmt.Sprintf("m%d", messageSeq.n)
}

// midwife is a staff account: claims and answers name a real one.
func (cf *consultFixture) midwife(t *testing.T, login string) int64 {
	t.Helper()
	a, err := postgres.NewStaffStore(cf.pool, cf.outbox).CreateAccount(cf.ctx, cf.facility.ID, login, "$2a$04$not-a-real-hash", cf.now)
	if err != nil {
		t.Fatalf("create account %s: %v", login, err)
	}
	return a.ID
}

func (cf *consultFixture) text(t *testing.T, m *booking.Mother, text string) *consult.Question {
	t.Helper()
	q, added, err := cf.service.AddPart(cf.ctx, consult.NewPart{
		FacilityID: cf.facility.ID, MotherID: m.ID, Topic: consult.TopicFeeding,
		Kind: consult.PartText, Text: text, LineMessageID: nextMessageID(),
	})
	if err != nil || !added {
		t.Fatalf("add %q: added %v, %v", text, added, err)
	}
	return q
}

// ask adds a text question and sends it.
func (cf *consultFixture) ask(t *testing.T, m *booking.Mother, text string) *consult.Question {
	t.Helper()
	cf.text(t, m, text)
	q, err := cf.service.Submit(cf.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestConsultNothingIsStoredWithoutConsent(t *testing.T) {
	cf := setupConsult(t)
	m := cf.newMother(t)

	_, _, err := cf.service.AddPart(cf.ctx, consult.NewPart{
		FacilityID: cf.facility.ID, MotherID: m.ID, Kind: consult.PartText, Text: "夜泣きが続きます", LineMessageID: "x1",
	})
	if !errors.Is(err, consult.ErrNoConsent) {
		t.Fatalf("err = %v, want ErrNoConsent", err)
	}
	var n int
	if err := cf.pool.QueryRow(cf.ctx, `SELECT count(*) FROM questions`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d questions stored (%v), want none", n, err)
	}
	if ok, err := cf.service.HasConsent(cf.ctx, m.ID); ok || err != nil {
		t.Fatalf("HasConsent = %v, %v", ok, err)
	}
}

func TestConsultPartsGoToOneDraftAndARepeatAddsNothing(t *testing.T) {
	cf := setupConsult(t)
	m := cf.consenting(t)
	photo := consult.NewPart{
		FacilityID: cf.facility.ID, MotherID: m.ID, Kind: consult.PartPhoto,
		Photo: []byte("\xff\xd8\xff jpeg"), PhotoType: "image/jpeg", LineMessageID: "photo-1",
	}

	first := cf.text(t, m, "おっぱいの後に吐きます")
	q, added, err := cf.service.AddPart(cf.ctx, photo)
	if err != nil || !added {
		t.Fatalf("add photo: %v %v", added, err)
	}
	again, added, err := cf.service.AddPart(cf.ctx, photo)
	if err != nil || added {
		t.Fatalf("add the same photo again: added %v, %v", added, err)
	}
	if q.ID != first.ID || again.ID != first.ID || len(again.Parts) != 2 {
		t.Fatalf("parts went to questions %d, %d, %d with %d parts; want one question with 2", first.ID, q.ID, again.ID, len(again.Parts))
	}
	if q.Status != consult.StatusDraft || q.Topic != consult.TopicFeeding || q.Urgent {
		t.Errorf("draft = %+v", q)
	}
	data, typ, err := cf.service.Photo(cf.ctx, q.ID, 2)
	if err != nil || string(data) != string(photo.Photo) || typ != "image/jpeg" {
		t.Errorf("photo = %q %q %v", data, typ, err)
	}
	if q.Parts[1].Kind != consult.PartPhoto || q.Parts[0].Text != "おっぱいの後に吐きます" {
		t.Errorf("parts = %+v", q.Parts)
	}
}

func TestConsultRedFlagInAnyPartMakesItUrgentAndFirst(t *testing.T) {
	cf := setupConsult(t)
	calm := cf.ask(t, cf.consenting(t), "寝かしつけのコツを教えてください")
	cf.now = cf.now.Add(time.Minute)

	m := cf.consenting(t)
	cf.text(t, m, "昨日から様子が気になります")
	cf.text(t, m, "ミルクを飲まないし、ぐったりしています")
	cf.now = cf.now.Add(time.Minute)
	urgent, err := cf.service.Submit(cf.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !urgent.Urgent || !slices.Contains(urgent.Signs, "ぐったり") || !slices.Contains(urgent.Signs, "母乳やミルクを飲まない") {
		t.Errorf("urgent = %v, signs %v", urgent.Urgent, urgent.Signs)
	}
	if len(urgent.Parts[0].Signs) != 0 || len(urgent.Parts[1].Signs) == 0 {
		t.Errorf("the signs of each part: %v, %v", urgent.Parts[0].Signs, urgent.Parts[1].Signs)
	}

	queue, err := cf.service.Queue(cf.ctx, cf.facility.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(queue) != 2 || queue[0].ID != urgent.ID || queue[1].ID != calm.ID {
		t.Fatalf("queue = %v, want the urgent question %d before the older calm one %d", questionIDs(queue), urgent.ID, calm.ID)
	}
}

func TestConsultSignSplitOverTwoPartsIsFoundOnSubmit(t *testing.T) {
	cf := setupConsult(t)
	m := cf.consenting(t)
	cf.text(t, m, "赤ちゃんの息が")
	cf.text(t, m, "苦しそうです")
	q, err := cf.service.Submit(cf.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Urgent || !slices.Contains(q.Signs, "息が苦しそう") {
		t.Errorf("urgent %v, signs %v", q.Urgent, q.Signs)
	}
}

func questionIDs(qs []consult.Question) []int64 {
	var out []int64
	for _, q := range qs {
		out = append(out, q.ID)
	}
	return out
}

func TestConsultSubmitWithoutDraftIsNotFound(t *testing.T) {
	cf := setupConsult(t)
	m := cf.consenting(t)
	if _, err := cf.service.Submit(cf.ctx, m.ID); !errors.Is(err, consult.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	cf.ask(t, m, "質問です")
	if _, err := cf.service.Submit(cf.ctx, m.ID); !errors.Is(err, consult.ErrNotFound) {
		t.Fatalf("second submit: err = %v, want ErrNotFound", err)
	}
}

func TestConsultDiscardKeepsNothing(t *testing.T) {
	cf := setupConsult(t)
	m := cf.consenting(t)
	cf.text(t, m, "やっぱりやめます")
	if err := cf.service.Discard(cf.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := cf.pool.QueryRow(cf.ctx, `SELECT count(*) FROM question_parts`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d parts left (%v)", n, err)
	}
}

func TestConsultSubmitIdleSendsPausedDraftsWithTheirAcknowledgment(t *testing.T) {
	cf := setupConsult(t)
	paused, writing := cf.consenting(t), cf.consenting(t)
	q := cf.text(t, paused, "うんちの色が気になります")
	cf.now = cf.now.Add(4 * time.Minute)
	cf.text(t, writing, "まだ書いています")
	cf.now = cf.now.Add(2 * time.Minute)

	sent, err := cf.service.SubmitIdle(cf.ctx, cf.facility.ID, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0].ID != q.ID || sent[0].Status != consult.StatusOpen {
		t.Fatalf("sent = %+v, want only the paused draft", sent)
	}
	push, err := cf.outbox.Find(cf.ctx, fmt.Sprintf("consult_ack/%d", q.ID))
	if err != nil {
		t.Fatal(err)
	}
	if push.LineUserID != paused.LineUserID || push.Messages[0].Text != fmt.Sprintf("ack %d 09:00-17:00", q.ID) {
		t.Errorf("acknowledgment = %+v", push)
	}
	if again, err := cf.service.SubmitIdle(cf.ctx, cf.facility.ID, 5*time.Minute); err != nil || len(again) != 0 {
		t.Errorf("second run sent %d (%v), want none", len(again), err)
	}
	// Her next message starts a new question.
	next := cf.text(t, paused, "もうひとつ")
	if next.ID == q.ID {
		t.Error("a part after the pause went to the question already sent")
	}
}

func TestConsultAnswerClosesAndPushesOnce(t *testing.T) {
	cf := setupConsult(t)
	m := cf.consenting(t)
	q := cf.ask(t, m, "授乳の間隔は何時間ですか")
	sato, suzuki := cf.midwife(t, "sato"), cf.midwife(t, "suzuki")

	answered, err := cf.service.Answer(cf.ctx, q.ID, sato, "3時間くらいが目安です。", q.Version)
	if err != nil {
		t.Fatal(err)
	}
	if answered.Status != consult.StatusAnswered || answered.Answer == nil || answered.Answer.StaffID != sato {
		t.Fatalf("answered = %+v", answered)
	}
	push, err := cf.outbox.Find(cf.ctx, fmt.Sprintf("consult_answer/%d", q.ID))
	if err != nil {
		t.Fatal(err)
	}
	if push.Kind != outbox.KindConsultAnswer || push.LineUserID != m.LineUserID || push.Messages[0].Text != "answer: 3時間くらいが目安です。" {
		t.Errorf("push = %+v", push)
	}

	_, err = cf.service.Answer(cf.ctx, q.ID, suzuki, "別の答え", answered.Version)
	if !errors.Is(err, consult.ErrAlreadyAnswered) || !errors.Is(err, consult.ErrConflict) {
		t.Errorf("second answer: err = %v, want ErrAlreadyAnswered", err)
	}
	queue, _ := cf.service.Queue(cf.ctx, cf.facility.ID)
	if len(queue) != 0 {
		t.Errorf("queue = %v, want empty", questionIDs(queue))
	}
	history, err := cf.service.History(cf.ctx, m.ID)
	if err != nil || len(history) != 1 || history[0].Answer.Body != "3時間くらいが目安です。" {
		t.Errorf("history = %+v, %v", history, err)
	}
}

func TestConsultTwoMidwivesCannotAnswerWithoutKnowing(t *testing.T) {
	cf := setupConsult(t)
	q := cf.ask(t, cf.consenting(t), "抱っこ紐はいつから使えますか")
	midwives := []int64{cf.midwife(t, "sato"), cf.midwife(t, "suzuki")}

	claimed, err := cf.service.Claim(cf.ctx, q.ID, midwives[0], q.Version)
	if err != nil {
		t.Fatal(err)
	}
	if claimed.ClaimedBy == nil || *claimed.ClaimedBy != midwives[0] || claimed.Version != q.Version+1 {
		t.Fatalf("claimed = %+v", claimed)
	}
	// The second midwife saw the question before the claim.
	if _, err := cf.service.Claim(cf.ctx, q.ID, midwives[1], q.Version); !errors.Is(err, consult.ErrConflict) {
		t.Errorf("second claim: err = %v, want ErrConflict", err)
	}
	if _, err := cf.service.Answer(cf.ctx, q.ID, midwives[1], "答え", q.Version); !errors.Is(err, consult.ErrConflict) {
		t.Errorf("answer at a stale version: err = %v, want ErrConflict", err)
	}

	// Both answer at once at the version they saw: exactly one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			_, errs[i] = cf.service.Answer(cf.ctx, q.ID, midwives[i], fmt.Sprintf("答え%d", i), claimed.Version)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, consult.ErrAlreadyAnswered):
			t.Errorf("the loser got %v, want ErrAlreadyAnswered", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d answers won, want 1: %v", won, errs)
	}
	var pushes int
	if err := cf.pool.QueryRow(cf.ctx, `SELECT count(*) FROM outbox WHERE kind = 'consult_answer'`).Scan(&pushes); err != nil || pushes != 1 {
		t.Errorf("%d answer pushes (%v), want 1", pushes, err)
	}
}

func TestConsultQuestionShowsHerBabyAndNextVisit(t *testing.T) {
	cf := setupConsult(t)
	m := cf.consenting(t)
	birthday := booking.D(2026, 10, 15)
	if err := cf.store.SaveEligibility(cf.ctx, m.ID, true, &birthday, cf.now); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.store.Book(cf.ctx, booking.NewBooking{FacilityID: cf.facility.ID, MotherID: m.ID, Day: booking.D(2026, 12, 10)}); err != nil {
		t.Fatal(err)
	}
	q := cf.ask(t, m, "首すわりはいつ頃ですか")

	got, err := cf.service.Question(cf.ctx, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Mother == nil || got.Mother.NextVisit == nil || *got.Mother.NextVisit != booking.D(2026, 12, 10) {
		t.Fatalf("mother = %+v", got.Mother)
	}
	if weeks, ok := got.Mother.BabyAgeWeeks(monday); !ok || weeks != 7 {
		t.Errorf("baby's age on %v = %d weeks (%v), want 7", monday, weeks, ok)
	}
	if got.Text() != "首すわりはいつ頃ですか" {
		t.Errorf("text = %q", got.Text())
	}
}

func TestConsultAnswerHoursAreTheFacilitys(t *testing.T) {
	cf := setupConsult(t)
	h, err := cf.service.AnswerHours(cf.ctx, cf.facility.ID)
	if err != nil || h != consult.DefaultAnswerHours {
		t.Fatalf("hours = %v, %v; want the default", h, err)
	}
	later, _ := consult.ParseAnswerHours("10:30", "16:00")
	if err := cf.service.SetAnswerHours(cf.ctx, cf.facility.ID, later); err != nil {
		t.Fatal(err)
	}
	if h, _ := cf.service.AnswerHours(cf.ctx, cf.facility.ID); h != later {
		t.Errorf("hours = %v, want %v", h, later)
	}
}

func TestConsultHerQuestionsGoWithHer(t *testing.T) {
	cf := setupConsult(t)
	m := cf.consenting(t)
	q := cf.ask(t, m, "質問")
	if _, err := cf.service.Answer(cf.ctx, q.ID, cf.midwife(t, "sato"), "答え", q.Version); err != nil {
		t.Fatal(err)
	}
	cf.text(t, m, "下書き")
	if _, err := cf.pool.Exec(cf.ctx, `DELETE FROM bookings WHERE mother_id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.pool.Exec(cf.ctx, `DELETE FROM mothers WHERE id = $1`, m.ID); err != nil {
		t.Fatalf("delete mother: %v", err)
	}
	for _, table := range []string{"questions", "question_parts", "answers"} {
		var n int
		if err := cf.pool.QueryRow(cf.ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows left (%v)", table, n, err)
		}
	}
}
