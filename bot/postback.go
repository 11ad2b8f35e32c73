package bot

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
)

// Postback is what a postback button sends back: the step it answers, the
// session version it was made for (a tap on an older answer's button is
// recognised as stale), and her choice. It is built and read only here.
type Postback struct {
	Step    string
	Version int64
	// Choice is what she picked: yes or no, a day (YYYY-MM-DD), an
	// option, a booking number.
	Choice string
	// Page is the page of days a 「次へ」 button asks for.
	Page int
	// Entry is the waitlist entry a button is about: the offer she
	// answers, or the wait she leaves.
	Entry int64
	// Booking is the number of the booking a button of her list is about
	// (the one whose day she changes).
	Booking string
	// Key names the confirm step a booking's 「はい」 belongs to: the
	// booking it makes remembers it, so the same confirm books once.
	Key string
}

// Choices of yes/no steps, and of the options step when she wants none.
const (
	choiceYes  = "yes"
	choiceNo   = "no"
	choiceNone = "none"
	// choicePage asks for Page instead of choosing.
	choicePage = "page"
	// choiceWaitlist, at the day step, asks to wait: for the day that just
	// filled when there is one, else for a full day of her choice.
	choiceWaitlist = "waitlist"
)

// Limits of what a postback may hold. LINE allows 300 characters of data;
// anything beyond these was not made by the bot.
const (
	maxPage        = 100
	maxChoiceBytes = 64
)

var (
	stepName   = regexp.MustCompile(`^[a-z_]{1,32}$`)
	confirmKey = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// Encode writes the postback as a button's data.
func (p Postback) Encode() string {
	v := url.Values{}
	v.Set("s", p.Step)
	v.Set("v", strconv.FormatInt(p.Version, 10))
	if p.Choice != "" {
		v.Set("c", p.Choice)
	}
	if p.Page != 0 {
		v.Set("p", strconv.Itoa(p.Page))
	}
	if p.Entry != 0 {
		v.Set("e", strconv.FormatInt(p.Entry, 10))
	}
	if p.Key != "" {
		v.Set("k", p.Key)
	}
	if p.Booking != "" {
		v.Set("b", p.Booking)
	}
	return v.Encode()
}

var errBadPostback = errors.New("not a postback of this bot")

// ParsePostback reads a button's data. Data the bot did not make (an old
// format, a forged or garbled request) is an error, never a panic.
func ParsePostback(data string) (Postback, error) {
	v, err := url.ParseQuery(data)
	if err != nil {
		return Postback{}, fmt.Errorf("%w: %v", errBadPostback, err)
	}
	p := Postback{Step: v.Get("s"), Choice: v.Get("c")}
	if !stepName.MatchString(p.Step) {
		return Postback{}, fmt.Errorf("%w: no step", errBadPostback)
	}
	if p.Version, err = strconv.ParseInt(v.Get("v"), 10, 64); err != nil || p.Version < 0 {
		return Postback{}, fmt.Errorf("%w: bad version", errBadPostback)
	}
	if len(p.Choice) > maxChoiceBytes {
		return Postback{}, fmt.Errorf("%w: choice too long", errBadPostback)
	}
	if s := v.Get("p"); s != "" {
		if p.Page, err = strconv.Atoi(s); err != nil || p.Page < 0 || p.Page > maxPage {
			return Postback{}, fmt.Errorf("%w: bad page", errBadPostback)
		}
	}
	if s := v.Get("e"); s != "" {
		if p.Entry, err = strconv.ParseInt(s, 10, 64); err != nil || p.Entry <= 0 {
			return Postback{}, fmt.Errorf("%w: bad entry", errBadPostback)
		}
	}
	if p.Booking = v.Get("b"); len(p.Booking) > maxChoiceBytes {
		return Postback{}, fmt.Errorf("%w: booking too long", errBadPostback)
	}
	if p.Key = v.Get("k"); p.Key != "" && !confirmKey.MatchString(p.Key) {
		return Postback{}, fmt.Errorf("%w: bad key", errBadPostback)
	}
	return p, nil
}
