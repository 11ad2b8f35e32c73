package words

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"mamasroom/booking"
	"mamasroom/consult"
)

var update = flag.Bool("update", false, "rewrite testdata/every_text.golden")

const everyTextGolden = "testdata/every_text.golden"

// sampleFacility is ママズルーム as migrations/001 seeds it, with a visit
// limit set so that the sentence naming it reads as it would.
func sampleFacility() *booking.Facility {
	return &booking.Facility{
		ID:         1,
		Slug:       "mamasroom",
		Name:       "ママズルーム",
		ClinicName: "いなみ小児科",
		Address:    "東京都世田谷区下馬3-10-7(いなみ小児科 隣接建物 2階)",
		Phone:      "03-6413-8435",
		MapURL:     "https://www.google.com/maps/search/?api=1&query=%E6%9D%B1%E4%BA%AC%E9%83%BD%E4%B8%96%E7%94%B0%E8%B0%B7%E5%8C%BA%E4%B8%8B%E9%A6%AC3-10-7",
		FeeYen:     3000,

		OpenWeekdays:  []time.Weekday{time.Monday, time.Tuesday, time.Thursday, time.Friday},
		DailyCapacity: 4,
		Options: []booking.OptionSetting{
			{Option: booking.OptionPediatrician, Label: "小児科医診察", DailyCapacity: 4},
			{Option: booking.OptionWaterBed, Label: "ウォーターベッド", DailyCapacity: 2},
			{Option: booking.OptionAroma, Label: "アロママッサージ", DailyCapacity: 2},
		},

		BookingWindowMonths: 2,
		CancelDaysBefore:    1,
		CancelHour:          17,
		CancelMinute:        0,
		MaxVisitsPerMother:  7,
	}
}

// golden collects sections, each under a heading naming the function and
// the arguments it was given.
type golden struct{ bytes.Buffer }

func (g *golden) section(heading string, texts ...string) {
	fmt.Fprintf(g, "== %s\n", heading)
	for i, text := range texts {
		if i > 0 {
			g.WriteString("--\n")
		}
		g.WriteString(text + "\n")
	}
	g.WriteString("\n")
}

func (g *golden) safety(w Words, c consult.Concern, when string, now time.Time) {
	text, calls := w.Safety(c, now)
	var b strings.Builder
	b.WriteString(text)
	for _, call := range calls {
		fmt.Fprintf(&b, "\n[%s → %s]", call.Label, call.Number)
	}
	g.section(fmt.Sprintf("Safety(%s, %s)", c, when), b.String())
}

