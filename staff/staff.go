// Package staff is the console of the midwives and the clinic's staff,
// served at /staff/: accounts and their sessions, the consultation queue,
// the days ahead, the facility's settings and the audit log.
//
// Pages are html/template, rendered on the server, with their stylesheet
// embedded in the binary: no build step and no script. Every page but the
// login form needs a session; every POST is checked twice against forged
// requests (http.CrossOriginProtection, then a form token).
//
// The package speaks to storage through Store; postgres.StaffStore is the
// real one.
package staff

import (
	"context"
	"errors"
	"strings"
	"time"

	"mamasroom/booking"
	"mamasroom/outbox"
)

var (
	// ErrLoginTaken is returned when creating an account whose login exists.
	ErrLoginTaken = errors.New("the login is taken")
	// ErrLocked is returned for a login attempt made while the account is
	// slowed down or locked.
	ErrLocked = errors.New("too many failed logins")
)

// Account is a staff member's login. The password is kept only as a hash.
type Account struct {
	ID           int64
	FacilityID   int64
	Login        string
	PasswordHash string
}

// Session is a signed-in browser.
type Session struct {
	AccountID int64
	Login     string
	// CSRFToken is the form token of this session's POSTs.
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Action is a kind of audit log entry.
type Action string

const (
	ActionAccountCreated Action = "account_created"
	ActionLogin          Action = "login"
	ActionLoginFailed    Action = "login_failed"  // wrong password (or an unknown login)
	ActionLoginRefused   Action = "login_refused" // tried while slowed down or locked
	ActionLogout         Action = "logout"
	ActionAnswer         Action = "answer"       // target: the question's number
	ActionCloseDay       Action = "close_day"    // target: the day
	ActionOpenDay        Action = "open_day"     // target: the day
	ActionDayCapacity    Action = "day_capacity" // target: the day
	// target: the day and the options, DayOptionsTarget
	ActionDayOptionCapacity Action = "day_option_capacity"
	ActionSettings          Action = "settings" // target: the settings' names
)

// DayOptionsTarget names a day and some of its options in an audit entry,
// "2026-12-07:aroma,waterbed".
func DayOptionsTarget(day booking.Date, options []string) string {
	return day.String() + ":" + strings.Join(options, ",")
}

// AuditEntry is one line of the audit log: who, what, on what, when. It
// never holds words a mother or a midwife wrote, only numbers, dates and
// names of settings.
type AuditEntry struct {
	ID        int64
	At        time.Time
	AccountID int64  // 0 for a failed login with an unknown name
	Login     string // "" then
	Action    Action
	Target    string
}

// LoginAttempt is what the store answers when a login attempt begins.
type LoginAttempt struct {
	Account *Account
	// LockedUntil is set when the attempt was refused: no password is
	// checked before then.
	LockedUntil time.Time
}

// Visit is a booking as the console shows it, with what staff need to
// prepare the day.
type Visit struct {
	booking.Booking
	LineUserID   string
	BabyBirthday *booking.Date
}

// Settings are what the facility's staff may change in the console.
type Settings struct {
	DailyCapacity      int
	OptionCapacities   map[booking.Option]int
	CancelDaysBefore   int
	CancelHour         int
	CancelMinute       int
	MaxVisitsPerMother int
	// MaxUpcomingPerMother is fair use: the bookings one mother may hold
	// ahead at once; 0 means no limit.
	MaxUpcomingPerMother int
	// How long, in days, a mother's data is kept after she blocks the
	// account, and questions after her last visit (privacy.Retention).
	UnfollowedRetentionDays int
	QuestionRetentionDays   int
}

// Store keeps accounts, sessions, the audit log and what the console
// changes of the facility.
type Store interface {
	// CreateAccount fails with ErrLoginTaken when the login exists.
	CreateAccount(ctx context.Context, facilityID int64, login, passwordHash string, at time.Time) (*Account, error)

	// BeginLogin counts an attempt on the account before its password is
	// checked, so attempts made at once are counted too, and sets the
	// account's next allowed attempt to at+LoginDelay(attempts). When the
	// account is slowed down or locked it counts nothing and returns
	// LockedUntil. An unknown login is booking.ErrNotFound.
	BeginLogin(ctx context.Context, facilityID int64, login string, at time.Time) (LoginAttempt, error)
	// LoginSucceeded clears the account's attempts and starts a session.
	LoginSucceeded(ctx context.Context, accountID int64, tokenHash []byte, csrfToken string, at time.Time) error
	// SessionByToken returns the session of a token's hash if it was used
	// since idleSince and started after startedSince, and marks it used at
	// at; otherwise booking.ErrNotFound.
	SessionByToken(ctx context.Context, facilityID int64, tokenHash []byte, at, idleSince, startedSince time.Time) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// Logins maps the facility's account IDs to their logins, to name who
	// claimed or answered a question.
	Logins(ctx context.Context, facilityID int64) (map[int64]string, error)

	// Audit adds an entry; accountID 0 is no account.
	Audit(ctx context.Context, facilityID, accountID int64, action Action, target string, at time.Time) error
	// AuditLog lists entries newest first, those with an ID below before
	// (all when before is 0), at most limit.
	AuditLog(ctx context.Context, facilityID int64, before int64, limit int) ([]AuditEntry, error)

	// DayCounts is booking.Store's.
	DayCounts(ctx context.Context, facilityID int64, from, to booking.Date) (map[booking.Date]booking.DayCount, error)
	DayOverrides(ctx context.Context, facilityID int64, from, to booking.Date) (map[booking.Date]booking.DayOverride, error)
	// Visits lists the active bookings of the days in [from, to], by day
	// and booking time.
	Visits(ctx context.Context, facilityID int64, from, to booking.Date) ([]Visit, error)
	// CloseDay closes the day and, in the same transaction, cancels its
	// active bookings, enqueues notice(v) for each of them and writes the
	// audit entry. It returns the visits cancelled. The day's row is locked
	// first, as booking locks it, so no booking slips in unseen.
	CloseDay(ctx context.Context, facilityID, accountID int64, day booking.Date, reason string, at time.Time,
		notice func(context.Context, Visit) (outbox.Push, error)) ([]Visit, error)
	// OpenDay reopens a day staff closed.
	OpenDay(ctx context.Context, facilityID, accountID int64, day booking.Date, at time.Time) error
	// SetDayCapacity sets the day's capacity; nil returns it to the
	// facility's daily capacity.
	SetDayCapacity(ctx context.Context, facilityID, accountID int64, day booking.Date, capacity *int, at time.Time) error
	// SetDayOptionCapacities sets the day's capacity of each option in
	// capacities, nil returning it to the option's daily capacity, and
	// writes one audit entry naming them; the day's row is locked first, as
	// booking locks it.
	SetDayOptionCapacities(ctx context.Context, facilityID, accountID int64, day booking.Date,
		capacities map[booking.Option]*int, at time.Time) error
	// SaveSettings changes the facility's settings and writes the audit
	// entry naming what changed.
	SaveSettings(ctx context.Context, facilityID, accountID int64, s Settings, changed []string, at time.Time) error
}
