package bot

import (
	"fmt"
	"strings"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// Message is one chat bubble the bot sends: text, and the quick reply buttons
// under it. The conversation speaks only in these, so every answer can be
// kept (for a repeat), golden-tested, and turned into LINE's types in one place.
type Message struct {
	Text    string   `json:"text"`
	Buttons []Button `json:"buttons,omitempty"`
}

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

// maxQuickReplyItems is LINE's limit of quick reply buttons under a message.
const maxQuickReplyItems = 13

// toLINE turns messages into the Messaging API's types.
func toLINE(msgs []Message) []messaging_api.MessageInterface {
	out := make([]messaging_api.MessageInterface, 0, len(msgs))
	for _, m := range msgs {
		tm := &messaging_api.TextMessage{Text: m.Text}
		if len(m.Buttons) > 0 {
			items := make([]messaging_api.QuickReplyItem, 0, len(m.Buttons))
			for _, b := range m.Buttons {
				items = append(items, messaging_api.QuickReplyItem{Type: "action", Action: b.action()})
			}
			tm.QuickReply = &messaging_api.QuickReply{Items: items}
		}
		out = append(out, tm)
	}
	return out
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

// Transcript renders messages as a reviewer reads them: the golden files.
func Transcript(msgs []Message) string {
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(m.Text)
		b.WriteString("\n")
		for _, btn := range m.Buttons {
			switch btn.Kind {
			case ButtonDate:
				fmt.Fprintf(&b, "  [%s] (日付を選ぶ %s〜%s)\n", btn.Label, btn.Min, btn.Max)
			default:
				fmt.Fprintf(&b, "  [%s]\n", btn.Label)
			}
		}
	}
	return b.String()
}
