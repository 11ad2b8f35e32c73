package line

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// RichMenu is a rich menu as the program wants LINE to show it. Name tells
// it apart on LINE: a menu's image cannot be replaced, so a changed menu
// must be a new one under a new name.
type RichMenu struct {
	Name string
	// Request describes the menu. It is built afresh for every call: the
	// SDK's JSON encoding writes into the actions, so a shared value would
	// be a data race between concurrent callers.
	Request func() *messaging_api.RichMenuRequest
	Image   []byte // PNG, the size of the request's menu
}

// EnsureRichMenu makes menu the default rich menu for every user, creating
// it only when LINE has no menu of its name yet, so it is safe to call at
// every start. A menu left without its image by an earlier failure cannot
// be made the default: it is deleted and made again.
func (c *Client) EnsureRichMenu(ctx context.Context, menu RichMenu) (richMenuID string, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("ensure rich menu: %w", err)
		}
	}()
	api, err := c.api(ctx)
	if err != nil {
		return "", err
	}
	res, list, err := api.GetRichMenuListWithHttpInfo()
	if _, err := c.outcome("richmenu_list", res, err); err != nil {
		return "", err
	}
	for _, m := range list.Richmenus {
		if m.Name == menu.Name {
			richMenuID = m.RichMenuId
			break
		}
	}

	current, err := c.defaultRichMenu(api)
	if err != nil {
		return "", err
	}
	if richMenuID != "" && richMenuID == current {
		return richMenuID, nil
	}

	if richMenuID != "" {
		status, err := c.setDefaultRichMenu(api, richMenuID)
		if err == nil {
			return richMenuID, nil
		}
		if status != http.StatusBadRequest {
			return "", err
		}
		// LINE refuses a menu without an image: it is a half-made one.
		if err := c.deleteRichMenu(ctx, richMenuID); err != nil {
			return "", err
		}
	}

	richMenuID, err = c.createRichMenu(ctx, api, menu)
	if err != nil {
		return "", err
	}
	if _, err := c.setDefaultRichMenu(api, richMenuID); err != nil {
		return "", err
	}
	return richMenuID, nil
}

// defaultRichMenu returns the id of the default rich menu, "" when there is
// none (LINE answers 404 then).
func (c *Client) defaultRichMenu(api *messaging_api.MessagingApiAPI) (string, error) {
	res, got, err := api.GetDefaultRichMenuIdWithHttpInfo()
	status, err := c.outcome("richmenu_default_get", res, err)
	if status == http.StatusNotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return got.RichMenuId, nil
}

func (c *Client) setDefaultRichMenu(api *messaging_api.MessagingApiAPI, id string) (int, error) {
	res, _, err := api.SetDefaultRichMenuWithHttpInfo(id)
	return c.outcome("richmenu_default_set", res, err)
}

// createRichMenu creates the menu and uploads its picture. When the upload
// fails the menu is deleted again, so that a retry starts clean.
func (c *Client) createRichMenu(ctx context.Context, api *messaging_api.MessagingApiAPI, menu RichMenu) (string, error) {
	res, created, err := api.CreateRichMenuWithHttpInfo(menu.Request())
	if _, err := c.outcome("richmenu_create", res, err); err != nil {
		return "", err
	}
	id := created.RichMenuId

	blob, err := messaging_api.NewMessagingApiBlobAPI(c.token,
		messaging_api.WithBlobEndpoint(c.blobEndpoint()), messaging_api.WithBlobHTTPClient(c.http))
	if err == nil {
		res, _, err = blob.WithContext(ctx).SetRichMenuImageWithHttpInfo(id, "image/png", bytes.NewReader(menu.Image))
		_, err = c.outcome("richmenu_image", res, err)
	} else {
		err = fmt.Errorf("make LINE blob client: %w", err)
	}
	if err != nil {
		if derr := c.deleteRichMenu(ctx, id); derr != nil {
			return "", errors.Join(err, fmt.Errorf("delete the menu without an image: %w", derr))
		}
		return "", err
	}
	return id, nil
}

// deleteRichMenu deletes a menu even when ctx has just ended: it cleans up
// after a failure, which may be that very ending.
func (c *Client) deleteRichMenu(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	api, err := c.api(ctx)
	if err != nil {
		return err
	}
	res, _, err := api.DeleteRichMenuWithHttpInfo(id)
	_, err = c.outcome("richmenu_delete", res, err)
	return err
}

// blobEndpoint is the host for uploads. LINE serves them from api-data.line.me
// beside api.line.me; any other endpoint (a fake, a proxy) serves both.
func (c *Client) blobEndpoint() string {
	if strings.TrimSuffix(c.endpoint, "/") == "https://api.line.me" {
		return "https://api-data.line.me"
	}
	return c.endpoint
}

// TelURI makes a tel: link of a phone number as written for people:
// 03-6413-8435 → tel:0364138435, #7119 → tel:%237119 (a # must be escaped
// in a URI).
func TelURI(phone string) string {
	var b strings.Builder
	b.WriteString("tel:")
	for _, r := range phone {
		switch {
		case r >= '0' && r <= '9' || r == '+':
			b.WriteRune(r)
		case r == '#':
			b.WriteString("%23")
		}
	}
	return b.String()
}
