package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"mamasroom/booking"
	"mamasroom/staff"
)

func (s *Store) FacilityBySlug(ctx context.Context, slug string) (*booking.Facility, error) {
	const q = `
		SELECT id, slug, name, clinic_name, address, phone, map_url, fee_yen,
		       open_weekdays, daily_capacity, booking_window_months,
		       cancel_days_before, cancel_at, max_visits_per_mother,
		       waitlist_offer_minutes, upcoming_per_mother,
		       unfollowed_retention_days, question_retention_days
		FROM facilities
		WHERE slug = $1`
	var (
		f            booking.Facility
		weekdays     []int16
		cancelAt     pgtype.Time
		offerMinutes int
		// retention, in days (migration 011)
		unfollowedDays, questionDays int
	)
	err := s.pool.QueryRow(ctx, q, slug).Scan(
		&f.ID, &f.Slug, &f.Name, &f.ClinicName, &f.Address, &f.Phone, &f.MapURL, &f.FeeYen,
		&weekdays, &f.DailyCapacity, &f.BookingWindowMonths,
		&f.CancelDaysBefore, &cancelAt, &f.MaxVisitsPerMother,
		&offerMinutes, &f.MaxUpcomingPerMother,
		&unfollowedDays, &questionDays)
	if err != nil {
		return nil, fmt.Errorf("load facility %q: %w", slug, notFound(err))
	}
	for _, iso := range weekdays {
		// ISO numbers Monday 1 to Sunday 7; time.Weekday counts Sunday as 0.
		f.OpenWeekdays = append(f.OpenWeekdays, time.Weekday(iso%7))
	}
	minutes := int(cancelAt.Microseconds / int64(time.Minute/time.Microsecond))
	f.CancelHour, f.CancelMinute = minutes/60, minutes%60
	f.WaitlistOfferTime = time.Duration(offerMinutes) * time.Minute
	f.UnfollowedRetention = time.Duration(unfollowedDays) * 24 * time.Hour
	f.QuestionRetention = time.Duration(questionDays) * 24 * time.Hour

	const optionsQ = `
		SELECT option, label, daily_capacity
		FROM facility_options
		WHERE facility_id = $1
		ORDER BY sort_order, option`
	rows, err := s.pool.Query(ctx, optionsQ, f.ID)
	if err != nil {
		return nil, fmt.Errorf("load options of facility %q: %w", slug, err)
	}
	f.Options, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.OptionSetting, error) {
		var o booking.OptionSetting
		err := row.Scan(&o.Option, &o.Label, &o.DailyCapacity)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("load options of facility %q: %w", slug, err)
	}
	return &f, nil
}

// SetDayOverride upserts the day's row first, which takes its lock as
// booking does, and only then replaces its option capacities.
func (s *Store) SetDayOverride(ctx context.Context, facilityID int64, o booking.DayOverride) error {
	if !o.Day.Valid() {
		return fmt.Errorf("set override of %v: %w", o.Day, booking.ErrInvalidDate)
	}
	day := pgDate(o.Day)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		const dayQ = `
			INSERT INTO facility_days (facility_id, day, closed, closed_reason, capacity)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (facility_id, day) DO UPDATE
			SET closed = excluded.closed,
			    closed_reason = excluded.closed_reason,
			    capacity = excluded.capacity,
			    updated_at = now()`
		if _, err := tx.Exec(ctx, dayQ, facilityID, day, o.Closed, o.Reason, o.Capacity); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM facility_day_options WHERE facility_id = $1 AND day = $2`, facilityID, day); err != nil {
			return err
		}
		for option, capacity := range o.OptionCapacities {
			if err := setDayOptionCapacity(ctx, tx, facilityID, o.Day, option, &capacity); err != nil {
				return err
			}
		}
		return nil
	})
	if _, ok := constraintViolated(err, codeForeignKeyViolation); ok {
		err = booking.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("set override of %v for facility %d: %w", o.Day, facilityID, err)
	}
	return nil
}

// setDayOptionCapacity sets one option's capacity on a day whose row the
// transaction has locked; nil returns it to the option's daily capacity.
func setDayOptionCapacity(ctx context.Context, tx pgx.Tx, facilityID int64, day booking.Date, option booking.Option, capacity *int) error {
	if capacity == nil {
		_, err := tx.Exec(ctx, `
			DELETE FROM facility_day_options
			WHERE facility_id = $1 AND day = $2 AND option = $3`, facilityID, pgDate(day), string(option))
		return err
	}
	if *capacity < 0 {
		return fmt.Errorf("option %q: negative capacity", option)
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO facility_day_options (facility_id, day, option, capacity)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (facility_id, day, option) DO UPDATE
		SET capacity = excluded.capacity, updated_at = now()`, facilityID, pgDate(day), string(option), *capacity)
	return err
}

// SetDayOptionCapacities sets the capacities of some options on one day,
// nil returning an option to its daily capacity, and writes the audit entry
// naming the day and the options, in one transaction under the day's lock
// (lockDay), so a booking of that day sees either all of the change or none.
func (s *StaffStore) SetDayOptionCapacities(ctx context.Context, facilityID, accountID int64, day booking.Date,
	capacities map[booking.Option]*int, at time.Time) error {
	if !day.Valid() {
		return fmt.Errorf("set option capacities of %v: %w", day, booking.ErrInvalidDate)
	}
	options := slices.Sorted(maps.Keys(capacities))
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockDay(ctx, tx, facilityID, day); err != nil {
			return err
		}
		for _, o := range options {
			if err := setDayOptionCapacity(ctx, tx, facilityID, day, o, capacities[o]); err != nil {
				return err
			}
		}
		names := make([]string, len(options))
		for i, o := range options {
			names[i] = string(o)
		}
		return audit(ctx, tx, facilityID, accountID, staff.ActionDayOptionCapacity,
			staff.DayOptionsTarget(day, names), at)
	})
	if _, ok := constraintViolated(err, codeForeignKeyViolation); ok {
		err = booking.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("set option capacities of %v: %w", day, err)
	}
	return nil
}

