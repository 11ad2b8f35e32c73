package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mamasroom/logcheck"
	"mamasroom/metrics"
	"mamasroom/server"
)

// TestMetricsOnlyOnTheirHandler: on the public route table /metrics answers
// only this machine directly or the bearer token; the metrics' handler has
// nothing else.
func TestMetricsOnlyOnTheirHandler(t *testing.T) {
	t.Parallel()
	reg := metrics.NewRegistry()
	reg.NewCounter("mamasroom_test_total", "A counter for the test.").Inc()
	stub := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	s := &server.Server{Webhook: stub, Staff: stub, Metrics: reg, MetricsToken: "scrape-token", Log: slog.New(slog.NewTextHandler(logcheck.Writer(io.Discard), nil))}

	get := func(h http.Handler, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, string(body)
	}
	public := []struct {
		name       string
		remote     string
		header     [2]string
		wantStatus int
	}{
		{"from this machine", "127.0.0.1:50000", [2]string{}, http.StatusOK},
		{"from this machine over IPv6", "[::1]:50000", [2]string{}, http.StatusOK},
		{"from the internet", "203.0.113.7:50000", [2]string{}, http.StatusNotFound},
		{"through a proxy on this machine", "127.0.0.1:50000", [2]string{"X-Forwarded-For", "203.0.113.7"}, http.StatusNotFound},
		{"through a proxy saying Forwarded", "127.0.0.1:50000", [2]string{"Forwarded", "for=203.0.113.7"}, http.StatusNotFound},
		{"from the internet with the token", "203.0.113.7:50000", [2]string{"Authorization", "Bearer scrape-token"}, http.StatusOK},
		{"from the internet with a wrong token", "203.0.113.7:50000", [2]string{"Authorization", "Bearer scrape-tokem"}, http.StatusNotFound},
	}
	for _, c := range public {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = c.remote
		if c.header[0] != "" {
			req.Header.Set(c.header[0], c.header[1])
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != c.wantStatus {
			t.Errorf("GET /metrics on the public address %s = %d, want %d", c.name, rec.Code, c.wantStatus)
		}
		if body := rec.Body.String(); (c.wantStatus == http.StatusOK) != strings.Contains(body, "mamasroom_test_total 1") {
			t.Errorf("GET /metrics on the public address %s: body %q", c.name, body)
		}
	}
	for _, path := range []string{"/staff", "/staff/", "/staff/login"} {
		if status, _ := get(s.Handler(), path); status != http.StatusTeapot {
			t.Errorf("GET %s = %d, want the console's answer", path, status)
		}
	}
	status, body := get(s.MetricsHandler(), "/metrics")
	if status != http.StatusOK || !strings.Contains(body, "mamasroom_test_total 1") {
		t.Errorf("GET /metrics on the metrics handler = %d\n%s", status, body)
	}
	for _, path := range []string{"/", "/healthz", "/staff/", "/webhook"} {
		if status, _ := get(s.MetricsHandler(), path); status != http.StatusNotFound {
			t.Errorf("GET %s on the metrics handler = %d, want 404", path, status)
		}
	}
}
