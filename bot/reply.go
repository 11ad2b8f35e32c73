package bot

import "mamasroom/line"

// The bot speaks in the line package's message model.
type (
	Message    = line.Message
	Button     = line.Button
	ButtonKind = line.ButtonKind
)

const (
	ButtonMessage  = line.ButtonMessage
	ButtonPostback = line.ButtonPostback
	ButtonDate     = line.ButtonDate

	maxQuickReplyItems = line.MaxQuickReplyItems
)

var toLINE = line.ToLINE
