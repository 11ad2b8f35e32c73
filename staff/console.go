package staff

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"mamasroom/booking"
	"mamasroom/clock"
	"mamasroom/consult"
	"mamasroom/quota"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Config is what the console needs.
type Config struct {
	// Facility is read at every request, so a setting changed by another
	// staff member shows at once.
	Facility func(ctx context.Context) (*booking.Facility, error)
	Store    Store
	// Bookings offers a mother whose day was closed the nearest days she
	// may book instead.
	Bookings *booking.Service
	Consult  *consult.Service
	// WakePushes is called after a closed day enqueued its notices, so the
	// outbox worker sends them at once (Consult wakes it for answers).
	WakePushes func()
	// Quota, when set, tells the top page how much of LINE's month is
	// used (quota.Watcher does); nil shows nothing.
	Quota interface{ State() quota.State }
	Clock clock.Clock
	Log   *slog.Logger
}

// Console is the staff console. Build it with New; serve its Handler.
type Console struct {
	cfg   Config
	pages map[string]*template.Template
}

// New checks the configuration and parses the pages.
func New(cfg Config) (*Console, error) {
	switch {
	case cfg.Facility == nil || cfg.Store == nil || cfg.Bookings == nil || cfg.Consult == nil:
		return nil, errors.New("staff console: Facility, Store, Bookings and Consult are required")
	case cfg.Clock == nil || cfg.Log == nil:
		return nil, errors.New("staff console: Clock and Log are required")
	}
	if cfg.WakePushes == nil {
		cfg.WakePushes = func() {}
	}
	pages, err := parsePages(cfg.Clock.Now)
	if err != nil {
		return nil, err
	}
	return &Console{cfg: cfg, pages: pages}, nil
}

// Prefix is where the console is mounted.
const Prefix = "/staff/"

// Handler is the console's route table, to be mounted at Prefix. Every
// response carries the security headers; every unsafe request from
// another origin is refused before it reaches a handler.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	assets, _ := fs.Sub(assetFS, "assets")
	mux.Handle("GET /staff/assets/", cacheAssets(http.StripPrefix("/staff/assets/", http.FileServerFS(assets))))

	mux.Handle("GET /staff/login", c.handle(c.loginForm))
	mux.Handle("POST /staff/login", c.handle(c.login))
	mux.Handle("POST /staff/logout", c.signedIn(c.logout))

	mux.Handle("GET /staff/{$}", c.signedIn(c.queue))
	mux.Handle("GET /staff/questions/{id}", c.signedIn(c.question))
	mux.Handle("GET /staff/questions/{id}/photos/{seq}", c.signedIn(c.photo))
	mux.Handle("POST /staff/questions/{id}/claim", c.signedIn(c.claim))
	mux.Handle("POST /staff/questions/{id}/answer", c.signedIn(c.answer))

	mux.Handle("GET /staff/days", c.signedIn(c.days))
	mux.Handle("GET /staff/days/{day}", c.signedIn(c.day))
	mux.Handle("POST /staff/days/{day}/close", c.signedIn(c.closeDay))
	mux.Handle("POST /staff/days/{day}/open", c.signedIn(c.openDay))
	mux.Handle("POST /staff/days/{day}/capacity", c.signedIn(c.dayCapacity))
	mux.Handle("POST /staff/days/{day}/options", c.signedIn(c.dayOptionCapacities))

	mux.Handle("GET /staff/settings", c.signedIn(c.settings))
	mux.Handle("POST /staff/settings", c.signedIn(c.saveSettings))

	mux.Handle("GET /staff/audit", c.signedIn(c.auditLog))

	mux.Handle("/staff/", c.handle(func(w http.ResponseWriter, r *http.Request) error {
		return statusErrorf(http.StatusNotFound, "no console page %s", r.URL.Path)
	}))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(c.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &statusError{status: http.StatusForbidden, err: errors.New("cross-origin request refused"), page: "forged"}
	}))
	return securityHeaders(cop.Handler(mux))
}

// contentSecurityPolicy allows the console's own stylesheet and images and
// nothing else: no script at all, no frames around it, forms only to itself.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers of every response. Pages show health
// information, so none may be stored by the browser or a proxy; only the
// stylesheet is cacheable (cacheAssets).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		// Browsers heed it only over HTTPS, where the console belongs.
		h.Set("Strict-Transport-Security", "max-age=31536000")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func cacheAssets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// statusError is an error with the status the staff member's browser gets,
// and which error page explains it.
type statusError struct {
	status int
	err    error
	page   string // a template name; "" is the generic error page
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

func statusErrorf(status int, format string, args ...any) error {
	return &statusError{status: status, err: fmt.Errorf(format, args...)}
}

// handle adapts a handler that returns an error: the browser gets the
// status and a Japanese page that says what to do, never the error's
// text; only server faults are logged, by path and status.
func (c *Console) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		status, page := http.StatusInternalServerError, "error"
		var se *statusError
		switch {
		case errors.As(err, &se):
			status = se.status
			if se.page != "" {
				page = se.page
			}
		case errors.Is(err, booking.ErrNotFound), errors.Is(err, consult.ErrNotFound):
			status = http.StatusNotFound
		case errors.Is(err, context.Canceled):
			return // the browser went away
		}
		if status >= 500 {
			c.cfg.Log.ErrorContext(r.Context(), "console request failed", "path", r.Pattern, "status", status, "error", err)
		}
		c.renderStatus(w, r, status, page, errorView{Status: status})
	})
}

type errorView struct {
	Status int
}

// render writes a page with status 200.
func (c *Console) render(w http.ResponseWriter, r *http.Request, name string, v any) error {
	return c.renderStatus(w, r, http.StatusOK, name, v)
}

// renderStatus writes a page within the layout. It renders into a buffer
// first, so a template error becomes a whole error page, not half a page.
func (c *Console) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, v any) error {
	t, ok := c.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", layoutView{Page: v, Session: sessionFrom(r.Context()), Nav: name}); err != nil {
		c.cfg.Log.ErrorContext(r.Context(), "console page failed to render", "page", name, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// layoutView is what the layout template sees.
type layoutView struct {
	Page    any
	Session *Session // nil on the login page
	Nav     string   // the page's name, to mark its tab
}

// now is the console's clock.
func (c *Console) now() time.Time { return c.cfg.Clock.Now() }
