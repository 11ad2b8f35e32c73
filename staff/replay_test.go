package staff_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"mamasroom/booking"
	"mamasroom/consult"
	"mamasroom/staff"
)

// TestReplayedFormsActOnce sends each kind of console form twice, as a
// browser's back-and-resend or a captured request would: the second has
// no effect of its own. An answer carries the version of the question it
// was written on, so the second is refused; closing a closed day tells no
// one again, and opening an open one does nothing; settings and capacities
// equal to what is stored write nothing, not even an audit entry.
// inputField is a form field of a page and its value.
var inputField = regexp.MustCompile(`<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"`)

func TestReplayedFormsActOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.account(t, "sato")
	b := e.browser(t)
	b.mustLogin("sato")
	m := e.mother(t, "Udddddddddddddddddddddddddddddddd", booking.D(2026, 11, 5))
	day := booking.D(2026, 12, 7)
	e.book(t, m, day)
	q := e.ask(t, m, consult.TopicSleep, "夜なかなか寝てくれません。")

	token := b.token()
	path := "/staff/questions/" + strconv.FormatInt(q.ID, 10) + "/answer"
	answer := url.Values{"csrf": {token}, "version": {strconv.Itoa(q.Version)}, "body": {"寝る前の授乳を少し早めてみてください。"}}
	if r := b.post(path, answer); r.status != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", r.status, r.body)
	}
	if r := b.post(path, answer); r.status != http.StatusConflict {
		t.Errorf("the same answer form again: %d, want 409", r.status)
	}

	closeForm := url.Values{"csrf": {token}, "reason": {"設備点検"}}
	if r := b.post("/staff/days/2026-12-07/close", closeForm); r.status != http.StatusOK {
		t.Fatalf("close: %d\n%s", r.status, r.body)
	}
	<-e.woken
	second := b.post("/staff/days/2026-12-07/close", closeForm)
	if second.status >= 500 {
		t.Fatalf("the same close form again: %d\n%s", second.status, second.body)
	}

	for i := range 2 {
		if r := b.post("/staff/days/2026-12-07/open", url.Values{"csrf": {token}}); r.status != http.StatusSeeOther {
			t.Fatalf("open %d: %d\n%s", i+1, r.status, r.body)
		}
	}

	// The settings form as the page fills it, with one figure changed.
	settings := url.Values{}
	for _, m := range inputField.FindAllStringSubmatch(b.get("/staff/settings").body, -1) {
		settings.Set(m[1], m[2])
	}
	settings.Set("daily_capacity", "5")
	for i := range 2 {
		if r := b.post("/staff/settings", settings); r.status != http.StatusSeeOther {
			t.Fatalf("settings %d: %d\n%s", i+1, r.status, r.body)
		}
	}
	capacity := url.Values{"csrf": {token}, "capacity": {"2"}}
	for i := range 2 {
		if r := b.post("/staff/days/2026-12-08/capacity", capacity); r.status != http.StatusSeeOther {
			t.Fatalf("capacity %d: %d\n%s", i+1, r.status, r.body)
		}
	}

	log, err := e.store.AuditLog(e.ctx, e.facility.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[staff.Action]int{}
	for _, entry := range log {
		counts[entry.Action]++
	}
	for action, want := range map[staff.Action]int{staff.ActionAnswer: 1, staff.ActionCloseDay: 1, staff.ActionOpenDay: 1, staff.ActionSettings: 1, staff.ActionDayCapacity: 1} {
		if counts[action] != want {
			t.Errorf("%d %s entries in the audit log, want %d (all: %v)", counts[action], action, want, counts)
		}
	}
	select {
	case <-e.woken:
		t.Error("the second close woke the outbox: someone was told twice")
	default:
	}
}
