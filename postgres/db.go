package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
)

// DBTX is what a query needs, so the same query runs on the pool or inside a
// transaction.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	_ DBTX = (*pgxpool.Pool)(nil)
	_ DBTX = pgx.Tx(nil)
)

// Store is the Postgres booking.Store.
type Store struct {
	pool *pgxpool.Pool
}

var _ booking.Store = (*Store)(nil)

func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Postgres error codes this package reacts to.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// constraintViolated reports whether err is a violation of the given kind,
// and of which constraint.
func constraintViolated(err error, code string) (constraint string, ok bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == code {
		return pgErr.ConstraintName, true
	}
	return "", false
}

// notFound turns pgx.ErrNoRows into booking.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return booking.ErrNotFound
	}
	return err
}

// pgDate is d as a Postgres date. The time is built from d's fields at UTC
// midnight, so no zone can move it to a neighbouring day.
func pgDate(d booking.Date) pgtype.Date {
	return pgtype.Date{Time: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), Valid: true}
}

// dateOf reads a Postgres date. pgx returns it at UTC midnight; its fields are
// taken as they are, never converted through Tokyo.
func dateOf(d pgtype.Date) booking.Date {
	y, m, day := d.Time.Date()
	return booking.Date{Year: y, Month: m, Day: day}
}

func pgDatePtr(d *booking.Date) pgtype.Date {
	if d == nil {
		return pgtype.Date{}
	}
	return pgDate(*d)
}

func datePtrOf(d pgtype.Date) *booking.Date {
	if !d.Valid {
		return nil
	}
	v := dateOf(d)
	return &v
}
