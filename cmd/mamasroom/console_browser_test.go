package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/consult"
	"mamasroom/line"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

var consoleLine = regexp.MustCompile(`demo: staff console at (http://\S+/staff/) \(login (\S+), password (\S+)\)\n`)

// TestConsoleInBrowser is a midwife in the console beside a mother in the
// chat page: she logs in, finds the urgent question on top, answers it and
// the answer arrives in the mother's chat; she closes a day and the mother
// booked on it is told. A POST from the chat page's origin and a login
// without the form token are refused. The __Host- session cookie must work
// on http://127.0.0.1, which Chromium treats as a secure context.
func TestConsoleInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	dbURL := pgtest.EmptyURL(t)
	demo := startDemo(t, env{"DATABASE_URL": dbURL})
	m := consoleLine.FindStringSubmatch(demo.stdout.String())
	if m == nil {
		t.Fatalf("the demo did not print the staff console's address and login:\n%s", demo.stdout)
	}
	consoleURL, login, password := m[1], m[2], m[3]
	shots := artifactPaths(t, "console-queue.png", "console-answer.png", "console-day-closed.png")

	// Two mothers through the chat page: ママA asks an ordinary question
	// first, ママB an urgent one later; ママA has a booking on a day that
	// will close.
	mamaA, mamaB := fmt.Sprintf("U%032x", 0xa1), fmt.Sprintf("U%032x", 0xb2)
	follow(t, demo.url, mamaA)
	follow(t, demo.url, mamaB)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	data := seedConsole(t, pool, mamaA, mamaB)

	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait)
	step(t, ctx, "open the console and be sent to the login form",
		phone,
		chromedp.Navigate(consoleURL),
		chromedp.WaitVisible(`//h1[contains(., "スタッフ ログイン")]`),
	)
	step(t, ctx, "log in without the form token",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name=csrf]').remove()`),
		chromedp.SendKeys(`#login`, login),
		chromedp.SendKeys(`#password`, password),
		chromedp.Click(`//button[normalize-space()="ログイン"]`),
		chromedp.WaitVisible(`//h1[contains(., "この送信は受け付けられません")]`),
	)
	step(t, ctx, "log in",
		chromedp.Navigate(consoleURL+"login"),
		chromedp.WaitVisible(`#login`),
		chromedp.SendKeys(`#login`, login),
		chromedp.SendKeys(`#password`, password),
		chromedp.Click(`//button[normalize-space()="ログイン"]`),
		chromedp.WaitVisible(`//h1[contains(., "相談の受付順")]`),
	)
	first := value(t, ctx, "read the first question in the queue", chromedp.Evaluate[string](`document.querySelector('ol.queue li a').getAttribute('href')`))
	if first != "/staff/questions/"+strconv.FormatInt(data.urgent, 10) {
		t.Errorf("the first question in the queue is %s, want the urgent one (%d)", first, data.urgent)
	}
	save(t, shots["console-queue.png"], value(t, ctx, "screenshot the queue", chromedp.FullScreenshot(100)))

	// A form posted from the chat page's origin (another port of the same
	// host: same-site, so a SameSite cookie alone would not stop it).
	token := value(t, ctx, "read the form token", chromedp.Evaluate[string](`document.querySelector('input[name=csrf]').value`))
	step(t, ctx, "post a logout from the chat page's origin",
		chromedp.Navigate(demo.url+"/"),
		chromedp.WaitVisible(`#follow`),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
			const f = document.createElement('form');
			f.method = 'POST'; f.action = %q;
			const i = document.createElement('input'); i.name = 'csrf'; i.value = %q; f.appendChild(i);
			document.body.appendChild(f); f.submit();
		})()`, consoleURL+"logout", token)),
		chromedp.WaitVisible(`//h1[contains(., "この送信は受け付けられません")]`),
	)
	step(t, ctx, "still logged in: open the urgent question",
		chromedp.Navigate(consoleURL),
		chromedp.WaitVisible(`//h1[contains(., "相談の受付順")]`),
		chromedp.Click(`ol.queue li a`),
		chromedp.WaitVisible(`//h1[contains(., "相談 #`+strconv.FormatInt(data.urgent, 10)+`")]`),
		chromedp.WaitVisible(`//dd[contains(., "生後 5 週")]`),
	)
	const answer = "すぐに119番に電話してください。落ち着いたら、また様子を教えてくださいね。"
	step(t, ctx, "write the answer",
		chromedp.SendKeys(`#body`, answer),
	)
	save(t, shots["console-answer.png"], value(t, ctx, "screenshot the answer page", chromedp.FullScreenshot(100)))
	step(t, ctx, "send the answer",
		chromedp.Click(`//button[normalize-space()="回答を送る"]`),
		chromedp.WaitVisible(`//p[contains(., "に回答しました")]`),
	)
	eventually(t, "the answer in ママB's chat", func() bool { return chatHas(t, demo.url, mamaB, answer) })

	step(t, ctx, "close the booked day",
		chromedp.Navigate(consoleURL+"days/"+data.day.String()),
		chromedp.WaitVisible(`//td[contains(., "`+data.booking+`")]`),
		chromedp.SendKeys(`#reason`, "設備点検"),
		chromedp.Click(`//button[normalize-space()="この日を休室にする"]`),
		chromedp.WaitVisible(`//p[contains(., "休室にしました")]`),
	)
	save(t, shots["console-day-closed.png"], value(t, ctx, "screenshot the closed day", chromedp.FullScreenshot(100)))
	eventually(t, "the closure notice in ママA's chat", func() bool {
		return chatHas(t, demo.url, mamaA, "予約番号 "+data.booking+")は取り消しました")
	})
}

