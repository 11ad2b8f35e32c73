package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mamasroom/metrics"
	"mamasroom/server"
)

// TestMetricsOnlyOnTheirHandler: the public route table has no /metrics;
// the metrics' handler has nothing else.
func TestMetricsOnlyOnTheirHandler(t *testing.T) {
	t.Parallel()
	reg := metrics.NewRegistry()
	reg.NewCounter("mamasroom_test_total", "A counter for the test.").Inc()
	stub := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	s := &server.Server{Webhook: stub, Staff: stub, Metrics: reg, Log: slog.New(slog.DiscardHandler)}

	get := func(h http.Handler, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, string(body)
	}
	if status, _ := get(s.Handler(), "/metrics"); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the public address = %d, want 404", status)
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
