package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/consult"
	"mamasroom/line"
	"mamasroom/outbox"
)

// ConsultNotices writes the pushes that consultations send: the words
// come from package words through the bot, which implements it. Called
// inside the store's transaction, so they must not write to the database.
type ConsultNotices interface {
	// Acknowledgment tells her that a question was sent (by a pause) and
	// when a midwife will answer.
	Acknowledgment(ctx context.Context, q *consult.Question, hours consult.AnswerHours, at time.Time) ([]line.Message, error)
	// Answer brings her a midwife's answer (q.Answer).
	Answer(ctx context.Context, q *consult.Question) ([]line.Message, error)
}

// Consultations is the Postgres consult.Store.
//
// Lock order: a question's row, then (only for the outbox) nothing else;
// the mother's row is read, never locked. Her draft is changed by her own
// events, which the dispatcher runs one at a time, and by the pause that
// sends it, which skips a draft she is adding to (SKIP LOCKED) and is
// skipped by her (the draft is no longer a draft when she gets the lock,
// and her part starts a new one).
type Consultations struct {
	pool    *pgxpool.Pool
	outbox  *Outbox
	notices ConsultNotices
}

var _ consult.Store = (*Consultations)(nil)

// NewConsultations makes the store; pushes go into outbox in the
// transaction of their change, worded by notices.
func NewConsultations(pool *pgxpool.Pool, outbox *Outbox, notices ConsultNotices) *Consultations {
	return &Consultations{pool: pool, outbox: outbox, notices: notices}
}

// consultAckLife is how long the acknowledgment of a question sent by a
// pause stays worth sending: after a day's outage she has its answer or
// will soon.
const consultAckLife = 24 * time.Hour

func (c *Consultations) HealthConsentAt(ctx context.Context, motherID int64) (*time.Time, error) {
	var at *time.Time
	err := c.pool.QueryRow(ctx, `SELECT health_consent_at FROM mothers WHERE id = $1`, motherID).Scan(&at)
	if err != nil {
		return nil, fmt.Errorf("read health consent of mother %d: %w", motherID, consultNotFound(err))
	}
	return at, nil
}

func (c *Consultations) SetHealthConsent(ctx context.Context, motherID int64, at time.Time) error {
	tag, err := c.pool.Exec(ctx, `
		UPDATE mothers SET health_consent_at = coalesce(health_consent_at, $2), updated_at = now()
		WHERE id = $1`, motherID, at)
	if err == nil && tag.RowsAffected() == 0 {
		err = consult.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("record health consent of mother %d: %w", motherID, err)
	}
	return nil
}

const questionColumns = `q.id, q.facility_id, q.mother_id, m.line_user_id, q.topic, q.status, q.urgent, q.signs,
	q.created_at, q.last_part_at, q.submitted_at, q.answered_at, q.claimed_by, q.claimed_at, q.version`

const questionFrom = ` FROM questions q JOIN mothers m ON m.id = q.mother_id `

func scanQuestion(row pgx.Row) (*consult.Question, error) {
	var (
		q             consult.Question
		topic, status string
	)
	err := row.Scan(&q.ID, &q.FacilityID, &q.MotherID, &q.LineUserID, &topic, &status, &q.Urgent, &q.Signs,
		&q.CreatedAt, &q.LastPartAt, &q.SubmittedAt, &q.AnsweredAt, &q.ClaimedBy, &q.ClaimedAt, &q.Version)
	if err != nil {
		return nil, err
	}
	q.Topic, q.Status = consult.Topic(topic), consult.Status(status)
	return &q, nil
}

func collectQuestions(rows pgx.Rows) ([]consult.Question, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (consult.Question, error) {
		q, err := scanQuestion(row)
		if err != nil {
			return consult.Question{}, err
		}
		return *q, nil
	})
}

// AddPart adds her part to her draft in one transaction: her consent is
// checked in it, so nothing is stored without it.
func (c *Consultations) AddPart(ctx context.Context, p consult.NewPart) (q *consult.Question, added bool, err error) {
	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		q, added, err = addPart(ctx, tx, p)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("add part for mother %d: %w", p.MotherID, err)
	}
	return q, added, nil
}

