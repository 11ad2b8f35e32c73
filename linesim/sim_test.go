package linesim_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/linesim"
)

const (
	secret = "test-channel-secret"
	token  = "test-access-token"
	alice  = "U0123456789abcdef0123456789abcdef"
	bob    = "Ufedcba9876543210fedcba9876543210"
)

// fakeClock is a settable clock for reply-token expiry.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// receiver is a minimal bot webhook: it checks signatures the way the bot
// must and keeps what it parsed.
type receiver struct {
	mu        sync.Mutex
	callbacks []*webhook.CallbackRequest
	badSigs   int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if !webhook.ValidateSignature(secret, r.Header.Get("x-line-signature"), body) {
		rc.mu.Lock()
		rc.badSigs++
		rc.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	cb, err := webhook.ParseRequest(secret, r)
	if err != nil {
		http.Error(w, "parse", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.callbacks = append(rc.callbacks, cb)
	rc.mu.Unlock()
}

func (rc *receiver) last(t *testing.T) *webhook.CallbackRequest {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.callbacks) == 0 {
		t.Fatal("the receiver got no webhook")
	}
	return rc.callbacks[len(rc.callbacks)-1]
}

type env struct {
	sim   *linesim.Sim
	api   *messaging_api.MessagingApiAPI
	blob  *messaging_api.MessagingApiBlobAPI
	base  string
	rcv   *receiver
	clock *fakeClock
}

func setup(t *testing.T) *env {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	rcv := &receiver{}
	hook := httptest.NewServer(rcv)
	t.Cleanup(hook.Close)

	sim, err := linesim.New(linesim.Config{
		ChannelSecret: secret,
		AccessToken:   token,
		WebhookURL:    hook.URL,
		Now:           clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)

	api, err := messaging_api.NewMessagingApiAPI(token, messaging_api.WithEndpoint(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	blob, err := messaging_api.NewMessagingApiBlobAPI(token, messaging_api.WithBlobEndpoint(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return &env{sim: sim, api: api, blob: blob, base: srv.URL, rcv: rcv, clock: clock}
}

// tokenFrom sends a text from user and returns the reply token LINE gave.
func (e *env) tokenFrom(t *testing.T, user string) string {
	t.Helper()
	d, err := e.sim.SendText(context.Background(), user, "予約する")
	if err != nil {
		t.Fatal(err)
	}
	return d.ReplyTokens[0]
}

func (e *env) reply(token string, msgs ...messaging_api.MessageInterface) (int, error) {
	res, _, err := e.api.ReplyMessageWithHttpInfo(&messaging_api.ReplyMessageRequest{ReplyToken: token, Messages: msgs})
	if res == nil {
		return 0, err
	}
	return res.StatusCode, err
}

// post sends a raw JSON body with the right token, to test what the SDK
// client would never produce.
func (e *env) post(t *testing.T, path, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func (e *env) wantRejected(t *testing.T, status int, reasonPart string) {
	t.Helper()
	rej := e.sim.Rejected()
	if len(rej) != 1 {
		t.Fatalf("rejections = %+v, want exactly one", rej)
	}
	if rej[0].Status != status || !strings.Contains(rej[0].Reason, reasonPart) {
		t.Fatalf("rejection = %+v, want status %d and reason containing %q", rej[0], status, reasonPart)
	}
}

func (e *env) wantNoRejections(t *testing.T) {
	t.Helper()
	if rej := e.sim.Rejected(); len(rej) != 0 {
		t.Fatalf("unexpected rejections: %+v", rej)
	}
}

func quickReply(labels ...string) *messaging_api.QuickReply {
	qr := &messaging_api.QuickReply{}
	for _, l := range labels {
		qr.Items = append(qr.Items, messaging_api.QuickReplyItem{
			Type:   "action",
			Action: &messaging_api.MessageAction{Label: l, Text: l},
		})
	}
	return qr
}

func TestValidReplyIsAcceptedAndRecorded(t *testing.T) {
	e := setup(t)
	if !e.sim.SpecLoaded() {
		t.Log("LINE's OpenAPI spec not found; spec validation is off in this run")
	}
	tok := e.tokenFrom(t, alice)

	ev, ok := e.rcv.last(t).Events[0].(webhook.MessageEvent)
	if !ok {
		t.Fatalf("event = %T, want webhook.MessageEvent", e.rcv.last(t).Events[0])
	}
	if msg, ok := ev.Message.(webhook.TextMessageContent); !ok || msg.Text != "予約する" || ev.ReplyToken != tok || len(ev.WebhookEventId) != 26 {
		t.Fatalf("event = %+v", ev)
	}

	picker := &messaging_api.DatetimePickerAction{
		Label: "生年月日を選ぶ", Data: "step=birth", Mode: messaging_api.DatetimePickerActionMODE_DATE,
		Initial: "2026-10-15", Min: "2026-06-01", Max: "2026-11-02",
	}
	postback := &messaging_api.PostbackAction{Label: "はい", Data: "answer=yes", DisplayText: "はい"}
	qr := quickReply("12/4(金)", "次へ")
	qr.Items = append(qr.Items,
		messaging_api.QuickReplyItem{Type: "action", Action: picker},
		messaging_api.QuickReplyItem{Type: "action", Action: postback})
	status, err := e.reply(tok,
		&messaging_api.TextMessage{Text: "ご希望の日を選んでください。", QuickReply: qr},
		&messaging_api.TextMessage{Text: "「やめる」でいつでも終われます。"})
	if err != nil || status != http.StatusOK {
		t.Fatalf("reply: status %d, %v", status, err)
	}
	e.wantNoRejections(t)

	sent := e.sim.Sent(alice)
	if len(sent) != 1 || sent[0].Kind != "reply" || sent[0].To != alice || sent[0].ReplyToken != tok || len(sent[0].Messages) != 2 {
		t.Fatalf("sent = %+v", sent)
	}
	got := e.sim.Texts(alice)
	if len(got) != 2 || got[0] != "ご希望の日を選んでください。" {
		t.Fatalf("texts = %q", got)
	}
	tm := sent[0].Messages[0].(messaging_api.TextMessage)
	if _, ok := tm.QuickReply.Items[2].Action.(messaging_api.DatetimePickerAction); !ok {
		t.Fatalf("action decoded as %T", tm.QuickReply.Items[2].Action)
	}
}

func TestReplyTokenRefusals(t *testing.T) {
	tests := []struct {
		name   string
		token  func(t *testing.T, e *env) string
		reason string
	}{
		{"reused", func(t *testing.T, e *env) string {
			tok := e.tokenFrom(t, alice)
			if status, err := e.reply(tok, &messaging_api.TextMessage{Text: "一度目"}); status != http.StatusOK {
				t.Fatalf("first reply: %d %v", status, err)
			}
			return tok
		}, "already used"},
		{"unknown", func(t *testing.T, e *env) string {
			return "0123456789abcdef0123456789abcdef"
		}, "not issued"},
		{"expired", func(t *testing.T, e *env) string {
			tok := e.tokenFrom(t, alice)
			e.clock.Advance(61 * time.Second)
			return tok
		}, "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			tok := tt.token(t, e)
			status, err := e.reply(tok, &messaging_api.TextMessage{Text: "こんにちは"})
			if status != http.StatusBadRequest || err == nil || !strings.Contains(err.Error(), "Invalid reply token") {
				t.Fatalf("reply: status %d, %v; want 400 Invalid reply token", status, err)
			}
			e.wantRejected(t, http.StatusBadRequest, tt.reason)
		})
	}
}

func TestRefusedReplyDoesNotUseTheToken(t *testing.T) {
	e := setup(t)
	tok := e.tokenFrom(t, alice)
	if status, _ := e.reply(tok, &messaging_api.TextMessage{Text: ""}); status != http.StatusBadRequest {
		t.Fatalf("empty text: status %d, want 400", status)
	}
	if status, err := e.reply(tok, &messaging_api.TextMessage{Text: "こんにちは"}); status != http.StatusOK {
		t.Fatalf("corrected reply: status %d, %v", status, err)
	}
}

func TestMessageLimits(t *testing.T) {
	labels := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = string(rune('A' + i))
		}
		return out
	}
	tests := []struct {
		name     string
		msgs     []messaging_api.MessageInterface
		property string // "" = accepted
	}{
		{"13 quick replies", []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "選んでください", QuickReply: quickReply(labels(13)...)}}, ""},
		{"14 quick replies", []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "選んでください", QuickReply: quickReply(labels(14)...)}}, "messages[0].quickReply.items"},
		{"20-rune label", []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "はい", QuickReply: quickReply(strings.Repeat("あ", 20))}}, ""},
		{"21-rune label", []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "はい", QuickReply: quickReply(strings.Repeat("あ", 21))}}, "messages[0].quickReply.items[0].action.label"},
		{"no label", []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "はい", QuickReply: quickReply("")}}, "messages[0].quickReply.items[0].action.label"},
		{"6 messages", []messaging_api.MessageInterface{
			&messaging_api.TextMessage{Text: "1"}, &messaging_api.TextMessage{Text: "2"}, &messaging_api.TextMessage{Text: "3"},
			&messaging_api.TextMessage{Text: "4"}, &messaging_api.TextMessage{Text: "5"}, &messaging_api.TextMessage{Text: "6"},
		}, "messages"},
		{"5001 characters", []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: strings.Repeat("あ", 5001)}}, "messages[0].text"},
		{"picker initial after max", []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "生年月日", QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{{
			Type: "action", Action: &messaging_api.DatetimePickerAction{Label: "選ぶ", Data: "birth", Mode: "date", Initial: "2026-12-01", Max: "2026-11-02"},
		}}}}}, "messages[0].quickReply.items[0].action.initial"},
		{"picker datetime value in date mode", []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "生年月日", QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{{
			Type: "action", Action: &messaging_api.DatetimePickerAction{Label: "選ぶ", Data: "birth", Mode: "date", Initial: "2026-10-15T10:00"},
		}}}}}, "messages[0].quickReply.items[0].action.initial"},
		{"postback data over 300", []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "はい", QuickReply: &messaging_api.QuickReply{Items: []messaging_api.QuickReplyItem{{
			Type: "action", Action: &messaging_api.PostbackAction{Label: "はい", Data: strings.Repeat("x", 301)},
		}}}}}, "messages[0].quickReply.items[0].action.data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			status, err := e.reply(e.tokenFrom(t, alice), tt.msgs...)
			if tt.property == "" {
				if status != http.StatusOK {
					t.Fatalf("status %d, %v; want 200", status, err)
				}
				e.wantNoRejections(t)
				return
			}
			if status != http.StatusBadRequest {
				t.Fatalf("status %d; want 400", status)
			}
			e.wantRejected(t, http.StatusBadRequest, tt.property+":")
			if len(e.sim.Sent(alice)) != 0 {
				t.Fatal("a refused reply was recorded as sent")
			}
		})
	}
}

