package linesim

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// The chat page lets a person play a mother in a browser: what her LINE app
// would show, and buttons that make the sim send the webhooks her taps would.
// It is for the demo only; the Messaging API (Handler) knows nothing of it.

//go:embed chat.html
var chatHTML string

var chatPage = template.Must(template.New("chat").Parse(chatHTML))

// chatMother is one mother the page lets you be.
type chatMother struct {
	Name string
	ID   string // a valid LINE user ID, the same at every start
}

var chatMothers = []chatMother{
	{"ママA", fmt.Sprintf("U%032x", 0xa1)},
	{"ママB", fmt.Sprintf("U%032x", 0xb2)},
	{"ママC", fmt.Sprintf("U%032x", 0xc3)},
}

// heard is one thing a user did, as her own chat shows it.
type heard struct {
	kind  string // text, postback, follow, unfollow, sticker, image
	text  string // what her bubble says; "" when LINE shows nothing
	at    time.Time
	after int // how many sends to her had been accepted before it
}

// recordHeardLocked notes what userID just did, in order with what was
// sent to her.
func (s *Sim) recordHeardLocked(userID string, h heard, now time.Time) {
	h.at = now
	h.after = len(s.sentToLocked(userID))
	s.heard[userID] = append(s.heard[userID], h)
}

// ChatItem is one line of a conversation as the chat page shows it.
type ChatItem struct {
	From    string       `json:"from"` // "mother" or "bot"
	Kind    string       `json:"kind"` // mother: text, postback, follow, unfollow, sticker, image; bot: text or the message type
	Text    string       `json:"text"`
	Buttons []ChatButton `json:"buttons,omitempty"` // the message's quick reply
	// Links are buttons drawn inside a flex bubble (call buttons): unlike
	// quick replies they stay under the bubble.
	Links []ChatLink `json:"links,omitempty"`
	At    time.Time  `json:"at"`
}

// ChatButton is one quick reply button, or what a rich menu area does.
type ChatButton struct {
	Kind        string `json:"kind"` // message, postback, date; uri in a rich menu
	Label       string `json:"label"`
	Text        string `json:"text,omitempty"`        // message
	Data        string `json:"data,omitempty"`        // postback, date
	DisplayText string `json:"displayText,omitempty"` // postback
	Initial     string `json:"initial,omitempty"`     // date
	Min         string `json:"min,omitempty"`         // date
	Max         string `json:"max,omitempty"`         // date
	URI         string `json:"uri,omitempty"`         // uri
}

// ChatState is what her LINE app shows around the conversation: whether
// she is a friend of the account, and the rich menu under the input.
type ChatState struct {
	Friend  bool `json:"friend"`  // she follows the account
	Blocked bool `json:"blocked"` // she followed, then blocked it
	// RichMenu is the menu LINE shows her (the default one); nil when the
	// bot set none.
	RichMenu *ChatRichMenu `json:"richMenu"`
}

// ChatRichMenu is a rich menu as the chat page draws it: its picture, with
// the areas laid over it in the picture's pixels.
type ChatRichMenu struct {
	ID          string     `json:"id"`
	Image       string     `json:"image"` // the picture's path under the chat handler
	Width       int64      `json:"width"`
	Height      int64      `json:"height"`
	ChatBarText string     `json:"chatBarText"`
	Selected    bool       `json:"selected"` // shown open at first
	Areas       []ChatArea `json:"areas"`
}

// ChatArea is one tappable area of a rich menu.
type ChatArea struct {
	X      int64      `json:"x"`
	Y      int64      `json:"y"`
	Width  int64      `json:"width"`
	Height int64      `json:"height"`
	Action ChatButton `json:"action"`
}

// ChatLink is a URI button inside a bubble, such as 「119に電話」.
type ChatLink struct {
	Label string `json:"label"`
	URI   string `json:"uri"`
}

// Conversation returns, in time order, what userID did and every message
// delivered to her. Pushes to her while she had blocked the account were
// never delivered, so they are left out.
func (s *Sim) Conversation(userID string) []ChatItem {
	s.mu.Lock()
	sent := s.sentToLocked(userID)
	said := slices.Clone(s.heard[userID])
	s.mu.Unlock()

	out := []ChatItem{}
	h := 0
	for i := 0; i <= len(sent); i++ {
		for ; h < len(said) && said[h].after <= i; h++ {
			if said[h].kind == "postback" && said[h].text == "" {
				continue // a postback without displayText shows nothing
			}
			out = append(out, ChatItem{From: "mother", Kind: said[h].kind, Text: said[h].text, At: said[h].at})
		}
		if i == len(sent) || sent[i].Blocked {
			continue
		}
		for _, m := range sent[i].Messages {
			item := ChatItemOf(m)
			item.At = sent[i].At
			out = append(out, item)
		}
	}
	return out
}

