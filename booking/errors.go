package booking

import "errors"

// The domain's errors. Stores translate driver errors into these, and the
// LINE and console edges choose a kind message or status code by errors.Is.
var (
	ErrInvalidDate     = errors.New("not a valid date")
	ErrNotFound        = errors.New("not found")
	ErrClosed          = errors.New("the facility is closed that day")
	ErrOutsideWindow   = errors.New("the day is outside the booking window")
	ErrFull            = errors.New("the day is fully booked")
	ErrOptionFull      = errors.New("the option is fully booked that day")
	ErrAlreadyBooked   = errors.New("the mother already has a booking that day")
	ErrVisitLimit      = errors.New("the mother has used all her visits")
	ErrUpcomingLimit   = errors.New("the mother holds as many upcoming bookings as one may")
	ErrNotEligible     = errors.New("the mother is not eligible that day")
	ErrPastDeadline    = errors.New("the cancellation deadline has passed")
	ErrAlreadyCanceled = errors.New("the booking is already cancelled")
)
