package bot

import (
	"context"
	_ "embed"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"mamasroom/line"
)

// richMenuImage is the menu's picture, made by scripts/richmenu-image. Its
// tiles must line up with richMenuAreas.
//
//go:embed richmenu.png
var richMenuImage []byte

// richMenuName tells our menu apart on LINE. Bump the suffix whenever the
// image or the areas change: a menu's image cannot be replaced, so a
// changed menu must be a new one, and the new name makes EnsureRichMenu
// create it.
const richMenuName = "mamasroom-main-v1"

// The large rich menu size, cut into 2 rows of 3 tiles as the picture is.
const (
	richMenuWidth  = 2500
	richMenuHeight = 1686
)

// richMenuRequest describes the menu. It is built afresh for every call:
// the SDK's JSON encoding writes into the actions, so a shared value would
// be a data race between concurrent callers.
func richMenuRequest(phone string) *messaging_api.RichMenuRequest {
	message := func(text string) messaging_api.ActionInterface {
		return &messaging_api.MessageAction{Label: text, Text: text}
	}
	actions := []messaging_api.ActionInterface{
		message(cmdBook), message(cmdMyBookings), message(cmdConsult),
		message(cmdEligible), message(cmdInfo),
		&messaging_api.UriAction{Label: labelCallUs, Uri: line.TelURI(phone)},
	}
	xs := []int64{0, 833, 1667, richMenuWidth} // column edges, as in the picture
	ys := []int64{0, 843, richMenuHeight}
	areas := make([]messaging_api.RichMenuArea, 0, len(actions))
	for i, a := range actions {
		row, col := i/3, i%3
		areas = append(areas, messaging_api.RichMenuArea{
			Bounds: &messaging_api.RichMenuBounds{
				X: xs[col], Y: ys[row], Width: xs[col+1] - xs[col], Height: ys[row+1] - ys[row],
			},
			Action: a,
		})
	}
	return &messaging_api.RichMenuRequest{
		Size:        &messaging_api.RichMenuSize{Width: richMenuWidth, Height: richMenuHeight},
		Selected:    true,
		Name:        richMenuName,
		ChatBarText: labelMenuBar,
		Areas:       areas,
	}
}

// EnsureRichMenu makes the six-tile menu the default for every user; safe
// to call at every start.
func EnsureRichMenu(ctx context.Context, c *line.Client, phone string) (richMenuID string, err error) {
	return c.EnsureRichMenu(ctx, line.RichMenu{
		Name:    richMenuName,
		Request: func() *messaging_api.RichMenuRequest { return richMenuRequest(phone) },
		Image:   richMenuImage,
	})
}
