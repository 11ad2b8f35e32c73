package words

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mamasroom/booking"
)

func TestDateLabels(t *testing.T) {
	d := booking.D(2026, 12, 4)
	if got := ButtonDate(d); got != "12/4(金)" {
		t.Errorf("ButtonDate = %q, want 12/4(金)", got)
	}
	if got := PlainDate(d); got != "2026年12月4日" {
		t.Errorf("PlainDate = %q, want 2026年12月4日", got)
	}
	if got := LongDate(d); got != "2026年12月4日(金)" {
		t.Errorf("LongDate = %q, want 2026年12月4日(金)", got)
	}
	if got := ButtonDate(booking.D(2027, 1, 10)); got != "1/10(日)" {
		t.Errorf("ButtonDate = %q, want 1/10(日)", got)
	}
}

func TestWeekday(t *testing.T) {
	want := []string{"月", "火", "水", "木", "金", "土", "日"}
	for i, w := range want {
		d := booking.D(2026, 11, 30).AddDays(i) // a Monday
		if got := Weekday(d); got != w {
			t.Errorf("Weekday(%s) = %q, want %q", d, got, w)
		}
	}
}

func TestYen(t *testing.T) {
	for n, want := range map[int]string{
		0: "0円", 300: "300円", 3000: "3,000円", 30000: "30,000円", 300000: "300,000円",
		1234567: "1,234,567円", -300: "-300円", -3000: "-3,000円",
	} {
		if got := Yen(n); got != want {
			t.Errorf("Yen(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMenuCommands(t *testing.T) {
	want := []string{"予約する", "予約の確認", "ちょっと聞いてください", "ご利用条件", "アクセス・持ち物"}
	if got := MenuCommands(); !slices.Equal(got, want) {
		t.Errorf("MenuCommands() = %q, want %q", got, want)
	}
}

func TestRoomAnswersPhone(t *testing.T) {
	w := New(sampleFacility())
	at := func(d booking.Date, hour, minute int) time.Time { return d.At(hour, minute) }
	thu := booking.D(2026, 12, 3)
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"open day at opening", at(thu, 10, 0), true},
		{"open day before opening", at(thu, 9, 59), false},
		{"open day at the last minute", at(thu, 17, 59), true},
		{"open day at closing", at(thu, 18, 0), false},
		{"closed weekday", at(booking.D(2026, 12, 2), 11, 0), false},
		{"holiday on an open weekday", at(booking.D(2026, 11, 23), 11, 0), false},
		{"year end on an open weekday", at(booking.D(2026, 12, 29), 11, 0), false},
	}
	for _, tt := range tests {
		if got := w.roomAnswersPhone(tt.now); got != tt.want {
			t.Errorf("%s: roomAnswersPhone(%s) = %v, want %v", tt.name, tt.now, got, tt.want)
		}
	}
}

// TestImportsStayPure keeps the package free of LINE, HTTP, storage and I/O:
// it may use the domain packages and the standard library's pure parts.
func TestImportsStayPure(t *testing.T) {
	allowed := map[string]bool{"mamasroom/booking": true, "mamasroom/consult": true}
	forbidden := []string{"net", "database", "os", "io", "log"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			thirdParty := strings.Contains(first, ".") || first == "mamasroom"
			if (thirdParty && !allowed[path]) || slices.Contains(forbidden, first) {
				t.Errorf("%s imports %s; words is pure: domain values in, sentences out", name, path)
			}
		}
	}
}
