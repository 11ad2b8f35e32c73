package bot

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
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
		&messaging_api.UriAction{Label: labelCallUs, Uri: telURI(phone)},
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

// EnsureRichMenu makes our rich menu the default one for every user,
// creating it only when LINE does not have it yet, so it is safe to call at
// every start. A menu left without its image by an earlier failure cannot
// be made the default: it is deleted and made again.
func (s *Sender) EnsureRichMenu(ctx context.Context, phone string) (richMenuID string, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("ensure rich menu: %w", err)
		}
	}()
	api, err := s.api(ctx)
	if err != nil {
		return "", err
	}
	res, list, err := api.GetRichMenuListWithHttpInfo()
	if _, err := s.outcome("richmenu_list", res, err); err != nil {
		return "", err
	}
	for _, m := range list.Richmenus {
		if m.Name == richMenuName {
			richMenuID = m.RichMenuId
			break
		}
	}

	current, err := s.defaultRichMenu(api)
	if err != nil {
		return "", err
	}
	if richMenuID != "" && richMenuID == current {
		return richMenuID, nil
	}

	if richMenuID != "" {
		status, err := s.setDefaultRichMenu(api, richMenuID)
		if err == nil {
			return richMenuID, nil
		}
		if status != http.StatusBadRequest {
			return "", err
		}
		// LINE refuses a menu without an image: it is a half-made one.
		if err := s.deleteRichMenu(ctx, richMenuID); err != nil {
			return "", err
		}
	}

	richMenuID, err = s.createRichMenu(ctx, api, phone)
	if err != nil {
		return "", err
	}
	if _, err := s.setDefaultRichMenu(api, richMenuID); err != nil {
		return "", err
	}
	return richMenuID, nil
}

// defaultRichMenu returns the id of the default rich menu, "" when there is
// none (LINE answers 404 then).
func (s *Sender) defaultRichMenu(api *messaging_api.MessagingApiAPI) (string, error) {
	res, got, err := api.GetDefaultRichMenuIdWithHttpInfo()
	status, err := s.outcome("richmenu_default_get", res, err)
	if status == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return got.RichMenuId, nil
}

func (s *Sender) setDefaultRichMenu(api *messaging_api.MessagingApiAPI, id string) (int, error) {
	res, _, err := api.SetDefaultRichMenuWithHttpInfo(id)
	return s.outcome("richmenu_default_set", res, err)
}

// createRichMenu creates the menu and uploads its picture. When the upload
// fails the menu is deleted again, so that a retry starts clean.
func (s *Sender) createRichMenu(ctx context.Context, api *messaging_api.MessagingApiAPI, phone string) (string, error) {
	res, created, err := api.CreateRichMenuWithHttpInfo(richMenuRequest(phone))
	if _, err := s.outcome("richmenu_create", res, err); err != nil {
		return "", err
	}
	id := created.RichMenuId

	blob, err := messaging_api.NewMessagingApiBlobAPI(s.token,
		messaging_api.WithBlobEndpoint(s.blobEndpoint()), messaging_api.WithBlobHTTPClient(s.http))
	if err == nil {
		res, _, err = blob.WithContext(ctx).SetRichMenuImageWithHttpInfo(id, "image/png", bytes.NewReader(richMenuImage))
		_, err = s.outcome("richmenu_image", res, err)
	} else {
		err = fmt.Errorf("make LINE blob client: %w", err)
	}
	if err != nil {
		if derr := s.deleteRichMenu(ctx, id); derr != nil {
			return "", errors.Join(err, fmt.Errorf("delete the menu without an image: %w", derr))
		}
		return "", err
	}
	return id, nil
}

// deleteRichMenu deletes a menu even when ctx has just ended: it cleans up
// after a failure, which may be that very ending.
func (s *Sender) deleteRichMenu(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	api, err := s.api(ctx)
	if err != nil {
		return err
	}
	res, _, err := api.DeleteRichMenuWithHttpInfo(id)
	_, err = s.outcome("richmenu_delete", res, err)
	return err
}

// blobEndpoint is the host for uploads. LINE serves them from api-data.line.me
// beside api.line.me; any other endpoint (a fake, a proxy) serves both.
func (s *Sender) blobEndpoint() string {
	if strings.TrimSuffix(s.endpoint, "/") == "https://api.line.me" {
		return "https://api-data.line.me"
	}
	return s.endpoint
}

// telURI makes a tel: link of a phone number as written for people,
// 03-6413-8435 → tel:0364138435.
func telURI(phone string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, phone)
	return "tel:" + digits
}
