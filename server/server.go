// Package server is mamasroom's HTTP front: the one route table, health
// and readiness, the metrics on a listener of their own, and the adapter
// that turns handler errors into status codes.
package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"mamasroom/metrics"
)

// Server holds what the routes need.
type Server struct {
	Webhook http.Handler
	// Staff is the console, mounted at /staff/.
	Staff   http.Handler
	DB      *pgxpool.Pool
	Redis   redis.UniversalClient
	Metrics *metrics.Registry
	// MetricsToken, when set, lets a scraper from anywhere read /metrics
	// on the public address with "Authorization: Bearer <token>".
	MetricsToken string
	Log          *slog.Logger
	// Paused, when set, is not nil while an outage pauses event handling
	// (the dispatcher's Ready): the instance is up but answers no one.
	Paused func() error
}

// Handler is the route table of the public address. How many mothers book
// and ask is the clinic's business, so /metrics there answers only a scraper
// on this machine that came straight in (no proxy in between) or one with
// the bearer token; anyone else gets 404, as if there were no such page.
// MetricsHandler serves them on an address of their own as well.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", s.Webhook)
	mux.Handle("GET /metrics", s.handle(s.guardedMetrics))
	mux.Handle("GET /healthz", s.handle(s.healthz))
	mux.Handle("GET /readyz", s.handle(s.readyz))
	mux.Handle("/staff/", s.Staff)
	// The console redirects /staff itself, so even that answer carries its
	// security headers.
	mux.Handle("/staff", s.Staff)
	return mux
}

// MetricsHandler serves GET /metrics, for the metrics' own listen address
// (METRICS_ADDR), which only the operator's network reaches.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.handle(s.metrics))
	return mux
}

// statusError is an error with the status the client should see.
type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// handle adapts a handler that returns an error: the client gets a status
// and a generic text, never the error's words; only server faults are logged.
func (s *Server) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		status := http.StatusInternalServerError
		var se *statusError
		if errors.As(err, &se) {
			status = se.status
		}
		if status >= 500 {
			s.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "status", status, "error", err)
		}
		http.Error(w, http.StatusText(status), status)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	_, err := w.Write([]byte("ok\n"))
	return err
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		return &statusError{http.StatusServiceUnavailable, err}
	}
	if err := s.Redis.Ping(ctx).Err(); err != nil {
		return &statusError{http.StatusServiceUnavailable, err}
	}
	if s.Paused != nil {
		if err := s.Paused(); err != nil {
			return &statusError{http.StatusServiceUnavailable, err}
		}
	}
	_, err := w.Write([]byte("ready\n"))
	return err
}

func (s *Server) guardedMetrics(w http.ResponseWriter, r *http.Request) error {
	if !s.mayReadMetrics(r) {
		return &statusError{http.StatusNotFound, errors.New("metrics from outside")}
	}
	return s.metrics(w, r)
}

// mayReadMetrics: the bearer token, or a request from loopback that no
// proxy forwarded. A proxy on this machine connects from loopback too, so
// its forwarding headers are what tell the internet apart; a proxy that
// adds none must not route /metrics (README says so).
func (s *Server) mayReadMetrics(r *http.Request) bool {
	if s.MetricsToken != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.MetricsToken)) == 1 {
			return true
		}
	}
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, err := s.Metrics.WriteTo(w)
	return err
}
