package bot

import (
	"context"
	"errors"
	"testing"

	"mamasroom/redistest"
)

func TestSessionSaveIsCompareAndSet(t *testing.T) {
	ctx := context.Background()
	s := NewSessions(redistest.New(t), "test:")

	first, err := s.Load(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Load(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	first.Flow, second.Flow = flowBooking, flowEligibility

	if err := s.Save(ctx, "U1", first); err != nil {
		t.Fatalf("first save: %v", err)
	}
	if err := s.Save(ctx, "U1", second); !errors.Is(err, errSessionConflict) {
		t.Fatalf("a save from a stale load: err = %v, want errSessionConflict", err)
	}
	got, err := s.Load(ctx, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Flow != flowBooking || got.Version != 1 {
		t.Errorf("stored flow %q at version %d, want the first save's %q at 1", got.Flow, got.Version, flowBooking)
	}
	if err := s.Save(ctx, "U1", got); err != nil {
		t.Fatalf("save after a fresh load: %v", err)
	}
	if got.Version != 2 {
		t.Errorf("version after the second save = %d, want 2", got.Version)
	}
}

func TestSessionKeysAreSeparatePerUser(t *testing.T) {
	ctx := context.Background()
	s := NewSessions(redistest.New(t), "test:")
	a, _ := s.Load(ctx, "Ua")
	a.Flow = flowBooking
	if err := s.Save(ctx, "Ua", a); err != nil {
		t.Fatal(err)
	}
	b, err := s.Load(ctx, "Ub")
	if err != nil {
		t.Fatal(err)
	}
	if b.InFlow() || b.Version != 0 {
		t.Errorf("another user's session leaked: %+v", b)
	}
	if err := s.Delete(ctx, "Ua"); err != nil {
		t.Fatal(err)
	}
	if a, _ = s.Load(ctx, "Ua"); a.InFlow() {
		t.Error("deleted session still there")
	}
}
