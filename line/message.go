// Package line is mamasroom's client of the LINE Messaging API: the message
// model every part of the program speaks in, its translation into LINE's
// types, reply and push with retry keys, and the rich menu. It imports
// nothing of mamasroom, so the bot, the reminders and the staff console can
// all send without depending on each other.
package line

import (
	"unicode/utf8"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// Message is one chat bubble: text, the quick reply buttons under it, and
// call buttons that stay in the bubble. Every answer is built from these, so
// it can be kept (for a repeat), stored in the outbox, golden-tested, and
// turned into LINE's types in one place.
type Message struct {
	Text    string   `json:"text"`
	Buttons []Button `json:"buttons,omitempty"`
	// Calls are 「電話する」 buttons drawn inside the bubble itself: quick
	// replies vanish once she taps anything, and a number to call must not.
	Calls []Call `json:"calls,omitempty"`
	// Links are buttons inside the bubble that open a page, such as the
	// room's map, so that no long address of a page is shown as text.
	Links []Link `json:"links,omitempty"`
}

// Link is a button that opens a page (https).
type Link struct {
	Label string `json:"label"`
	URI   string `json:"uri"`
}

// Call is a button that dials a number.
type Call struct {
	Label  string `json:"label"`
	Number string `json:"number"` // as dialled: 119, #7119, 03-6413-8435
}

// URI is the tel: link of the number.
func (c Call) URI() string { return TelURI(c.Number) }

// ButtonKind is the LINE action a quick reply button performs.
type ButtonKind string

const (
	// ButtonMessage sends its Text back as if she typed it.
	ButtonMessage ButtonKind = "message"
	// ButtonPostback sends Data back, showing Label in the chat.
	ButtonPostback ButtonKind = "postback"
	// ButtonDate opens LINE's date picker and posts Data with the date.
	ButtonDate ButtonKind = "date"
)

type Button struct {
	Kind  ButtonKind `json:"kind"`
	Label string     `json:"label"`
	Text  string     `json:"text,omitempty"` // ButtonMessage
	Data  string     `json:"data,omitempty"` // ButtonPostback, ButtonDate
	// ButtonDate bounds, YYYY-MM-DD.
	Initial string `json:"initial,omitempty"`
	Min     string `json:"min,omitempty"`
	Max     string `json:"max,omitempty"`
}

// MaxQuickReplyItems is LINE's limit of quick reply buttons under a message.
const MaxQuickReplyItems = 13

// altTextLimit is LINE's limit on a flex message's altText, in characters.
const altTextLimit = 400

// ToLINE turns messages into the Messaging API's types. A message with call
// or link buttons becomes a flex bubble, the only kind whose buttons stay.
func ToLINE(msgs []Message) []messaging_api.MessageInterface {
	out := make([]messaging_api.MessageInterface, 0, len(msgs))
	for _, m := range msgs {
		var qr *messaging_api.QuickReply
		if len(m.Buttons) > 0 {
			items := make([]messaging_api.QuickReplyItem, 0, len(m.Buttons))
			for _, b := range m.Buttons {
				items = append(items, messaging_api.QuickReplyItem{Type: "action", Action: b.action()})
			}
			qr = &messaging_api.QuickReply{Items: items}
		}
		if len(m.Calls) > 0 || len(m.Links) > 0 {
			out = append(out, flexWithButtons(m, qr))
			continue
		}
		out = append(out, &messaging_api.TextMessage{Text: m.Text, QuickReply: qr})
	}
	return out
}

// flexWithButtons draws the text in a bubble with its link buttons, then
// its call buttons, in the footer.
func flexWithButtons(m Message, qr *messaging_api.QuickReply) *messaging_api.FlexMessage {
	actions := make([]*messaging_api.UriAction, 0, len(m.Links)+len(m.Calls))
	for _, l := range m.Links {
		actions = append(actions, &messaging_api.UriAction{Label: l.Label, Uri: l.URI})
	}
	for _, c := range m.Calls {
		actions = append(actions, &messaging_api.UriAction{Label: c.Label, Uri: c.URI()})
	}
	buttons := make([]messaging_api.FlexComponentInterface, 0, len(actions))
	for i, a := range actions {
		style := messaging_api.FlexButtonSTYLE_SECONDARY
		if i == 0 {
			style = messaging_api.FlexButtonSTYLE_PRIMARY // the first is the one to use now
		}
		buttons = append(buttons, &messaging_api.FlexButton{
			Action: a,
			Style:  style,
			Height: messaging_api.FlexButtonHEIGHT_SM,
		})
	}
	bubble := &messaging_api.FlexBubble{
		Body: &messaging_api.FlexBox{
			Layout:   messaging_api.FlexBoxLAYOUT_VERTICAL,
			Contents: []messaging_api.FlexComponentInterface{&messaging_api.FlexText{Text: m.Text, Wrap: true}},
		},
		Footer: &messaging_api.FlexBox{
			Layout:   messaging_api.FlexBoxLAYOUT_VERTICAL,
			Spacing:  "sm",
			Contents: buttons,
		},
	}
	return &messaging_api.FlexMessage{AltText: truncate(m.Text, altTextLimit), Contents: bubble, QuickReply: qr}
}

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func (b Button) action() messaging_api.ActionInterface {
	switch b.Kind {
	case ButtonPostback:
		return &messaging_api.PostbackAction{Label: b.Label, Data: b.Data, DisplayText: b.Label}
	case ButtonDate:
		return &messaging_api.DatetimePickerAction{
			Label: b.Label, Data: b.Data, Mode: messaging_api.DatetimePickerActionMODE_DATE,
			Initial: b.Initial, Min: b.Min, Max: b.Max,
		}
	default:
		return &messaging_api.MessageAction{Label: b.Label, Text: b.Text}
	}
}
