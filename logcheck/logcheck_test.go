package logcheck

import (
	"io"
	"strings"
	"testing"
)

func TestCheckFlagsWhatNoLogLineMaySay(t *testing.T) {
	Secret("2026-10-15")
	Secret("tok") // too short to register: would match by chance
	cases := []struct {
		line string
		bad  bool
	}{
		{`level=ERROR msg="event failed for good" event=01HX user=3f2a9c0d11aa22bb`, false},
		{`level=WARN msg="store webhook events" error="timeout" events=3`, false},
		{`level=INFO msg="serving" addr=127.0.0.1:8080 tok=1`, false},
		{`level=ERROR msg=x user=U0123456789abcdef0123456789abcdef`, true},
		{`level=WARN msg="text" body="おなかがすいた"`, true},
		{`level=WARN msg="text" body="カタカナ"`, true},
		{`level=DEBUG msg=request header="Authorization: Bearer abc.def"`, true},
		{`level=INFO msg=saved birthday=2026-10-15`, true},
	}
	for _, c := range cases {
		before := len(Violations())
		w := Writer(io.Discard)
		if _, err := io.WriteString(w, c.line+"\n"); err != nil {
			t.Fatal(err)
		}
		if got := len(Violations()) > before; got != c.bad {
			t.Errorf("%q flagged %v, want %v", c.line, got, c.bad)
		}
	}
	// A line is checked once whole, however it is split between writes.
	before := len(Violations())
	w := Writer(io.Discard)
	io.WriteString(w, "msg=x user=U0123456789abcdef")
	io.WriteString(w, "0123456789abcdef\n")
	if len(Violations()) != before+1 {
		t.Error("a user id split over two writes was not found")
	}
	Check(strings.Repeat("ok\n", 3))
	if len(Violations()) != before+1 {
		t.Error("plain lines were flagged")
	}
}
