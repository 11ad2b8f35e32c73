package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"mamasroom/postgres/pgtest"
)

// TestMetricsOnTheirOwnAddress: how many mothers book and ask is the
// clinic's business, so /metrics on the public address answers only this
// machine coming straight in (CONTRACT.md's GET /metrics), not a request a
// proxy forwarded from the internet; METRICS_ADDR serves it and nothing else.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	t.Parallel()
	t.Run("METRICS_ADDR set", func(t *testing.T) {
		t.Parallel()
		s := startServe(t)
		if body := s.mustGetMetrics(t); !strings.Contains(body, "# TYPE mamasroom_webhook_requests_total counter") {
			t.Errorf("METRICS_ADDR's /metrics lacks the webhook counter:\n%s", body)
		}
		s.mustGet(t, "/metrics", http.StatusOK)
		s.mustGetForwarded(t, "/metrics", http.StatusNotFound)
		// The metrics' address serves nothing else.
		other := strings.TrimSuffix(s.metrics, "/metrics")
		for _, path := range []string{"/", "/healthz", "/staff/", "/webhook"} {
			resp, err := s.client.Get(other + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s on METRICS_ADDR = %d, want 404", path, resp.StatusCode)
			}
		}
	})
	t.Run("METRICS_ADDR unset", func(t *testing.T) {
		t.Parallel()
		s := startServe(t, "METRICS_ADDR", "")
		if body := s.mustGet(t, "/metrics", http.StatusOK); !strings.Contains(body, "mamasroom_webhook_requests_total") {
			t.Errorf("/metrics from this machine lacks the webhook counter:\n%s", body)
		}
		s.mustGetForwarded(t, "/metrics", http.StatusNotFound)
		if strings.Contains(s.stdout.String(), "metrics on") {
			t.Errorf("serve names a metrics address it was not given:\n%s", s.stdout)
		}
	})
}

// mustGetForwarded GETs path as a reverse proxy on this machine would,
// for a client on the internet.
func (s *serving) mustGetForwarded(t *testing.T, path string, wantStatus int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	if resp.StatusCode != wantStatus {
		t.Errorf("GET %s through a proxy = %d, want %d", path, resp.StatusCode, wantStatus)
	}
}

// A METRICS_ADDR that cannot be listened on is a bad configuration: one
// line naming it, exit status 2, the database untouched.
func TestBadMetricsAddrRefused(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	for name, addr := range map[string]string{"in use": busy.Addr().String(), "not an address": "9464"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dbURL := pgtest.EmptyURL(t)
			got := runMain(t, validServeEnv().with("DATABASE_URL", dbURL, "METRICS_ADDR", addr), "serve")
			if got.code != 2 || len(lines(got.stderr)) != 1 || !strings.Contains(got.stderr, "METRICS_ADDR") {
				t.Errorf("exit status %d, stderr %q; want 2 and one line naming METRICS_ADDR", got.code, got.stderr)
			}
			if n := tableCount(t, dbURL); n != 0 {
				t.Errorf("database has %d tables after a refused serve, want 0", n)
			}
		})
	}
}