func TestUnknownFieldsAreRefused(t *testing.T) {
	bodies := map[string]string{
		"messages[0].colour":                        `{"replyToken":%q,"messages":[{"type":"text","text":"はい","colour":"red"}]}`,
		"messages[0].quickReply.items[0].action.fo": `{"replyToken":%q,"messages":[{"type":"text","text":"はい","quickReply":{"items":[{"type":"action","action":{"type":"message","label":"はい","text":"はい","fo":1}}]}}]}`,
		"notify":                  `{"replyToken":%q,"messages":[{"type":"text","text":"はい"}],"notify":false}`,
		"messages[0].type":        `{"replyToken":%q,"messages":[{"type":"txt","text":"はい"}]}`,
		"messages[0].Text":        `{"replyToken":%q,"messages":[{"type":"text","Text":"case matters"}]}`,
		"messages[0].sender.icon": `{"replyToken":%q,"messages":[{"type":"text","text":"はい","sender":{"name":"助産師","icon":"x"}}]}`,
	}
	run := func(t *testing.T) {
		for property, body := range bodies {
			t.Run(property, func(t *testing.T) {
				e := setup(t)
				res := e.post(t, "/v2/bot/message/reply", strings.Replace(body, "%q", `"`+e.tokenFrom(t, alice)+`"`, 1))
				if res.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d, want 400", res.StatusCode)
				}
				e.wantRejected(t, http.StatusBadRequest, property+":")
			})
		}
	}
	t.Run("with spec", run)
	t.Run("without spec", func(t *testing.T) {
		t.Chdir(t.TempDir()) // nothing to find upward from here
		e := setup(t)
		if e.sim.SpecLoaded() {
			t.Skip("a spec was found above the temporary directory")
		}
		run(t)
	})
}

