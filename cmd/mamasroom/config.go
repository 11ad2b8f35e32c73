package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"mamasroom/booking"
)

// Config is everything the program reads from its environment, read once at
// start. Secrets are never printed: errors name the variable, not its value.
type Config struct {
	ChannelSecret      string
	ChannelAccessToken string
	LineAPIBaseURL     string
	DatabaseURL        string
	RedisURL           string
	HTTPAddr           string
	// MetricsAddr is where /metrics is served, apart from the webhook and
	// the console, so booking activity is not open to the internet; ""
	// serves no metrics.
	MetricsAddr string
	// MetricsToken lets a scraper elsewhere read /metrics on HTTP_ADDR
	// with a bearer token; without it only this machine may, directly.
	MetricsToken   string
	ReminderHour   int
	ReminderMinute int
	ClockStart     time.Time // zero unless MAMASROOM_CLOCK is set
	// DemoStaffPassword, set by the demo only, makes serve create the demo
	// staff account with it.
	DemoStaffPassword string
}

// configError is a problem with the environment: one line, exit status 2.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func configErrorf(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

// LoadConfig parses the environment; Validate then checks what a subcommand needs.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		ChannelSecret:      strings.TrimSpace(getenv("LINE_CHANNEL_SECRET")),
		ChannelAccessToken: strings.TrimSpace(getenv("LINE_CHANNEL_ACCESS_TOKEN")),
		LineAPIBaseURL:     strings.TrimRight(strings.TrimSpace(getenv("LINE_API_BASE_URL")), "/"),
		DatabaseURL:        strings.TrimSpace(getenv("DATABASE_URL")),
		RedisURL:           strings.TrimSpace(getenv("REDIS_URL")),
		HTTPAddr:           strings.TrimSpace(getenv("HTTP_ADDR")),
		MetricsAddr:        strings.TrimSpace(getenv("METRICS_ADDR")),
		MetricsToken:       strings.TrimSpace(getenv("METRICS_TOKEN")),
	}
	if c.LineAPIBaseURL == "" {
		c.LineAPIBaseURL = "https://api.line.me"
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = ":8080"
	}

	at := strings.TrimSpace(getenv("REMINDER_AT"))
	if at == "" {
		at = booking.DefaultReminderAt.String()
	}
	t, err := time.Parse("15:04", at)
	if err != nil {
		return c, configErrorf("REMINDER_AT must be a local time HH:MM, such as 12:00")
	}
	c.ReminderHour, c.ReminderMinute = t.Hour(), t.Minute()

	if s := strings.TrimSpace(getenv("MAMASROOM_CLOCK")); s != "" {
		start, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return c, configErrorf("MAMASROOM_CLOCK must be an RFC 3339 time, such as 2026-12-03T09:00:00+09:00")
		}
		c.ClockStart = start
	}
	return c, nil
}

// ReminderAt is REMINDER_AT.
func (c Config) ReminderAt() booking.TimeOfDay {
	return booking.TimeOfDay{Hour: c.ReminderHour, Minute: c.ReminderMinute}
}

// ValidateRemind checks what `remind` needs: the database and LINE.
func (c Config) ValidateRemind() error {
	var problems []string
	if err := c.ValidateDatabase(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.ChannelAccessToken == "" {
		problems = append(problems, "LINE_CHANNEL_ACCESS_TOKEN is required")
	}
	if u, err := url.Parse(c.LineAPIBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		problems = append(problems, "LINE_API_BASE_URL must be an http(s) URL")
	}
	return joinProblems(problems)
}

// ValidateDatabase checks DATABASE_URL, all that `migrate` needs.
func (c Config) ValidateDatabase() error {
	if c.DatabaseURL == "" {
		return configErrorf("DATABASE_URL is required")
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return configErrorf("DATABASE_URL must be a postgres:// URL")
	}
	return nil
}

// ValidateStorage checks what every subcommand that touches data needs.
func (c Config) ValidateStorage() error {
	var problems []string
	if err := c.ValidateDatabase(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.RedisURL == "" {
		problems = append(problems, "REDIS_URL is required")
	} else if _, err := redis.ParseURL(c.RedisURL); err != nil {
		problems = append(problems, "REDIS_URL must be a redis:// URL such as redis://localhost:6379/0")
	}
	return joinProblems(problems)
}

// ValidateServe checks what `serve` needs on top of storage.
func (c Config) ValidateServe() error {
	var problems []string
	if err := c.ValidateStorage(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.ChannelSecret == "" {
		problems = append(problems, "LINE_CHANNEL_SECRET is required")
	}
	if c.ChannelAccessToken == "" {
		problems = append(problems, "LINE_CHANNEL_ACCESS_TOKEN is required")
	}
	if u, err := url.Parse(c.LineAPIBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		problems = append(problems, "LINE_API_BASE_URL must be an http(s) URL")
	}
	if err := c.ValidateMetrics(); err != nil {
		problems = append(problems, err.Error())
	}
	return joinProblems(problems)
}

// ValidateMetrics checks METRICS_ADDR, which serve and demo read.
func (c Config) ValidateMetrics() error {
	if c.MetricsAddr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
		return configErrorf("METRICS_ADDR must be a listen address such as 127.0.0.1:9464, or empty")
	}
	return nil
}

func joinProblems(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return &configError{msg: strings.Join(problems, "; ")}
}

func isConfigError(err error) bool {
	var ce *configError
	return errors.As(err, &ce)
}
