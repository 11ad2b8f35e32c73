package bot_test

import (
	"os"
	"testing"

	"mamasroom/logcheck"
)

// Every line the bot logs in these tests is checked: none may carry a
// LINE user id, a birth date, what a mother wrote or a token.
func TestMain(m *testing.M) {
	logcheck.Secret(channelSecret)
	logcheck.Secret(accessToken)
	os.Exit(logcheck.Main(m))
}
