package staff

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mamasroom/booking"
	"mamasroom/line"
	"mamasroom/outbox"
	"mamasroom/words"
)

// daysShown is how far ahead the days page looks: the booking window is two
// months, but staff plan the coming weeks.
const daysShown = 28

// closeAlternatives is how many other days a mother whose day closed is offered.
const closeAlternatives = 3

// maxReasonRunes bounds a closure's reason (seen by staff only).
const maxReasonRunes = 200

type dayRow struct {
	Day         booking.Date
	Closed      booking.ClosedReason
	HolidayName string
	Reason      string // staff's reason for closing
	Capacity    int
	// CapacitySet is true when staff set this day's capacity.
	CapacitySet bool
	Booked      int
	Left        int
	Options     []optionRow
}

type optionRow struct {
	Option   booking.Option
	Label    string
	Capacity int // the day's, after any override
	// CapacitySet is true when staff set this option's capacity for the day.
	CapacitySet bool
	// Default is the option's daily capacity, from the settings.
	Default int
	Booked  int
	Left    int
	// Field is the name of the option's input in the day's form.
	Field string
}

type visitRow struct {
	Number   string
	Options  string
	AgeWeeks int
	AgeKnown bool
}

// waitRow is one mother waiting for the day, in queue order; who she is
// does not show, only her place and how her wait stands.
type waitRow struct {
	Position int
	Since    time.Time
	// OfferedUntil is set while a freed place is offered to her.
	OfferedUntil *time.Time
}

type daysView struct {
	Days []dayRow
}

type dayView struct {
	dayRow
	Visits []visitRow
	// Waitlist is the day's キャンセル待ち; WaitlistOn says the program has one.
	Waitlist   []waitRow
	WaitlistOn bool
	CSRF       string
	// Told lists the bookings just cancelled by closing the day.
	Told []visitRow
	// Problem says why the last change was refused: "capacity",
	// "option_capacity", "reason".
	Problem string
	// Past days cannot be changed.
	Past bool
}

