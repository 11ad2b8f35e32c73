package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"
)

// The demo's chat page is played in a real browser: Debian's chromium,
// which scripts/test installs and names in MAMASROOM_CHROMIUM. Screenshots
// go to MAMASROOM_ARTIFACTS, for a person to look at.

// browserWait bounds each step in the browser: the bot answers through its
// outbox and the page polls every second, so a step takes a second or two.
const browserWait = 30 * time.Second

// TestDemoInBrowser is a mother in the chat page: she adds the account,
// starts the eligibility check, and, asked for her baby's birthday, writes
// that her baby is having a seizure. The answer must put the numbers to
// call under her thumb, and the question must wait for her.
func TestDemoInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	base := startDemo(t, nil).url
	shots := artifactPaths(t, "chat-safety.png", "chat-safety-whole.png", "chat-desktop.png")

	const seizure = "赤ちゃんがけいれんしています"
	safety := bubble("bot", "119番")
	phone := func(height int64) chromedp.Action[chromedp.Void] {
		return chromedp.EmulateViewport(390, height, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}

	step(t, ctx, "open the page on a phone",
		phone(844),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`//div[@class="empty"][contains(., "友だち追加")]`),
	)
	step(t, ctx, "add the account and be greeted",
		chromedp.Click(enabledButton("友だち追加")),
		chromedp.WaitVisible(`//div[@class="note"][contains(., "友だち追加しました")]`),
		chromedp.WaitVisible(bubble("bot", "ママズルーム")),
	)
	// The bot's sentences change with its words: the steps are found by
	// what the contract pins (the ward's name, はい, the date picker).
	step(t, ctx, "start the eligibility check",
		chromedp.Click(enabledButton("ご利用条件")),
		chromedp.WaitVisible(bubble("bot", "世田谷区")),
	)
	step(t, ctx, "answer that she lives in the ward",
		chromedp.Click(enabledButton("はい")),
		chromedp.WaitVisible(lastReplies+`/div[@class="picker"]`),
	)
	birthdayQuestion := value(t, ctx, "read the birthday question", chromedp.Text(`(//div[contains(@class,"row") and contains(@class,"bot")])[last()]/div[@class="bubble"]`))
	step(t, ctx, "write that her baby is having a seizure",
		chromedp.SendKeys(chromedp.ID("text"), seizure),
		chromedp.Click(enabledButton("送信")),
		chromedp.WaitVisible(bubble("mother", seizure)),
		chromedp.WaitVisible(safety),
		// The question she was asked comes again after the answer, with
		// its date picker.
		chromedp.WaitVisible(fmt.Sprintf(`%s/parent::div/following-sibling::div[contains(@class,"row")]/div[@class="bubble"][contains(., %q)]`,
			safety, firstLine(birthdayQuestion))),
		chromedp.WaitVisible(lastReplies+`/div[@class="picker"]`),
	)

	links := value(t, ctx, "read the call buttons", chromedp.Evaluate[[]callLink](`(() => {
		const found = document.evaluate(`+"`"+safety+"`"+`, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
		const b = found.snapshotItem(found.snapshotLength - 1);
		return Array.from(b.querySelectorAll("a.call"), a => ({label: a.textContent, href: a.getAttribute("href")}));
	})()`))
	if len(links) < 2 || links[0].Href != "tel:119" || links[1].Href != "tel:%237119" {
		t.Errorf("the safety answer's call buttons = %+v, want tel:119 then tel:%%237119 first", links)
	}
	for _, l := range links {
		if !strings.HasPrefix(l.Href, "tel:") || !strings.HasSuffix(l.Label, "に電話") {
			t.Errorf("call button %+v: want a tel: link labelled …に電話", l)
		}
	}
	if input := value(t, ctx, "read the input", chromedp.Value(chromedp.ID("text"))); input != "" {
		t.Errorf("the input still holds %q after sending", input)
	}
	if shown := value(t, ctx, "read the error line", chromedp.Text(chromedp.ID("error"))); shown != "" {
		t.Errorf("the page shows an error: %q", shown)
	}
	assertJapaneseFont(t, ctx, safety)

	// What her phone shows; the whole conversation on one tall phone; the
	// page on a desktop.
	save(t, shots["chat-safety.png"], value(t, ctx, "screenshot the phone", chromedp.FullScreenshot(100)))
	hidden := value(t, ctx, "measure the conversation", chromedp.Evaluate[int64](`(() => {
		const log = document.getElementById("log");
		return log.scrollHeight - log.clientHeight;
	})()`))
	step(t, ctx, "grow the phone to the whole conversation",
		phone(844+max(0, hidden)),
		chromedp.WaitVisible(bubble("bot", "ママズルーム")),
	)
	save(t, shots["chat-safety-whole.png"], value(t, ctx, "screenshot the whole conversation", chromedp.FullScreenshot(100)))
	step(t, ctx, "open the page on a desktop",
		chromedp.EmulateViewport(1280, 800),
		chromedp.WaitVisible(safety),
		// As the page does for a new message: the latest at the bottom.
		chromedp.Evaluate[chromedp.Void](`(() => { const log = document.getElementById("log"); log.scrollTop = log.scrollHeight; })()`),
	)
	save(t, shots["chat-desktop.png"], value(t, ctx, "screenshot the desktop", chromedp.FullScreenshot(100)))
}