func addPart(ctx context.Context, tx pgx.Tx, p consult.NewPart) (*consult.Question, bool, error) {
	var consented *time.Time
	err := tx.QueryRow(ctx, `SELECT health_consent_at FROM mothers WHERE id = $1 AND facility_id = $2`,
		p.MotherID, p.FacilityID).Scan(&consented)
	if err != nil {
		return nil, false, fmt.Errorf("read consent: %w", consultNotFound(err))
	}
	if consented == nil {
		return nil, false, consult.ErrNoConsent
	}

	// The same LINE message in any question of hers adds nothing.
	var seenIn int64
	err = tx.QueryRow(ctx, `
		SELECT q.id FROM question_parts p JOIN questions q ON q.id = p.question_id
		WHERE q.facility_id = $1 AND q.mother_id = $2 AND p.line_message_id = $3`,
		p.FacilityID, p.MotherID, p.LineMessageID).Scan(&seenIn)
	switch {
	case err == nil:
		q, err := loadQuestion(ctx, tx, seenIn)
		return q, false, err
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, false, fmt.Errorf("look for the part: %w", err)
	}

	q, err := lockDraft(ctx, tx, p.MotherID)
	if errors.Is(err, consult.ErrNotFound) {
		// ON CONFLICT: a draft made meanwhile (her other phone) is taken.
		_, err = tx.Exec(ctx, `
			INSERT INTO questions (facility_id, mother_id, topic, created_at, last_part_at)
			VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (mother_id) WHERE status = 'draft' DO NOTHING`,
			p.FacilityID, p.MotherID, string(p.Topic), p.ReceivedAt)
		if err != nil {
			return nil, false, fmt.Errorf("start draft: %w", err)
		}
		q, err = lockDraft(ctx, tx, p.MotherID)
	}
	if err != nil {
		return nil, false, err
	}

	var seq int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM question_parts WHERE question_id = $1`, q.ID).Scan(&seq); err != nil {
		return nil, false, fmt.Errorf("count parts: %w", err)
	}
	if seq >= consult.MaxParts {
		return nil, false, consult.ErrTooManyParts
	}
	var photo []byte
	if p.Kind == consult.PartPhoto {
		photo = p.Photo
	}
	signs := p.Signs
	if signs == nil {
		signs = []string{}
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO question_parts (question_id, seq, kind, body, line_message_id, photo, photo_type, signs, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		q.ID, seq+1, string(p.Kind), p.Text, p.LineMessageID, photo, p.PhotoType, signs, p.ReceivedAt)
	if err != nil {
		return nil, false, fmt.Errorf("insert part: %w", err)
	}
	merged := mergeSigns(q.Signs, p.Signs)
	_, err = tx.Exec(ctx, `
		UPDATE questions SET last_part_at = greatest(last_part_at, $2), signs = $3, urgent = urgent OR $4
		WHERE id = $1`, q.ID, p.ReceivedAt, merged, len(p.Signs) > 0)
	if err != nil {
		return nil, false, fmt.Errorf("update draft: %w", err)
	}
	q, err = loadQuestion(ctx, tx, q.ID)
	return q, true, err
}

// lockDraft locks her draft; consult.ErrNotFound when she has none.
func lockDraft(ctx context.Context, db DBTX, motherID int64) (*consult.Question, error) {
	q, err := scanQuestion(db.QueryRow(ctx, `
		SELECT `+questionColumns+questionFrom+`
		WHERE q.mother_id = $1 AND q.status = 'draft'
		FOR UPDATE OF q`, motherID))
	if err != nil {
		return nil, fmt.Errorf("lock draft: %w", consultNotFound(err))
	}
	return q, nil
}

func mergeSigns(have, add []string) []string {
	out := append([]string{}, have...)
	for _, s := range add {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (c *Consultations) Discard(ctx context.Context, motherID int64) error {
	_, err := c.pool.Exec(ctx, `DELETE FROM questions WHERE mother_id = $1 AND status = 'draft'`, motherID)
	if err != nil {
		return fmt.Errorf("discard draft of mother %d: %w", motherID, err)
	}
	return nil
}

func (c *Consultations) Submit(ctx context.Context, motherID int64, at time.Time) (*consult.Question, error) {
	var q *consult.Question
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		draft, err := lockDraft(ctx, tx, motherID)
		if err != nil {
			return err
		}
		q, err = submit(ctx, tx, draft.ID, at)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("submit draft of mother %d: %w", motherID, err)
	}
	return q, nil
}

// submit sends a locked draft: its parts are triaged together, and what
// is found joins what each part found.
func submit(ctx context.Context, tx pgx.Tx, id int64, at time.Time) (*consult.Question, error) {
	q, err := loadQuestion(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	signs := mergeSigns(q.Signs, consult.TriageParts(q.Parts).SignNames())
	_, err = tx.Exec(ctx, `
		UPDATE questions SET status = 'open', submitted_at = $2, signs = $3, urgent = urgent OR cardinality($3::text[]) > 0
		WHERE id = $1 AND status = 'draft'`, id, at, signs)
	if err != nil {
		return nil, fmt.Errorf("submit question %d: %w", id, err)
	}
	return loadQuestion(ctx, tx, id)
}

// SubmitIdle sends idle drafts one transaction each, so one that fails
// does not hold back the others' acknowledgments, and each
// acknowledgment exists exactly when its question was sent.
func (c *Consultations) SubmitIdle(ctx context.Context, facilityID int64, idleSince, at time.Time, limit int) ([]consult.Question, error) {
	var sent []consult.Question
	for range limit {
		var q *consult.Question
		err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
			var id int64
			err := tx.QueryRow(ctx, `
				SELECT id FROM questions
				WHERE facility_id = $1 AND status = 'draft' AND last_part_at < $2
				ORDER BY last_part_at
				LIMIT 1
				FOR UPDATE SKIP LOCKED`, facilityID, idleSince).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("find an idle draft: %w", err)
			}
			if q, err = submit(ctx, tx, id, at); err != nil {
				return err
			}
			hours, err := answerHours(ctx, tx, facilityID)
			if err != nil {
				return err
			}
			msgs, err := c.notices.Acknowledgment(ctx, q, hours, at)
			if err != nil {
				return fmt.Errorf("word the acknowledgment of question %d: %w", id, err)
			}
			_, err = c.outbox.Enqueue(ctx, tx, outbox.Push{
				FacilityID: facilityID, LineUserID: q.LineUserID, Kind: outbox.KindAnswer,
				DedupeKey: "consult_ack/" + strconv.FormatInt(id, 10), Messages: msgs,
				NotBefore: at, Expires: at.Add(consultAckLife),
			})
			return err
		})
		if err != nil {
			return sent, fmt.Errorf("submit idle drafts: %w", err)
		}
		if q == nil {
			break
		}
		sent = append(sent, *q)
	}
	return sent, nil
}

func (c *Consultations) Queue(ctx context.Context, facilityID int64, limit int) ([]consult.Question, error) {
	rows, err := c.pool.Query(ctx, `
		SELECT `+questionColumns+questionFrom+`
		WHERE q.facility_id = $1 AND q.status = 'open'
		ORDER BY q.urgent DESC, q.submitted_at, q.id
		LIMIT $2`, facilityID, limit)
	if err != nil {
		return nil, fmt.Errorf("list queue: %w", err)
	}
	qs, err := collectQuestions(rows)
	if err != nil {
		return nil, fmt.Errorf("list queue: %w", err)
	}
	if err := loadPartsAndAnswers(ctx, c.pool, qs); err != nil {
		return nil, fmt.Errorf("list queue: %w", err)
	}
	return qs, nil
}

func (c *Consultations) Question(ctx context.Context, id int64, today booking.Date) (*consult.Question, error) {
	q, err := loadQuestion(ctx, c.pool, id)
	if err != nil {
		return nil, err
	}
	var (
		birthday, next pgtype.Date
	)
	err = c.pool.QueryRow(ctx, `
		SELECT m.baby_birthday,
		       (SELECT min(b.day) FROM bookings b
		        WHERE b.facility_id = m.facility_id AND b.mother_id = m.id AND b.status = 'active' AND b.day >= $2)
		FROM mothers m WHERE m.id = $1`, q.MotherID, pgDate(today)).Scan(&birthday, &next)
	if err != nil {
		return nil, fmt.Errorf("load mother of question %d: %w", id, err)
	}
	q.Mother = &consult.MotherInfo{BabyBirthday: datePtrOf(birthday), NextVisit: datePtrOf(next)}
	return q, nil
}

// loadQuestion reads one question with its parts and answer.
func loadQuestion(ctx context.Context, db DBTX, id int64) (*consult.Question, error) {
	q, err := scanQuestion(db.QueryRow(ctx, `SELECT `+questionColumns+questionFrom+`WHERE q.id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("load question %d: %w", id, consultNotFound(err))
	}
	qs := []consult.Question{*q}
	if err := loadPartsAndAnswers(ctx, db, qs); err != nil {
		return nil, fmt.Errorf("load question %d: %w", id, err)
	}
	return &qs[0], nil
}

