package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestDemoRichMenuInBrowser is a mother in New York's time zone who books a
// day through the chat page's rich menu, as she would under LINE's input:
// 「予約する」 from the menu, her answers by quick reply, her baby's
// birthday in the date picker (which starts empty, so 決定 at once sends
// nothing), then 「予約の確認」 from the menu, after which the menu is
// still there, 「電話する」 dials the room and the menu bar folds it away
// and back. Times are shown in Tokyo's. The buttons are found by their
// role (a rich menu area by its label, the latest quick replies, the
// contract's はい, なし and M/D(曜) dates), not by the bot's sentences.
func TestDemoRichMenuInBrowser(t *testing.T) {
	t.Parallel()
	ctx := newBrowser(t)
	base := startDemo(t, nil).url
	shots := artifactPaths(t, "chat-richmenu.png", "chat-richmenu-booked.png", "chat-richmenu-closed.png")

	step(t, ctx, "open the page on a phone, far from Tokyo",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulatePortrait),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"})
			return err
		}),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`//div[@class="empty"][contains(., "友だち追加")]`),
		// Before she is a friend there is no menu to tap.
		chromedp.WaitNotVisible(menuArea("予約する")),
	)
	if tz := value(t, ctx, "read the browser's time zone", chromedp.Evaluate[string](`Intl.DateTimeFormat().resolvedOptions().timeZone`)); tz != "America/New_York" {
		t.Fatalf("the browser's time zone is %q, want America/New_York", tz)
	}
	step(t, ctx, "add the account",
		chromedp.Click(enabledButton("友だち追加")),
		chromedp.WaitVisible(bubble("bot", "ママズルーム")),
		// A friend cannot add the account again.
		chromedp.WaitVisible(`//button[@id="follow"][@disabled][normalize-space()="友だち追加済み"]`),
		chromedp.WaitVisible(menuArea("予約する")),
	)
	// The demo's clock starts at 9:00 on 11/25 in Tokyo, 19:00 on 11/24 in
	// New York: the page must show Tokyo's.
	step(t, ctx, "see Tokyo's date and time",
		chromedp.WaitVisible(`//time[@id="now"][contains(., "11月25日")][contains(., "09:0")]`),
		chromedp.WaitVisible(`//div[@class="day"]/span[contains(., "11月25日")]`),
	)
	if at := value(t, ctx, "read the greeting's time", chromedp.Text(`(//div[contains(@class,"row")]/div[@class="time"])[1]`)); !strings.HasPrefix(at, "09:0") {
		t.Errorf("the greeting's time is %q, want 09:0x (Tokyo)", at)
	}
	if size := value(t, ctx, "read the input's font size", chromedp.Evaluate[string](`getComputedStyle(document.getElementById("text")).fontSize`)); size != "16px" {
		t.Errorf("the input's font is %s, want 16px so a phone does not zoom", size)
	}
	save(t, shots["chat-richmenu.png"], value(t, ctx, "screenshot the menu", chromedp.FullScreenshot(100)))

	tapMenu(t, ctx, "予約する")
	step(t, ctx, "be asked where she lives", chromedp.WaitVisible(lastBot("世田谷区")))
	// はい keeps her eligible (the contract), until the birthday is asked.
	for i := 0; !hasPicker(t, ctx); i++ {
		if i == 5 {
			t.Fatal("no date picker after five はい")
		}
		tapReply(t, ctx, "はい")
	}

	picker := lastReplies + `/div[@class="picker"]`
	if v := value(t, ctx, "read the date picker", chromedp.Value(picker+`/input[@type="date"]`)); v != "" {
		t.Errorf("the birthday picker starts at %q, want empty (決定 at once must not send today)", v)
	}
	if size := value(t, ctx, "read the picker's font size", chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".picker input")).fontSize`)); size != "16px" {
		t.Errorf("the date picker's font is %s, want 16px", size)
	}
	before := rows(t, ctx)
	step(t, ctx, "press 決定 without a date",
		chromedp.Click(picker+`/button[not(@disabled)][normalize-space()="決定"]`),
		chromedp.WaitVisible(`//div[@id="error"][contains(., "日付を選んでください")]`),
	)
	if after := rows(t, ctx); after != before {
		t.Errorf("決定 without a date sent something: %d rows, then %d", before, after)
	}
	step(t, ctx, "give her baby's birthday",
		chromedp.SetValue(picker+`/input[@type="date"]`, "2026-10-15"),
		chromedp.Click(picker+`/button[not(@disabled)][normalize-space()="決定"]`),
	)
	waitAnswer(t, ctx, before, true)

	day := value(t, ctx, "find the first day offered", chromedp.Evaluate[string](`(() => {
		const box = document.evaluate(`+"`"+lastReplies+"`"+`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		const pill = box && Array.from(box.querySelectorAll("button.pill")).find(b => /^\d{1,2}\/\d{1,2}\(.\)$/.test(b.textContent.trim()));
		return pill ? pill.textContent.trim() : "";
	})()`))
	if day == "" {
		t.Fatalf("no day offered as M/D(曜) after the birthday")
	}
	tapReply(t, ctx, day)
	confirmWithoutOptions(t, ctx)
	m := regexp.MustCompile(`^(\d+)/(\d+)`).FindStringSubmatch(day)
	booked := fmt.Sprintf("2026年%s月%s日", m[1], m[2])
	if !hasBubble(t, ctx, booked) {
		t.Errorf("the confirmation does not name %s", booked)
	}
	save(t, shots["chat-richmenu-booked.png"], value(t, ctx, "screenshot the booking", chromedp.FullScreenshot(100)))

	tapMenu(t, ctx, "予約の確認")
	step(t, ctx, "see her booking listed", chromedp.WaitVisible(lastBot(booked)))
	// The way back is the menu, still under the input.
	step(t, ctx, "see the menu after her bookings",
		chromedp.WaitVisible(menuArea("予約する")),
		chromedp.WaitVisible(menuArea("ちょっと聞いてください")),
	)
	call := value(t, ctx, "read 電話する", chromedp.AttributeValue(menuArea("電話する"), "href"))
	if call.Value != "tel:0364138435" {
		t.Errorf("電話する links to %q, want tel:0364138435", call.Value)
	}
	if tag := value(t, ctx, "read 電話する's kind", chromedp.Evaluate[string](`document.querySelector('#richmenu [aria-label="電話する"]').tagName`)); tag != "A" {
		t.Errorf("電話する is a %s, want a link that dials", tag)
	}
	step(t, ctx, "fold the menu away",
		chromedp.Click(`//button[@id="menu-bar"][@aria-expanded="true"]`),
		chromedp.WaitNotVisible(menuArea("予約する")),
		chromedp.WaitVisible(`//button[@id="menu-bar"][@aria-expanded="false"]`),
	)
	save(t, shots["chat-richmenu-closed.png"], value(t, ctx, "screenshot the folded menu", chromedp.FullScreenshot(100)))
	step(t, ctx, "open the menu again",
		chromedp.Click(`//button[@id="menu-bar"][@aria-expanded="false"]`),
		chromedp.WaitVisible(menuArea("アクセス・持ち物")),
	)
	tapMenu(t, ctx, "アクセス・持ち物")

	if shown := value(t, ctx, "read the error line", chromedp.Text(chromedp.ID("error"))); shown != "" {
		t.Errorf("the page shows an error: %q", shown)
	}
}

