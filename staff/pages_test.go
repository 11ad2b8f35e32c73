package staff_test

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/consult"
	"mamasroom/outbox"
	"mamasroom/quota"
	"mamasroom/staff"
)

// The queue puts an urgent question first, whatever its age; the answer
// page shows her earlier questions and answers, her next visit and the
// baby's age in weeks; the answer goes to her through the outbox and
// closes the question. Every page is compared with its golden file.
func TestQueueAndAnswer(t *testing.T) {
	t.Parallel()
	e := setup(t)
	satoAccount := e.account(t, "sato")
	e.account(t, "suzuki")
	sato, suzuki := e.browser(t), e.browser(t)
	sato.mustLogin("sato")
	suzuki.mustLogin("suzuki")

	// 2026-11-05 is four weeks before t0.
	hanako := e.mother(t, "Uaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", booking.D(2026, 11, 5))
	e.book(t, hanako, booking.D(2026, 12, 7), booking.OptionAroma)
	first := e.ask(t, hanako, consult.TopicSleep, "夜なかなか寝てくれません。")
	if _, err := e.consult.Answer(e.ctx, first.ID, satoAccount.ID, "寝る前の授乳を少し早めてみてください。", first.Version); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10)
	old := e.ask(t, hanako, consult.TopicFeeding, "ミルクの量はどれくらいがいいですか。")
	other := e.mother(t, "Ubbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", booking.D(2026, 10, 1))
	e.clock.Advance(5 * 60e9)
	urgent := e.ask(t, other, consult.TopicBabyBody, "赤ちゃんがぐったりしています")
	if !urgent.Urgent {
		t.Fatal("the question with ぐったり is not urgent")
	}
	e.clock.Advance(3 * 60e9)

	queue := sato.get("/staff/")
	if queue.status != http.StatusOK {
		t.Fatalf("queue: %d", queue.status)
	}
	iUrgent := strings.Index(queue.body, "/staff/questions/"+strconv.FormatInt(urgent.ID, 10)+`"`)
	iOld := strings.Index(queue.body, "/staff/questions/"+strconv.FormatInt(old.ID, 10)+`"`)
	if iUrgent < 0 || iOld < 0 || iUrgent > iOld {
		t.Errorf("queue order: urgent at %d, older at %d; want the urgent one first", iUrgent, iOld)
	}
	if strings.Contains(queue.body, "/staff/questions/"+strconv.FormatInt(first.ID, 10)+`"`) {
		t.Error("the answered question is still in the queue")
	}
	golden(t, "queue", queue.body)

	page := sato.get("/staff/questions/" + strconv.FormatInt(old.ID, 10))
	for _, want := range []string{"ミルクの量", "生後 4 週", "2026年12月7日(月)", "夜なかなか寝てくれません。", "寝る前の授乳を少し早めてみてください。"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("answer page lacks %q", want)
		}
	}
	golden(t, "question", page.body)

	// Suzuki claims it after Sato opened the page; Sato's answer, made on
	// the version she saw, is refused, and her words are kept for her.
	suzukiPage := suzuki.get("/staff/questions/" + strconv.FormatInt(old.ID, 10))
	if r := suzuki.post("/staff/questions/"+strconv.FormatInt(old.ID, 10)+"/claim", url.Values{
		"csrf": {suzukiPage.csrf(t)}, "version": {strconv.Itoa(old.Version)},
	}); r.status != http.StatusSeeOther {
		t.Fatalf("suzuki's claim: %d\n%s", r.status, r.body)
	}
	const answer = "1回に80mlくらいから様子を見てください。"
	r := sato.post("/staff/questions/"+strconv.FormatInt(old.ID, 10)+"/answer", url.Values{
		"csrf": {page.csrf(t)}, "version": {strconv.Itoa(old.Version)}, "body": {answer},
	})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "suzuki さんが対応中") || !strings.Contains(r.body, answer) {
		t.Fatalf("answer on a stale version: %d, want 409 naming suzuki and keeping the draft\n%s", r.status, r.body)
	}
	golden(t, "question_conflict", r.body)

	// Now she has seen it, she answers anyway (the page holds the new version).
	r = sato.post("/staff/questions/"+strconv.FormatInt(old.ID, 10)+"/answer", url.Values{
		"csrf": {r.csrf(t)}, "version": {strconv.Itoa(old.Version + 1)}, "body": {answer},
	})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/?answered="+strconv.FormatInt(old.ID, 10) {
		t.Fatalf("answer: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	push, err := e.outbox.Find(e.ctx, "consult_answer/"+strconv.FormatInt(old.ID, 10))
	if err != nil || push.Kind != outbox.KindConsultAnswer || push.LineUserID != hanako.LineUserID || push.Messages[0].Text != "answer: "+answer {
		t.Errorf("answer push: %+v, %v", push, err)
	}
	// Suzuki, on her older page, cannot answer it a second time.
	r = suzuki.post("/staff/questions/"+strconv.FormatInt(old.ID, 10)+"/answer", url.Values{
		"csrf": {suzukiPage.csrf(t)}, "version": {strconv.Itoa(old.Version + 1)}, "body": {"別の答え"},
	})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "すでに回答しました") {
		t.Errorf("second answer: %d\n%s", r.status, r.body)
	}
	queue = sato.get("/staff/?answered=" + strconv.FormatInt(old.ID, 10))
	if !strings.Contains(queue.body, "に回答しました") || strings.Contains(queue.body, "ミルクの量") {
		t.Errorf("queue after answering:\n%s", queue.body)
	}

	log, _ := e.store.AuditLog(e.ctx, e.facility.ID, 0, 1)
	if len(log) != 1 || log[0].Action != staff.ActionAnswer || log[0].Target != strconv.FormatInt(old.ID, 10) || log[0].Login != "sato" {
		t.Errorf("audit = %+v", log)
	}
	audit := sato.get("/staff/audit")
	if strings.Contains(audit.body, "80ml") || strings.Contains(audit.body, "ミルク") {
		t.Error("the audit page shows health text")
	}
	golden(t, "audit", audit.body)
	if strings.Contains(e.log.String(), "80ml") || strings.Contains(e.log.String(), hanako.LineUserID) {
		t.Errorf("the log holds an answer or a user ID:\n%s", e.log)
	}

	if r := sato.get("/staff/questions/999999"); r.status != http.StatusNotFound {
		t.Errorf("unknown question: %d", r.status)
	}
	golden(t, "not_found", sato.get("/staff/questions/999999").body)
}

