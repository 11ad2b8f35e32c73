package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"mamasroom/booking"
)

const bookingColumns = `id, facility_id, mother_id, number, day, options, status, created_at, cancelled_at`

func scanBooking(row pgx.Row) (*booking.Booking, error) {
	var (
		b       booking.Booking
		day     pgtype.Date
		options []string
	)
	if err := row.Scan(&b.ID, &b.FacilityID, &b.MotherID, &b.Number, &day, &options, &b.Status, &b.CreatedAt, &b.CancelledAt); err != nil {
		return nil, err
	}
	b.Day = dateOf(day)
	b.Options = make([]booking.Option, len(options))
	for i, o := range options {
		b.Options[i] = booking.Option(o)
	}
	return &b, nil
}

// Book takes the day's row lock before it counts anything, so bookings of
// one day run one after another and each sees the ones before it.
func (s *Store) Book(ctx context.Context, nb booking.NewBooking) (*booking.Booking, error) {
	if !nb.Day.Valid() {
		return nil, fmt.Errorf("book %v: %w", nb.Day, booking.ErrInvalidDate)
	}
	var b *booking.Booking
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		b, err = book(ctx, tx, nb)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("book %v for mother %d: %w", nb.Day, nb.MotherID, err)
	}
	return b, nil
}

func book(ctx context.Context, tx pgx.Tx, nb booking.NewBooking) (*booking.Booking, error) {
	day := pgDate(nb.Day)

	const ensureDayQ = `
		INSERT INTO facility_days (facility_id, day)
		VALUES ($1, $2)
		ON CONFLICT (facility_id, day) DO NOTHING`
	if _, err := tx.Exec(ctx, ensureDayQ, nb.FacilityID, day); err != nil {
		if _, ok := constraintViolated(err, codeForeignKeyViolation); ok {
			return nil, fmt.Errorf("facility %d: %w", nb.FacilityID, booking.ErrNotFound)
		}
		return nil, fmt.Errorf("add day: %w", err)
	}

	const lockDayQ = `
		SELECT fd.closed, coalesce(fd.capacity, f.daily_capacity)
		FROM facility_days fd
		JOIN facilities f ON f.id = fd.facility_id
		WHERE fd.facility_id = $1 AND fd.day = $2
		FOR UPDATE OF fd`
	var (
		closed   bool
		capacity int
	)
	if err := tx.QueryRow(ctx, lockDayQ, nb.FacilityID, day).Scan(&closed, &capacity); err != nil {
		return nil, fmt.Errorf("lock day: %w", err)
	}
	if closed {
		return nil, booking.ErrClosed
	}

	// The mother's lock serialises her bookings of different days, for the
	// visit limit and the limit of upcoming bookings. Always taken after
	// the day's lock, so no deadlock.
	const lockMotherQ = `
		SELECT id FROM mothers
		WHERE id = $1 AND facility_id = $2
		FOR UPDATE`
	var motherID int64
	if err := tx.QueryRow(ctx, lockMotherQ, nb.MotherID, nb.FacilityID).Scan(&motherID); err != nil {
		return nil, fmt.Errorf("lock mother: %w", notFound(err))
	}

	// Checked before capacity so that a mother who already has her place on
	// a full day hears that, not that the day is full. The unique index
	// bookings_one_active_per_mother_day guards the insert as well.
	const sameDayQ = `
		SELECT count(*) FROM bookings
		WHERE facility_id = $1 AND mother_id = $2 AND day = $3 AND status = 'active'`
	var sameDay int
	if err := tx.QueryRow(ctx, sameDayQ, nb.FacilityID, nb.MotherID, day).Scan(&sameDay); err != nil {
		return nil, fmt.Errorf("look for her booking that day: %w", err)
	}
	if sameDay > 0 {
		return nil, booking.ErrAlreadyBooked
	}

	if nb.MaxVisits > 0 {
		// Every active booking counts as a use, past or coming; a
		// cancelled one does not.
		const visitsQ = `
			SELECT count(*) FROM bookings
			WHERE facility_id = $1 AND mother_id = $2 AND status = 'active'`
		var visits int
		if err := tx.QueryRow(ctx, visitsQ, nb.FacilityID, nb.MotherID).Scan(&visits); err != nil {
			return nil, fmt.Errorf("count her visits: %w", err)
		}
		if visits >= nb.MaxVisits {
			return nil, booking.ErrVisitLimit
		}
	}

	if nb.MaxUpcoming > 0 {
		// Fair use: the bookings she holds ahead, today's included, under
		// the same lock of her row, so two of her bookings at once cannot
		// both pass.
		const upcomingQ = `
			SELECT count(*) FROM bookings
			WHERE facility_id = $1 AND mother_id = $2 AND status = 'active' AND day >= $3`
		var upcoming int
		if err := tx.QueryRow(ctx, upcomingQ, nb.FacilityID, nb.MotherID, pgDate(nb.Today)).Scan(&upcoming); err != nil {
			return nil, fmt.Errorf("count her upcoming bookings: %w", err)
		}
		if upcoming >= nb.MaxUpcoming {
			return nil, booking.ErrUpcomingLimit
		}
	}

	const bookedQ = `
		SELECT count(*) FROM bookings
		WHERE facility_id = $1 AND day = $2 AND status = 'active'`
	var booked int
	if err := tx.QueryRow(ctx, bookedQ, nb.FacilityID, day).Scan(&booked); err != nil {
		return nil, fmt.Errorf("count bookings: %w", err)
	}
	if booked >= capacity {
		return nil, booking.ErrFull
	}

	// The day's own figure for an option, when staff set one, is read under
	// the day's lock like the day's capacity: every change to it takes that
	// lock first (SetDayOverride, StaffStore.SetDayOptionCapacities).
	options := uniqueOptions(nb.Options)
	for _, o := range options {
		const optionQ = `
			SELECT coalesce(fdo.capacity, o.daily_capacity),
			       (SELECT count(*) FROM bookings b
			        WHERE b.facility_id = o.facility_id AND b.day = $3
			          AND b.status = 'active' AND o.option = ANY (b.options))
			FROM facility_options o
			LEFT JOIN facility_day_options fdo
			       ON fdo.facility_id = o.facility_id AND fdo.day = $3 AND fdo.option = o.option
			WHERE o.facility_id = $1 AND o.option = $2`
		var optionCapacity, optionBooked int
		err := tx.QueryRow(ctx, optionQ, nb.FacilityID, string(o), day).Scan(&optionCapacity, &optionBooked)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("option %q is not offered", o)
		}
		if err != nil {
			return nil, fmt.Errorf("count option %q: %w", o, err)
		}
		if optionBooked >= optionCapacity {
			return nil, fmt.Errorf("option %q: %w", o, booking.ErrOptionFull)
		}
	}

	return insertBooking(ctx, tx, nb, day, options)
}

