package postgres_test

import (
	"maps"
	"testing"

	"mamasroom/booking"
	"mamasroom/staff"
)

func TestStaffSetDayOptionCapacities(t *testing.T) {
	t.Parallel()
	e := staffStoreAt(t)
	sato := e.account(t, "sato")
	day := booking.D(2026, 12, 7)
	set := func(capacities map[booking.Option]*int) {
		t.Helper()
		if err := e.store.SetDayOptionCapacities(e.ctx, e.facility.ID, sato.ID, day, capacities, staffT0); err != nil {
			t.Fatal(err)
		}
	}
	overrides := func() map[booking.Option]int {
		t.Helper()
		got, err := e.store.DayOverrides(e.ctx, e.facility.ID, day, day)
		if err != nil {
			t.Fatal(err)
		}
		return got[day].OptionCapacities
	}
	one, three := 1, 3

	set(map[booking.Option]*int{booking.OptionWaterBed: &one, booking.OptionAroma: &three})
	if got, want := overrides(), map[booking.Option]int{booking.OptionWaterBed: 1, booking.OptionAroma: 3}; !maps.Equal(got, want) {
		t.Errorf("option capacities %v, want %v", got, want)
	}
	log, err := e.store.AuditLog(e.ctx, e.facility.ID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != staff.ActionDayOptionCapacity || log[0].AccountID != sato.ID ||
		log[0].Target != "2026-12-07:aroma,waterbed" {
		t.Errorf("audit %+v, want sato's day_option_capacity of 2026-12-07:aroma,waterbed", log)
	}

	// nil returns an option to the facility's figure and leaves the others.
	set(map[booking.Option]*int{booking.OptionWaterBed: nil})
	if got, want := overrides(), map[booking.Option]int{booking.OptionAroma: 3}; !maps.Equal(got, want) {
		t.Errorf("option capacities %v, want %v", got, want)
	}
	counts, err := e.store.DayCounts(e.ctx, e.facility.ID, day, day)
	if err != nil {
		t.Fatal(err)
	}
	if c := counts[day]; c.Options[booking.OptionWaterBed].Capacity != 2 || c.Options[booking.OptionAroma].Capacity != 3 {
		t.Errorf("counts %+v, want waterbed 2 (the facility's) and aroma 3", c.Options)
	}

	err = e.store.SetDayOptionCapacities(e.ctx, e.facility.ID, sato.ID, day, map[booking.Option]*int{"sauna": &one}, staffT0)
	wantErr(t, err, booking.ErrNotFound)
	if log, _ := e.store.AuditLog(e.ctx, e.facility.ID, 0, 10); len(log) != 3 {
		t.Errorf("%d audit entries, want 3 (account, two changes; nothing of the refused one)", len(log))
	}
}
