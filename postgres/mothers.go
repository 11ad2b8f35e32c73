package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"mamasroom/booking"
)

const motherColumns = `id, facility_id, line_user_id, ward_resident, baby_birthday, consented_at, following`

func scanMother(row pgx.Row) (*booking.Mother, error) {
	var (
		m        booking.Mother
		birthday pgtype.Date
	)
	if err := row.Scan(&m.ID, &m.FacilityID, &m.LineUserID, &m.WardResident, &birthday, &m.ConsentedAt, &m.Following); err != nil {
		return nil, err
	}
	m.BabyBirthday = datePtrOf(birthday)
	return &m, nil
}

func (s *Store) EnsureMother(ctx context.Context, facilityID int64, lineUserID string) (*booking.Mother, error) {
	// DO NOTHING leaves an existing row untouched (no update, no row lock);
	// the SELECT then finds it.
	const insertQ = `
		INSERT INTO mothers (facility_id, line_user_id)
		VALUES ($1, $2)
		ON CONFLICT (facility_id, line_user_id) DO NOTHING
		RETURNING ` + motherColumns
	m, err := scanMother(s.pool.QueryRow(ctx, insertQ, facilityID, lineUserID))
	if errors.Is(err, pgx.ErrNoRows) {
		m, err = s.MotherByLineUser(ctx, facilityID, lineUserID)
	}
	if _, ok := constraintViolated(err, codeForeignKeyViolation); ok {
		err = booking.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("ensure mother in facility %d: %w", facilityID, err)
	}
	return m, nil
}

func (s *Store) MotherByLineUser(ctx context.Context, facilityID int64, lineUserID string) (*booking.Mother, error) {
	const q = `
		SELECT ` + motherColumns + `
		FROM mothers
		WHERE facility_id = $1 AND line_user_id = $2`
	m, err := scanMother(s.pool.QueryRow(ctx, q, facilityID, lineUserID))
	if err != nil {
		return nil, fmt.Errorf("find mother in facility %d: %w", facilityID, notFound(err))
	}
	return m, nil
}

func (s *Store) SaveEligibility(ctx context.Context, motherID int64, resident bool, birthday *booking.Date, consentedAt time.Time) error {
	const q = `
		UPDATE mothers
		SET ward_resident = $2, baby_birthday = $3, consented_at = $4, updated_at = now()
		WHERE id = $1`
	var consented *time.Time
	if !consentedAt.IsZero() {
		consented = &consentedAt
	}
	tag, err := s.pool.Exec(ctx, q, motherID, resident, pgDatePtr(birthday), consented)
	if err == nil && tag.RowsAffected() == 0 {
		err = booking.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("save eligibility of mother %d: %w", motherID, err)
	}
	return nil
}

// SetFollowing keeps when she unfollowed: her data is erased a retention
// period later (privacy.Retention) unless she follows again first.
func (s *Store) SetFollowing(ctx context.Context, motherID int64, following bool, at time.Time) error {
	const q = `
		UPDATE mothers
		SET following = $2, updated_at = now(),
		    unfollowed_at = CASE WHEN $2 THEN NULL ELSE coalesce(unfollowed_at, $3) END
		WHERE id = $1`
	tag, err := s.pool.Exec(ctx, q, motherID, following, at)
	if err == nil && tag.RowsAffected() == 0 {
		err = booking.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("set following of mother %d: %w", motherID, err)
	}
	return nil
}
