package staff

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mamasroom/booking"
	"mamasroom/consult"
)

// The facility's settings that staff own. The bot reads the facility and
// its answer hours at every event, so a change applies to the next message.

type settingsView struct {
	CSRF string
	// The form's values: as saved, or as typed when refused.
	AnswerFrom, AnswerUntil string
	CancelDaysBefore        string
	CancelAt                string
	MaxVisits               string
	UpcomingPerMother       string
	UnfollowedRetention     string
	QuestionRetention       string
	DailyCapacity           string
	Options                 []optionSetting
	// Problems names the fields that were refused.
	Problems map[string]bool
	Saved    bool
}

type optionSetting struct {
	Option   booking.Option
	Label    string
	Capacity string
}

func (c *Console) settings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := c.cfg.Facility(ctx)
	if err != nil {
		return err
	}
	hours, err := c.cfg.Consult.AnswerHours(ctx, f.ID)
	if err != nil {
		return err
	}
	v := settingsView{
		CSRF:                sessionFrom(ctx).CSRFToken,
		AnswerFrom:          hhmm(hours.From),
		AnswerUntil:         hhmm(hours.Until),
		CancelDaysBefore:    strconv.Itoa(f.CancelDaysBefore),
		CancelAt:            fmt.Sprintf("%02d:%02d", f.CancelHour, f.CancelMinute),
		MaxVisits:           strconv.Itoa(f.MaxVisitsPerMother),
		UpcomingPerMother:   strconv.Itoa(f.MaxUpcomingPerMother),
		UnfollowedRetention: strconv.Itoa(days(f.UnfollowedRetention)),
		QuestionRetention:   strconv.Itoa(days(f.QuestionRetention)),
		DailyCapacity:       strconv.Itoa(f.DailyCapacity),
		Saved:               r.URL.Query().Get("saved") == "1",
	}
	for _, o := range f.Options {
		v.Options = append(v.Options, optionSetting{Option: o.Option, Label: o.Label, Capacity: strconv.Itoa(o.DailyCapacity)})
	}
	return c.render(w, r, "settings", v)
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

func hhmm(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// maxCancelDaysBefore and maxVisits bound what may be typed.
const (
	maxCancelDaysBefore = 14
	maxVisits           = 30
	// The schema's bounds (migration 011).
	maxUpcomingPerMother = 30
	minUnfollowedDays    = 1
	maxUnfollowedDays    = 365
	minQuestionDays      = 30
	maxQuestionDays      = 3650
)

func (c *Console) saveSettings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := c.cfg.Facility(ctx)
	if err != nil {
		return err
	}
	oldHours, err := c.cfg.Consult.AnswerHours(ctx, f.ID)
	if err != nil {
		return err
	}
	form := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	v := settingsView{
		CSRF:                sessionFrom(ctx).CSRFToken,
		AnswerFrom:          form("answer_from"),
		AnswerUntil:         form("answer_until"),
		CancelDaysBefore:    form("cancel_days_before"),
		CancelAt:            form("cancel_at"),
		MaxVisits:           form("max_visits"),
		UpcomingPerMother:   form("upcoming_per_mother"),
		UnfollowedRetention: form("unfollowed_retention_days"),
		QuestionRetention:   form("question_retention_days"),
		DailyCapacity:       form("daily_capacity"),
		Problems:            map[string]bool{},
	}
	between := func(name, s string, least, most int) int {
		n, err := strconv.Atoi(s)
		if err != nil || n < least || n > most {
			v.Problems[name] = true
		}
		return n
	}
	number := func(name, s string, limit int) int { return between(name, s, 0, limit) }
	set := Settings{
		DailyCapacity:        number("daily_capacity", v.DailyCapacity, maxCapacity),
		CancelDaysBefore:     number("cancel_days_before", v.CancelDaysBefore, maxCancelDaysBefore),
		MaxVisitsPerMother:   number("max_visits", v.MaxVisits, maxVisits),
		MaxUpcomingPerMother: number("upcoming_per_mother", v.UpcomingPerMother, maxUpcomingPerMother),
		UnfollowedRetentionDays: between("unfollowed_retention_days", v.UnfollowedRetention,
			minUnfollowedDays, maxUnfollowedDays),
		QuestionRetentionDays: between("question_retention_days", v.QuestionRetention,
			minQuestionDays, maxQuestionDays),
		OptionCapacities: map[booking.Option]int{},
	}
	if t, err := time.Parse("15:04", v.CancelAt); err != nil {
		v.Problems["cancel_at"] = true
	} else {
		set.CancelHour, set.CancelMinute = t.Hour(), t.Minute()
	}
	hours, err := consult.ParseAnswerHours(v.AnswerFrom, v.AnswerUntil)
	if err != nil {
		v.Problems["answer_hours"] = true
	}
	for _, o := range f.Options {
		s := form("option_" + string(o.Option))
		v.Options = append(v.Options, optionSetting{Option: o.Option, Label: o.Label, Capacity: s})
		set.OptionCapacities[o.Option] = number("option_"+string(o.Option), s, maxCapacity)
	}
	if len(v.Problems) > 0 {
		return c.renderStatus(w, r, http.StatusUnprocessableEntity, "settings", v)
	}

	// What changed, by name, for the audit log.
	var changed []string
	note := func(name string, differs bool) {
		if differs {
			changed = append(changed, name)
		}
	}
	note("answer_hours", hours != oldHours)
	note("cancel_deadline", set.CancelDaysBefore != f.CancelDaysBefore || set.CancelHour != f.CancelHour || set.CancelMinute != f.CancelMinute)
	note("max_visits", set.MaxVisitsPerMother != f.MaxVisitsPerMother)
	note("upcoming_per_mother", set.MaxUpcomingPerMother != f.MaxUpcomingPerMother)
	note("unfollowed_retention_days", set.UnfollowedRetentionDays != days(f.UnfollowedRetention))
	note("question_retention_days", set.QuestionRetentionDays != days(f.QuestionRetention))
	note("daily_capacity", set.DailyCapacity != f.DailyCapacity)
	for _, o := range f.Options {
		note("option_capacity:"+string(o.Option), set.OptionCapacities[o.Option] != o.DailyCapacity)
	}
	if len(changed) > 0 {
		if hours != oldHours {
			if err := c.cfg.Consult.SetAnswerHours(ctx, f.ID, hours); err != nil {
				return err
			}
		}
		if err := c.cfg.Store.SaveSettings(ctx, f.ID, sessionFrom(ctx).AccountID, set, changed, c.now()); err != nil {
			return err
		}
	}
	http.Redirect(w, r, "/staff/settings?saved=1", http.StatusSeeOther)
	return nil
}