// confirmWithoutOptions answers, once she picked a day, whatever comes
// before the booking number: no options (なし), and the confirmation (はい,
// or else its first button).
func confirmWithoutOptions(t *testing.T, ctx context.Context) {
	t.Helper()
	for i := 0; !hasBubble(t, ctx, "予約番号"); i++ {
		if i == 4 {
			t.Fatal("no booking number after four taps")
		}
		labels := value(t, ctx, "read the quick replies", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#log > .replies:last-child button.pill"), b => b.textContent.trim())`))
		switch {
		case len(labels) == 0:
			t.Fatalf("the bot's latest message offers no button and no booking number")
		case slices.Contains(labels, "なし"):
			tapReply(t, ctx, "なし")
		case slices.Contains(labels, "はい"):
			tapReply(t, ctx, "はい")
		default:
			tapReply(t, ctx, labels[0])
		}
	}
}

// lastReplies is an XPath to the quick replies under the latest message.
const lastReplies = `//div[@id="log"]/div[@class="replies"][last()]`

// menuArea is an XPath to the rich menu's area labelled label.
func menuArea(label string) string {
	return fmt.Sprintf(`//div[@id="richmenu"]/*[@aria-label=%q]`, label)
}

// lastBot is an XPath to the latest of the bot's bubbles if it contains text.
func lastBot(text string) string {
	return fmt.Sprintf(`(//div[contains(@class,"row") and contains(@class,"bot")])[last()]/div[@class="bubble"][contains(., %q)]`, text)
}

// rows counts the bubbles in the conversation.
func rows(t *testing.T, ctx context.Context) int {
	t.Helper()
	return value(t, ctx, "count the bubbles", chromedp.Evaluate[int](`document.querySelectorAll("#log .row").length`))
}

// waitAnswer waits, after she did something when there were before
// bubbles, for her bubble and the bot's answer (with quick replies under it
// when replies is set), and for the page to be ready for her next tap.
func waitAnswer(t *testing.T, ctx context.Context, before int, replies bool) {
	t.Helper()
	step(t, ctx, "wait for the bot's answer", chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => {
		const log = document.getElementById("log");
		const last = log.lastElementChild;
		const ready = !document.querySelector("#log button:disabled, #richmenu button:disabled");
		const answered = log.querySelectorAll(".row").length > %d + 1 &&
			(last.classList.contains("replies") || (!%t && last.classList.contains("bot")));
		return ready && answered;
	})()`, before, replies)))
}

// tapReply taps the quick reply labelled label under the latest message
// and waits for the bot's answer with its own quick replies.
func tapReply(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	before := rows(t, ctx)
	step(t, ctx, "tap "+label, chromedp.Click(fmt.Sprintf(`%s/button[not(@disabled)][normalize-space()=%q]`, lastReplies, label)))
	waitAnswer(t, ctx, before, true)
}

// tapMenu taps the rich menu's area labelled label and waits for the
// bot's answer.
func tapMenu(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	before := rows(t, ctx)
	step(t, ctx, "tap the menu's "+label,
		chromedp.WaitVisible(menuArea(label)),
		chromedp.Click(menuArea(label)+`[not(@disabled)]`),
	)
	waitAnswer(t, ctx, before, false)
}

func hasPicker(t *testing.T, ctx context.Context) bool {
	t.Helper()
	return value(t, ctx, "look for the date picker", chromedp.Evaluate[bool](`!!document.querySelector("#log > .replies:last-child .picker")`))
}

func hasBubble(t *testing.T, ctx context.Context, text string) bool {
	t.Helper()
	return value(t, ctx, "look for "+text, chromedp.Evaluate[bool](fmt.Sprintf(`Array.from(document.querySelectorAll("#log .row.bot .bubble")).some(b => b.textContent.includes(%q))`, text)))
}
