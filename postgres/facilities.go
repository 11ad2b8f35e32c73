package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"mamasroom/booking"
)

func (s *Store) FacilityBySlug(ctx context.Context, slug string) (*booking.Facility, error) {
	const q = `
		SELECT id, slug, name, clinic_name, address, phone, map_url, fee_yen,
		       open_weekdays, daily_capacity, booking_window_months,
		       cancel_days_before, cancel_at, max_visits_per_mother
		FROM facilities
		WHERE slug = $1`
	var (
		f        booking.Facility
		weekdays []int16
		cancelAt pgtype.Time
	)
	err := s.pool.QueryRow(ctx, q, slug).Scan(
		&f.ID, &f.Slug, &f.Name, &f.ClinicName, &f.Address, &f.Phone, &f.MapURL, &f.FeeYen,
		&weekdays, &f.DailyCapacity, &f.BookingWindowMonths,
		&f.CancelDaysBefore, &cancelAt, &f.MaxVisitsPerMother)
	if err != nil {
		return nil, fmt.Errorf("load facility %q: %w", slug, notFound(err))
	}
	for _, iso := range weekdays {
		// ISO numbers Monday 1 to Sunday 7; time.Weekday counts Sunday as 0.
		f.OpenWeekdays = append(f.OpenWeekdays, time.Weekday(iso%7))
	}
	minutes := int(cancelAt.Microseconds / int64(time.Minute/time.Microsecond))
	f.CancelHour, f.CancelMinute = minutes/60, minutes%60

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

func (s *Store) SetDayOverride(ctx context.Context, facilityID int64, o booking.DayOverride) error {
	if !o.Day.Valid() {
		return fmt.Errorf("set override of %v: %w", o.Day, booking.ErrInvalidDate)
	}
	const q = `
		INSERT INTO facility_days (facility_id, day, closed, closed_reason, capacity)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (facility_id, day) DO UPDATE
		SET closed = excluded.closed,
		    closed_reason = excluded.closed_reason,
		    capacity = excluded.capacity,
		    updated_at = now()`
	_, err := s.pool.Exec(ctx, q, facilityID, pgDate(o.Day), o.Closed, o.Reason, o.Capacity)
	if _, ok := constraintViolated(err, codeForeignKeyViolation); ok {
		err = booking.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("set override of %v for facility %d: %w", o.Day, facilityID, err)
	}
	return nil
}

// DayOverrides lists the days in [from, to] that staff changed. Rows that
// booking created for its lock, changing nothing, are left out.
func (s *Store) DayOverrides(ctx context.Context, facilityID int64, from, to booking.Date) (map[booking.Date]booking.DayOverride, error) {
	const q = `
		SELECT day, closed, closed_reason, capacity
		FROM facility_days
		WHERE facility_id = $1 AND day BETWEEN $2 AND $3
		  AND (closed OR capacity IS NOT NULL OR closed_reason <> '')`
	rows, err := s.pool.Query(ctx, q, facilityID, pgDate(from), pgDate(to))
	if err != nil {
		return nil, fmt.Errorf("list overrides %v to %v: %w", from, to, err)
	}
	overrides := make(map[booking.Date]booking.DayOverride)
	var (
		day      pgtype.Date
		o        booking.DayOverride
		capacity *int
	)
	_, err = pgx.ForEachRow(rows, []any{&day, &o.Closed, &o.Reason, &capacity}, func() error {
		o.Day = dateOf(day)
		o.Capacity = nil
		if capacity != nil {
			c := *capacity
			o.Capacity = &c
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
		SELECT days.day, o.option, o.daily_capacity,
		       (SELECT count(*) FROM bookings b
		        WHERE b.facility_id = o.facility_id AND b.day = days.day
		          AND b.status = 'active' AND o.option = ANY (b.options))
		FROM facility_options o
		CROSS JOIN days
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
