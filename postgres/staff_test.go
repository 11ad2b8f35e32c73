package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/line"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
	"mamasroom/staff"
)

type staffEnv struct {
	ctx      context.Context
	store    *postgres.StaffStore
	bookings *postgres.Store
	out      *postgres.Outbox
	facility *booking.Facility
}

func staffStoreAt(t *testing.T) staffEnv {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	bookings := postgres.NewStore(pool)
	f, err := bookings.FacilityBySlug(ctx, "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	out := postgres.NewOutbox(pool, f.ID)
	return staffEnv{ctx: ctx, store: postgres.NewStaffStore(pool, out), bookings: bookings, out: out, facility: f}
}

var staffT0 = time.Date(2026, 12, 3, 9, 0, 0, 0, booking.Tokyo)

func (e staffEnv) account(t *testing.T, login string) *staff.Account {
	t.Helper()
	a, err := e.store.CreateAccount(e.ctx, e.facility.ID, login, "$2a$04$not-a-real-hash", staffT0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestStaffAccountLoginIsUnique(t *testing.T) {
	e := staffStoreAt(t)
	e.account(t, "sato")
	_, err := e.store.CreateAccount(e.ctx, e.facility.ID, "sato", "x", staffT0)
	if !errors.Is(err, staff.ErrLoginTaken) {
		t.Errorf("second sato: err = %v, want ErrLoginTaken", err)
	}
	if _, err := e.store.BeginLogin(e.ctx, e.facility.ID, "nobody", staffT0); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("unknown login: err = %v, want ErrNotFound", err)
	}
}

// The attempts are counted before the password is checked, so attempts made
// at once cannot outrun the slowdown: of twenty at the same moment, three
// get through (the free ones), and one more is checked only after its wait.
func TestStaffLoginAttemptsAtOnceAreCounted(t *testing.T) {
	e := staffStoreAt(t)
	a := e.account(t, "sato")
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		checked int
	)
	for range 20 {
		wg.Go(func() {
			attempt, err := e.store.BeginLogin(e.ctx, e.facility.ID, "sato", staffT0)
			if err != nil {
				t.Error(err)
				return
			}
			if attempt.LockedUntil.IsZero() {
				mu.Lock()
				checked++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if checked != 4 {
		t.Errorf("%d of 20 simultaneous attempts were let through to the password check, want 4 (3 free, the 4th sets the first wait)", checked)
	}
	// After the wait of the 4th attempt (1s), the 5th is checked.
	attempt, err := e.store.BeginLogin(e.ctx, e.facility.ID, "sato", staffT0.Add(staff.LoginDelay(4)))
	if err != nil || !attempt.LockedUntil.IsZero() {
		t.Errorf("after the wait: %+v, %v; want checked", attempt, err)
	}
	// A success clears the count.
	if err := e.store.LoginSucceeded(e.ctx, a.ID, []byte("hash-of-token-1"), "csrf", staffT0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		attempt, err := e.store.BeginLogin(e.ctx, e.facility.ID, "sato", staffT0.Add(3*time.Second))
		if err != nil || !attempt.LockedUntil.IsZero() {
			t.Errorf("attempt %d after a success: %+v, %v; want checked", i+1, attempt, err)
		}
	}
}

func TestStaffLockAfterTenAttempts(t *testing.T) {
	e := staffStoreAt(t)
	e.account(t, "sato")
	at := staffT0
	for i := 1; i <= staff.LockAfter; i++ {
		attempt, err := e.store.BeginLogin(e.ctx, e.facility.ID, "sato", at)
		if err != nil || !attempt.LockedUntil.IsZero() {
			t.Fatalf("attempt %d: %+v, %v; want checked", i, attempt, err)
		}
		at = at.Add(staff.LoginDelay(i))
	}
	// The tenth set the lock: at is now its end; a minute before, refused.
	attempt, err := e.store.BeginLogin(e.ctx, e.facility.ID, "sato", at.Add(-time.Minute))
	if err != nil || !attempt.LockedUntil.Equal(at) {
		t.Errorf("during the lock: %+v, %v; want refused until %v", attempt, err, at)
	}
}

func TestStaffSessions(t *testing.T) {
	e := staffStoreAt(t)
	a := e.account(t, "sato")
	token := []byte("0123456789abcdef0123456789abcdef")
	if err := e.store.LoginSucceeded(e.ctx, a.ID, token, "form-token", staffT0); err != nil {
		t.Fatal(err)
	}
	find := func(at time.Time) (*staff.Session, error) {
		return e.store.SessionByToken(e.ctx, e.facility.ID, token, at, at.Add(-2*time.Hour), at.Add(-12*time.Hour))
	}
	s, err := find(staffT0.Add(time.Hour))
	if err != nil || s.Login != "sato" || s.CSRFToken != "form-token" || s.AccountID != a.ID {
		t.Fatalf("session an hour later: %+v, %v", s, err)
	}
	// Used at +1h, so alive at +2h59 and gone at +3h01 without use.
	if _, err := find(staffT0.Add(2*time.Hour + 59*time.Minute)); err != nil {
		t.Errorf("session used 1h59 ago: %v", err)
	}
	if _, err := find(staffT0.Add(5 * time.Hour)); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("session idle 2h01: err = %v, want ErrNotFound", err)
	}
	if _, err := e.store.SessionByToken(e.ctx, e.facility.ID, []byte("other"), staffT0, staffT0.Add(-time.Hour), staffT0.Add(-time.Hour)); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("unknown token: err = %v", err)
	}
	if err := e.store.DeleteSession(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := find(staffT0.Add(time.Hour)); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("after logout: err = %v, want ErrNotFound", err)
	}
	log, err := e.store.AuditLog(e.ctx, e.facility.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].Action != staff.ActionLogin || log[1].Action != staff.ActionAccountCreated || log[0].Login != "sato" {
		t.Errorf("audit log = %+v, want login then account_created, newest first", log)
	}
}

// bookedMother makes an eligible mother with a booking on day.
func (e staffEnv) bookedMother(t *testing.T, user string, day booking.Date, birthday booking.Date) *booking.Booking {
	t.Helper()
	m, err := e.bookings.EnsureMother(e.ctx, e.facility.ID, user)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.bookings.SaveEligibility(e.ctx, m.ID, true, &birthday, staffT0); err != nil {
		t.Fatal(err)
	}
	b, err := e.bookings.Book(e.ctx, booking.NewBooking{FacilityID: e.facility.ID, MotherID: m.ID, Day: day, Options: []booking.Option{booking.OptionAroma}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStaffCloseDayCancelsTellsAndAudits(t *testing.T) {
	e := staffStoreAt(t)
	a := e.account(t, "sato")
	day := booking.D(2026, 12, 7)
	first := e.bookedMother(t, "Uaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", day, booking.D(2026, 11, 1))
	second := e.bookedMother(t, "Ubbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", day, booking.D(2026, 10, 20))
	e.bookedMother(t, "Ucccccccccccccccccccccccccccccccc", day.AddDays(1), booking.D(2026, 10, 20))

	visits, err := e.store.Visits(e.ctx, e.facility.ID, day, day)
	if err != nil || len(visits) != 2 || visits[0].Number != first.Number || visits[0].BabyBirthday == nil {
		t.Fatalf("visits of the day: %+v, %v", visits, err)
	}
	notice := func(_ context.Context, v staff.Visit) (outbox.Push, error) {
		return outbox.Push{
			LineUserID: v.LineUserID,
			Kind:       outbox.KindClosure,
			DedupeKey:  "closure/booking/" + strconv.FormatInt(v.ID, 10),
			Messages:   []line.Message{{Text: "closed " + v.Number}},
		}, nil
	}
	told, err := e.store.CloseDay(e.ctx, e.facility.ID, a.ID, day, "設備点検", staffT0, notice)
	if err != nil {
		t.Fatal(err)
	}
	if len(told) != 2 || told[0].Number != first.Number || told[1].Number != second.Number {
		t.Errorf("told = %+v, want both bookings of the day", told)
	}
	for _, b := range []*booking.Booking{first, second} {
		got, err := e.bookings.BookingByNumber(e.ctx, e.facility.ID, b.Number)
		if err != nil || got.Status != booking.StatusCancelled {
			t.Errorf("booking %s after closing: %+v, %v; want cancelled", b.Number, got, err)
		}
		p, err := e.out.Find(e.ctx, "closure/booking/"+strconv.FormatInt(b.ID, 10))
		if err != nil || p.Messages[0].Text != "closed "+b.Number || p.Kind != outbox.KindClosure {
			t.Errorf("closure push of %s: %+v, %v", b.Number, p, err)
		}
	}
	counts, err := e.store.DayCounts(e.ctx, e.facility.ID, day, day.AddDays(1))
	if err != nil || !counts[day].Closed || counts[day].Booked != 0 || counts[day.AddDays(1)].Booked != 1 {
		t.Errorf("counts after closing: %+v, %v", counts, err)
	}
	overrides, err := e.store.DayOverrides(e.ctx, e.facility.ID, day, day)
	if err != nil || overrides[day].Reason != "設備点検" {
		t.Errorf("override: %+v, %v", overrides, err)
	}

	// A failing notice leaves everything as it was.
	later := day.AddDays(1)
	_, err = e.store.CloseDay(e.ctx, e.facility.ID, a.ID, later, "", staffT0, func(context.Context, staff.Visit) (outbox.Push, error) {
		return outbox.Push{}, errors.New("no words")
	})
	if err == nil {
		t.Fatal("closing with a failing notice succeeded")
	}
	counts, _ = e.store.DayCounts(e.ctx, e.facility.ID, later, later)
	if counts[later].Closed || counts[later].Booked != 1 {
		t.Errorf("a failed close changed the day: %+v", counts[later])
	}

	if err := e.store.OpenDay(e.ctx, e.facility.ID, a.ID, day, staffT0); err != nil {
		t.Fatal(err)
	}
	five := 5
	if err := e.store.SetDayCapacity(e.ctx, e.facility.ID, a.ID, day, &five, staffT0); err != nil {
		t.Fatal(err)
	}
	counts, _ = e.store.DayCounts(e.ctx, e.facility.ID, day, day)
	if counts[day].Closed || counts[day].Capacity != 5 {
		t.Errorf("after reopening with capacity 5: %+v", counts[day])
	}
	log, err := e.store.AuditLog(e.ctx, e.facility.ID, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	var actions []staff.Action
	for _, entry := range log {
		actions = append(actions, entry.Action)
		if entry.Target != day.String() {
			t.Errorf("audit %s target %q, want %s", entry.Action, entry.Target, day)
		}
	}
	if len(actions) != 3 || actions[0] != staff.ActionDayCapacity || actions[1] != staff.ActionOpenDay || actions[2] != staff.ActionCloseDay {
		t.Errorf("audit actions = %v", actions)
	}
}

func TestStaffSaveSettings(t *testing.T) {
	e := staffStoreAt(t)
	a := e.account(t, "sato")
	set := staff.Settings{
		DailyCapacity:      6,
		OptionCapacities:   map[booking.Option]int{booking.OptionAroma: 3},
		CancelDaysBefore:   2,
		CancelHour:         12,
		CancelMinute:       30,
		MaxVisitsPerMother: 5,
		// Retention periods within the schema's bounds (migration 011).
		UnfollowedRetentionDays: 60,
		QuestionRetentionDays:   400,
	}
	if err := e.store.SaveSettings(e.ctx, e.facility.ID, a.ID, set, []string{"daily_capacity", "option_capacity:aroma"}, staffT0); err != nil {
		t.Fatal(err)
	}
	f, err := e.bookings.FacilityBySlug(e.ctx, "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	aroma, _ := f.Option(booking.OptionAroma)
	if f.DailyCapacity != 6 || aroma.DailyCapacity != 3 || f.CancelDaysBefore != 2 || f.CancelHour != 12 || f.CancelMinute != 30 || f.MaxVisitsPerMother != 5 ||
		f.UnfollowedRetention != 60*24*time.Hour || f.QuestionRetention != 400*24*time.Hour {
		t.Errorf("facility after saving: %+v", f)
	}
	set.OptionCapacities = map[booking.Option]int{"sauna": 1}
	if err := e.store.SaveSettings(e.ctx, e.facility.ID, a.ID, set, nil, staffT0); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("unknown option: err = %v, want ErrNotFound", err)
	}
	log, _ := e.store.AuditLog(e.ctx, e.facility.ID, 0, 1)
	if len(log) != 1 || log[0].Action != staff.ActionSettings || log[0].Target != "daily_capacity,option_capacity:aroma" {
		t.Errorf("audit = %+v", log)
	}
}
