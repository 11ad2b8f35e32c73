package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/line"
	"mamasroom/outbox"
)

// WaitlistNotices words the push that brings her an offer; the bot
// implements it. Called inside the offer's transaction, so it must not
// write to the database.
type WaitlistNotices interface {
	Offer(ctx context.Context, o booking.Offer) ([]line.Message, error)
}

// Waitlist is the Postgres booking.WaitlistStore.
//
// Lock order, the same as booking's: the day's row in facility_days, then
// the mother's row (booking an offer), then waitlist entries. Leaving,
// declining and expiring touch entries only.
type Waitlist struct {
	pool    *pgxpool.Pool
	outbox  *Outbox
	notices WaitlistNotices
}

var _ booking.WaitlistStore = (*Waitlist)(nil)

// NewWaitlist makes the store; an offer's push goes into outbox in the
// offer's transaction, worded by notices.
func NewWaitlist(pool *pgxpool.Pool, outbox *Outbox, notices WaitlistNotices) *Waitlist {
	return &Waitlist{pool: pool, outbox: outbox, notices: notices}
}

const waitlistColumns = `w.id, w.facility_id, w.mother_id, w.day, w.status, w.created_at,
	w.offered_at, w.offer_expires_at, w.booking_id`

func scanEntry(row pgx.Row, extra ...any) (*booking.WaitlistEntry, error) {
	var (
		e   booking.WaitlistEntry
		day pgtype.Date
	)
	dest := append([]any{&e.ID, &e.FacilityID, &e.MotherID, &day, &e.Status, &e.CreatedAt,
		&e.OfferedAt, &e.OfferExpiresAt, &e.BookingID}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	e.Day = dateOf(day)
	return &e, nil
}

func collectEntries(rows pgx.Rows) ([]booking.WaitlistEntry, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.WaitlistEntry, error) {
		e, err := scanEntry(row)
		if err != nil {
			return booking.WaitlistEntry{}, err
		}
		return *e, nil
	})
}

func (w *Waitlist) Join(ctx context.Context, facilityID, motherID int64, day booking.Date, at time.Time) (*booking.WaitlistEntry, error) {
	e, err := scanEntry(w.pool.QueryRow(ctx, `
		INSERT INTO waitlist_entries AS w (facility_id, mother_id, day, created_at)
		VALUES ($1, $2, $3, $4)
		RETURNING `+waitlistColumns, facilityID, motherID, pgDate(day), at))
	if constraint, ok := constraintViolated(err, codeUniqueViolation); ok && constraint == "waitlist_one_live_per_mother_day" {
		err = booking.ErrAlreadyWaiting
	} else if _, ok := constraintViolated(err, codeForeignKeyViolation); ok {
		err = booking.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("join the waitlist of %v: %w", day, err)
	}
	return e, nil
}

func (w *Waitlist) Entry(ctx context.Context, facilityID, id int64) (*booking.WaitlistEntry, error) {
	e, err := scanEntry(w.pool.QueryRow(ctx, `
		SELECT `+waitlistColumns+` FROM waitlist_entries w
		WHERE w.facility_id = $1 AND w.id = $2`, facilityID, id))
	if err != nil {
		return nil, fmt.Errorf("find waitlist entry %d: %w", id, notFound(err))
	}
	return e, nil
}

// Her entries are looked up with her facility, which her id gives, so the
// query walks the unique index from its first column.
func (w *Waitlist) Waiting(ctx context.Context, motherID int64, from booking.Date) ([]booking.WaitlistEntry, error) {
	rows, err := w.pool.Query(ctx, `
		SELECT `+waitlistColumns+` FROM waitlist_entries w
		WHERE w.facility_id = (SELECT facility_id FROM mothers WHERE id = $1)
		  AND w.mother_id = $1 AND w.day >= $2 AND w.status IN ('waiting', 'offered')
		ORDER BY w.day`, motherID, pgDate(from))
	if err != nil {
		return nil, fmt.Errorf("list waits of mother %d: %w", motherID, err)
	}
	entries, err := collectEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("list waits of mother %d: %w", motherID, err)
	}
	return entries, nil
}

func (w *Waitlist) DayQueue(ctx context.Context, facilityID int64, day booking.Date) ([]booking.WaitlistEntry, error) {
	rows, err := w.pool.Query(ctx, `
		SELECT `+waitlistColumns+` FROM waitlist_entries w
		WHERE w.facility_id = $1 AND w.day = $2 AND w.status IN ('waiting', 'offered')
		ORDER BY w.id`, facilityID, pgDate(day))
	if err != nil {
		return nil, fmt.Errorf("list the waitlist of %v: %w", day, err)
	}
	entries, err := collectEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("list the waitlist of %v: %w", day, err)
	}
	return entries, nil
}

