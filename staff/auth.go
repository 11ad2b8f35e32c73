package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"mamasroom/booking"
)

// The cookies. The __Host- prefix makes the browser refuse them unless they
// are Secure, for the whole host (Path=/) and without a Domain: no other
// host, and no plain-http page, can set or overwrite them. Browsers treat
// http://localhost and http://127.0.0.1 as secure, so the demo works
// without TLS; anywhere else the console must be reached over HTTPS (a
// TLS-terminating proxy in front of serve is enough).
const (
	sessionCookie = "__Host-mamasroom-session"
	// loginCookie carries the login form's token before there is a
	// session: the form must send the same value back (double submit).
	loginCookie = "__Host-mamasroom-login"
	// csrfField is the form field of the token in every form.
	csrfField = "csrf"
)

const (
	// sessionIdle ends a session not used for this long.
	sessionIdle = 2 * time.Hour
	// sessionMax ends every session this long after its login.
	sessionMax = 12 * time.Hour
)

type sessionKey struct{}

func withSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// sessionFrom is the request's session, nil before login.
func sessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}

// newToken is 256 random bits, as text.
func newToken() string { return rand.Text() + rand.Text() }

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   int(maxAge / time.Second),
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
}

func clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// signedIn serves h only with a valid session; a browser without one is
// sent to the login form (a GET) or refused (anything else). Every POST
// must carry the session's form token.
func (c *Console) signedIn(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return c.handle(func(w http.ResponseWriter, r *http.Request) error {
		sess, err := c.session(r)
		if errors.Is(err, booking.ErrNotFound) {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
				return nil
			}
			return &statusError{status: http.StatusForbidden, err: errors.New("no session"), page: "expired"}
		}
		if err != nil {
			return err
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameToken(sess.CSRFToken, r.PostFormValue(csrfField)) {
				return &statusError{status: http.StatusForbidden, err: errors.New("form token missing or wrong"), page: "forged"}
			}
		}
		return h(w, r.WithContext(withSession(r.Context(), sess)))
	})
}

func (c *Console) session(r *http.Request) (*Session, error) {
	cookie, err := r.Cookie(sessionCookie)
	if err != nil || cookie.Value == "" {
		return nil, booking.ErrNotFound
	}
	f, err := c.cfg.Facility(r.Context())
	if err != nil {
		return nil, err
	}
	now := c.now()
	return c.cfg.Store.SessionByToken(r.Context(), f.ID, hashToken(cookie.Value), now, now.Add(-sessionIdle), now.Add(-sessionMax))
}

type loginView struct {
	CSRF  string
	Login string // as typed, after a failure
	Wrong bool   // the login or password was wrong
	Wait  string // how long to wait after too many failures: 15秒, 3分
	// Insecure is set when the page came over plain HTTP from a host that
	// is not this machine: the browser will refuse the session cookie.
	Insecure bool
}

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := c.session(r); err == nil {
		http.Redirect(w, r, "/staff/", http.StatusSeeOther)
		return nil
	}
	return c.renderLogin(w, r, http.StatusOK, loginView{})
}

// renderLogin shows the login form with a fresh form token in the cookie
// and the form.
func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, status int, v loginView) error {
	v.CSRF = newToken()
	v.Insecure = insecureOrigin(r)
	setCookie(w, loginCookie, v.CSRF, time.Hour)
	return c.renderStatus(w, r, status, "login", v)
}

// insecureOrigin guesses whether the browser reached us over plain HTTP
// from another machine, where __Host- cookies are refused.
func insecureOrigin(r *http.Request) bool {
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return false
	}
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	host = strings.Trim(host, "[]")
	return host != "localhost" && host != "127.0.0.1" && host != "::1"
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) error {
	cookie, _ := r.Cookie(loginCookie)
	if cookie == nil || !sameToken(cookie.Value, r.PostFormValue(csrfField)) {
		return &statusError{status: http.StatusForbidden, err: errors.New("login without its form token"), page: "forged"}
	}
	f, err := c.cfg.Facility(r.Context())
	if err != nil {
		return err
	}
	login := strings.ToLower(strings.TrimSpace(r.PostFormValue("login")))
	password := r.PostFormValue("password")
	now := c.now()
	ctx := r.Context()

	attempt, err := c.cfg.Store.BeginLogin(ctx, f.ID, login, now)
	switch {
	case errors.Is(err, booking.ErrNotFound) || ValidLogin(login) != nil:
		passwordMatches(dummyHash(), password) // as long as a real check
		if err := c.cfg.Store.Audit(ctx, f.ID, 0, ActionLoginFailed, "", now); err != nil {
			return err
		}
		return c.renderLogin(w, r, http.StatusUnauthorized, loginView{Login: login, Wrong: true})
	case err != nil:
		return err
	}
	a := attempt.Account
	if !attempt.LockedUntil.IsZero() {
		if err := c.cfg.Store.Audit(ctx, f.ID, a.ID, ActionLoginRefused, "", now); err != nil {
			return err
		}
		return c.renderLogin(w, r, http.StatusTooManyRequests, loginView{Login: login, Wait: waitLabel(attempt.LockedUntil.Sub(now))})
	}
	if !passwordMatches(a.PasswordHash, password) {
		if err := c.cfg.Store.Audit(ctx, f.ID, a.ID, ActionLoginFailed, "", now); err != nil {
			return err
		}
		return c.renderLogin(w, r, http.StatusUnauthorized, loginView{Login: login, Wrong: true})
	}

	token := newToken()
	if err := c.cfg.Store.LoginSucceeded(ctx, a.ID, hashToken(token), newToken(), now); err != nil {
		return err
	}
	clearCookie(w, loginCookie)
	setCookie(w, sessionCookie, token, sessionMax)
	c.cfg.Log.InfoContext(ctx, "staff login", "account", a.ID)
	http.Redirect(w, r, "/staff/", http.StatusSeeOther)
	return nil
}

// waitLabel writes a wait, rounded up: 2秒, 15分.
func waitLabel(d time.Duration) string {
	if d <= time.Minute {
		return fmt.Sprintf("%d秒", int((d+time.Second-1)/time.Second))
	}
	return fmt.Sprintf("%d分", int((d+time.Minute-1)/time.Minute))
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) error {
	sess := sessionFrom(r.Context())
	cookie, err := r.Cookie(sessionCookie)
	if err != nil {
		return err // signedIn found it
	}
	if err := c.cfg.Store.DeleteSession(r.Context(), hashToken(cookie.Value)); err != nil {
		return err
	}
	f, err := c.cfg.Facility(r.Context())
	if err != nil {
		return err
	}
	if err := c.cfg.Store.Audit(r.Context(), f.ID, sess.AccountID, ActionLogout, "", c.now()); err != nil {
		return err
	}
	clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
	return nil
}
