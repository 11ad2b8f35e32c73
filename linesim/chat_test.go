package linesim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/linesim"
)

// echoBot is a tiny bot: it checks the signature as a bot must, and
// answers each event at once through the sim's Messaging API.
type echoBot struct {
	t   *testing.T
	api *messaging_api.MessagingApiAPI

	mu     sync.Mutex
	status int // answer to every webhook; 0 is 200
	events []webhook.EventInterface
}

func (b *echoBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cb, err := webhook.ParseRequest(secret, r)
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	b.mu.Lock()
	status := b.status
	b.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	for _, e := range cb.Events {
		b.mu.Lock()
		b.events = append(b.events, e)
		b.mu.Unlock()
		var token string
		var reply []messaging_api.MessageInterface
		switch e := e.(type) {
		case webhook.FollowEvent:
			token = e.ReplyToken
			reply = []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "ママズルームです。\n友だち追加ありがとうございます。"}}
		case webhook.MessageEvent:
			token = e.ReplyToken
			reply = []messaging_api.MessageInterface{&messaging_api.TextMessage{
				Text: "世田谷区にお住まいですか?\n詳しくは https://example.com/guide をご覧ください。",
				QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{
					{Type: "action", Action: &messaging_api.MessageAction{Label: "はい", Text: "はい"}},
					{Type: "action", Action: &messaging_api.PostbackAction{Label: "いいえ", Data: "answer=no", DisplayText: "いいえ"}},
					{Type: "action", Action: &messaging_api.DatetimePickerAction{
						Label: "生年月日を選ぶ", Data: "step=birth", Mode: messaging_api.DatetimePickerActionMODE_DATE,
						Initial: "2026-10-15", Min: "2026-07-01", Max: "2026-11-02",
					}},
				}},
			}}
		case webhook.PostbackEvent:
			token = e.ReplyToken
			reply = []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "受け取りました: " + e.Postback.Data + " " + e.Postback.Params["date"]}}
		}
		if token == "" {
			continue
		}
		if _, err := b.api.ReplyMessage(&messaging_api.ReplyMessageRequest{ReplyToken: token, Messages: reply}); err != nil {
			b.t.Errorf("bot reply: %v", err)
		}
	}
}

// chatSetup runs a sim with its chat handler, talking to an echoBot.
func chatSetup(t *testing.T) (*linesim.Sim, *echoBot, *httptest.Server) {
	t.Helper()
	sim, err := linesim.New(linesim.Config{ChannelSecret: secret, AccessToken: token})
	if err != nil {
		t.Fatal(err)
	}
	line := httptest.NewServer(sim.Handler())
	t.Cleanup(line.Close)
	api, err := messaging_api.NewMessagingApiAPI(token, messaging_api.WithEndpoint(line.URL))
	if err != nil {
		t.Fatal(err)
	}
	bot := &echoBot{t: t, api: api}
	hook := httptest.NewServer(bot)
	t.Cleanup(hook.Close)
	sim.SetWebhookURL(hook.URL)
	chat := httptest.NewServer(sim.ChatHandler())
	t.Cleanup(chat.Close)
	return sim, bot, chat
}