// DayOverrides lists the days in [from, to] that staff changed. Rows that
// booking created for its lock, changing nothing, are left out.
func (s *Store) DayOverrides(ctx context.Context, facilityID int64, from, to booking.Date) (map[booking.Date]booking.DayOverride, error) {
	const q = `
		SELECT fd.day, fd.closed, fd.closed_reason, fd.capacity,
		       coalesce(array_agg(fdo.option ORDER BY fdo.option) FILTER (WHERE fdo.option IS NOT NULL), '{}'),
		       coalesce(array_agg(fdo.capacity ORDER BY fdo.option) FILTER (WHERE fdo.option IS NOT NULL), '{}')
		FROM facility_days fd
		LEFT JOIN facility_day_options fdo ON fdo.facility_id = fd.facility_id AND fdo.day = fd.day
		WHERE fd.facility_id = $1 AND fd.day BETWEEN $2 AND $3
		GROUP BY fd.facility_id, fd.day
		HAVING fd.closed OR fd.capacity IS NOT NULL OR fd.closed_reason <> '' OR count(fdo.option) > 0`
	rows, err := s.pool.Query(ctx, q, facilityID, pgDate(from), pgDate(to))
	if err != nil {
		return nil, fmt.Errorf("list overrides %v to %v: %w", from, to, err)
	}
	overrides := make(map[booking.Date]booking.DayOverride)
	var (
		day              pgtype.Date
		o                booking.DayOverride
		capacity         *int
		options          []string
		optionCapacities []int
	)
	_, err = pgx.ForEachRow(rows, []any{&day, &o.Closed, &o.Reason, &capacity, &options, &optionCapacities}, func() error {
		o.Day = dateOf(day)
		o.Capacity = nil
		if capacity != nil {
			c := *capacity
			o.Capacity = &c
		}
		o.OptionCapacities = nil
		if len(options) > 0 {
			o.OptionCapacities = make(map[booking.Option]int, len(options))
			for i, opt := range options {
				o.OptionCapacities[booking.Option(opt)] = optionCapacities[i]
			}
		}
		overrides[o.Day] = o
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list overrides %v to %v: %w", from, to, err)
	}
	return overrides, nil
}

// DayCounts covers every day in [from, to], booked or not.
func (s *Store) DayCounts(ctx context.Context, facilityID int64, from, to booking.Date) (map[booking.Date]booking.DayCount, error) {
	counts := make(map[booking.Date]booking.DayCount)
	if to.Before(from) {
		return counts, nil
	}
	// Days are numbered from $2 rather than generated as timestamps, which
	// would bring the session's time zone into play.
	const daysQ = `
		WITH days AS (
		    SELECT $2::date + n AS day
		    FROM generate_series(0, $3::date - $2::date) AS n
		)
		SELECT days.day,
		       coalesce(fd.closed, false),
		       coalesce(fd.capacity, f.daily_capacity),
		       (SELECT count(*) FROM bookings b
		        WHERE b.facility_id = f.id AND b.day = days.day AND b.status = 'active')
		FROM facilities f
		CROSS JOIN days
		LEFT JOIN facility_days fd ON fd.facility_id = f.id AND fd.day = days.day
		WHERE f.id = $1`
	rows, err := s.pool.Query(ctx, daysQ, facilityID, pgDate(from), pgDate(to))
	if err != nil {
		return nil, fmt.Errorf("count bookings %v to %v: %w", from, to, err)
	}
	var (
		day pgtype.Date
		c   booking.DayCount
	)
	_, err = pgx.ForEachRow(rows, []any{&day, &c.Closed, &c.Capacity, &c.Booked}, func() error {
		c.Day = dateOf(day)
		c.Options = make(map[booking.Option]booking.OptionCount)
		counts[c.Day] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count bookings %v to %v: %w", from, to, err)
	}
	if len(counts) == 0 {
		return nil, fmt.Errorf("count bookings of facility %d: %w", facilityID, booking.ErrNotFound)
	}

	const optionsQ = `
		WITH days AS (
		    SELECT $2::date + n AS day
		    FROM generate_series(0, $3::date - $2::date) AS n
		)
		SELECT days.day, o.option, coalesce(fdo.capacity, o.daily_capacity),
		       (SELECT count(*) FROM bookings b
		        WHERE b.facility_id = o.facility_id AND b.day = days.day
		          AND b.status = 'active' AND o.option = ANY (b.options))
		FROM facility_options o
		CROSS JOIN days
		LEFT JOIN facility_day_options fdo
		       ON fdo.facility_id = o.facility_id AND fdo.day = days.day AND fdo.option = o.option
		WHERE o.facility_id = $1`
	rows, err = s.pool.Query(ctx, optionsQ, facilityID, pgDate(from), pgDate(to))
	if err != nil {
		return nil, fmt.Errorf("count options %v to %v: %w", from, to, err)
	}
	var (
		option booking.Option
		oc     booking.OptionCount
	)
	_, err = pgx.ForEachRow(rows, []any{&day, &option, &oc.Capacity, &oc.Booked}, func() error {
		counts[dateOf(day)].Options[option] = oc
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count options %v to %v: %w", from, to, err)
	}
	return counts, nil
}
