package staff_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/clock"
	"mamasroom/consult"
	"mamasroom/line"
	"mamasroom/logcheck"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
	"mamasroom/quota"
	"mamasroom/staff"
)

var update = flag.Bool("update", false, "rewrite the golden pages in testdata/")

// t0 is a Thursday morning, an open day.
var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, booking.Tokyo)

const password = "correct horse battery"

// plainNotices words consultation pushes so tests can read them.
type plainNotices struct{}

func (plainNotices) Acknowledgment(_ context.Context, q *consult.Question, h consult.AnswerHours, _ time.Time) ([]line.Message, error) {
	return []line.Message{{Text: fmt.Sprintf("ack %d", q.ID)}}, nil
}

func (plainNotices) Offer(_ context.Context, o booking.Offer) ([]line.Message, error) {
	return []line.Message{{Text: "offer " + o.Entry.Day.String()}}, nil
}

func (plainNotices) Answer(_ context.Context, q *consult.Question) ([]line.Message, error) {
	return []line.Message{{Text: "answer: " + q.Answer.Body}}, nil
}

// env is a console on a TLS test server, with a real database.
type env struct {
	ctx      context.Context
	clock    *clock.Fake
	store    *postgres.StaffStore
	bookings *postgres.Store
	outbox   *postgres.Outbox
	waitlist *postgres.Waitlist
	consult  *consult.Service
	facility *booking.Facility
	server   *httptest.Server
	log      *bytes.Buffer
	woken    chan struct{}
	quota    *quotaReading
}

// quotaReading is LINE's month as a quota.Watcher would last have read it.
type quotaReading struct {
	mu    sync.Mutex
	state quota.State
}

func (q *quotaReading) State() quota.State {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.state
}

func (q *quotaReading) set(s quota.State) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.state = s
}

func setup(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	bookings := postgres.NewStore(pool)
	f, err := bookings.FacilityBySlug(ctx, "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{ctx: ctx, clock: clock.NewFake(t0), bookings: bookings, facility: f, log: &bytes.Buffer{}, woken: make(chan struct{}, 100), quota: &quotaReading{}}
	e.outbox = postgres.NewOutbox(pool, f.ID)
	e.store = postgres.NewStaffStore(pool, e.outbox)
	e.waitlist = postgres.NewWaitlist(pool, e.outbox, plainNotices{})
	e.consult = &consult.Service{Store: postgres.NewConsultations(pool, e.outbox, plainNotices{}), Now: e.clock.Now}
	console, err := staff.New(staff.Config{
		Facility:   func(ctx context.Context) (*booking.Facility, error) { return bookings.FacilityBySlug(ctx, "mamasroom") },
		Store:      e.store,
		Bookings:   &booking.Service{Store: bookings, Waitlist: e.waitlist, Now: e.clock.Now},
		Consult:    e.consult,
		WakePushes: func() { e.woken <- struct{}{} },
		Quota:      e.quota,
		Clock:      e.clock,
		Log:        slog.New(slog.NewJSONHandler(logcheck.Writer(&syncWriter{w: e.log}), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(staff.Prefix, console.Handler())
	e.server = httptest.NewTLSServer(mux)
	t.Cleanup(e.server.Close)
	return e
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (e *env) account(t *testing.T, login string) *staff.Account {
	t.Helper()
	hash, err := staff.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.store.CreateAccount(e.ctx, e.facility.ID, login, hash, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// browser is one staff member's browser: its own cookies, no redirects
// followed, so each answer can be looked at.
type browser struct {
	t      *testing.T
	e      *env
	client *http.Client
}

func (e *env) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := e.server.Client()
	c := *client
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, e: e, client: &c}
}

// response is a page as the browser got it.
type response struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.e.server.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Sec-Fetch-Site", "none")
	return b.do(req)
}

// post sends a form as a page of the console does: same origin.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	return b.postFrom(path, form, "same-origin", b.e.server.URL)
}

func (b *browser) postFrom(path string, form url.Values, fetchSite, origin string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.e.server.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if fetchSite != "" {
		req.Header.Set("Sec-Fetch-Site", fetchSite)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return b.do(req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the form token of a page.
func (r response) csrf(t *testing.T) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no form token in page:\n%s", r.body)
	}
	return m[1]
}

// login signs in through the form and returns the queue page.
func (b *browser) login(login, pw string) response {
	b.t.Helper()
	form := b.get("/staff/login")
	return b.post("/staff/login", url.Values{"csrf": {form.csrf(b.t)}, "login": {login}, "password": {pw}})
}

func (b *browser) mustLogin(login string) {
	b.t.Helper()
	if r := b.login(login, password); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/" {
		b.t.Fatalf("login as %s: %d %s\n%s", login, r.status, r.header.Get("Location"), r.body)
	}
}

// token is the session's form token, read from a page.
func (b *browser) token() string {
	b.t.Helper()
	return b.get("/staff/").csrf(b.t)
}

var tokenValue = regexp.MustCompile(`(name="csrf" value=")[^"]+(")`)

// golden compares a page with testdata/name.golden, its form tokens
// replaced by CSRF.
func golden(t *testing.T, name, page string) {
	t.Helper()
	page = tokenValue.ReplaceAllString(page, "${1}CSRF${2}")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(want) != page {
		t.Errorf("page %s differs from %s (run with -update after a deliberate change):\n%s", name, path, page)
	}
}

// mother is an eligible mother who consented to her questions being kept.
func (e *env) mother(t *testing.T, user string, birthday booking.Date) *booking.Mother {
	t.Helper()
	m, err := e.bookings.EnsureMother(e.ctx, e.facility.ID, user)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.bookings.SaveEligibility(e.ctx, m.ID, true, &birthday, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	m.BabyBirthday = &birthday
	if err := e.consult.Consent(e.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	return m
}

var messageIDs struct {
	sync.Mutex
	n int
}

// ask sends a one-text question from m.
func (e *env) ask(t *testing.T, m *booking.Mother, topic consult.Topic, text string) *consult.Question {
	t.Helper()
	messageIDs.Lock()
	messageIDs.n++
	id := fmt.Sprintf("msg-%d", messageIDs.n)
	messageIDs.Unlock()
	if _, _, err := e.consult.AddPart(e.ctx, consult.NewPart{
		FacilityID: e.facility.ID, MotherID: m.ID, Topic: topic, Kind: consult.PartText, Text: text, LineMessageID: id,
	}); err != nil {
		t.Fatal(err)
	}
	q, err := e.consult.Submit(e.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func (e *env) book(t *testing.T, m *booking.Mother, day booking.Date, options ...booking.Option) *booking.Booking {
	t.Helper()
	b, err := e.bookings.Book(e.ctx, booking.NewBooking{FacilityID: e.facility.ID, MotherID: m.ID, Day: day, Options: options})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
