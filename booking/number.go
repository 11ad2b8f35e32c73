package booking

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
)

// A booking number is read out on the phone by a tired mother, so it is
// digits only, grouped 4-4 like a phone number. It is random rather than
// sequential so that knowing one's own number tells nothing about anyone
// else's booking. With 10^8 numbers collisions are rare but possible; the
// store's unique constraint decides and the caller draws again.
const bookingNumberDigits = 8

// NewBookingNumber draws a fresh booking number, e.g. 4821-7395.
func NewBookingNumber() string {
	const space = 100_000_000 // 10^bookingNumberDigits
	// Reject the top of the uint64 range that would make low numbers more
	// likely than high ones.
	const limit = (1<<64 - 1) / space * space
	var buf [8]byte
	for {
		// Since Go 1.24 crypto/rand.Read never returns an error: it crashes
		// the program instead of handing back predictable bytes.
		_, _ = rand.Read(buf[:])
		if n := binary.BigEndian.Uint64(buf[:]); n < limit {
			return formatBookingNumber(n % space)
		}
	}
}

func formatBookingNumber(n uint64) string {
	var digits [bookingNumberDigits]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + n%10)
		n /= 10
	}
	return string(digits[:4]) + "-" + string(digits[4:])
}

// NormalizeBookingNumber reads a booking number as a mother or a midwife
// might type it: full-width digits from a Japanese keyboard, spaces, and any
// of the dashes an IME offers (including the long vowel mark ー, which looks
// the same). It returns the canonical 1234-5678 form, or false when the text
// is not eight digits.
func NormalizeBookingNumber(s string) (string, bool) {
	var digits strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r >= '０' && r <= '９':
			digits.WriteRune('0' + (r - '０'))
		case isNumberSeparator(r):
		default:
			return "", false
		}
	}
	if digits.Len() != bookingNumberDigits {
		return "", false
	}
	d := digits.String()
	return d[:4] + "-" + d[4:], true
}

func isNumberSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '\u3000', // spaces, including the ideographic space
		'-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', // hyphens, dashes, minus
		'\uFF0D', '\u30FC', '\uFF70': // full-width hyphen-minus, ー, half-width ｰ
		return true
	}
	return false
}