func follow(t *testing.T, simURL, user string) {
	t.Helper()
	resp, err := http.Post(simURL+"/chat/api/follow", "application/json", strings.NewReader(`{"user":"`+user+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("follow: %d", resp.StatusCode)
	}
}

func chatHas(t *testing.T, simURL, user, text string) bool {
	t.Helper()
	resp, err := http.Get(simURL + "/chat/api/conversation?user=" + url.QueryEscape(user))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var conv []struct{ From, Text string }
	if err := json.NewDecoder(resp.Body).Decode(&conv); err != nil {
		t.Fatal(err)
	}
	for _, item := range conv {
		if item.From == "bot" && strings.Contains(item.Text, text) {
			return true
		}
	}
	return false
}

type consoleData struct {
	urgent  int64
	day     booking.Date
	booking string
}

// noNotices: the seeded questions are sent without a push.
type noNotices struct{}

func (noNotices) Acknowledgment(context.Context, *consult.Question, consult.AnswerHours, time.Time) ([]line.Message, error) {
	return nil, fmt.Errorf("not used")
}
func (noNotices) Answer(context.Context, *consult.Question) ([]line.Message, error) {
	return nil, fmt.Errorf("not used")
}

// seedConsole stores what the mothers would have done in the chat: their
// answers to the eligibility questions, a booking, and two questions.
func seedConsole(t *testing.T, pool *pgxpool.Pool, mamaA, mamaB string) consoleData {
	t.Helper()
	ctx := context.Background()
	store := postgres.NewStore(pool)
	f, err := store.FacilityBySlug(ctx, facilitySlug)
	if err != nil {
		t.Fatal(err)
	}
	start, _ := time.Parse(time.RFC3339, clockStart)
	now := func() time.Time { return start }
	cs := &consult.Service{Store: postgres.NewConsultations(pool, postgres.NewOutbox(pool, f.ID), noNotices{}), Now: now}
	var ids []int64
	for i, tc := range []struct{ user, text string }{
		{mamaA, "授乳の間隔はどれくらいあければいいですか"},
		{mamaB, "赤ちゃんがぐったりしていて、ミルクを飲みません"},
	} {
		// The follow was answered 200 before the bot handled it: wait for
		// the bot to have made her.
		var mother *booking.Mother
		eventually(t, fmt.Sprintf("mother %d made by her follow", i), func() bool {
			mother, err = store.MotherByLineUser(ctx, f.ID, tc.user)
			return err == nil
		})
		birthday := booking.D(2026, 10, 20) // 5 weeks old at the demo's clock
		if err := store.SaveEligibility(ctx, mother.ID, true, &birthday, start); err != nil {
			t.Fatal(err)
		}
		if err := cs.Consent(ctx, mother.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := cs.AddPart(ctx, consult.NewPart{
			FacilityID: f.ID, MotherID: mother.ID, Topic: consult.TopicBabyBody, Kind: consult.PartText,
			Text: tc.text, LineMessageID: fmt.Sprintf("seed-%d", i), ReceivedAt: start.Add(time.Duration(i) * time.Minute),
		}); err != nil {
			t.Fatal(err)
		}
		start = start.Add(time.Minute)
		q, err := cs.Submit(ctx, mother.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, q.ID)
	}
	mother, _ := store.MotherByLineUser(ctx, f.ID, mamaA)
	day := booking.D(2026, 11, 30)
	b, err := store.Book(ctx, booking.NewBooking{FacilityID: f.ID, MotherID: mother.ID, Day: day, Options: []booking.Option{booking.OptionAroma}})
	if err != nil {
		t.Fatal(err)
	}
	return consoleData{urgent: ids[1], day: day, booking: b.Number}
}
