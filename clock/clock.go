// Package clock is the program's one source of "now", so tests and demos can
// start the whole system at a chosen moment (MAMASROOM_CLOCK).
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the real clock.
type System struct{}

func (System) Now() time.Time { return time.Now() }

// StartingAt returns a clock that reads start now and then runs on at the
// real pace.
func StartingAt(start time.Time) Clock {
	return &shifted{offset: time.Until(start)}
}

type shifted struct{ offset time.Duration }

func (s *shifted) Now() time.Time { return time.Now().Add(s.offset) }

// Fake is a clock that moves only when told to; for tests.
type Fake struct {
	mu  sync.Mutex
	now time.Time
}

func NewFake(now time.Time) *Fake { return &Fake{now: now} }

func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// Settable is a clock that runs on at the real pace from where it was last
// set: the demo's, whose chat page moves it to a reminder's time. It is
// safe for concurrent use.
type Settable struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewSettable returns a clock that reads start now and runs on.
func NewSettable(start time.Time) *Settable {
	return &Settable{offset: time.Until(start)}
}

func (s *Settable) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Now().Add(s.offset)
}

// Set makes the clock read t now; it runs on from there.
func (s *Settable) Set(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset = time.Until(t)
}