// ChatItemOf describes one message the bot sent as the chat page shows it.
func ChatItemOf(m messaging_api.MessageInterface) ChatItem {
	var text string
	var links []ChatLink
	var qr *messaging_api.QuickReply
	switch m := m.(type) {
	case messaging_api.FlexMessage:
		text, links = flexTextAndLinks(m.Contents)
		qr = m.QuickReply
	case *messaging_api.FlexMessage:
		text, links = flexTextAndLinks(m.Contents)
		qr = m.QuickReply
	case messaging_api.TextMessage:
		text, qr = m.Text, m.QuickReply
	case *messaging_api.TextMessage:
		text, qr = m.Text, m.QuickReply
	case messaging_api.TextMessageV2:
		text, qr = m.Text, m.QuickReply
	case *messaging_api.TextMessageV2:
		text, qr = m.Text, m.QuickReply
	default:
		return ChatItem{From: "bot", Kind: m.GetType(), Text: fmt.Sprintf("(%s メッセージ: この画面では表示できません)", m.GetType())}
	}
	item := ChatItem{From: "bot", Kind: "text", Text: text, Links: links}
	if qr != nil {
		for _, it := range qr.Items {
			if b, ok := chatButtonOf(it.Action); ok {
				item.Buttons = append(item.Buttons, b)
			}
		}
	}
	return item
}

// flexTextAndLinks reads a flex bubble as plain text (its text components,
// one per line) and the URI buttons in it. Other layouts show as a note.
func flexTextAndLinks(c messaging_api.FlexContainerInterface) (string, []ChatLink) {
	bubble, ok := c.(messaging_api.FlexBubble)
	if p, isPtr := c.(*messaging_api.FlexBubble); isPtr && p != nil {
		bubble, ok = *p, true
	}
	if !ok {
		return "(flex メッセージ: この画面では表示できません)", nil
	}
	var texts []string
	var links []ChatLink
	var visit func(box *messaging_api.FlexBox)
	visit = func(box *messaging_api.FlexBox) {
		if box == nil {
			return
		}
		for _, comp := range box.Contents {
			switch comp := comp.(type) {
			case messaging_api.FlexText:
				texts = append(texts, comp.Text)
			case *messaging_api.FlexText:
				texts = append(texts, comp.Text)
			case messaging_api.FlexButton:
				links = appendURILink(links, comp.Action)
			case *messaging_api.FlexButton:
				links = appendURILink(links, comp.Action)
			case messaging_api.FlexBox:
				visit(&comp)
			case *messaging_api.FlexBox:
				visit(comp)
			}
		}
	}
	visit(bubble.Header)
	visit(bubble.Body)
	visit(bubble.Footer)
	return strings.Join(texts, "\n"), links
}

func appendURILink(links []ChatLink, a messaging_api.ActionInterface) []ChatLink {
	switch a := a.(type) {
	case messaging_api.UriAction:
		return append(links, ChatLink{Label: a.Label, URI: a.Uri})
	case *messaging_api.UriAction:
		return append(links, ChatLink{Label: a.Label, URI: a.Uri})
	}
	return links
}

// chatButtonOf describes the actions the page can play; others are left out.
func chatButtonOf(a messaging_api.ActionInterface) (ChatButton, bool) {
	switch a := a.(type) {
	case *messaging_api.MessageAction:
		return chatButtonOf(*a)
	case *messaging_api.PostbackAction:
		return chatButtonOf(*a)
	case *messaging_api.DatetimePickerAction:
		return chatButtonOf(*a)
	case messaging_api.MessageAction:
		return ChatButton{Kind: "message", Label: a.Label, Text: a.Text}, true
	case messaging_api.PostbackAction:
		return ChatButton{Kind: "postback", Label: a.Label, Data: a.Data, DisplayText: a.DisplayText}, true
	case messaging_api.DatetimePickerAction:
		if a.Mode != messaging_api.DatetimePickerActionMODE_DATE {
			return ChatButton{}, false
		}
		return ChatButton{Kind: "date", Label: a.Label, Data: a.Data, Initial: a.Initial, Min: a.Min, Max: a.Max}, true
	}
	return ChatButton{}, false
}

