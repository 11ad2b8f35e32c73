package staff

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"mamasroom/booking"
	"mamasroom/consult"
	"mamasroom/quota"
)

// The queue and the answer page. Two midwives never answer one question
// without knowing: every form carries the question's version as the page
// showed it, and consult.Service refuses a claim or an answer made on an
// older version (ErrConflict); the page then shows what changed and keeps
// what she wrote.

type queueView struct {
	Questions []queueItem
	Answered  string // the number of the question just answered, if any
	// Quota is LINE's month as last read, for the banners: 80% used, or
	// spent (then only reminders are sent).
	Quota quota.State
}

type queueItem struct {
	consult.Question
	Preview   string
	ClaimedBy string // login of the staff member answering it
	Mine      bool   // claimed by the viewer
}

// previewRunes is how much of a question the queue shows.
const previewRunes = 80

func preview(s string) string {
	if utf8.RuneCountInString(s) <= previewRunes {
		return s
	}
	r := []rune(s)
	return string(r[:previewRunes]) + "…"
}

func (c *Console) queue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := c.cfg.Facility(ctx)
	if err != nil {
		return err
	}
	qs, err := c.cfg.Consult.Queue(ctx, f.ID)
	if err != nil {
		return err
	}
	logins, err := c.cfg.Store.Logins(ctx, f.ID)
	if err != nil {
		return err
	}
	sess := sessionFrom(ctx)
	v := queueView{}
	if c.cfg.Quota != nil {
		v.Quota = c.cfg.Quota.State()
	}
	if n, err := strconv.ParseInt(r.URL.Query().Get("answered"), 10, 64); err == nil && n > 0 {
		v.Answered = strconv.FormatInt(n, 10)
	}
	for _, q := range qs {
		item := queueItem{Question: q, Preview: preview(q.Text())}
		if q.ClaimedBy != nil {
			item.ClaimedBy = logins[*q.ClaimedBy]
			item.Mine = *q.ClaimedBy == sess.AccountID
		}
		v.Questions = append(v.Questions, item)
	}
	return c.render(w, r, "queue", v)
}

type questionView struct {
	Q          *consult.Question
	Today      booking.Date
	AgeWeeks   int
	AgeKnown   bool
	ClaimedBy  string
	Mine       bool
	AnsweredBy string
	History    []historyItem
	CSRF       string
	// Draft is the answer she wrote, kept when it could not be sent.
	Draft string
	// Problem says why the last POST failed: "changed", "answered",
	// "empty", "long".
	Problem   string
	MaxAnswer int
}

type historyItem struct {
	consult.Question
	AnsweredBy string
}

func questionID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, statusErrorf(http.StatusNotFound, "bad question id")
	}
	return id, nil
}

func (c *Console) question(w http.ResponseWriter, r *http.Request) error {
	id, err := questionID(r)
	if err != nil {
		return err
	}
	return c.showQuestion(w, r, id, http.StatusOK, "", "")
}

// showQuestion renders the answer page as the question stands now.
func (c *Console) showQuestion(w http.ResponseWriter, r *http.Request, id int64, status int, problem, draft string) error {
	ctx := r.Context()
	f, err := c.cfg.Facility(ctx)
	if err != nil {
		return err
	}
	q, err := c.cfg.Consult.Question(ctx, id)
	if err != nil {
		return err
	}
	if q.FacilityID != f.ID || q.Status == consult.StatusDraft {
		return statusErrorf(http.StatusNotFound, "question %d is not in this facility's queue", id)
	}
	history, err := c.cfg.Consult.History(ctx, q.MotherID)
	if err != nil {
		return err
	}
	logins, err := c.cfg.Store.Logins(ctx, f.ID)
	if err != nil {
		return err
	}
	sess := sessionFrom(ctx)
	v := questionView{
		Q:         q,
		Today:     booking.DateOf(c.now()),
		CSRF:      sess.CSRFToken,
		Draft:     draft,
		Problem:   problem,
		MaxAnswer: consult.MaxAnswerRunes,
	}
	if q.Mother != nil {
		v.AgeWeeks, v.AgeKnown = q.Mother.BabyAgeWeeks(v.Today)
	}
	if q.ClaimedBy != nil {
		v.ClaimedBy, v.Mine = logins[*q.ClaimedBy], *q.ClaimedBy == sess.AccountID
	}
	if q.Answer != nil {
		v.AnsweredBy = logins[q.Answer.StaffID]
	}
	for _, h := range history {
		if h.ID == q.ID {
			continue
		}
		item := historyItem{Question: h}
		if h.Answer != nil {
			item.AnsweredBy = logins[h.Answer.StaffID]
		}
		v.History = append(v.History, item)
	}
	return c.renderStatus(w, r, status, "question", v)
}