// loadPartsAndAnswers fills in the parts (without photo bytes) and the
// answers of qs, in two queries.
func loadPartsAndAnswers(ctx context.Context, db DBTX, qs []consult.Question) error {
	if len(qs) == 0 {
		return nil
	}
	ids := make([]int64, len(qs))
	at := make(map[int64]int, len(qs))
	for i, q := range qs {
		ids[i], at[q.ID] = q.ID, i
	}
	rows, err := db.Query(ctx, `
		SELECT question_id, seq, kind, body, photo_type, signs, received_at
		FROM question_parts WHERE question_id = ANY ($1)
		ORDER BY question_id, seq`, ids)
	if err != nil {
		return fmt.Errorf("load parts: %w", err)
	}
	var (
		qid  int64
		p    consult.Part
		kind string
	)
	_, err = pgx.ForEachRow(rows, []any{&qid, &p.Seq, &kind, &p.Text, &p.PhotoType, &p.Signs, &p.ReceivedAt}, func() error {
		p.Kind = consult.PartKind(kind)
		qs[at[qid]].Parts = append(qs[at[qid]].Parts, p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load parts: %w", err)
	}
	rows, err = db.Query(ctx, `
		SELECT question_id, staff_id, body, answered_at FROM answers WHERE question_id = ANY ($1)`, ids)
	if err != nil {
		return fmt.Errorf("load answers: %w", err)
	}
	var a consult.Answer
	_, err = pgx.ForEachRow(rows, []any{&a.QuestionID, &a.StaffID, &a.Body, &a.AnsweredAt}, func() error {
		answer := a
		qs[at[a.QuestionID]].Answer = &answer
		return nil
	})
	if err != nil {
		return fmt.Errorf("load answers: %w", err)
	}
	return nil
}

func (c *Consultations) History(ctx context.Context, motherID int64, limit int) ([]consult.Question, error) {
	rows, err := c.pool.Query(ctx, `
		SELECT `+questionColumns+questionFrom+`
		WHERE q.facility_id = (SELECT facility_id FROM mothers WHERE id = $1)
		  AND q.mother_id = $1 AND q.status <> 'draft'
		ORDER BY q.created_at DESC, q.id DESC
		LIMIT $2`, motherID, limit)
	if err != nil {
		return nil, fmt.Errorf("list questions of mother %d: %w", motherID, err)
	}
	qs, err := collectQuestions(rows)
	if err == nil {
		err = loadPartsAndAnswers(ctx, c.pool, qs)
	}
	if err != nil {
		return nil, fmt.Errorf("list questions of mother %d: %w", motherID, err)
	}
	return qs, nil
}

func (c *Consultations) Photo(ctx context.Context, questionID int64, seq int) ([]byte, string, error) {
	var (
		data []byte
		typ  string
	)
	err := c.pool.QueryRow(ctx, `
		SELECT photo, photo_type FROM question_parts
		WHERE question_id = $1 AND seq = $2 AND kind = 'photo'`, questionID, seq).Scan(&data, &typ)
	if err != nil {
		return nil, "", fmt.Errorf("read photo %d of question %d: %w", seq, questionID, consultNotFound(err))
	}
	return data, typ, nil
}

func (c *Consultations) Claim(ctx context.Context, questionID, staffID int64, expectedVersion int, at time.Time) (*consult.Question, error) {
	var claimedAt *time.Time
	var claimedBy *int64
	if staffID != 0 {
		claimedAt, claimedBy = &at, &staffID
	}
	tag, err := c.pool.Exec(ctx, `
		UPDATE questions SET claimed_by = $2, claimed_at = $3, version = version + 1
		WHERE id = $1 AND status = 'open' AND version = $4`,
		questionID, claimedBy, claimedAt, expectedVersion)
	if err == nil && tag.RowsAffected() == 0 {
		err = whyUnchanged(ctx, c.pool, questionID)
	}
	if err != nil {
		return nil, fmt.Errorf("claim question %d: %w", questionID, err)
	}
	return loadQuestion(ctx, c.pool, questionID)
}

// whyUnchanged tells, for a claim or answer that matched no row, whether
// the question is gone, answered, or changed since it was seen.
func whyUnchanged(ctx context.Context, db DBTX, id int64) error {
	var status string
	err := db.QueryRow(ctx, `SELECT status FROM questions WHERE id = $1`, id).Scan(&status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return consult.ErrNotFound
	case err != nil:
		return err
	case status == string(consult.StatusAnswered):
		return consult.ErrAlreadyAnswered
	case status == string(consult.StatusDraft):
		return consult.ErrNotFound // still hers: staff never see a draft
	default:
		return consult.ErrConflict
	}
}

// Answer locks the question, checks it is open at the version the midwife
// saw, and in the same transaction stores the answer, closes the question
// and enqueues the push that brings the answer to her. A second midwife
// waits for the first's lock and then finds it answered.
func (c *Consultations) Answer(ctx context.Context, a consult.NewAnswer) (*consult.Question, error) {
	var q *consult.Question
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		var (
			status  string
			version int
		)
		err := tx.QueryRow(ctx, `SELECT status, version FROM questions WHERE id = $1 FOR UPDATE`, a.QuestionID).Scan(&status, &version)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return consult.ErrNotFound
		case err != nil:
			return fmt.Errorf("lock question: %w", err)
		case status == string(consult.StatusAnswered):
			return consult.ErrAlreadyAnswered
		case status != string(consult.StatusOpen):
			return consult.ErrNotFound
		case version != a.ExpectedVersion:
			return consult.ErrConflict
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO answers (question_id, staff_id, body, answered_at) VALUES ($1, $2, $3, $4)`,
			a.QuestionID, a.StaffID, a.Body, a.AnsweredAt); err != nil {
			if _, unique := constraintViolated(err, codeUniqueViolation); unique {
				return consult.ErrAlreadyAnswered
			}
			return fmt.Errorf("insert answer: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE questions SET status = 'answered', answered_at = $2, version = version + 1
			WHERE id = $1`, a.QuestionID, a.AnsweredAt); err != nil {
			return fmt.Errorf("close question: %w", err)
		}
		if q, err = loadQuestion(ctx, tx, a.QuestionID); err != nil {
			return err
		}
		msgs, err := c.notices.Answer(ctx, q)
		if err != nil {
			return fmt.Errorf("word the answer: %w", err)
		}
		_, err = c.outbox.Enqueue(ctx, tx, outbox.Push{
			FacilityID: q.FacilityID, LineUserID: q.LineUserID, Kind: outbox.KindConsultAnswer,
			DedupeKey: "consult_answer/" + strconv.FormatInt(q.ID, 10), Messages: msgs, NotBefore: a.AnsweredAt,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("answer question %d: %w", a.QuestionID, err)
	}
	return q, nil
}

func (c *Consultations) AnswerHours(ctx context.Context, facilityID int64) (consult.AnswerHours, error) {
	return answerHours(ctx, c.pool, facilityID)
}

func answerHours(ctx context.Context, db DBTX, facilityID int64) (consult.AnswerHours, error) {
	var from, until pgtype.Time
	err := db.QueryRow(ctx, `SELECT answer_from, answer_until FROM facilities WHERE id = $1`, facilityID).Scan(&from, &until)
	if err != nil {
		return consult.AnswerHours{}, fmt.Errorf("read answer hours of facility %d: %w", facilityID, consultNotFound(err))
	}
	return consult.AnswerHours{
		From:  time.Duration(from.Microseconds) * time.Microsecond,
		Until: time.Duration(until.Microseconds) * time.Microsecond,
	}, nil
}

func (c *Consultations) SetAnswerHours(ctx context.Context, facilityID int64, h consult.AnswerHours) error {
	tag, err := c.pool.Exec(ctx, `UPDATE facilities SET answer_from = $2, answer_until = $3 WHERE id = $1`, facilityID,
		pgtype.Time{Microseconds: h.From.Microseconds(), Valid: true},
		pgtype.Time{Microseconds: h.Until.Microseconds(), Valid: true})
	if err == nil && tag.RowsAffected() == 0 {
		err = consult.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("set answer hours of facility %d: %w", facilityID, err)
	}
	return nil
}

// consultNotFound turns pgx.ErrNoRows into consult.ErrNotFound.
func consultNotFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return consult.ErrNotFound
	}
	return err
}
