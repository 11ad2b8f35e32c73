package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDemoClockInBrowser is a mother who books a visit in the chat page on
// a Wednesday morning, then presses the page's 「前日12:00へ」: the demo's
// clock moves to noon the day before her visit and her reminder arrives in
// the chat, once.
func TestDemoClockInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	base := startDemo(t, nil).url
	shots := artifactPaths(t, "chat-reminder.png")
	const reminder = "近づいてきました"

	step(t, ctx, "open the page on a phone and add the account",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`//time[@id="now"][contains(., "11月25日")]`),
		chromedp.Click(enabledButton("友だち追加")),
		chromedp.WaitVisible(bubble("bot", "ママズルーム")),
	)
	step(t, ctx, "start booking",
		chromedp.SendKeys(chromedp.ID("text"), "予約する"),
		chromedp.Click(enabledButton("送信")),
		chromedp.Click(enabledButton("はい")),
		chromedp.WaitVisible(lastReplies+`/div[@class="picker"]`),
	)
	step(t, ctx, "give her baby's birthday",
		chromedp.SetValue(`//div[@class="picker"]/input[@type="date"]`, "2026-10-15"),
		chromedp.Click(enabledButton("決定")),
		chromedp.WaitVisible(enabledButton("11/27(金)")),
	)
	// Found by role, as the bot's words and steps change (see
	// demo_richmenu_browser_test.go).
	tapReply(t, ctx, "11/27(金)")
	confirmWithoutOptions(t, ctx)
	step(t, ctx, "move the clock to noon the day before",
		chromedp.Click(enabledButton("前日12:00へ")),
		chromedp.WaitVisible(`//time[@id="now"][contains(., "11月26日")][contains(., "12:0")]`),
		chromedp.WaitVisible(bubble("bot", reminder)),
	)
	text := value(t, ctx, "read the reminder", chromedp.Text(bubble("bot", reminder)))
	for _, want := range []string{"2026年11月27日(金)", "10:00", "予約番号"} {
		if !strings.Contains(text, want) {
			t.Errorf("the reminder lacks %q:\n%s", want, text)
		}
	}
	n := value(t, ctx, "count the reminders", chromedp.Evaluate[int]("document.evaluate(`count("+bubble("bot", reminder)+")`, document, null, XPathResult.NUMBER_TYPE, null).numberValue"))
	if n != 1 {
		t.Errorf("%d reminder bubbles, want 1", n)
	}
	if shown := value(t, ctx, "read the error line", chromedp.Text(chromedp.ID("error"))); shown != "" {
		t.Errorf("the page shows an error: %q", shown)
	}
	save(t, shots["chat-reminder.png"], value(t, ctx, "screenshot the phone", chromedp.FullScreenshot(100)))
}
