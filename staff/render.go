package staff

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"mamasroom/booking"
	"mamasroom/words"
)

// parsePages parses every page with the layout, once, at start: a broken
// template stops the program before it serves.
func parsePages(now func() time.Time) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"longDate":  words.LongDate,
		"shortDate": words.ButtonDate,
		"at":        at,
		"since":     func(t time.Time) string { return sinceLabel(now(), t) },
		"action":    func(a Action) string { return actionLabels[a] },
		"target":    auditTarget,
		"closed":    closedLabel,
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("staff console: parse %s: %w", name, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// at writes a moment in Tokyo as staff read it: 12/3(木) 9:05.
func at(t time.Time) string {
	t = t.In(booking.Tokyo)
	return fmt.Sprintf("%s %d:%02d", words.ButtonDate(booking.DateOf(t)), t.Hour(), t.Minute())
}

// auditTarget writes what an entry acted on.
func auditTarget(e AuditEntry) string {
	switch e.Action {
	case ActionAnswer:
		return "相談 #" + e.Target
	case ActionCloseDay, ActionOpenDay, ActionDayCapacity:
		if d, err := booking.ParseDate(e.Target); err == nil {
			return words.LongDate(d)
		}
	case ActionDayOptionCapacity:
		day, options, _ := strings.Cut(e.Target, ":")
		if d, err := booking.ParseDate(day); err == nil {
			return words.LongDate(d) + "(" + strings.ReplaceAll(options, ",", "、") + ")"
		}
	case ActionSettings:
		var names []string
		for _, n := range strings.Split(e.Target, ",") {
			switch {
			case settingLabels[n] != "":
				names = append(names, settingLabels[n])
			case strings.HasPrefix(n, "option_capacity:"):
				names = append(names, "オプションの定員("+strings.TrimPrefix(n, "option_capacity:")+")")
			case n != "":
				names = append(names, n)
			}
		}
		return strings.Join(names, "、")
	}
	return e.Target
}

// closedLabel says why a day is closed.
func closedLabel(r booking.ClosedReason, holiday string) string {
	switch r {
	case booking.ClosedWeekday:
		return "定休日"
	case booking.ClosedHoliday:
		if holiday != "" {
			return "祝日(" + holiday + ")"
		}
		return "祝日"
	case booking.ClosedYearEnd:
		return "年末年始"
	case booking.ClosedByStaff:
		return "休室"
	}
	return ""
}