// State returns what the chat page shows of userID besides her
// conversation: whether she is a friend, and her rich menu.
func (s *Sim) State(userID string) ChatState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st ChatState
	if u := s.users[userID]; u != nil {
		st.Friend = u.followed && !u.blocked
		st.Blocked = u.blocked
	}
	// The sim links no menu to one user, so hers is the default; LINE
	// refuses a default without a picture.
	if m := s.menus[s.defaultMenu]; m != nil && m.hasImage {
		st.RichMenu = chatRichMenuOf(s.defaultMenu, m.req)
	}
	return st
}

func chatRichMenuOf(id string, req messaging_api.RichMenuRequest) *ChatRichMenu {
	m := &ChatRichMenu{
		ID:          id,
		Image:       "chat/api/richmenu/" + id + "/image",
		ChatBarText: req.ChatBarText,
		Selected:    req.Selected,
		Areas:       []ChatArea{},
	}
	if req.Size != nil {
		m.Width, m.Height = req.Size.Width, req.Size.Height
	}
	for _, a := range req.Areas {
		action, ok := areaActionOf(a.Action)
		if !ok || a.Bounds == nil {
			continue
		}
		m.Areas = append(m.Areas, ChatArea{X: a.Bounds.X, Y: a.Bounds.Y, Width: a.Bounds.Width, Height: a.Bounds.Height, Action: action})
	}
	return m
}

// areaActionOf describes what a rich menu area does: what a quick reply
// can do, or open a URI (a tel: link dials).
func areaActionOf(a messaging_api.ActionInterface) (ChatButton, bool) {
	switch a := a.(type) {
	case messaging_api.UriAction:
		return ChatButton{Kind: "uri", Label: a.Label, URI: a.Uri}, true
	case *messaging_api.UriAction:
		return ChatButton{Kind: "uri", Label: a.Label, URI: a.Uri}, true
	}
	return chatButtonOf(a)
}

// ClockControl lets the chat page move the clock of the system the sim
// stands beside (the demo's), so a person need not wait a day for what
// happens at a time of day: the page shows the sim's time (its Config.Now)
// and a button.
type ClockControl struct {
	// Label is the button's, e.g. 「前日12:00へ」.
	Label string
	// Move moves the clock for the mother userID, whose chat is shown,
	// and makes what is due then happen. An error is shown on the page as
	// a short note, so it must not carry internals.
	Move func(ctx context.Context, userID string) error
}

// ChatHandler serves the demo's chat page and its small JSON API:
//
//	GET  /                                 the page
//	GET  /chat/api/conversation?user=U...  her conversation, as []ChatItem
//	POST /chat/api/send      {user, text}                   she sends a text
//	POST /chat/api/postback  {user, data, label, params}    she taps a postback or picks a date
//	POST /chat/api/follow    {user}                         she adds the account (or unblocks it)
//	GET  /chat/api/state?user=U...         whether she is a friend, and her rich menu, as ChatState
//	GET  /chat/api/richmenu/{id}/image     a rich menu's picture
//
// The POSTs answer 204 once the bot has answered the webhook 200, and 502
// with a short message when it did not.
func (s *Sim) ChatHandler() http.Handler {
	return s.chatHandler(nil)
}

// ChatHandlerWithClock is ChatHandler with a clock control on the page,
// and two more routes:
//
//	GET  /chat/api/clock               the sim's time, as {"now": RFC 3339}
//	POST /chat/api/clock  {user}       c.Move for her; 204 when done
func (s *Sim) ChatHandlerWithClock(c ClockControl) http.Handler {
	return s.chatHandler(&c)
}

func (s *Sim) chatHandler(c *ClockControl) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { s.handleChatPage(w, r, c) })
	mux.HandleFunc("GET /chat/api/conversation", s.handleConversation)
	mux.HandleFunc("POST /chat/api/send", s.handleChatSend)
	mux.HandleFunc("POST /chat/api/postback", s.handleChatPostback)
	mux.HandleFunc("POST /chat/api/follow", s.handleChatFollow)
	mux.HandleFunc("GET /chat/api/state", s.handleChatState)
	mux.HandleFunc("GET /chat/api/richmenu/{richMenuId}/image", s.handleRichMenuImage)
	if c != nil {
		mux.HandleFunc("GET /chat/api/clock", s.handleClock)
		mux.HandleFunc("POST /chat/api/clock", func(w http.ResponseWriter, r *http.Request) { handleMoveClock(w, r, c) })
	}
	return mux
}