func (w *Waitlist) Finish(ctx context.Context, facilityID, id int64, status booking.WaitStatus, at time.Time) (*booking.WaitlistEntry, error) {
	if status.Live() || status == booking.WaitBooked {
		return nil, fmt.Errorf("finish waitlist entry %d as %s: not a final status", id, status)
	}
	e, err := scanEntry(w.pool.QueryRow(ctx, `
		UPDATE waitlist_entries w SET status = $3, finished_at = $4
		WHERE w.facility_id = $1 AND w.id = $2 AND w.status IN ('waiting', 'offered')
		RETURNING `+waitlistColumns, facilityID, id, string(status), at))
	if errors.Is(err, pgx.ErrNoRows) {
		return w.Entry(ctx, facilityID, id)
	}
	if err != nil {
		return nil, fmt.Errorf("finish waitlist entry %d: %w", id, err)
	}
	return e, nil
}

func (w *Waitlist) ExpireOffers(ctx context.Context, facilityID int64, at time.Time) (int, error) {
	tag, err := w.pool.Exec(ctx, `
		UPDATE waitlist_entries SET status = 'expired', finished_at = $2
		WHERE facility_id = $1 AND status = 'offered' AND offer_expires_at <= $2`, facilityID, at)
	if err != nil {
		return 0, fmt.Errorf("expire offers: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// DaysToOffer reads only days that have a queue, so it costs what is
// waiting, not the bookings of the whole window.
func (w *Waitlist) DaysToOffer(ctx context.Context, facilityID int64, from booking.Date) ([]booking.Date, error) {
	rows, err := w.pool.Query(ctx, `
		WITH queues AS (
		    SELECT day, count(*) FILTER (WHERE status = 'offered') AS offered
		    FROM waitlist_entries
		    WHERE facility_id = $1 AND day >= $2 AND status IN ('waiting', 'offered')
		    GROUP BY day
		    HAVING count(*) FILTER (WHERE status = 'waiting') > 0
		)
		SELECT q.day
		FROM queues q
		JOIN facilities f ON f.id = $1
		LEFT JOIN facility_days fd ON fd.facility_id = $1 AND fd.day = q.day
		WHERE NOT coalesce(fd.closed, false)
		  AND coalesce(fd.capacity, f.daily_capacity) > q.offered +
		      (SELECT count(*) FROM bookings b
		       WHERE b.facility_id = $1 AND b.day = q.day AND b.status = 'active')
		ORDER BY q.day`, facilityID, pgDate(from))
	if err != nil {
		return nil, fmt.Errorf("find days to offer: %w", err)
	}
	days, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.Date, error) {
		var d pgtype.Date
		err := row.Scan(&d)
		return dateOf(d), err
	})
	if err != nil {
		return nil, fmt.Errorf("find days to offer: %w", err)
	}
	return days, nil
}

func (w *Waitlist) OfferNext(ctx context.Context, facilityID int64, day booking.Date, terms booking.OfferTerms,
	may func(booking.WaitCandidate) bool) (*booking.Offer, error) {
	at, expires := terms.At, terms.ExpiresAt
	var offer *booking.Offer
	err := pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		offer = nil
		if err := lockDay(ctx, tx, facilityID, day); err != nil {
			return err
		}
		var closed bool
		var capacity, booked, offered int
		err := tx.QueryRow(ctx, `
			SELECT fd.closed, coalesce(fd.capacity, f.daily_capacity),
			       (SELECT count(*) FROM bookings b
			        WHERE b.facility_id = fd.facility_id AND b.day = fd.day AND b.status = 'active'),
			       (SELECT count(*) FROM waitlist_entries e
			        WHERE e.facility_id = fd.facility_id AND e.day = fd.day AND e.status = 'offered')
			FROM facility_days fd JOIN facilities f ON f.id = fd.facility_id
			WHERE fd.facility_id = $1 AND fd.day = $2`, facilityID, pgDate(day)).Scan(&closed, &capacity, &booked, &offered)
		if err != nil {
			return fmt.Errorf("count free places: %w", err)
		}
		// Each open offer stands for one freed place: a second place is
		// offered to the next mother at once, never the same place twice.
		if closed || booked+offered >= capacity {
			return nil
		}
		for {
			var (
				c          booking.WaitCandidate
				lineUserID string
				birthday   pgtype.Date
			)
			e, err := scanEntry(tx.QueryRow(ctx, `
				SELECT `+waitlistColumns+`, m.line_user_id, m.ward_resident, m.baby_birthday, m.following,
				       (SELECT count(*) FROM bookings b
				        WHERE b.facility_id = w.facility_id AND b.mother_id = w.mother_id AND b.status = 'active'),
				       EXISTS (SELECT 1 FROM bookings b
				        WHERE b.facility_id = w.facility_id AND b.mother_id = w.mother_id
				          AND b.day = w.day AND b.status = 'active'),
				       (SELECT count(*) FROM bookings b
				        WHERE b.facility_id = w.facility_id AND b.mother_id = w.mother_id
				          AND b.status = 'active' AND b.day >= $3)
				FROM waitlist_entries w
				JOIN mothers m ON m.id = w.mother_id
				WHERE w.facility_id = $1 AND w.day = $2 AND w.status = 'waiting'
				ORDER BY w.id
				LIMIT 1
				FOR UPDATE OF w`, facilityID, pgDate(day), pgDate(booking.DateOf(at))),
				&lineUserID, &c.WardResident, &birthday, &c.Following, &c.ActiveBookings, &c.BookedThatDay, &c.UpcomingBookings)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("find the next waiting mother: %w", err)
			}
			c.Entry, c.BabyBirthday = *e, datePtrOf(birthday)
			if !may(c) {
				if _, err := tx.Exec(ctx, `
					UPDATE waitlist_entries SET status = 'dropped', finished_at = $2 WHERE id = $1`, e.ID, at); err != nil {
					return fmt.Errorf("drop waitlist entry %d: %w", e.ID, err)
				}
				continue
			}
			e, err = scanEntry(tx.QueryRow(ctx, `
				UPDATE waitlist_entries w SET status = 'offered', offered_at = $2, offer_expires_at = $3
				WHERE w.id = $1
				RETURNING `+waitlistColumns, e.ID, at, expires))
			if err != nil {
				return fmt.Errorf("offer to waitlist entry %d: %w", c.Entry.ID, err)
			}
			o := &booking.Offer{Entry: *e, LineUserID: lineUserID, ExpiresAt: expires, Paused: terms.Paused}
			msgs, err := w.notices.Offer(ctx, *o)
			if err != nil {
				return fmt.Errorf("word the offer to waitlist entry %d: %w", e.ID, err)
			}
			// An offer's push after its deadline would only say it has
			// passed: it expires with the offer.
			if _, err := w.outbox.Enqueue(ctx, tx, outbox.Push{
				FacilityID: facilityID, LineUserID: lineUserID, Kind: outbox.KindWaitlistOffer,
				DedupeKey: "waitlist_offer/" + strconv.FormatInt(e.ID, 10), Messages: msgs,
				NotBefore: at, Expires: expires,
			}); err != nil {
				return err
			}
			offer = o
			return nil
		}
	})
	if err != nil {
		return nil, fmt.Errorf("offer a place on %v: %w", day, err)
	}
	return offer, nil
}