// firstLine is text up to its first line break.
func firstLine(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return line
}

// callLink is a call button as the page shows it.
type callLink struct {
	Label string `json:"label"`
	Href  string `json:"href"`
}

// bubble is an XPath to the chat bubbles of from ("bot" or "mother") that
// contain text.
func bubble(from, text string) string {
	return fmt.Sprintf(`//div[contains(@class,"row") and contains(@class,%q)]/div[@class="bubble"][contains(., %q)]`, from, text)
}

// enabledButton is an XPath to a button she can press now: the page
// disables its buttons while a message is on its way.
func enabledButton(label string) string {
	return fmt.Sprintf(`//button[not(@disabled)][normalize-space()=%q]`, label)
}

// step runs actions in the browser, bounded by browserWait.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserWait)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// value runs one action that reads something from the browser.
func value[T any](t *testing.T, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(sctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// newBrowser starts a headless chromium for the test, with a profile of its
// own, and returns a context for its first tab. When scripts/test named a
// browser, not starting it is a failure; only a plain `go test` without
// MAMASROOM_CHROMIUM skips.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("MAMASROOM_CHROMIUM")
	if path == "" {
		t.Skip("MAMASROOM_CHROMIUM is not set: run scripts/test, or set it to a chromium binary")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // CI runs as root, which the sandbox refuses
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	// Registered after TempDir's cleanup, so it runs before it: the browser
	// has exited when its profile is removed.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first action starts the browser and ties it to the context it is
	// given, so it gets ctx itself, and a timer bounds the start.
	timer := time.AfterFunc(browserWait, cancelAlloc)
	err := chromedp.Do(ctx)
	timer.Stop()
	if err != nil {
		t.Fatalf("chromium %s (MAMASROOM_CHROMIUM) did not start: %v", path, err)
	}
	return ctx
}

// artifactPaths returns where each named screenshot goes: MAMASROOM_ARTIFACTS
// (scripts/test sets it to artifacts/ in the repository), or else the test's
// artifact directory. Old copies are removed first, so a failed run leaves
// no stale picture behind.
func artifactPaths(t *testing.T, names ...string) map[string]string {
	t.Helper()
	dir := os.Getenv("MAMASROOM_ARTIFACTS")
	if dir == "" {
		dir = t.ArtifactDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{}
	for _, name := range names {
		paths[name] = filepath.Join(dir, name)
		if err := os.Remove(paths[name]); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return paths
}

func save(t *testing.T, path string, png []byte) {
	t.Helper()
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// japaneseFont matches the families the page asks for; without one of them
// installed, Japanese renders as empty boxes.
var japaneseFont = regexp.MustCompile(`CJK|Hiragino|Yu Gothic|Meiryo|Noto Sans JP`)

// assertJapaneseFont checks which fonts the browser really drew the text of
// the last node at xpath with: a screenshot may pass a glance, this does not.
func assertJapaneseFont(t *testing.T, ctx context.Context, xpath string) {
	t.Helper()
	var families []string
	step(t, ctx, "read the fonts of "+xpath,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, dom.Enable, dom.EnableParams{}); err != nil {
				return err
			}
			if _, err := chromedp.Call(ctx, css.Enable, cdp.Empty{}); err != nil {
				return err
			}
			nodes, err := chromedp.Run(ctx, chromedp.Nodes(xpath))
			if err != nil {
				return err
			}
			fonts, err := chromedp.Call(ctx, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: nodes[len(nodes)-1].NodeID})
			if err != nil {
				return err
			}
			for _, f := range fonts.Fonts {
				families = append(families, f.FamilyName)
			}
			return nil
		}),
	)
	if !slices.ContainsFunc(families, japaneseFont.MatchString) {
		t.Errorf("the safety answer was drawn with %q, no Japanese font (install fonts-noto-cjk)", families)
	}
}