func (s *Sim) handleChatPage(w http.ResponseWriter, r *http.Request, c *ClockControl) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	data := struct {
		Mothers    []chatMother
		ClockLabel string // "" for no clock control
	}{Mothers: chatMothers}
	if c != nil {
		data.ClockLabel = c.Label
	}
	// An error here is the browser going away; there is no one to tell.
	_ = chatPage.Execute(w, data)
}

func (s *Sim) handleClock(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, struct {
		Now time.Time `json:"now"`
	}{s.now()})
}

func handleMoveClock(w http.ResponseWriter, r *http.Request, c *ClockControl) {
	req, ok := readChatRequest(w, r)
	if !ok {
		return
	}
	if err := c.Move(r.Context(), req.User); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) handleConversation(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	if !userIDPattern.MatchString(user) {
		http.Error(w, "user must be U followed by 32 hex digits", http.StatusBadRequest)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.Conversation(user))
}

func (s *Sim) handleChatState(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	if !userIDPattern.MatchString(user) {
		http.Error(w, "user must be U followed by 32 hex digits", http.StatusBadRequest)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.State(user))
}

func (s *Sim) handleRichMenuImage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.menus[r.PathValue("richMenuId")]
	var img []byte
	var mediaType string
	if m != nil {
		img, mediaType = m.image, m.imageType
	}
	s.mu.Unlock()
	if img == nil {
		http.Error(w, "no such rich menu picture", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", mediaType)
	// A menu's picture can never be replaced, only the menu deleted.
	w.Header().Set("Cache-Control", "max-age=86400, immutable")
	_, _ = w.Write(img)
}

// chatRequest is the body of the chat API's POSTs.
type chatRequest struct {
	User   string            `json:"user"`
	Text   string            `json:"text"`
	Data   string            `json:"data"`
	Label  string            `json:"label"`
	Params map[string]string `json:"params"`
}

func (s *Sim) handleChatSend(w http.ResponseWriter, r *http.Request) {
	req, ok := readChatRequest(w, r)
	if !ok {
		return
	}
	if req.Text == "" || utf8.RuneCountInString(req.Text) > 5000 {
		http.Error(w, "text must be 1 to 5000 characters", http.StatusBadRequest)
		return
	}
	s.answerChat(w, r, func(ctx context.Context) (*Delivery, error) { return s.SendText(ctx, req.User, req.Text) })
}

func (s *Sim) handleChatPostback(w http.ResponseWriter, r *http.Request) {
	req, ok := readChatRequest(w, r)
	if !ok {
		return
	}
	if req.Data == "" || len(req.Data) > 300 {
		http.Error(w, "data must be 1 to 300 characters", http.StatusBadRequest)
		return
	}
	s.answerChat(w, r, func(ctx context.Context) (*Delivery, error) {
		return s.sendPostback(ctx, req.User, req.Data, req.Params, req.Label)
	})
}

func (s *Sim) handleChatFollow(w http.ResponseWriter, r *http.Request) {
	req, ok := readChatRequest(w, r)
	if !ok {
		return
	}
	s.answerChat(w, r, func(ctx context.Context) (*Delivery, error) { return s.SendFollow(ctx, req.User) })
}

// readChatRequest decodes a small JSON body with a valid user. It answers
// the request itself when it returns false.
func readChatRequest(w http.ResponseWriter, r *http.Request) (chatRequest, bool) {
	var req chatRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "body must be a small JSON object", http.StatusBadRequest)
		return req, false
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		http.Error(w, "body must be one JSON object", http.StatusBadRequest)
		return req, false
	}
	if !userIDPattern.MatchString(req.User) {
		http.Error(w, "user must be U followed by 32 hex digits", http.StatusBadRequest)
		return req, false
	}
	return req, true
}

// answerChat delivers the webhook and tells the page whether the bot took it.
func (s *Sim) answerChat(w http.ResponseWriter, r *http.Request, send func(context.Context) (*Delivery, error)) {
	d, err := send(r.Context())
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case d != nil:
		http.Error(w, fmt.Sprintf("ボットが %d を返しました", d.StatusCode), http.StatusBadGateway)
	default: // not delivered: the bot is not up, or she had blocked it
		http.Error(w, "ボットに届きませんでした", http.StatusBadGateway)
	}
}