func (c *Console) dayRows(ctx context.Context, f *booking.Facility, from, to booking.Date) ([]dayRow, error) {
	counts, err := c.cfg.Store.DayCounts(ctx, f.ID, from, to)
	if err != nil {
		return nil, err
	}
	overrides, err := c.cfg.Store.DayOverrides(ctx, f.ID, from, to)
	if err != nil {
		return nil, err
	}
	var rows []dayRow
	for d := from; !d.After(to); d = d.AddDays(1) {
		count := counts[d]
		var o *booking.DayOverride
		if ov, ok := overrides[d]; ok {
			o = &ov
		}
		row := dayRow{
			Day:      d,
			Closed:   f.ClosedReason(d, o),
			Capacity: count.Capacity,
			Booked:   count.Booked,
			Left:     max(0, count.Capacity-count.Booked),
		}
		row.HolidayName, _ = booking.HolidayName(d)
		if o != nil {
			row.Reason, row.CapacitySet = o.Reason, o.Capacity != nil
		}
		for _, opt := range f.Options {
			oc := count.Options[opt.Option]
			or := optionRow{
				Option: opt.Option, Label: opt.Label, Capacity: oc.Capacity, Default: opt.DailyCapacity,
				Booked: oc.Booked, Left: max(0, oc.Capacity-oc.Booked), Field: optionField(opt.Option),
			}
			if o != nil {
				_, or.CapacitySet = o.OptionCapacities[opt.Option]
			}
			row.Options = append(row.Options, or)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (c *Console) days(w http.ResponseWriter, r *http.Request) error {
	f, err := c.cfg.Facility(r.Context())
	if err != nil {
		return err
	}
	today := booking.DateOf(c.now())
	rows, err := c.dayRows(r.Context(), f, today, today.AddDays(daysShown-1))
	if err != nil {
		return err
	}
	return c.render(w, r, "days", daysView{Days: rows})
}

func pathDay(r *http.Request) (booking.Date, error) {
	d, err := booking.ParseDate(r.PathValue("day"))
	if err != nil || !d.Valid() {
		return booking.Date{}, statusErrorf(http.StatusNotFound, "bad day")
	}
	return d, nil
}

func (c *Console) day(w http.ResponseWriter, r *http.Request) error {
	d, err := pathDay(r)
	if err != nil {
		return err
	}
	return c.showDay(w, r, d, http.StatusOK, dayView{})
}

func (c *Console) showDay(w http.ResponseWriter, r *http.Request, d booking.Date, status int, v dayView) error {
	ctx := r.Context()
	f, err := c.cfg.Facility(ctx)
	if err != nil {
		return err
	}
	rows, err := c.dayRows(ctx, f, d, d)
	if err != nil {
		return err
	}
	visits, err := c.cfg.Store.Visits(ctx, f.ID, d, d)
	if err != nil {
		return err
	}
	v.dayRow = rows[0]
	v.Visits = visitRows(f, visits)
	if v.WaitlistOn = c.cfg.Bookings.HasWaitlist(); v.WaitlistOn {
		queue, err := c.cfg.Bookings.DayWaitlist(ctx, f, d)
		if err != nil {
			return err
		}
		for i, e := range queue {
			v.Waitlist = append(v.Waitlist, waitRow{Position: i + 1, Since: e.CreatedAt, OfferedUntil: e.OfferExpiresAt})
		}
	}
	v.CSRF = sessionFrom(ctx).CSRFToken
	v.Past = d.Before(booking.DateOf(c.now()))
	return c.renderStatus(w, r, status, "day", v)
}

func visitRows(f *booking.Facility, visits []Visit) []visitRow {
	w := words.New(f)
	rows := make([]visitRow, 0, len(visits))
	for _, v := range visits {
		row := visitRow{Number: v.Number, Options: w.OptionLabels(v.Options)}
		if v.BabyBirthday != nil && !v.Day.Before(*v.BabyBirthday) {
			row.AgeWeeks, row.AgeKnown = daysBetween(*v.BabyBirthday, v.Day)/7, true
		}
		rows = append(rows, row)
	}
	return rows
}

func daysBetween(a, b booking.Date) int {
	return int(b.Start().Sub(a.Start()).Round(3600e9).Hours()) / 24
}

// editableDay refuses changes to days gone by.
func (c *Console) editableDay(d booking.Date) error {
	if d.Before(booking.DateOf(c.now())) {
		return statusErrorf(http.StatusConflict, "day %v is past", d)
	}
	return nil
}

// closeDay closes the day, cancels its bookings and tells each mother,
// offering the nearest days she may book instead, all in one transaction;
// the page then lists whom it told.
func (c *Console) closeDay(w http.ResponseWriter, r *http.Request) error {
	d, err := pathDay(r)
	if err != nil {
		return err
	}
	if err := c.editableDay(d); err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if utf8.RuneCountInString(reason) > maxReasonRunes {
		return c.showDay(w, r, d, http.StatusUnprocessableEntity, dayView{Problem: "reason"})
	}
	ctx := r.Context()
	f, err := c.cfg.Facility(ctx)
	if err != nil {
		return err
	}
	// A close sent again (a resent form, a replay) finds the day closed and
	// does nothing: no one is told twice, the audit log says it once.
	override, err := c.dayOverride(ctx, f.ID, d)
	if err != nil {
		return err
	}
	if override.Closed {
		return c.showDay(w, r, d, http.StatusOK, dayView{})
	}
	sess := sessionFrom(ctx)
	wd := words.New(f)
	notice := func(ctx context.Context, v Visit) (outbox.Push, error) {
		var others []booking.Date
		if v.BabyBirthday != nil {
			resident := true // she was eligible when she booked
			m := &booking.Mother{ID: v.MotherID, FacilityID: f.ID, WardResident: &resident, BabyBirthday: v.BabyBirthday}
			if elig, ok := c.cfg.Bookings.EligibilityOf(m); ok {
				var err error
				if others, err = c.cfg.Bookings.NearestBookableDays(ctx, f, elig, d, closeAlternatives); err != nil {
					return outbox.Push{}, err
				}
			}
		}
		return outbox.Push{
			LineUserID: v.LineUserID,
			Kind:       outbox.KindClosure,
			DedupeKey:  "closure/booking/" + strconv.FormatInt(v.ID, 10),
			Messages: []line.Message{{
				Text:    wd.DayClosed(&v.Booking, others),
				Buttons: []line.Button{{Kind: line.ButtonMessage, Label: words.Book, Text: words.Book}},
			}},
			// A notice after the day has no use.
			Expires: d.AddDays(1).Start(),
		}, nil
	}
	told, err := c.cfg.Store.CloseDay(ctx, f.ID, sess.AccountID, d, reason, c.now(), notice)
	if err != nil {
		return err
	}
	if len(told) > 0 {
		c.cfg.WakePushes()
	}
	c.cfg.Log.InfoContext(ctx, "day closed", "day", d.String(), "bookings_cancelled", len(told), "account", sess.AccountID)
	return c.showDay(w, r, d, http.StatusOK, dayView{Told: visitRows(f, told)})
}

func (c *Console) openDay(w http.ResponseWriter, r *http.Request) error {
	d, err := pathDay(r)
	if err != nil {
		return err
	}
	if err := c.editableDay(d); err != nil {
		return err
	}
	f, err := c.cfg.Facility(r.Context())
	if err != nil {
		return err
	}
	override, err := c.dayOverride(r.Context(), f.ID, d)
	if err != nil {
		return err
	}
	if !override.Closed { // opened already: a form sent again
		http.Redirect(w, r, "/staff/days/"+d.String(), http.StatusSeeOther)
		return nil
	}
	if err := c.cfg.Store.OpenDay(r.Context(), f.ID, sessionFrom(r.Context()).AccountID, d, c.now()); err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/days/"+d.String(), http.StatusSeeOther)
	return nil
}

// maxCapacity bounds any capacity typed in the console: a slip of the
// finger (40 for 4) is refused rather than opening forty places.
const maxCapacity = 30

func (c *Console) dayCapacity(w http.ResponseWriter, r *http.Request) error {
	d, err := pathDay(r)
	if err != nil {
		return err
	}
	if err := c.editableDay(d); err != nil {
		return err
	}
	var capacity *int
	if s := strings.TrimSpace(r.PostFormValue("capacity")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxCapacity {
			return c.showDay(w, r, d, http.StatusUnprocessableEntity, dayView{Problem: "capacity"})
		}
		capacity = &n
	}
	f, err := c.cfg.Facility(r.Context())
	if err != nil {
		return err
	}
	// Only a change is written and audited, so a form sent again is not.
	override, err := c.dayOverride(r.Context(), f.ID, d)
	if err != nil {
		return err
	}
	if was := override.Capacity; (was == nil) == (capacity == nil) && (was == nil || *was == *capacity) {
		http.Redirect(w, r, "/staff/days/"+d.String(), http.StatusSeeOther)
		return nil
	}
	if err := c.cfg.Store.SetDayCapacity(r.Context(), f.ID, sessionFrom(r.Context()).AccountID, d, capacity, c.now()); err != nil {
		return err
	}
	http.Redirect(w, r, "/staff/days/"+d.String(), http.StatusSeeOther)
	return nil
}

// optionField is the day form's field of an option's capacity.
func optionField(o booking.Option) string { return "option." + string(o) }

// dayOptionCapacities sets the day's capacity of each option: a number for
// this day, blank for the option's capacity in the settings. Only the
// options whose figure changes are written and named in the audit log.
func (c *Console) dayOptionCapacities(w http.ResponseWriter, r *http.Request) error {
	d, err := pathDay(r)
	if err != nil {
		return err
	}
	if err := c.editableDay(d); err != nil {
		return err
	}
	ctx := r.Context()
	f, err := c.cfg.Facility(ctx)
	if err != nil {
		return err
	}
	override, err := c.dayOverride(ctx, f.ID, d)
	if err != nil {
		return err
	}
	current := override.OptionCapacities
	changed := make(map[booking.Option]*int)
	for _, o := range f.Options {
		var capacity *int
		if s := strings.TrimSpace(r.PostFormValue(optionField(o.Option))); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > maxCapacity {
				return c.showDay(w, r, d, http.StatusUnprocessableEntity, dayView{Problem: "option_capacity"})
			}
			capacity = &n
		}
		was, set := current[o.Option]
		if (capacity != nil) != set || (capacity != nil && *capacity != was) {
			changed[o.Option] = capacity
		}
	}
	if len(changed) > 0 {
		if err := c.cfg.Store.SetDayOptionCapacities(ctx, f.ID, sessionFrom(ctx).AccountID, d, changed, c.now()); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/staff/days/"+d.String(), http.StatusSeeOther)
	return nil
}

// dayOverride is what staff changed of one day (closed, capacities); the
// zero value when nothing was.
func (c *Console) dayOverride(ctx context.Context, facilityID int64, d booking.Date) (booking.DayOverride, error) {
	overrides, err := c.cfg.Store.DayOverrides(ctx, facilityID, d, d)
	if err != nil {
		return booking.DayOverride{}, err
	}
	return overrides[d], nil
}
