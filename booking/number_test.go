package booking_test

import (
	"regexp"
	"testing"

	"mamasroom/booking"
)

var bookingNumberPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{4}$`)

func TestNewBookingNumberFormat(t *testing.T) {
	for range 1000 {
		n := booking.NewBookingNumber()
		if !bookingNumberPattern.MatchString(n) {
			t.Fatalf("NewBookingNumber() = %q, want 1234-5678 form", n)
		}
		if got, ok := booking.NormalizeBookingNumber(n); !ok || got != n {
			t.Fatalf("NormalizeBookingNumber(%q) = %q, %v; want it unchanged", n, got, ok)
		}
	}
}

func TestNewBookingNumberIsUnpredictable(t *testing.T) {
	const count = 10_000
	seen := make(map[string]bool, count)
	var perPosition [8][10]int
	consecutive := 0
	prev := -1
	for range count {
		n := booking.NewBookingNumber()
		seen[n] = true
		digits := n[:4] + n[5:]
		value := 0
		for i, c := range digits {
			perPosition[i][c-'0']++
			value = value*10 + int(c-'0')
		}
		if value == prev+1 || value == prev-1 {
			consecutive++
		}
		prev = value
	}

	// Among 10^8 numbers, 10,000 draws collide about 0.5 times on average.
	if dup := count - len(seen); dup > 5 {
		t.Errorf("%d duplicates among %d numbers", dup, count)
	}
	if consecutive > 2 {
		t.Errorf("%d numbers followed their predecessor by one", consecutive)
	}
	// Each digit should appear about 1,000 times in each position (σ ≈ 30).
	for pos, counts := range perPosition {
		for digit, n := range counts {
			if n < 800 || n > 1200 {
				t.Errorf("digit %d appears %d times in position %d, want about 1000", digit, n, pos)
			}
		}
	}
}

func TestNormalizeBookingNumber(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when rejected
	}{
		{"1234-5678", "1234-5678"},
		{"12345678", "1234-5678"},
		{"1234 5678", "1234-5678"},
		{" 1234-5678 ", "1234-5678"},
		{"１２３４５６７８", "1234-5678"},
		{"１２３４－５６７８", "1234-5678"},
		{"１２３４ー５６７８", "1234-5678"}, // long vowel mark typed for a dash
		{"１２３４　５６７８", "1234-5678"}, // ideographic space
		{"12-34-56-78", "1234-5678"},
		{"0000-0001", "0000-0001"},
		{"1234−5678", "1234-5678"}, // minus sign
		{"", ""},
		{"1234-567", ""},
		{"1234-56789", ""},
		{"1234-567O", ""}, // letter O
		{"ABCD-EFGH", ""},
		{"1234/5678", ""},
		{"予約番号1234-5678", ""},
		{"١٢٣٤٥٦٧٨", ""}, // Arabic-Indic digits are not a Japanese keyboard's
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := booking.NormalizeBookingNumber(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("NormalizeBookingNumber(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.want != "")
			}
		})
	}
}