// everyText renders every sentence of the package with sample values, and
// every branch that changes the words.
func everyText() []byte {
	f := sampleFacility()
	w := New(f)
	var g golden

	g.WriteString("Every sentence of package words, as a mother reads it, for ママズルーム as seeded.\n")
	g.WriteString("Regenerate with: go test ./words/ -run TestEveryText -update\n\n")

	// Labels and formats.
	g.section("MenuCommands()", strings.Join(MenuCommands(), " | "))
	g.section("labels", strings.Join([]string{Quit, Yes, No, None, Next, FirstPage, ChooseBirthday, CallUs, MenuBar, Decide, ChooseOptions, AnswerAgain, OpenMap}, " | "))
	fri := booking.D(2026, 12, 4)
	g.section("Weekday(2026-12-04)", Weekday(fri))
	g.section("ButtonDate(2026-12-04)", ButtonDate(fri))
	g.section("LongDate(2026-12-04)", LongDate(fri))
	g.section("PlainDate(2026-12-04)", PlainDate(fri))
	g.section("Yen(3000)", Yen(3000))
	g.section("CancelButton(2026-12-04)", CancelButton(fri))

	// The facility's settings in words.
	g.section("OpenDays()", w.OpenDays())
	weekend := *f
	weekend.OpenWeekdays = []time.Weekday{time.Sunday, time.Saturday, time.Wednesday}
	g.section("OpenDays() open Wed, Sat, Sun", New(&weekend).OpenDays())
	g.section("PhoneLine()", w.PhoneLine())
	g.section("PhoneHours()", w.PhoneHours())
	for _, c := range []struct{ days, hour, minute int }{{0, 9, 0}, {1, 17, 0}, {2, 17, 30}} {
		ff := *f
		ff.CancelDaysBefore, ff.CancelHour, ff.CancelMinute = c.days, c.hour, c.minute
		g.section(fmt.Sprintf("CancelDeadline() with CancelDaysBefore %d, at %d:%02d", c.days, c.hour, c.minute), New(&ff).CancelDeadline())
	}
	g.section("OptionLabels(none)", w.OptionLabels(nil))
	g.section("OptionLabels(aroma, pediatrician)", w.OptionLabels([]booking.Option{booking.OptionAroma, booking.OptionPediatrician}))
	g.section("OptionLabels(an option no longer offered, waterbed)", w.OptionLabels([]booking.Option{"massage", booking.OptionWaterBed}))

	// Anywhere.
	g.section("Greeting()", w.Greeting())
	g.section("Help()", w.Help())
	g.section("Quit()", w.Quit())
	g.section("FlowExpired()", w.FlowExpired())
	g.section("StaleButton()", w.StaleButton())
	g.section("NotUnderstoodInStep()", w.NotUnderstoodInStep())
	g.section("Sticker()", w.Sticker())
	g.section("ThanksForSticker()", w.ThanksForSticker())
	g.section("MediaNotRead()", w.MediaNotRead())
	g.section("MediaNotReadInStep()", w.MediaNotReadInStep())
	g.section("InfoEssentials()", w.InfoEssentials())
	g.section("InfoSchedule()", w.InfoSchedule())
	g.section("Place()", w.Place())
	g.section("WhatToBring()", w.WhatToBring())
	g.section("Fee()", w.Fee())
	g.section("PhoneAnswer()", w.PhoneAnswer())
	g.section("SomethingWentWrong()", w.SomethingWentWrong())

	// Eligibility.
	lastDay := booking.D(2027, 2, 14)
	g.section("AskResident()", w.AskResident())
	g.section("AskResidentBeforeBooking()", w.AskResidentBeforeBooking())
	g.section("AskBirthday()", w.AskBirthday())
	g.section("BirthdayNotADate()", w.BirthdayNotADate())
	g.section("BirthdayInFuture()", w.BirthdayInFuture())
	g.section("ThanksForAnswer()", w.ThanksForAnswer())
	g.section("NotResident()", w.NotResident())
	lastOpen := booking.D(2027, 2, 12)
	g.section("Eligible(2027-02-14, a Sunday; last open day 2027-02-12)", w.Eligible(lastDay, lastOpen))
	g.section("Eligible(2027-02-12, an open day)", w.Eligible(lastOpen, lastOpen))
	g.section("EligibleMenu(2027-02-14, a Sunday; last open day 2027-02-12)", w.EligibleMenu(lastDay, lastOpen))
	g.section("NoDayLeft(2026-11-29)", w.NoDayLeft(booking.D(2026, 11, 29)))
	g.section("BabyTooOld(2026-11-24)", w.BabyTooOld(booking.D(2026, 11, 24)))

	// Booking.
	var days []booking.Date
	for d := booking.D(2026, 11, 26); len(days) < 25; d = d.AddDays(1) {
		if f.IsOpen(d, nil) {
			days = append(days, d)
		}
	}
	g.section("PickDay(5 days, page 0, perPage 11, no note)", w.PickDay(days[:5], 0, 11, ""))
	g.section("PickDay(11 days, page 0, perPage 11, no note)", w.PickDay(days[:11], 0, 11, ""))
	g.section("PickDay(25 days, page 0, perPage 11, no note)", w.PickDay(days, 0, 11, ""))
	g.section("PickDay(25 days, page 2, perPage 11, no note)", w.PickDay(days, 2, 11, ""))
	g.section("PickDay(3 days, page 0, perPage 11, note DayJustFilled(2026-12-04))", w.PickDay(days[:3], 0, 11, w.DayJustFilled(fri)))
	g.section("DayJustFilled(2026-12-04)", w.DayJustFilled(fri))
	g.section("DayNoLongerOpen(2026-12-04)", w.DayNoLongerOpen(fri))
	g.section("DayNotOffered()", w.DayNotOffered())
	g.section("NoBookableDays()", w.NoBookableDays())
	g.section("PickOptions(none chosen)", w.PickOptions(nil, nil))
	g.section("PickOptions(waterbed chosen)", w.PickOptions([]booking.Option{booking.OptionWaterBed}, nil))
	g.section("PickOptions(waterbed and aroma chosen)", w.PickOptions([]booking.Option{booking.OptionWaterBed, booking.OptionAroma}, nil))
	g.section("PickOptions(none chosen, aroma full)", w.PickOptions(nil, []booking.Option{booking.OptionAroma}))
	g.section("OptionJustFilled()", w.OptionJustFilled())
	g.section("ConfirmBooking(2026-12-04, no options)", w.ConfirmBooking(fri, nil))
	g.section("ConfirmBooking(2026-12-04, pediatrician and aroma)", w.ConfirmBooking(fri, []booking.Option{booking.OptionPediatrician, booking.OptionAroma}))
	bk := &booking.Booking{Number: "4821-7395", Day: fri, Options: []booking.Option{booking.OptionPediatrician, booking.OptionWaterBed}, Status: booking.StatusActive}
	g.section("Booked(4821-7395 on 2026-12-04, pediatrician and waterbed)", w.Booked(bk))
	g.section("Booked(4821-7395 on 2026-12-04, no options)", w.Booked(&booking.Booking{Number: "4821-7395", Day: fri}))
	g.section("BookingNotMade()", w.BookingNotMade())
	g.section("AlreadyBookedThatDay(2026-12-04)", w.AlreadyBookedThatDay(fri))
	g.section("VisitLimitReached() limit 7", w.VisitLimitReached())

	// My bookings.
	soon := booking.Booking{Number: "1302-5568", Day: booking.D(2026, 11, 27)}
	later := *bk
	afterDeadline := func(b booking.Booking) bool { return b.Day != soon.Day }
	g.section("NoBookings()", w.NoBookings())
	g.section("BookingList(one booking, cancellable, button shown)", w.BookingList([]booking.Booking{later}, afterDeadline, true))
	g.section("BookingList(one late and one cancellable, button shown)", w.BookingList([]booking.Booking{soon, later}, afterDeadline, true))
	g.section("BookingList(one late, no button)", w.BookingList([]booking.Booking{soon}, afterDeadline, false))
	g.section("ConfirmCancel(4821-7395 on 2026-12-04)", w.ConfirmCancel(bk))
	g.section("Cancelled(4821-7395 on 2026-12-04)", w.Cancelled(bk))
	g.section("CancelKept()", w.CancelKept())
	g.section("CancelTooLate(1302-5568 on 2026-11-27)", w.CancelTooLate(&soon))
	g.section("BookingGone()", w.BookingGone())

	// Fair use: the limit of upcoming bookings per mother.
	fairUse := *f
	fairUse.MaxUpcomingPerMother = 2
	g.section("UpcomingLimitReached() limit 2", New(&fairUse).UpcomingLimitReached())

	// Erasing her data (「データ削除」).
	g.section("privacy labels", EraseData)
	g.section("EraseConfirm()", w.EraseConfirm())
	g.section("Erased()", w.Erased())
	g.section("EraseKept()", w.EraseKept())

	// A day staff closed.
	g.section("DayClosed(4821-7395 on 2026-12-04, three other days)", w.DayClosed(bk, []booking.Date{booking.D(2026, 12, 3), booking.D(2026, 12, 7), booking.D(2026, 12, 8)}))
	g.section("DayClosed(4821-7395 on 2026-12-04, no other day)", w.DayClosed(bk, nil))

	// The reminder, the day before.
	g.section("reminder labels", CancelThis)
	g.section("Reminder(4821-7395 on 2026-12-04, pediatrician and waterbed)", w.Reminder(bk))

	// The waitlist.
	g.section("waitlist labels", strings.Join([]string{JoinWaitlist, WaitForFullDay, AcceptOffer, DeclineOffer}, " | "))
	g.section("LeaveWaitlistButton(2026-12-14)", LeaveWaitlistButton(booking.D(2026, 12, 14)))
	g.section("WaitlistHint()", w.WaitlistHint())
	g.section("PickDay(3 days, page 0, perPage 10, note DayJustFilled(2026-12-04) and WaitlistHint())", w.PickDay(days[:3], 0, 10, w.DayJustFilled(fri)+"\n"+w.WaitlistHint()))
	g.section("DayFilledNoneNear(2026-12-04)", w.DayFilledNoneNear(fri))
	g.section("NoBookableDaysButWaitlist()", w.NoBookableDaysButWaitlist())
	g.section("PickFullDay(no note)", w.PickFullDay(""))
	g.section("PickFullDay(note DayNotOffered())", w.PickFullDay(w.DayNotOffered()))
	g.section("NoFullDayToWait()", w.NoFullDayToWait())
	g.section("WaitlistJoined(2026-12-04) offer time 2 hours", w.WaitlistJoined(fri))
	for _, d := range []time.Duration{90 * time.Minute, 30 * time.Minute} {
		ff := *f
		ff.WaitlistOfferTime = d
		g.section(fmt.Sprintf("WaitlistJoined(2026-12-04) offer time %v", d), New(&ff).WaitlistJoined(fri))
	}
	g.section("AlreadyWaiting(2026-12-04)", w.AlreadyWaiting(fri))
	g.section("DayHasRoomNow(2026-12-04)", w.DayHasRoomNow(fri))
	thuMorning := booking.D(2026, 12, 3).At(10, 0)
	thuEvening := booking.D(2026, 12, 3).At(20, 30)
	g.section("WaitlistOffer(2026-12-04, sent Thursday 10:00, until 12:00)", w.WaitlistOffer(fri, thuMorning.Add(2*time.Hour), thuMorning, false))
	g.section("WaitlistOffer(2026-12-07, sent Thursday 20:30, until Friday 9:30, paused)", w.WaitlistOffer(booking.D(2026, 12, 7), booking.D(2026, 12, 4).At(9, 30), thuEvening, true))
	g.section("OfferTaken(2026-12-04)", w.OfferTaken(fri))
	g.section("OfferExpired(2026-12-04)", w.OfferExpired(fri))
	g.section("OfferEnded(2026-12-04)", w.OfferEnded(fri))
	g.section("OfferDeclined(2026-12-04)", w.OfferDeclined(fri))
	until := thuMorning.Add(2 * time.Hour)
	g.section("Waitlists(one waiting, one offered until 12:00)", w.Waitlists([]booking.WaitlistEntry{
		{Day: fri, Status: booking.WaitOffered, OfferExpiresAt: &until},
		{Day: booking.D(2026, 12, 7), Status: booking.WaitWaiting},
	}, thuMorning))
	g.section("LeftWaitlist(2026-12-04)", w.LeftWaitlist(fri))

	// Safety, at hours that change who answers.
	thuOpen := booking.D(2026, 12, 3).At(11, 0)     // the room answers; #8000 does not
	thuNight := booking.D(2026, 12, 3).At(22, 0)    // #8000 answers; the room does not
	wedDay := booking.D(2026, 12, 2).At(14, 0)      // neither: a weekday the room is closed
	holidayDay := booking.D(2026, 11, 23).At(14, 0) // 勤労感謝の日, a Monday: #8000 on holiday hours
	for _, c := range []consult.Concern{consult.BabyEmergency, consult.MotherCrisis, consult.MotherBody} {
		g.safety(w, c, "Thursday 11:00, the room open", thuOpen)
		g.safety(w, c, "Thursday 22:00, at night", thuNight)
	}
	g.safety(w, consult.BabyEmergency, "Wednesday 14:00, the room closed", wedDay)
	g.safety(w, consult.BabyEmergency, "Monday 14:00, a holiday", holidayDay)
	g.safety(w, consult.BabyEmergency, "Thursday 11:00 given in UTC", thuOpen.UTC())
	g.section("SafetyAgain()", w.SafetyAgain())
	g.section("ShortSafetyLine()", w.ShortSafetyLine())
	g.section("FlowCanWait()", w.FlowCanWait())

	// Consultation.
	g.section("consultation labels", strings.Join([]string{Send, Skip}, " | "))
	g.section("ConsultAskConsent()", w.ConsultAskConsent())
	g.section("ConsultNoConsent()", w.ConsultNoConsent())
	g.section("ConsultPickTopic()", w.ConsultPickTopic())
	g.section("ConsultWriteQuestion(feeding, 5 minutes)", w.ConsultWriteQuestion(consult.TopicFeeding, 5*time.Minute))
	g.section("ConsultWriteQuestion(skipped, 5 minutes)", w.ConsultWriteQuestion(consult.TopicNone, 5*time.Minute))
	g.section("ConsultPartsKept(2 texts, 1 photo)", w.ConsultPartsKept(2, 1))
	g.section("ConsultPartsKept(1 text)", w.ConsultPartsKept(1, 0))
	g.section("ConsultNothingYet()", w.ConsultNothingYet())
	g.section("ConsultPhotoFailed()", w.ConsultPhotoFailed())
	g.section("ConsultMediaNotKept()", w.ConsultMediaNotKept())
	g.section("ConsultTooManyParts()", w.ConsultTooManyParts())
	inHours, _ := consult.NextAnswerTime(f, consult.DefaultAnswerHours, thuOpen)
	atNight, _ := consult.NextAnswerTime(f, consult.DefaultAnswerHours, thuNight)
	g.section("ConsultSent(Thursday 11:00, in the answer hours)", w.ConsultSent(inHours, true, thuOpen, false))
	g.section("ConsultSent(Thursday 22:00, after the hours, urgent)", w.ConsultSent(atNight, true, thuNight, true))
	g.section("ConsultSent(no answer days at all)", w.ConsultSent(consult.AnswerWindow{}, false, thuOpen, false))
	g.section("ConsultSentAfterPause(Thursday 11:00, in the answer hours)", w.ConsultSentAfterPause(inHours, true, thuOpen, false))
	g.section("ConsultSentAfterPause(Thursday 22:00, after the hours, urgent)", w.ConsultSentAfterPause(atNight, true, thuNight, true))
	g.section("ConsultAlreadySent()", w.ConsultAlreadySent())
	g.section("ConsultAnswer(feeding, asked 2026-12-03)", w.ConsultAnswer(consult.TopicFeeding, thuOpen, "3時間おきを目安に、赤ちゃんが欲しがるときにあげて大丈夫です。"))
	g.section("ConsultAnswer(no topic, asked 2026-12-03)", w.ConsultAnswer(consult.TopicNone, thuOpen, "ご心配でしたね。"))

	// Changing a booking's day; her place kept (change_test.go).
	changeTexts(&g, w, f)

	return g.Bytes()
}