// TestConsoleProbedWithoutLogin is someone on the internet trying the
// console's addresses without a session, with a made-up one, and with
// methods it does not take: every page sends them to the login form, every
// POST is refused, every answer carries the security headers, and none of
// it is an ERROR in the log (which anyone could otherwise flood).
func TestConsoleProbedWithoutLogin(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	noRedirect := *s.client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	pages := []string{
		"/staff/", "/staff/questions/1", "/staff/questions/x", "/staff/questions/1/photos/1",
		"/staff/days", "/staff/days/2026-12-07", "/staff/days/not-a-day", "/staff/settings", "/staff/audit",
	}
	forms := []string{
		"/staff/logout", "/staff/questions/1/claim", "/staff/questions/1/answer", "/staff/days/2026-12-07/close",
		"/staff/days/2026-12-07/open", "/staff/days/2026-12-07/capacity", "/staff/days/2026-12-07/options", "/staff/settings",
		"/staff/login",
	}
	type probe struct {
		method, path, cookie string
		want                 int
	}
	var probes []probe
	for _, cookie := range []string{"", "__Host-mamasroom-session=made-up", "__Host-mamasroom-session=" + strings.Repeat("%ff", 1000)} {
		for _, p := range pages {
			probes = append(probes, probe{http.MethodGet, p, cookie, http.StatusSeeOther})
		}
		for _, p := range forms {
			probes = append(probes, probe{http.MethodPost, p, cookie, http.StatusForbidden})
		}
		probes = append(probes,
			probe{http.MethodGet, "/staff/login", cookie, http.StatusOK},
			probe{http.MethodGet, "/staff/no-such-page", cookie, http.StatusNotFound},
			probe{http.MethodDelete, "/staff/login", cookie, http.StatusNotFound},
			probe{http.MethodGet, "/staff", cookie, http.StatusTemporaryRedirect}, // the mux's, kept for a body's sake
		)
	}
	for _, p := range probes {
		req, err := http.NewRequest(p.method, s.base+p.path, strings.NewReader("csrf=forged&login=demo&password=x"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if p.cookie != "" {
			req.Header.Set("Cookie", p.cookie)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		what := fmt.Sprintf("%s %s (cookie %.30q)", p.method, p.path, p.cookie)
		if resp.StatusCode != p.want {
			t.Errorf("%s = %d, want %d\n%s", what, resp.StatusCode, p.want, body)
		}
		if p.want == http.StatusSeeOther && resp.Header.Get("Location") != "/staff/login" {
			t.Errorf("%s sends to %q, want /staff/login", what, resp.Header.Get("Location"))
		}
		if p.want == http.StatusTemporaryRedirect && resp.Header.Get("Location") != "/staff/" {
			t.Errorf("%s sends to %q, want /staff/", what, resp.Header.Get("Location"))
		}
		assertConsoleHeaders(t, what, resp.Header)
	}
	if errs := logLines(s.stderr.String(), `"level":"ERROR"`); len(errs) > 0 {
		t.Errorf("probing the console without a login logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

// assertConsoleHeaders checks the headers every console answer carries,
// errors and redirects included.
func assertConsoleHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", what, csp, want)
		}
	}
	for header, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
	} {
		if got := h.Get(header); got != want {
			t.Errorf("%s: %s = %q, want %q", what, header, got, want)
		}
	}
}

// logLines returns the lines of a log that contain s.
func logLines(log, s string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// TestSecretsNotInLogsWhenLINEFails runs serve against a LINE that refuses
// everything and, as a careless proxy might, writes the request's
// Authorization header back in its error: neither the access token nor the
// channel secret may reach the log or the output, whatever LINE says.
func TestSecretsNotInLogsWhenLINEFails(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]int{}
	line := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"message":"The request was refused: %s %s","details":[{"message":%q,"property":"messages"}]}`,
			r.Header.Get("Authorization"), r.URL, r.Header.Get("Authorization"))
	}))
	t.Cleanup(line.Close)
	s := startServe(t, "LINE_API_BASE_URL", line.URL)
	requested := func(path string) bool {
		mu.Lock()
		defer mu.Unlock()
		return seen[path] > 0
	}

	// She adds the account; the bot's reply is refused, and so is its push.
	if _, err := s.sim.SendFollow(t.Context(), fmt.Sprintf("U%032x", 0x5ec7e7)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the bot's reply refused by LINE", func() bool { return requested("/v2/bot/message/reply") })
	eventually(t, "the rich menu's setup refused by LINE", func() bool {
		return requested("/v2/bot/richmenu") || requested("/v2/bot/richmenu/list")
	})
	eventually(t, "LINE's refusals in the log", func() bool {
		return len(logLines(s.stderr.String(), `"level":"WARN"`))+len(logLines(s.stderr.String(), `"level":"ERROR"`)) >= 2
	})
	if err := s.stop(waitFor); err != nil {
		t.Errorf("serve: %v", err)
	}
	assertNoSecrets(t, s.stdout.String(), s.stderr.String())
	if strings.Contains(s.stderr.String(), "The request was refused") {
		t.Errorf("LINE's error text reached the log (it may carry anything):\n%s", s.stderr)
	}
}
