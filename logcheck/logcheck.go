// Package logcheck fails a test binary whose log said what no log line may
// say: a LINE user id, a baby's birth date, what a mother wrote, a token.
// A package's tests send their log through Writer (or Check what they
// captured) and call Main from TestMain; after the tests have run, Main
// prints each offending line and makes the binary fail.
//
// What it looks for: LINE user ids (U and 32 hex digits), any Japanese
// text (every message a mother writes, and every word said to her, is
// Japanese; log lines are not), "Bearer " headers, and each string
// registered with Secret (test mothers' birth dates, channel secrets and
// access tokens).
package logcheck

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var patterns = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a LINE user id", regexp.MustCompile(`U[0-9a-f]{32}`)},
	{"Japanese text (what a mother wrote or was told)", regexp.MustCompile(`[\p{Hiragana}\p{Katakana}\p{Han}]`)},
	{"an Authorization header", regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/-]+`)},
}

var state struct {
	sync.Mutex
	secrets    []string
	violations []string
	lines      int
}

// Secret registers s as never to appear in a log line: a test mother's
// birth date, a token. Strings shorter than 6 bytes are ignored, as they
// would match by chance.
func Secret(s string) {
	if len(s) < 6 {
		return
	}
	state.Lock()
	defer state.Unlock()
	for _, known := range state.secrets {
		if known == s {
			return
		}
	}
	state.secrets = append(state.secrets, s)
}

// Check checks every line of text.
func Check(text string) {
	for line := range strings.Lines(text) {
		checkLine(strings.TrimRight(line, "\n"))
	}
}

func checkLine(line string) {
	if line == "" {
		return
	}
	state.Lock()
	defer state.Unlock()
	state.lines++
	for _, p := range patterns {
		if p.re.MatchString(line) {
			state.violations = append(state.violations, fmt.Sprintf("%s in: %s", p.what, line))
		}
	}
	for _, s := range state.secrets {
		if strings.Contains(line, s) {
			state.violations = append(state.violations, fmt.Sprintf("the secret %q in: %s", s, line))
		}
	}
}

// Writer checks each line written, then passes it on to w.
func Writer(w io.Writer) io.Writer {
	return &lineWriter{next: w}
}

type lineWriter struct {
	mu      sync.Mutex
	next    io.Writer
	pending []byte
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	lw.pending = append(lw.pending, p...)
	for {
		i := bytes.IndexByte(lw.pending, '\n')
		if i < 0 {
			break
		}
		checkLine(string(lw.pending[:i]))
		lw.pending = lw.pending[i+1:]
	}
	lw.mu.Unlock()
	return lw.next.Write(p)
}

// Violations returns what was found so far.
func Violations() []string {
	state.Lock()
	defer state.Unlock()
	return append([]string(nil), state.violations...)
}

// Main runs the tests; it returns 1, failing the binary, when a log line
// broke the rule, even if every test passed. Code that logs to slog's
// default logger is checked too.
func Main(m *testing.M) int {
	slog.SetDefault(slog.New(slog.NewTextHandler(Writer(io.Discard), nil)))
	code := m.Run()
	found := Violations()
	if len(found) == 0 {
		return code
	}
	fmt.Fprintf(os.Stderr, "logcheck: %d log line(s) carry personal data or a secret:\n", len(found))
	for _, v := range found[:min(len(found), 20)] {
		fmt.Fprintln(os.Stderr, "  "+v)
	}
	return 1
}
