package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"mamasroom/bot"
)

// An error line about an event names the event and her keyed hash, so an
// operator can trace it, and never her LINE user id.
func TestErrorLinesCarryTheEventAndHerKeyedHash(t *testing.T) {
	h := setup(t)
	m := h.mother()
	m.follows()
	h.sim.FailNext("/v2/bot/message/reply", 500, 1)
	if _, err := h.sim.SendText(context.Background(), m.userID, "予約する"); err != nil {
		t.Fatal(err)
	}
	var line string
	waitUntil(t, func() bool {
		for _, l := range strings.Split(h.logs.String(), "\n") {
			if strings.Contains(l, "level=ERROR") && strings.Contains(l, "event handling paused") {
				line = l
				return true
			}
		}
		return false
	})
	hash := bot.UserLogHash(channelSecret, m.userID)
	if !strings.Contains(line, "user="+hash) || !regexp.MustCompile(`event=\w{10,}`).MatchString(line) {
		t.Errorf("the error line lacks the event id or her hash %s:\n%s", hash, line)
	}
	if strings.Contains(h.logs.String(), m.userID) {
		t.Errorf("the log holds her LINE user id:\n%s", h.logs.String())
	}
	if other := bot.UserLogHash("another secret", m.userID); other == hash {
		t.Error("the hash does not depend on the key")
	}
}
