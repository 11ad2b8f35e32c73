package words

import "mamasroom/booking"

// changeTexts renders the sentences of change.go: changing a booking's
// day, another day after a booking, and her place kept while she is away.
func changeTexts(g *golden, w Words, f *booking.Facility) {
	fri, mon := booking.D(2026, 12, 4), booking.D(2026, 12, 7)
	bk := &booking.Booking{Number: "4821-7395", Day: fri, Options: []booking.Option{booking.OptionPediatrician, booking.OptionAroma}}
	moved := &booking.Booking{Number: "5930-2184", Day: mon, Options: []booking.Option{booking.OptionPediatrician}}

	g.section("change labels", BookAnother)
	g.section("ChangeButton(2026-12-04)", ChangeButton(fri))
	var days []booking.Date
	for d := booking.D(2026, 11, 26); len(days) < 25; d = d.AddDays(1) {
		if f.IsOpen(d, nil) && d != fri {
			days = append(days, d)
		}
	}
	g.section("ChangePickDay(4821-7395 on 2026-12-04, 25 days, page 0, perPage 11, no note)", w.ChangePickDay(bk, days, 0, 11, ""))
	g.section("ChangePickDay(4821-7395 on 2026-12-04, 3 days, note DayJustFilled(2026-12-07))", w.ChangePickDay(bk, days[:3], 0, 11, w.DayJustFilled(mon)))
	g.section("NoDayToChangeTo(4821-7395 on 2026-12-04)", w.NoDayToChangeTo(bk))
	g.section("ConfirmChange(4821-7395 on 2026-12-04 to 2026-12-07, both options kept)", w.ConfirmChange(bk, mon, bk.Options, nil))
	g.section("ConfirmChange(4821-7395 on 2026-12-04 to 2026-12-07, aroma full)", w.ConfirmChange(bk, mon, moved.Options, []booking.Option{booking.OptionAroma}))
	g.section("ConfirmChange(no options, to 2026-12-07)", w.ConfirmChange(&booking.Booking{Number: "4821-7395", Day: fri}, mon, nil, nil))
	g.section("Changed(5930-2184 on 2026-12-07, from 2026-12-04)", w.Changed(moved, &fri))
	g.section("Changed(5930-2184 on 2026-12-07, confirmed again)", w.Changed(moved, nil))
	g.section("ChangeKept(4821-7395 on 2026-12-04)", w.ChangeKept(bk))
	g.section("ChangeTooLate(4821-7395 on 2026-12-04)", w.ChangeTooLate(bk))

	// Her place kept while she is away.
	g.section("ChosenDayFilledSince(2026-12-04)", w.ChosenDayFilledSince(fri))
	g.section("ChosenDayClosedSince(2026-12-04)", w.ChosenDayClosedSince(fri))
	g.section("ChosenOptionsFullSince(waterbed)", w.ChosenOptionsFullSince([]booking.Option{booking.OptionWaterBed}))
	g.section("ChosenOptionsFullSince(aroma and waterbed)", w.ChosenOptionsFullSince([]booking.Option{booking.OptionAroma, booking.OptionWaterBed}))
	g.section("ChosenOptionsFullSince(an option no longer offered)", w.ChosenOptionsFullSince([]booking.Option{"massage"}))
	g.section("DetailsChangedSince()", w.DetailsChangedSince())
}
