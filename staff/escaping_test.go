package staff_test

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mamasroom/booking"
	"mamasroom/consult"
)

// hostile is what a mother might write, on purpose or by pasting: markup
// that would run script or break out of an attribute if the console
// printed it as it came.
const hostile = `<script>alert("x")</script> "quoted" 'single' & <img src=x onerror=alert(1)> </textarea><a href="javascript:alert(1)">`

// TestMothersWordsAreEscaped puts markup and quotes in a mother's question
// and in a midwife's returned draft and checks every console page that
// shows them: the words are there, escaped, and no markup of theirs is.
func TestMothersWordsAreEscaped(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.account(t, "sato")
	b := e.browser(t)
	b.mustLogin("sato")
	m := e.mother(t, "Ucccccccccccccccccccccccccccccccc", booking.D(2026, 11, 5))
	q := e.ask(t, m, consult.TopicOther, hostile)

	path := "/staff/questions/" + strconv.FormatInt(q.ID, 10)
	pages := map[string]response{"queue": b.get("/staff/"), "question": b.get(path)}
	// An answer refused (an empty one) shows the page again with what
	// was typed.
	pages["question with a draft"] = b.post(path+"/answer", url.Values{
		"csrf": {b.token()}, "version": {strconv.Itoa(q.Version)}, "body": {" "},
	})
	for name, p := range pages {
		if p.status >= 500 {
			t.Fatalf("%s: %d\n%s", name, p.status, p.body)
		}
		for _, raw := range []string{"<script", "<img", `"quoted"`, "</textarea><a", `href="javascript:`} {
			if strings.Contains(p.body, raw) {
				t.Errorf("%s shows %q unescaped:\n%s", name, raw, p.body)
			}
		}
	}
	// The question page shows her words whole, escaped.
	escaped := html.EscapeString(hostile)
	if !strings.Contains(pages["question"].body, escaped) {
		t.Errorf("the question page does not show her words, escaped as %q:\n%s", escaped, pages["question"].body)
	}
	if !strings.Contains(pages["queue"].body, "&lt;script&gt;") {
		t.Errorf("the queue does not show the start of her words, escaped:\n%s", pages["queue"].body)
	}

	// A login typed with markup comes back in the form, escaped.
	other := e.browser(t)
	r := other.login(`"><script>alert(1)</script>`, "wrong password")
	if r.status != http.StatusUnauthorized || strings.Contains(r.body, "<script>") {
		t.Errorf("a login with markup: %d, the page shows it unescaped:\n%s", r.status, r.body)
	}
}
