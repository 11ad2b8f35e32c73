package server_test

import (
	"os"
	"testing"

	"mamasroom/logcheck"
)

// Every line logged in these tests is checked: none may carry a LINE user
// id, a birth date, what a mother wrote or a token.
func TestMain(m *testing.M) {
	os.Exit(logcheck.Main(m))
}