func TestSpecCatchesWhatTheBaseSchemaMisses(t *testing.T) {
	e := setup(t)
	if !e.sim.SpecLoaded() {
		t.Skip("LINE's OpenAPI spec not found")
	}
	// Only StickerMessage, reached through Message's discriminator, says a
	// sticker needs packageId.
	res := e.post(t, "/v2/bot/message/reply", `{"replyToken":"`+e.tokenFrom(t, alice)+`","messages":[{"type":"sticker","stickerId":"52002734"}]}`)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.StatusCode)
	}
	e.wantRejected(t, http.StatusBadRequest, "packageId")
}

func TestWrongAccessTokenIs401(t *testing.T) {
	e := setup(t)
	bad, err := messaging_api.NewMessagingApiAPI("not-the-token", messaging_api.WithEndpoint(e.base))
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := bad.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{To: alice, Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "x"}}}, "")
	if res == nil || res.StatusCode != http.StatusUnauthorized || !strings.Contains(err.Error(), "Authentication failed") {
		t.Fatalf("push with a wrong token: %v", err)
	}
	if res.Header.Get("x-line-request-id") == "" {
		t.Error("no x-line-request-id")
	}
	e.wantRejected(t, http.StatusUnauthorized, "Authorization")
}

func push(e *env, to, retryKey, text string) (*http.Response, error) {
	res, _, err := e.api.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
		To: to, Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: text}},
	}, retryKey)
	return res, err
}