// TestEveryText keeps every sentence in testdata/every_text.golden, so a
// change of wording shows in review as she will read it.
func TestEveryText(t *testing.T) {
	got := everyText()
	if *update {
		if err := os.MkdirAll(filepath.Dir(everyTextGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(everyTextGolden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(everyTextGolden)
	if err != nil {
		t.Fatalf("%v (run go test ./words/ -run TestEveryText -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the sentences differ from %s; review the change and run with -update:\n%s", everyTextGolden, firstDifference(string(want), string(got)))
	}
}

// firstDifference shows the first line where want and got part.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d\n golden: %q\n    now: %q", i+1, w, g)
		}
	}
	return "(the same lines; the difference is in line endings)"
}

// TestEveryMethodInGolden fails when a sentence of Words is missing from
// the golden file, so that no new sentence skips review.
func TestEveryMethodInGolden(t *testing.T) {
	data, err := os.ReadFile(everyTextGolden)
	if err != nil {
		t.Fatal(err)
	}
	headed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^== (\w+)\(`).FindAllStringSubmatch(string(data), -1) {
		headed[m[1]] = true
	}
	typ := reflect.TypeFor[Words]()
	for i := range typ.NumMethod() {
		if name := typ.Method(i).Name; !headed[name] {
			t.Errorf("Words.%s has no section in %s; render it in everyText", name, everyTextGolden)
		}
	}
}