// Accept books as Store.Book does, inside the same transaction that marks
// the entry booked: the booking exists exactly when the offer is taken.
func (w *Waitlist) Accept(ctx context.Context, entryID int64, nb booking.NewBooking, at time.Time) (*booking.Booking, error) {
	var b *booking.Booking
	err := pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		var err error
		if b, err = book(ctx, tx, nb); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			UPDATE waitlist_entries SET status = 'booked', booking_id = $3, finished_at = $4
			WHERE id = $1 AND mother_id = $2 AND status = 'offered' AND offer_expires_at > $4`,
			entryID, nb.MotherID, b.ID, at)
		if err != nil {
			return fmt.Errorf("mark waitlist entry %d booked: %w", entryID, err)
		}
		if tag.RowsAffected() == 0 {
			return whyNotOffered(ctx, tx, entryID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("accept offer %d: %w", entryID, err)
	}
	return b, nil
}

// whyNotOffered says why an entry could not be booked.
func whyNotOffered(ctx context.Context, db DBTX, entryID int64) error {
	var status booking.WaitStatus
	err := db.QueryRow(ctx, `SELECT status FROM waitlist_entries WHERE id = $1`, entryID).Scan(&status)
	switch {
	case err != nil:
		return notFound(err)
	case status == booking.WaitBooked:
		return booking.ErrAlreadyBooked
	case status == booking.WaitExpired, status == booking.WaitOffered:
		// Offered still, but past its deadline: the runner has not yet
		// caught up with it.
		return booking.ErrOfferExpired
	default:
		return booking.ErrOfferEnded
	}
}

func (w *Waitlist) Requeue(ctx context.Context, facilityID, id int64) error {
	_, err := w.pool.Exec(ctx, `
		UPDATE waitlist_entries SET status = 'waiting', offered_at = NULL, offer_expires_at = NULL
		WHERE facility_id = $1 AND id = $2 AND status = 'offered'`, facilityID, id)
	if err != nil {
		return fmt.Errorf("requeue waitlist entry %d: %w", id, err)
	}
	return nil
}
