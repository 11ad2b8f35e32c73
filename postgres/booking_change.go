package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"mamasroom/booking"
)

// Move books the new day and cancels the old booking in one transaction:
// either both are done or neither, so she never holds both days, nor none.
//
// Lock order, the same as Book's then Cancel's: the new day's row, her
// mother row, then the old booking's row and its outbox rows. The old day
// is not locked, as a cancel does not lock it: freeing a place needs no
// count. The move adds no use, so neither the ward's visit limit nor the
// limit of upcoming bookings is counted again.
func (s *Store) Move(ctx context.Context, mv booking.Move) (*booking.Booking, error) {
	if !mv.Day.Valid() {
		return nil, fmt.Errorf("move booking %s to %v: %w", mv.Number, mv.Day, booking.ErrInvalidDate)
	}
	var moved *booking.Booking
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		moved, err = book(ctx, tx, booking.NewBooking{
			FacilityID: mv.FacilityID,
			MotherID:   mv.MotherID,
			Day:        mv.Day,
			Options:    mv.Options,
			ConfirmKey: mv.ConfirmKey,
		})
		if err != nil {
			return err
		}
		return cancelMoved(ctx, tx, mv)
	})
	if err != nil {
		return nil, fmt.Errorf("move booking %s to %v: %w", mv.Number, mv.Day, err)
	}
	return moved, nil
}

// cancelMoved cancels the booking a move leaves and skips its reminder if
// it is still waiting, as Cancel does.
func cancelMoved(ctx context.Context, tx pgx.Tx, mv booking.Move) error {
	const cancelQ = `
		UPDATE bookings
		SET status = 'cancelled', cancelled_at = $4
		WHERE facility_id = $1 AND mother_id = $2 AND number = $3 AND status = 'active'
		RETURNING id`
	const skipReminderQ = `
		UPDATE outbox SET status = 'skipped', finished_at = $2, last_error = 'booking moved to another day'
		WHERE booking_id = $1 AND kind = 'reminder' AND status = 'pending'`
	var id int64
	err := tx.QueryRow(ctx, cancelQ, mv.FacilityID, mv.MotherID, mv.Number, mv.At).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return whyNotCancelled(ctx, tx, mv.MotherID, mv.Number)
	}
	if err != nil {
		return fmt.Errorf("cancel the booking left: %w", err)
	}
	if _, err := tx.Exec(ctx, skipReminderQ, id, mv.At); err != nil {
		return fmt.Errorf("skip the reminder of the booking left: %w", err)
	}
	return nil
}
