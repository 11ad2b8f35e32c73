package bot

import (
	"strings"
	"testing"
)

func TestPostbackRoundTrip(t *testing.T) {
	for _, p := range []Postback{
		{Step: stepResident, Version: 3, Choice: choiceYes},
		{Step: stepBirthday, Version: 0},
		{Step: stepDay, Version: 12, Choice: "2026-12-07"},
		{Step: stepDay, Version: 12, Choice: choicePage, Page: 2},
		{Step: stepPickCancel, Version: 1 << 40, Choice: "1234-5678"},
	} {
		data := p.Encode()
		if len(data) > 300 {
			t.Errorf("%+v encodes to %d bytes, over LINE's 300", p, len(data))
		}
		got, err := ParsePostback(data)
		if err != nil || got != p {
			t.Errorf("ParsePostback(%q) = %+v, %v; want %+v", data, got, err, p)
		}
	}
}

func TestParsePostbackRefusesWhatTheBotDidNotMake(t *testing.T) {
	for _, data := range []string{
		"",
		"a=next&p=838488366986797801&v=1", // the old format, with the page that overflowed
		"s=day&v=1&c=page&p=838488366986797801",
		"s=day&v=1&p=-1",
		"s=day&v=-4",
		"s=day&v=x",
		"s=DAY&v=1",
		"s=day&v=1&c=" + strings.Repeat("x", 65),
		"%zz",
	} {
		if p, err := ParsePostback(data); err == nil {
			t.Errorf("ParsePostback(%q) = %+v, want an error", data, p)
		}
	}
}

func FuzzParsePostback(f *testing.F) {
	f.Add("s=day&v=3&c=2026-12-07")
	f.Add("s=day&v=3&c=page&p=2")
	f.Add("a=next&p=838488366986797801&v=1")
	f.Fuzz(func(t *testing.T, data string) {
		p, err := ParsePostback(data)
		if err != nil {
			return
		}
		if p.Page < 0 || p.Page > maxPage || p.Version < 0 {
			t.Fatalf("accepted out-of-range %+v from %q", p, data)
		}
		again, err := ParsePostback(p.Encode())
		if err != nil || again != p {
			t.Fatalf("%+v does not survive Encode/Parse: %+v, %v", p, again, err)
		}
	})
}