func (c *Console) photo(w http.ResponseWriter, r *http.Request) error {
	id, err := questionID(r)
	if err != nil {
		return err
	}
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil || seq <= 0 {
		return statusErrorf(http.StatusNotFound, "bad photo number")
	}
	ctx := r.Context()
	f, err := c.cfg.Facility(ctx)
	if err != nil {
		return err
	}
	q, err := c.cfg.Consult.Question(ctx, id)
	if err != nil {
		return err
	}
	if q.FacilityID != f.ID {
		return statusErrorf(http.StatusNotFound, "question %d is not this facility's", id)
	}
	data, mediaType, err := c.cfg.Consult.Photo(ctx, id, seq)
	if err != nil {
		return err
	}
	switch mediaType {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
	default:
		return statusErrorf(http.StatusNotFound, "photo of a type not shown")
	}
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Content-Disposition", "inline")
	_, err = w.Write(data)
	return err
}

func formVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || v < 0 {
		return 0, statusErrorf(http.StatusBadRequest, "bad version")
	}
	return v, nil
}

// claim marks the question as hers (or, with release=1, as no one's).
func (c *Console) claim(w http.ResponseWriter, r *http.Request) error {
	id, version, err := c.questionForm(r)
	if err != nil {
		return err
	}
	sess := sessionFrom(r.Context())
	if r.PostFormValue("release") == "1" {
		_, err = c.cfg.Consult.Release(r.Context(), id, version)
	} else {
		_, err = c.cfg.Consult.Claim(r.Context(), id, sess.AccountID, version)
	}
	switch {
	case errors.Is(err, consult.ErrAlreadyAnswered):
		return c.showQuestion(w, r, id, http.StatusConflict, "answered", "")
	case errors.Is(err, consult.ErrConflict):
		return c.showQuestion(w, r, id, http.StatusConflict, "changed", "")
	case err != nil:
		return err
	}
	http.Redirect(w, r, questionPath(id), http.StatusSeeOther)
	return nil
}

func questionPath(id int64) string {
	return "/staff/questions/" + strconv.FormatInt(id, 10)
}

// questionForm reads a form about one question of this facility: its id
// from the path and the version the midwife saw.
func (c *Console) questionForm(r *http.Request) (id int64, version int, err error) {
	if id, err = questionID(r); err != nil {
		return 0, 0, err
	}
	if version, err = formVersion(r); err != nil {
		return 0, 0, err
	}
	return id, version, c.ownQuestion(r, id)
}

// ownQuestion refuses a question of another facility as not found.
func (c *Console) ownQuestion(r *http.Request, id int64) error {
	f, err := c.cfg.Facility(r.Context())
	if err != nil {
		return err
	}
	q, err := c.cfg.Consult.Question(r.Context(), id)
	if err != nil {
		return err
	}
	if q.FacilityID != f.ID {
		return statusErrorf(http.StatusNotFound, "question %d is not this facility's", id)
	}
	return nil
}

func (c *Console) answer(w http.ResponseWriter, r *http.Request) error {
	id, version, err := c.questionForm(r)
	if err != nil {
		return err
	}
	body := r.PostFormValue("body")
	ctx := r.Context()
	sess := sessionFrom(ctx)
	_, err = c.cfg.Consult.Answer(ctx, id, sess.AccountID, body, version)
	switch {
	case errors.Is(err, consult.ErrAlreadyAnswered):
		return c.showQuestion(w, r, id, http.StatusConflict, "answered", body)
	case errors.Is(err, consult.ErrConflict):
		return c.showQuestion(w, r, id, http.StatusConflict, "changed", body)
	case errors.Is(err, consult.ErrInvalid):
		problem := "empty"
		if utf8.RuneCountInString(body) > consult.MaxAnswerRunes {
			problem = "long"
		}
		return c.showQuestion(w, r, id, http.StatusUnprocessableEntity, problem, body)
	case err != nil:
		return err
	}
	f, err := c.cfg.Facility(ctx)
	if err != nil {
		return err
	}
	if err := c.cfg.Store.Audit(ctx, f.ID, sess.AccountID, ActionAnswer, strconv.FormatInt(id, 10), c.now()); err != nil {
		return err
	}
	c.cfg.Log.InfoContext(ctx, "question answered", "question", id, "account", sess.AccountID)
	http.Redirect(w, r, "/staff/?answered="+url.QueryEscape(strconv.FormatInt(id, 10)), http.StatusSeeOther)
	return nil
}

// sinceLabel writes how long ago t was, for the queue: 5分前, 3時間前, 2日前.
func sinceLabel(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "たった今"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "分前"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "時間前"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "日前"
}
