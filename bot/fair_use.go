package bot

import "mamasroom/line"

// upcomingLimitReached answers a booking, a wait or a waitlist offer's
// 予約する past the facility's limit of upcoming bookings per mother.
func (r replies) upcomingLimitReached() line.Message {
	return r.withMenu(r.w.UpcomingLimitReached())
}