func chatPost(t *testing.T, chat *httptest.Server, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(chat.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func conversation(t *testing.T, chat *httptest.Server, user string) []linesim.ChatItem {
	t.Helper()
	resp, err := http.Get(chat.URL + "/chat/api/conversation?user=" + user)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("conversation: status %d", resp.StatusCode)
	}
	var items []linesim.ChatItem
	if err := json.NewDecoder(resp.Body).Decode(&items); err != nil {
		t.Fatalf("conversation: %v", err)
	}
	return items
}

func TestChatConversation(t *testing.T) {
	t.Parallel()
	sim, bot, chat := chatSetup(t)

	if items := conversation(t, chat, alice); len(items) != 0 {
		t.Fatalf("conversation before anything = %+v, want empty", items)
	}
	for _, step := range []struct{ path, body string }{
		{"/chat/api/follow", `{"user":"` + alice + `"}`},
		{"/chat/api/send", `{"user":"` + alice + `","text":"予約する"}`},
		{"/chat/api/postback", `{"user":"` + alice + `","data":"step=birth","label":"2026年10月15日","params":{"date":"2026-10-15"}}`},
	} {
		if status, body := chatPost(t, chat, step.path, step.body); status != http.StatusNoContent {
			t.Fatalf("POST %s = %d %q, want 204", step.path, status, body)
		}
	}

	bot.mu.Lock()
	events := append([]webhook.EventInterface(nil), bot.events...)
	bot.mu.Unlock()
	if len(events) != 3 {
		t.Fatalf("bot got %d events, want 3: %+v", len(events), events)
	}
	if m, ok := events[1].(webhook.MessageEvent); !ok || m.Message.(webhook.TextMessageContent).Text != "予約する" {
		t.Errorf("second event = %+v, want her text 予約する", events[1])
	}
	if p, ok := events[2].(webhook.PostbackEvent); !ok || p.Postback.Data != "step=birth" || p.Postback.Params["date"] != "2026-10-15" {
		t.Errorf("third event = %+v, want the picker's postback with its date", events[2])
	}

	items := conversation(t, chat, alice)
	type line struct{ from, kind, text string }
	want := []line{
		{"mother", "follow", ""},
		{"bot", "text", "ママズルームです。\n友だち追加ありがとうございます。"},
		{"mother", "text", "予約する"},
		{"bot", "text", "世田谷区にお住まいですか?\n詳しくは https://example.com/guide をご覧ください。"},
		{"mother", "postback", "2026年10月15日"},
		{"bot", "text", "受け取りました: step=birth 2026-10-15"},
	}
	if len(items) != len(want) {
		t.Fatalf("conversation has %d items, want %d: %+v", len(items), len(want), items)
	}
	for i, w := range want {
		if got := (line{items[i].From, items[i].Kind, items[i].Text}); got != w {
			t.Errorf("item %d = %+v, want %+v", i, got, w)
		}
		if i > 0 && items[i].At.Before(items[i-1].At) {
			t.Errorf("item %d is earlier than item %d", i, i-1)
		}
	}
	wantButtons := []linesim.ChatButton{
		{Kind: "message", Label: "はい", Text: "はい"},
		{Kind: "postback", Label: "いいえ", Data: "answer=no", DisplayText: "いいえ"},
		{Kind: "date", Label: "生年月日を選ぶ", Data: "step=birth", Initial: "2026-10-15", Min: "2026-07-01", Max: "2026-11-02"},
	}
	if got := items[3].Buttons; len(got) != len(wantButtons) {
		t.Errorf("buttons = %+v, want %+v", got, wantButtons)
	} else {
		for i := range wantButtons {
			if got[i] != wantButtons[i] {
				t.Errorf("button %d = %+v, want %+v", i, got[i], wantButtons[i])
			}
		}
	}

	if others := conversation(t, chat, bob); len(others) != 0 {
		t.Errorf("another mother's conversation = %+v, want empty", others)
	}
	if r := sim.Rejected(); len(r) > 0 {
		t.Errorf("the sim refused the bot: %+v", r)
	}
}

func TestChatPostbackWithoutDisplayTextShowsNothing(t *testing.T) {
	t.Parallel()
	sim, _, chat := chatSetup(t)
	if status, body := chatPost(t, chat, "/chat/api/postback", `{"user":"`+alice+`","data":"menu=quiet"}`); status != http.StatusNoContent {
		t.Fatalf("postback = %d %q, want 204", status, body)
	}
	items := conversation(t, chat, alice)
	if len(items) != 1 || items[0].From != "bot" {
		t.Errorf("conversation = %+v, want only the bot's answer", items)
	}
	if got := sim.Texts(alice); len(got) != 1 {
		t.Errorf("texts = %q, want one answer", got)
	}
}

func TestChatBadRequests(t *testing.T) {
	t.Parallel()
	_, bot, chat := chatSetup(t)
	for _, tc := range []struct{ name, path, body string }{
		{"bad user", "/chat/api/send", `{"user":"alice","text":"こんにちは"}`},
		{"no text", "/chat/api/send", `{"user":"` + alice + `","text":""}`},
		{"unknown field", "/chat/api/send", `{"user":"` + alice + `","text":"はい","sticker":1}`},
		{"not JSON", "/chat/api/follow", `user=` + alice},
		{"two objects", "/chat/api/follow", `{"user":"` + alice + `"}{}`},
		{"no data", "/chat/api/postback", `{"user":"` + alice + `","label":"はい"}`},
	} {
		if status, _ := chatPost(t, chat, tc.path, tc.body); status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tc.name, status)
		}
	}
	resp, err := http.Get(chat.URL + "/chat/api/conversation?user=nobody")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("conversation of a bad user id: status %d, want 400", resp.StatusCode)
	}
	bot.mu.Lock()
	defer bot.mu.Unlock()
	if len(bot.events) != 0 {
		t.Errorf("bad requests reached the bot: %+v", bot.events)
	}
}

func TestChatBotFailing(t *testing.T) {
	t.Parallel()
	_, bot, chat := chatSetup(t)
	bot.mu.Lock()
	bot.status = http.StatusInternalServerError
	bot.mu.Unlock()
	status, body := chatPost(t, chat, "/chat/api/send", `{"user":"`+alice+`","text":"予約する"}`)
	if status != http.StatusBadGateway || !strings.Contains(body, "500") {
		t.Errorf("send to a failing bot = %d %q, want 502 naming 500", status, body)
	}
}

func TestChatPage(t *testing.T) {
	t.Parallel()
	sim, _, chat := chatSetup(t)
	resp, err := http.Get(chat.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s, want 200 text/html", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"<title>ママズルーム LINE デモ</title>", "ママA", "友だち追加", "送信"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, external := range []string{"src=\"http", "href=\"http", "@import"} {
		if strings.Contains(string(body), external) {
			t.Errorf("page loads something from outside (%q)", external)
		}
	}

	// The chat routes are not the Messaging API, and the Messaging API
	// stays strict about them.
	resp, err = http.Post(chat.URL+"/v2/bot/message/push", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("chat handler serves the Messaging API: status %d", resp.StatusCode)
	}
	line := httptest.NewServer(sim.Handler())
	defer line.Close()
	resp, err = http.Get(line.URL + "/chat/api/conversation?user=" + alice)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("Messaging API handler answers the chat API: status %d, want 401", resp.StatusCode)
	}
}