// Closing a day cancels its bookings and tells each mother with the
// nearest days she may book; the page lists whom it told.
func TestCloseDay(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.account(t, "sato")
	b := e.browser(t)
	b.mustLogin("sato")
	day := booking.D(2026, 12, 7)
	m := e.mother(t, "Uaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", booking.D(2026, 11, 5))
	bk := e.book(t, m, day, booking.OptionAroma, booking.OptionPediatrician)
	waiting := e.mother(t, "Ubbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", booking.D(2026, 11, 5))
	if _, err := e.waitlist.Join(e.ctx, e.facility.ID, waiting.ID, day, e.clock.Now()); err != nil {
		t.Fatal(err)
	}

	days := b.get("/staff/days")
	if days.status != http.StatusOK || !strings.Contains(days.body, "12/7(月)") || !strings.Contains(days.body, "1 / 4") {
		t.Errorf("days page:\n%s", days.body)
	}
	golden(t, "days", days.body)
	page := b.get("/staff/days/2026-12-07")
	for _, want := range []string{bk.Number, "生後 4 週", "アロママッサージ", "1 件のご予約は取り消され", "キャンセル待ち", "お待ちです"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("day page lacks %q", want)
		}
	}
	golden(t, "day", strings.ReplaceAll(page.body, bk.Number, "BOOKING-NUMBER"))

	r := b.post("/staff/days/2026-12-07/close", url.Values{"csrf": {page.csrf(t)}, "reason": {"設備点検"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "休室にしました") || !strings.Contains(r.body, bk.Number) {
		t.Fatalf("close: %d\n%s", r.status, r.body)
	}
	golden(t, "day_closed", strings.ReplaceAll(r.body, bk.Number, "BOOKING-NUMBER"))
	<-e.woken
	push, err := e.outbox.Find(e.ctx, "closure/booking/"+strconv.FormatInt(bk.ID, 10))
	if err != nil || push.Kind != outbox.KindClosure || push.LineUserID != m.LineUserID {
		t.Fatalf("closure push: %+v, %v", push, err)
	}
	text := push.Messages[0].Text
	for _, want := range []string{"2026年12月7日(月)", bk.Number, "12/4(金)、12/8(火)、12/10(木)", "予約する"} {
		if !strings.Contains(text, want) {
			t.Errorf("closure notice lacks %q:\n%s", want, text)
		}
	}
	got, _ := e.bookings.BookingByNumber(e.ctx, e.facility.ID, bk.Number)
	if got.Status != booking.StatusCancelled {
		t.Errorf("booking after closing: %s", got.Status)
	}

	// Capacity of a day, then back to the default.
	page = b.get("/staff/days/2026-12-08")
	if r := b.post("/staff/days/2026-12-08/capacity", url.Values{"csrf": {page.csrf(t)}, "capacity": {"40"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("capacity 40: %d, want 422", r.status)
	}
	if r := b.post("/staff/days/2026-12-08/capacity", url.Values{"csrf": {page.csrf(t)}, "capacity": {"2"}}); r.status != http.StatusSeeOther {
		t.Errorf("capacity 2: %d", r.status)
	}
	if page := b.get("/staff/days/2026-12-08"); !strings.Contains(page.body, "0 / 2(この日だけ変更)") {
		t.Errorf("day after capacity 2:\n%s", page.body)
	}
	if r := b.post("/staff/days/2026-12-01/close", url.Values{"csrf": {page.csrf(t)}}); r.status != http.StatusConflict {
		t.Errorf("closing a past day: %d, want 409", r.status)
	}
}

// An option's capacity for one day: set, refused when out of range, left
// alone when unchanged, back to the settings' figure when blank; the store
// then books by it on that day only.
func TestDayOptionCapacities(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.account(t, "sato")
	b := e.browser(t)
	b.mustLogin("sato")
	day, other := booking.D(2026, 12, 8), booking.D(2026, 12, 10)
	bk := e.book(t, e.mother(t, "Uaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", booking.D(2026, 11, 5)), day, booking.OptionWaterBed)
	const path = "/staff/days/2026-12-08/options"
	form := func(csrf, pediatrician, waterbed, aroma string) url.Values {
		return url.Values{"csrf": {csrf}, "option.pediatrician": {pediatrician}, "option.waterbed": {waterbed}, "option.aroma": {aroma}}
	}
	page := b.get("/staff/days/2026-12-08")
	csrf := page.csrf(t)

	for _, bad := range []string{"31", "-1", "二"} {
		r := b.post(path, form(csrf, "", bad, ""))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "オプションの定員は 0 から 30 の数で") {
			t.Errorf("waterbed %q: %d, want 422 with the reason\n%s", bad, r.status, r.body)
		}
	}
	if r := b.post(path, form(csrf, "", "1", "")); r.status != http.StatusSeeOther {
		t.Fatalf("waterbed 1: %d\n%s", r.status, r.body)
	}
	page = b.get("/staff/days/2026-12-08")
	if !strings.Contains(page.body, "予約 1 / 定員 1(空き 0)(この日だけ変更)") {
		t.Errorf("day after waterbed 1:\n%s", page.body)
	}
	golden(t, "day_option_capacity", strings.ReplaceAll(page.body, bk.Number, "BOOKING-NUMBER"))
	if days := b.get("/staff/days"); !strings.Contains(days.body, "ウォーターベッド 0/1<span class=\"hint\">(変更)</span>") {
		t.Errorf("days page does not show the day's waterbed:\n%s", days.body)
	}

	bookWaterBed := func(d booking.Date) error {
		m, err := e.bookings.EnsureMother(e.ctx, e.facility.ID, "U"+d.String()+strconv.Itoa(int(e.clock.Now().UnixNano())))
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(1)
		_, err = e.bookings.Book(e.ctx, booking.NewBooking{FacilityID: e.facility.ID, MotherID: m.ID, Day: d, Options: []booking.Option{booking.OptionWaterBed}})
		return err
	}
	if err := bookWaterBed(day); !errors.Is(err, booking.ErrOptionFull) {
		t.Errorf("a second waterbed on %v: %v, want ErrOptionFull", day, err)
	}
	if err := bookWaterBed(other); err != nil {
		t.Errorf("a waterbed on %v: %v", other, err)
	}

	// The same figures again change nothing and log nothing.
	if r := b.post(path, form(csrf, "", "1", "")); r.status != http.StatusSeeOther {
		t.Fatalf("waterbed 1 again: %d", r.status)
	}
	if r := b.post(path, form(csrf, "", "", "")); r.status != http.StatusSeeOther {
		t.Fatalf("waterbed blank: %d", r.status)
	}
	if page := b.get("/staff/days/2026-12-08"); !strings.Contains(page.body, "予約 1 / 定員 2(空き 1)</dd>") {
		t.Errorf("day after a blank waterbed:\n%s", page.body)
	}
	log, err := e.store.AuditLog(e.ctx, e.facility.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, entry := range log {
		if entry.Action == staff.ActionDayOptionCapacity {
			changes = append(changes, entry.Target)
		}
	}
	if want := []string{"2026-12-08:waterbed", "2026-12-08:waterbed"}; !slices.Equal(changes, want) {
		t.Errorf("audited option changes %v, want %v", changes, want)
	}
	if audit := b.get("/staff/audit"); !strings.Contains(audit.body, "<td>オプションの定員を変更</td><td>2026年12月8日(火)(waterbed)</td>") {
		t.Errorf("audit page:\n%s", audit.body)
	}
	if r := b.post("/staff/days/2026-12-01/options", form(csrf, "", "0", "")); r.status != http.StatusConflict {
		t.Errorf("a past day's options: %d, want 409", r.status)
	}
}

// Settings are saved at once; the bot reads the facility at every event.
func TestSettings(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.account(t, "sato")
	b := e.browser(t)
	b.mustLogin("sato")
	page := b.get("/staff/settings")
	golden(t, "settings", page.body)
	form := url.Values{
		"csrf": {page.csrf(t)}, "answer_from": {"10:00"}, "answer_until": {"16:30"},
		"cancel_days_before": {"2"}, "cancel_at": {"12:00"}, "max_visits": {"3"}, "daily_capacity": {"5"},
		"upcoming_per_mother": {"3"}, "unfollowed_retention_days": {"14"}, "question_retention_days": {"730"},
		"option_pediatrician": {"4"}, "option_waterbed": {"1"}, "option_aroma": {"2"},
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("answer_until", "09:00")
	bad.Set("daily_capacity", "-1")
	bad.Set("unfollowed_retention_days", "0") // her data must be kept at least a day: she may follow again
	if r := b.post("/staff/settings", bad); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "保存していません") {
		t.Errorf("bad settings: %d\n%s", r.status, r.body)
	}
	if r := b.post("/staff/settings", form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", r.status, r.body)
	}
	f, _ := e.bookings.FacilityBySlug(e.ctx, "mamasroom")
	water, _ := f.Option(booking.OptionWaterBed)
	if f.DailyCapacity != 5 || f.CancelDaysBefore != 2 || f.CancelHour != 12 || f.MaxVisitsPerMother != 3 || water.DailyCapacity != 1 ||
		f.MaxUpcomingPerMother != 3 || f.UnfollowedRetention != 14*24*time.Hour || f.QuestionRetention != 730*24*time.Hour {
		t.Errorf("facility after saving: %+v", f)
	}
	hours, _ := e.consult.AnswerHours(e.ctx, f.ID)
	if hours.String() != "10:00-16:30" {
		t.Errorf("answer hours = %s", hours)
	}
	log, _ := e.store.AuditLog(e.ctx, e.facility.ID, 0, 1)
	if len(log) != 1 || log[0].Target != "answer_hours,cancel_deadline,max_visits,upcoming_per_mother,unfollowed_retention_days,question_retention_days,daily_capacity,option_capacity:waterbed" {
		t.Errorf("audit = %+v", log)
	}
	if page := b.get("/staff/settings?saved=1"); !strings.Contains(page.body, "保存しました") || !strings.Contains(page.body, `value="16:30"`) {
		t.Errorf("settings after saving:\n%s", page.body)
	}
}

func TestLoginPageGolden(t *testing.T) {
	t.Parallel()
	e := setup(t)
	golden(t, "login", e.browser(t).get("/staff/login").body)
}

// The top page says when 80% of LINE's month is used, and when it is
// spent (reminders first, the rest waiting); nothing before that.
func TestQuotaBanners(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.account(t, "sato")
	b := e.browser(t)
	b.mustLogin("sato")

	for _, tc := range []struct {
		name   string
		state  quota.State
		golden string
		want   string
	}{
		{"unlimited", quota.State{Known: true, Used: 5000}, "", ""},
		{"79%", quota.State{Known: true, Limited: true, Total: 200, Used: 159}, "", ""},
		{"80%", quota.State{Known: true, Limited: true, Total: 200, Used: 160}, "queue_quota_nearly", "上限の80%に達しました(160/200通)"},
		{"spent", quota.State{Known: true, Limited: true, Total: 200, Used: 200}, "queue_quota_spent", "上限(200通)に達しました。リマインドを優先して送り"},
		{"refused", quota.State{Known: true, Limited: true, Total: 200, Used: 198, Refused: true}, "", "リマインドを優先して送り"},
	} {
		e.quota.set(tc.state)
		page := b.get("/staff/")
		if page.status != http.StatusOK {
			t.Fatalf("%s: %d", tc.name, page.status)
		}
		has := strings.Contains(page.body, `class="notice warn"`) || strings.Contains(page.body, `class="notice error"`)
		if tc.want == "" && has {
			t.Errorf("%s: a banner with room in the quota:\n%s", tc.name, page.body)
		}
		if tc.want != "" && !strings.Contains(page.body, tc.want) {
			t.Errorf("%s: the page lacks %q:\n%s", tc.name, tc.want, page.body)
		}
		if tc.golden != "" {
			golden(t, tc.golden, page.body)
		}
	}
}
