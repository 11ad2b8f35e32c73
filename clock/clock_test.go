package clock_test

import (
	"testing"
	"time"

	"mamasroom/clock"
)

func TestStartingAtStartsThereAndRunsOn(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := clock.StartingAt(start)
	first := c.Now()
	if d := first.Sub(start); d < 0 || d > time.Second {
		t.Fatalf("clock reads %v, want about %v", first, start)
	}
	time.Sleep(10 * time.Millisecond)
	if !c.Now().After(first) {
		t.Error("the clock does not run on")
	}
}

func TestFakeMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	f := clock.NewFake(start)
	if !f.Now().Equal(start) {
		t.Fatal("fake does not start at its time")
	}
	f.Advance(time.Hour)
	if got := f.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("after Advance: %v", got)
	}
}

func TestSettableRunsOnFromWhereItWasSet(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := clock.NewSettable(start)
	if d := c.Now().Sub(start); d < 0 || d > time.Second {
		t.Fatalf("clock reads %v, want about %v", c.Now(), start)
	}
	noon := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	c.Set(noon)
	first := c.Now()
	if d := first.Sub(noon); d < 0 || d > time.Second {
		t.Fatalf("after Set the clock reads %v, want about %v", first, noon)
	}
	time.Sleep(10 * time.Millisecond)
	if !c.Now().After(first) {
		t.Error("the clock does not run on after Set")
	}
}