func TestPushRetryKey(t *testing.T) {
	e := setup(t)
	if _, err := e.sim.SendFollow(context.Background(), alice); err != nil {
		t.Fatal(err)
	}
	const key = "123e4567-e89b-12d3-a456-426614174000"
	first, err := push(e, alice, key, "明日は10:00にお待ちしています。")
	if err != nil {
		t.Fatal(err)
	}
	second, err := push(e, alice, key, "明日は10:00にお待ちしています。")
	if second.StatusCode != http.StatusConflict || !strings.Contains(err.Error(), "The retry key is already accepted") {
		t.Fatalf("repeat: status %d, %v; want 409", second.StatusCode, err)
	}
	if got, want := second.Header.Get("x-line-accepted-request-id"), first.Header.Get("x-line-request-id"); got == "" || got != want {
		t.Fatalf("x-line-accepted-request-id = %q, want the first request's id %q", got, want)
	}
	sent := e.sim.Sent(alice)
	if len(sent) != 1 || sent[0].Kind != "push" || sent[0].RetryKey != key {
		t.Fatalf("sent = %+v, want one push", sent)
	}
	e.wantNoRejections(t)

	if res, _ := push(e, alice, "not-a-uuid", "x"); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad retry key: status %d", res.StatusCode)
	}
	e.wantRejected(t, http.StatusBadRequest, "not a UUID")
}

