package metrics_test

import (
	"strings"
	"testing"

	"mamasroom/metrics"
)

func TestPrometheusTextFormat(t *testing.T) {
	reg := metrics.NewRegistry()
	calls := reg.NewCounter("app_calls_total", "Calls by endpoint.", "endpoint", "status")
	calls.Inc("push", "200")
	calls.Inc("push", "200")
	calls.Add(3, "reply", `4"00`)
	reg.GaugeFunc("app_pending", "Pending work.", func() float64 { return 7 })

	var b strings.Builder
	if _, err := reg.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP app_calls_total Calls by endpoint.
# TYPE app_calls_total counter
app_calls_total{endpoint="push",status="200"} 2
app_calls_total{endpoint="reply",status="4\"00"} 3
# HELP app_pending Pending work.
# TYPE app_pending gauge
app_pending 7
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