// numberAttempts bounds retries on a booking number already taken; with
// 10^8 numbers a second collision in a row means something else is wrong.
const numberAttempts = 5

// insertBooking inserts under a savepoint, so a number collision rolls back
// only the insert and the retry keeps the day's lock.
func insertBooking(ctx context.Context, tx pgx.Tx, nb booking.NewBooking, day pgtype.Date, options []booking.Option) (*booking.Booking, error) {
	const q = `
		INSERT INTO bookings (facility_id, mother_id, number, day, options, confirm_key)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''))
		RETURNING ` + bookingColumns
	optionNames := make([]string, len(options))
	for i, o := range options {
		optionNames[i] = string(o)
	}
	for range numberAttempts {
		var b *booking.Booking
		err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
			var err error
			b, err = scanBooking(sp.QueryRow(ctx, q, nb.FacilityID, nb.MotherID, booking.NewBookingNumber(), day, optionNames, nb.ConfirmKey))
			return err
		})
		constraint, unique := constraintViolated(err, codeUniqueViolation)
		switch {
		case err == nil:
			return b, nil
		case unique && constraint == "bookings_one_active_per_mother_day":
			return nil, booking.ErrAlreadyBooked
		case unique && constraint == "bookings_confirm_key":
			// Its confirm booked already (the booking was cancelled
			// since, or a concurrent confirm won): no second booking.
			return nil, booking.ErrAlreadyBooked
		case unique && constraint == "bookings_facility_id_number_key":
			continue
		default:
			return nil, fmt.Errorf("insert booking: %w", err)
		}
	}
	return nil, fmt.Errorf("insert booking: no free booking number after %d attempts", numberAttempts)
}

