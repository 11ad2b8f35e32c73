package booking

// LastUsableDay is the last day a baby born on birthday may come: the day
// before it turns four months. By 民法143条 (with 年齢計算ニ関スル法律
// counting the birthday itself) the period ends the day before the day of
// the fourth month after birth that bears the birthday's number, or, when
// that month has no such day, on the month's last day. Born 2026-10-15 the
// last day is 2027-02-14; born 2026-10-30 or -31 it is 2027-02-28.
func LastUsableDay(birthday Date) Date {
	monthFourStart := D(birthday.Year, birthday.Month+4, 1)
	monthFourEnd := monthFourStart.LastOfMonth()
	if birthday.Day > monthFourEnd.Day {
		return monthFourEnd
	}
	return Date{monthFourStart.Year, monthFourStart.Month, birthday.Day}.AddDays(-1)
}

// IneligibleReason says why a mother may not use the room; Eligible when
// she may.
type IneligibleReason string

const (
	Eligible         IneligibleReason = ""
	NotResident      IneligibleReason = "not_resident"
	BabyTooOld       IneligibleReason = "baby_too_old"
	BirthdayInFuture IneligibleReason = "birthday_in_future"
)

// Eligibility is the outcome of the ward's conditions that the program can
// check: residence and the baby's age. LastDay is the baby's last usable day
// whenever the birthday is a real date, even when she is not eligible, so a
// message can say until when the service would have been open to her.
type Eligibility struct {
	Reason  IneligibleReason
	LastDay Date
}

// OK reports whether she may book.
func (e Eligibility) OK() bool { return e.Reason == Eligible }

// CoversDay reports whether she may come on d: eligible, and the baby still
// under four months that day.
func (e Eligibility) CoversDay(d Date) bool {
	return e.OK() && !d.After(e.LastDay)
}

// CheckEligibility applies the ward's residence and age rules on today.
// Residence is checked first since it ends the conversation whatever the
// baby's age. A birthday after today is a typing or picking slip, reported as
// such rather than as a baby too young. A birthday that is not a real day
// (the zero Date, February 30th) cannot show that the baby is under four
// months, so it fails closed as BabyTooOld with no LastDay; the edges parse
// dates with ParseDate and never pass one.
func CheckEligibility(resident bool, birthday Date, today Date) Eligibility {
	if !birthday.Valid() {
		if !resident {
			return Eligibility{Reason: NotResident}
		}
		return Eligibility{Reason: BabyTooOld}
	}
	e := Eligibility{LastDay: LastUsableDay(birthday)}
	switch {
	case !resident:
		e.Reason = NotResident
	case birthday.After(today):
		e.Reason = BirthdayInFuture
	case today.After(e.LastDay):
		e.Reason = BabyTooOld
	}
	return e
}
