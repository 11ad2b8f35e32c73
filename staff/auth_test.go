package staff_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"mamasroom/staff"
)

func TestPasswordHashCost(t *testing.T) {
	if err := staff.ValidPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	if err := staff.ValidPassword(strings.Repeat("あ", 25)); err == nil {
		t.Error("a 75-byte password was accepted; bcrypt would cut it")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), staff.RealBcryptCost)
	if err != nil {
		t.Fatal(err)
	}
	if cost, _ := bcrypt.Cost(h); cost < 12 {
		t.Errorf("bcrypt cost %d, want at least 12", cost)
	}
}

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.account(t, "sato")
	b := e.browser(t)

	if r := b.get("/staff/"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/login" {
		t.Fatalf("queue without a session: %d %q, want a redirect to the login form", r.status, r.header.Get("Location"))
	}
	form := b.get("/staff/login")
	if form.status != http.StatusOK || !strings.Contains(form.body, "スタッフ ログイン") {
		t.Fatalf("login form: %d\n%s", form.status, form.body)
	}
	assertSecurityHeaders(t, "login form", form)

	r := b.post("/staff/login", url.Values{"csrf": {form.csrf(t)}, "login": {"Sato "}, "password": {password}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/" {
		t.Fatalf("login: %d %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == "__Host-mamasroom-session" {
			session = c
		}
	}
	if session == nil || !session.Secure || !session.HttpOnly || session.Path != "/" || session.Domain != "" || session.SameSite != http.SameSiteStrictMode {
		t.Errorf("session cookie = %+v, want __Host- Secure HttpOnly Path=/ SameSite=Strict, no Domain", session)
	}

	queue := b.get("/staff/")
	if queue.status != http.StatusOK || !strings.Contains(queue.body, "相談の受付順") || !strings.Contains(queue.body, "sato") {
		t.Fatalf("queue after login: %d\n%s", queue.status, queue.body)
	}
	assertSecurityHeaders(t, "queue", queue)

	// A form token of another session is refused.
	if r := b.post("/staff/logout", url.Values{"csrf": {"not-the-token"}}); r.status != http.StatusForbidden {
		t.Errorf("logout with a wrong form token: %d, want 403", r.status)
	}
	if r := b.post("/staff/logout", url.Values{"csrf": {queue.csrf(t)}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/login" {
		t.Fatalf("logout: %d %q", r.status, r.header.Get("Location"))
	}
	if r := b.get("/staff/"); r.status != http.StatusSeeOther {
		t.Errorf("queue after logout: %d, want a redirect to the login form", r.status)
	}

	log, err := e.store.AuditLog(e.ctx, e.facility.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) < 2 || log[0].Action != staff.ActionLogout || log[1].Action != staff.ActionLogin || log[0].Login != "sato" {
		t.Errorf("audit log = %+v, want logout, login by sato", log)
	}
	if strings.Contains(e.log.String(), password) {
		t.Error("the password is in the log")
	}
}

func assertSecurityHeaders(t *testing.T, page string, r response) {
	t.Helper()
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", page, csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("%s: CSP %q allows script", page, csp)
	}
	if strings.Contains(r.body, "<script") || strings.Contains(r.body, " style=") || strings.Contains(r.body, "onclick=") {
		t.Errorf("%s: the page has inline script or style", page)
	}
	for header, want := range map[string]string{
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	} {
		if got := r.header.Get(header); got != want {
			t.Errorf("%s: %s = %q, want %q", page, header, got, want)
		}
	}
}

func TestForgedRequestsAreRefused(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.account(t, "sato")

	t.Run("login without the form token", func(t *testing.T) {
		b := e.browser(t)
		b.get("/staff/login") // the cookie half is there, the form half is not
		r := b.post("/staff/login", url.Values{"login": {"sato"}, "password": {password}})
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "受け付けられません") {
			t.Errorf("login without a form token: %d\n%s", r.status, r.body)
		}
	})
	t.Run("login with a token but no cookie", func(t *testing.T) {
		b := e.browser(t)
		token := b.get("/staff/login").csrf(t)
		other := e.browser(t)
		if r := other.post("/staff/login", url.Values{"csrf": {token}, "login": {"sato"}, "password": {password}}); r.status != http.StatusForbidden {
			t.Errorf("login with another browser's token: %d, want 403", r.status)
		}
	})

	b := e.browser(t)
	b.mustLogin("sato")
	token := b.token()
	for _, tc := range []struct{ name, site, origin string }{
		{"cross-site by Sec-Fetch-Site", "cross-site", "https://evil.example"},
		{"same-site other origin", "same-site", "https://other.127.0.0.1.example"},
		{"old browser, other Origin", "", "https://evil.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.postFrom("/staff/logout", url.Values{"csrf": {token}}, tc.site, tc.origin)
			if r.status != http.StatusForbidden {
				t.Errorf("logout from another origin: %d, want 403", r.status)
			}
		})
	}
	if r := b.get("/staff/"); r.status != http.StatusOK {
		t.Errorf("the forged logouts ended the session: %d", r.status)
	}
}

// Three wrong passwords are free; then each attempt must wait, doubling
// from a second; from the tenth the account is locked for 15 minutes. An
// attempt during a wait is refused unchecked, even with the right password.
func TestSlowdownAndLock(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.account(t, "sato")
	b := e.browser(t)
	for i := 1; i <= 4; i++ {
		if r := b.login("sato", "wrong password!"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "違います") {
			t.Fatalf("wrong password %d: %d\n%s", i, r.status, r.body)
		}
	}
	r := b.login("sato", password)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "1秒ほど") {
		t.Fatalf("right password right after 4 failures: %d, want 429 and a wait of 1秒\n%s", r.status, r.body)
	}
	e.clock.Advance(time.Second)
	for i := 5; i <= staff.LockAfter; i++ {
		if r := b.login("sato", "wrong password!"); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, r.status)
		}
		e.clock.Advance(staff.LoginDelay(i))
		if i == staff.LockAfter {
			e.clock.Advance(-staff.LoginDelay(i) + time.Minute)
		}
	}
	if r := b.login("sato", password); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "14分ほど") {
		t.Fatalf("right password a minute into the lock: %d, want 429 and 14分\n%s", r.status, r.body)
	}
	e.clock.Advance(staff.LockDuration)
	b.mustLogin("sato")

	log, _ := e.store.AuditLog(e.ctx, e.facility.ID, 0, 100)
	counts := map[staff.Action]int{}
	for _, entry := range log {
		counts[entry.Action]++
	}
	if counts[staff.ActionLoginFailed] != staff.LockAfter || counts[staff.ActionLoginRefused] != 2 || counts[staff.ActionLogin] != 1 {
		t.Errorf("audit counts = %v", counts)
	}
}

func TestUnknownLoginLooksLikeAWrongPassword(t *testing.T) {
	t.Parallel()
	e := setup(t)
	b := e.browser(t)
	r := b.login("nobody", password)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "ログイン名またはパスワードが違います") {
		t.Errorf("unknown login: %d\n%s", r.status, r.body)
	}
	log, _ := e.store.AuditLog(e.ctx, e.facility.ID, 0, 10)
	if len(log) != 1 || log[0].Action != staff.ActionLoginFailed || log[0].Login != "" || log[0].Target != "" {
		t.Errorf("audit = %+v, want one failed login naming no one", log)
	}
}