func TestPushRecipients(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if res, _ := push(e, bob, "", "はじめまして"); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("push to an unseen user: status %d, want 400", res.StatusCode)
	}
	e.wantRejected(t, http.StatusBadRequest, "never saw")
	e.sim.Reset()

	if _, err := e.sim.SendFollow(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.SendUnfollow(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if ev, ok := e.rcv.last(t).Events[0].(webhook.UnfollowEvent); !ok {
		t.Fatalf("event = %T, want UnfollowEvent", e.rcv.last(t).Events[0])
	} else if ev.Source == nil {
		t.Fatal("unfollow without source")
	}
	if res, err := push(e, bob, "", "お知らせ"); res.StatusCode != http.StatusOK {
		t.Fatalf("push to a blocked user: %v; LINE answers 200", err)
	}
	if sent := e.sim.Sent(bob); len(sent) != 1 || !sent[0].Blocked {
		t.Fatalf("sent = %+v, want one blocked push", sent)
	}
	if _, err := e.sim.SendText(ctx, bob, "こんにちは"); err == nil {
		t.Fatal("a blocked user could send a message")
	}
	if _, err := e.sim.SendFollow(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if ev := e.rcv.last(t).Events[0].(webhook.FollowEvent); !ev.Follow.IsUnblocked {
		t.Fatal("follow after unfollow is not marked isUnblocked")
	}
}

func TestFailNextThenRecovers(t *testing.T) {
	e := setup(t)
	if _, err := e.sim.SendFollow(context.Background(), alice); err != nil {
		t.Fatal(err)
	}
	e.sim.FailNext("/v2/bot/message/push", http.StatusInternalServerError, 2)
	for i := range 2 {
		if res, _ := push(e, alice, "", "x"); res.StatusCode != http.StatusInternalServerError {
			t.Fatalf("attempt %d: status %d, want 500", i, res.StatusCode)
		}
	}
	if res, err := push(e, alice, "", "x"); res.StatusCode != http.StatusOK {
		t.Fatalf("after the faults: %v", err)
	}
	if n := len(e.sim.Sent(alice)); n != 1 {
		t.Fatalf("%d sends recorded, want 1", n)
	}
	e.wantNoRejections(t)

	e.sim.Delay("/v2/bot/message/push", 50*time.Millisecond)
	start := time.Now()
	if _, err := push(e, alice, "", "x"); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("Delay did not delay")
	}
}

func TestRedeliverKeepsEventIDs(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	d, err := e.sim.SendPostback(ctx, alice, "step=birth", map[string]string{"date": "2026-10-15"})
	if err != nil {
		t.Fatal(err)
	}
	first := e.rcv.last(t).Events[0].(webhook.PostbackEvent)
	if first.DeliveryContext.IsRedelivery || first.Postback.Params["date"] != "2026-10-15" {
		t.Fatalf("first delivery = %+v", first)
	}
	d2, err := e.sim.Redeliver(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	again := e.rcv.last(t).Events[0].(webhook.PostbackEvent)
	if again.WebhookEventId != first.WebhookEventId || d2.EventIDs[0] != d.EventIDs[0] || !again.DeliveryContext.IsRedelivery {
		t.Fatalf("redelivery = %+v, first = %+v", again, first)
	}
	if again.Timestamp != first.Timestamp || again.ReplyToken != first.ReplyToken {
		t.Fatal("redelivery changed the event")
	}

	res, err := e.sim.SendRaw(ctx, d.Body, "bm90IHRoZSBzaWduYXR1cmU=")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	e.rcv.mu.Lock()
	badSigs := e.rcv.badSigs
	e.rcv.mu.Unlock()
	if res.StatusCode != http.StatusUnauthorized || badSigs != 1 {
		t.Fatalf("bad signature: status %d", res.StatusCode)
	}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRichMenu(t *testing.T) {
	e := setup(t)
	menu := &messaging_api.RichMenuRequest{
		Size:        &messaging_api.RichMenuSize{Width: 2500, Height: 843},
		Selected:    true,
		Name:        "main",
		ChatBarText: "メニュー",
		Areas: []messaging_api.RichMenuArea{
			{Bounds: &messaging_api.RichMenuBounds{X: 0, Y: 0, Width: 1250, Height: 843}, Action: &messaging_api.MessageAction{Label: "予約する", Text: "予約する"}},
			{Bounds: &messaging_api.RichMenuBounds{X: 1250, Y: 0, Width: 1250, Height: 843}, Action: &messaging_api.PostbackAction{Label: "相談", Data: "menu=consult", DisplayText: "ちょっと聞いてください"}},
		},
	}
	if _, err := e.api.ValidateRichMenuObject(menu); err != nil {
		t.Fatalf("validate: %v", err)
	}
	created, err := e.api.CreateRichMenu(menu)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.RichMenuId, "richmenu-") {
		t.Fatalf("id %q", created.RichMenuId)
	}
	if _, err := e.api.SetDefaultRichMenu(created.RichMenuId); err == nil {
		t.Fatal("a rich menu without an image became the default")
	}
	if _, err := e.blob.SetRichMenuImage(created.RichMenuId, "image/png", bytes.NewReader(pngOf(t, 800, 270))); err == nil {
		t.Fatal("an image of the wrong size was accepted")
	}
	if n := len(e.sim.Rejected()); n != 2 {
		t.Fatalf("%d rejections, want 2", n)
	}
	e.sim.Reset()

	if _, err := e.blob.SetRichMenuImage(created.RichMenuId, "image/png", bytes.NewReader(pngOf(t, 2500, 843))); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if _, err := e.api.SetDefaultRichMenu(created.RichMenuId); err != nil {
		t.Fatalf("set default: %v", err)
	}
	if got := e.sim.DefaultRichMenuID(); got != created.RichMenuId {
		t.Fatalf("default = %q", got)
	}
	if got, err := e.api.GetDefaultRichMenuId(); err != nil || got.RichMenuId != created.RichMenuId {
		t.Fatalf("GetDefaultRichMenuId = %+v, %v", got, err)
	}
	if list, err := e.api.GetRichMenuList(); err != nil || len(list.Richmenus) != 1 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	menus := e.sim.RichMenus()
	if len(menus) != 1 || menus[0].ChatBarText != "メニュー" || len(menus[0].Areas) != 2 {
		t.Fatalf("RichMenus = %+v", menus)
	}
	if _, err := e.api.DeleteRichMenu(created.RichMenuId); err != nil {
		t.Fatal(err)
	}
	if e.sim.DefaultRichMenuID() != "" || len(e.sim.RichMenus()) != 0 {
		t.Fatal("delete left the menu behind")
	}
	e.wantNoRejections(t)
}

func TestWaitSent(t *testing.T) {
	e := setup(t)
	tok := e.tokenFrom(t, alice)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.sim.WaitSent(ctx, alice, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitSent with nothing sent: %v, want deadline exceeded", err)
	}

	go func() {
		time.Sleep(20 * time.Millisecond)
		_, _ = e.reply(tok, &messaging_api.TextMessage{Text: "こんにちは"})
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	sent, err := e.sim.WaitSent(ctx2, alice, 1)
	if err != nil || len(sent) != 1 {
		t.Fatalf("WaitSent = %v, %v", sent, err)
	}
}

func TestUnknownEndpointIs404(t *testing.T) {
	e := setup(t)
	res := e.post(t, "/v2/bot/message/multicast", `{}`)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", res.StatusCode)
	}
	e.wantRejected(t, http.StatusNotFound, "no such endpoint")
}

func TestConcurrentUse(t *testing.T) {
	e := setup(t)
	var wg sync.WaitGroup
	users := []string{alice, bob, "U00000000000000000000000000000001", "U00000000000000000000000000000002"}
	for _, u := range users {
		wg.Go(func() {
			for range 5 {
				d, err := e.sim.SendText(context.Background(), u, "予約する")
				if err != nil {
					t.Error(err)
					return
				}
				if status, err := e.reply(d.ReplyTokens[0], &messaging_api.TextMessage{Text: "はい"}); status != http.StatusOK {
					t.Error(status, err)
				}
			}
		})
	}
	wg.Wait()
	for _, u := range users {
		if n := len(e.sim.Sent(u)); n != 5 {
			t.Errorf("%s: %d sends, want 5", u, n)
		}
	}
	e.wantNoRejections(t)
}

func TestProfile(t *testing.T) {
	e := setup(t)
	if _, err := e.sim.SendFollow(context.Background(), alice); err != nil {
		t.Fatal(err)
	}
	p, err := e.api.GetProfile(alice)
	if err != nil || p.UserId != alice || p.DisplayName == "" || p.Language != "ja" {
		t.Fatalf("profile = %+v, %v", p, err)
	}
	e.wantNoRejections(t)
	if _, err := e.api.GetProfile(bob); err == nil {
		t.Fatal("profile of an unseen user")
	}
	e.wantRejected(t, http.StatusNotFound, "never saw")
}

func TestJSONEndpointsNeedJSON(t *testing.T) {
	e := setup(t)
	req, _ := http.NewRequest(http.MethodPost, e.base+"/v2/bot/message/push", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "text/plain")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d, want 415", res.StatusCode)
	}
	e.wantRejected(t, http.StatusUnsupportedMediaType, "application/json")
}