func uniqueOptions(options []booking.Option) []booking.Option {
	var unique []booking.Option
	for _, o := range options {
		if !slices.Contains(unique, o) {
			unique = append(unique, o)
		}
	}
	return unique
}

func (s *Store) BookingByNumber(ctx context.Context, facilityID int64, number string) (*booking.Booking, error) {
	const q = `
		SELECT ` + bookingColumns + `
		FROM bookings
		WHERE facility_id = $1 AND number = $2`
	b, err := scanBooking(s.pool.QueryRow(ctx, q, facilityID, number))
	if err != nil {
		return nil, fmt.Errorf("find booking %s: %w", number, notFound(err))
	}
	return b, nil
}

// BookingByConfirmKey finds the active booking a confirm step made.
func (s *Store) BookingByConfirmKey(ctx context.Context, facilityID int64, key string) (*booking.Booking, error) {
	const q = `
		SELECT ` + bookingColumns + `
		FROM bookings
		WHERE facility_id = $1 AND confirm_key = $2 AND status = 'active'`
	b, err := scanBooking(s.pool.QueryRow(ctx, q, facilityID, key))
	if err != nil {
		return nil, fmt.Errorf("find the booking of a confirm: %w", notFound(err))
	}
	return b, nil
}

// Her bookings are looked up with her facility, which her id gives: the
// indexes on bookings lead with facility_id, and without it a query would
// walk a whole index.
func (s *Store) ActiveBookings(ctx context.Context, motherID int64, from booking.Date) ([]booking.Booking, error) {
	const q = `
		SELECT ` + bookingColumns + `
		FROM bookings
		WHERE facility_id = (SELECT facility_id FROM mothers WHERE id = $1)
		  AND mother_id = $1 AND day >= $2 AND status = 'active'
		ORDER BY day, id`
	rows, err := s.pool.Query(ctx, q, motherID, pgDate(from))
	if err != nil {
		return nil, fmt.Errorf("list bookings of mother %d: %w", motherID, err)
	}
	bookings, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.Booking, error) {
		b, err := scanBooking(row)
		if err != nil {
			return booking.Booking{}, err
		}
		return *b, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list bookings of mother %d: %w", motherID, err)
	}
	return bookings, nil
}

// Cancel cancels the booking and, in the same transaction, skips its
// reminder if it is still waiting in the outbox (lock order: the booking's
// row, then its outbox rows; the outbox worker locks only outbox rows). A
// reminder a worker holds at that moment is in flight; the worker's claim
// saw the booking active, and LINE cannot take a push back.
func (s *Store) Cancel(ctx context.Context, motherID int64, number string, at time.Time) (*booking.Booking, error) {
	const q = `
		UPDATE bookings
		SET status = 'cancelled', cancelled_at = $3
		WHERE facility_id = (SELECT facility_id FROM mothers WHERE id = $1)
		  AND mother_id = $1 AND number = $2 AND status = 'active'
		RETURNING ` + bookingColumns
	const skipReminderQ = `
		UPDATE outbox SET status = 'skipped', finished_at = $2, last_error = 'booking cancelled'
		WHERE booking_id = $1 AND kind = 'reminder' AND status = 'pending'`
	var b *booking.Booking
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		b, err = scanBooking(tx.QueryRow(ctx, q, motherID, number, at))
		if errors.Is(err, pgx.ErrNoRows) {
			return whyNotCancelled(ctx, tx, motherID, number)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, skipReminderQ, b.ID, at)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cancel booking %s: %w", number, err)
	}
	return b, nil
}

// whyNotCancelled tells a booking cancelled before from one that is not hers
// or does not exist; both of the latter are ErrNotFound.
func whyNotCancelled(ctx context.Context, db DBTX, motherID int64, number string) error {
	const q = `
		SELECT status FROM bookings
		WHERE facility_id = (SELECT facility_id FROM mothers WHERE id = $1)
		  AND mother_id = $1 AND number = $2`
	var status booking.Status
	err := db.QueryRow(ctx, q, motherID, number).Scan(&status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return booking.ErrNotFound
	case err != nil:
		return err
	case status == booking.StatusCancelled:
		return booking.ErrAlreadyCanceled
	default:
		// Active after all: it was booked again between the two queries,
		// which a number never is; report it rather than guess.
		return fmt.Errorf("booking %s is %s yet was not cancelled", number, status)
	}
}
