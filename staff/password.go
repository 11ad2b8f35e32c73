package staff

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Passwords are hashed with bcrypt from golang.org/x/crypto, the Go team's
// maintained implementation: salted, slow by a cost that is kept inside the
// hash, and compared in constant time.
var bcryptCost = 12

// Password length limits. bcrypt reads at most 72 bytes; a longer password
// is refused rather than silently cut.
const (
	MinPasswordLength = 12 // characters
	MaxPasswordBytes  = 72
)

var loginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// ValidLogin reports whether login may name an account: 2 to 32 lower-case
// letters, digits, dots, dashes or underscores, starting with a letter or
// digit.
func ValidLogin(login string) error {
	if !loginPattern.MatchString(login) {
		return errors.New("a login is 2 to 32 characters: a-z, 0-9, '.', '-', '_', starting with a letter or digit")
	}
	return nil
}

// ValidPassword reports whether a password is long enough and fits bcrypt.
func ValidPassword(password string) error {
	switch {
	case !utf8.ValidString(password):
		return errors.New("the password is not valid UTF-8")
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return fmt.Errorf("the password must be at least %d characters", MinPasswordLength)
	case len(password) > MaxPasswordBytes:
		return fmt.Errorf("the password must be at most %d bytes", MaxPasswordBytes)
	}
	return nil
}

// HashPassword returns the bcrypt hash of a valid password.
func HashPassword(password string) (string, error) { return hashPassword(password, bcryptCost) }

// HashDemoPassword hashes the demo account's password at bcrypt's least
// cost. The demo prints that password on the terminal, so a slow hash would
// protect nothing and only keep the demo (and its tests, under the race
// detector, where bcrypt is many times slower) from starting.
func HashDemoPassword(password string) (string, error) {
	return hashPassword(password, bcrypt.MinCost)
}

func hashPassword(password string, cost int) (string, error) {
	if err := ValidPassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// passwordMatches compares in constant time.
func passwordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// dummyHash is compared against when the login is unknown, so an unknown
// login takes as long to refuse as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte("mamasroom-no-such-account"), bcryptCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

// LoginDelay is how long after the n-th attempt in a row (not followed by
// a success) the next may be checked: the first three are free, then the
// wait doubles from one second, and from the tenth the account is locked
// for LockDuration. An attempt made during the wait is refused unchecked
// and not counted.
func LoginDelay(n int) time.Duration {
	switch {
	case n <= 3:
		return 0
	case n >= LockAfter:
		return LockDuration
	default:
		return time.Second << (n - 4)
	}
}

const (
	// LockAfter is the number of attempts in a row after which an account is locked.
	LockAfter = 10
	// LockDuration is how long a lock lasts; each further failure renews it.
	LockDuration = 15 * time.Minute
)
