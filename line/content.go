package line

import (
	"context"
	"fmt"
	"io"
	"mime"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// MaxContentBytes is the most Content reads of a message's content. LINE
// keeps images of a few MB; anything beyond this is refused, not cut.
const MaxContentBytes = 20 << 20

// ErrContentTooLarge is returned for content over MaxContentBytes.
var ErrContentTooLarge = fmt.Errorf("LINE content over %d bytes", MaxContentBytes)

// Content downloads what a user sent in an image, video, audio or file
// message (GET /v2/bot/message/{messageId}/content on api-data.line.me),
// with its media type. LINE keeps it for a limited time only, so it is
// fetched when the message is handled.
func (c *Client) Content(ctx context.Context, messageID string) (data []byte, mediaType string, err error) {
	blob, err := messaging_api.NewMessagingApiBlobAPI(c.token,
		messaging_api.WithBlobEndpoint(c.blobEndpoint()), messaging_api.WithBlobHTTPClient(c.http))
	if err != nil {
		return nil, "", fmt.Errorf("make LINE blob client: %w", err)
	}
	res, _, err := blob.WithContext(ctx).GetMessageContentWithHttpInfo(messageID)
	if err == nil && res != nil && res.Body != nil {
		// Read before outcome closes the body.
		data, err = io.ReadAll(io.LimitReader(res.Body, MaxContentBytes+1))
		if err != nil {
			res.Body.Close()
			return nil, "", &Error{Endpoint: "content", err: err}
		}
		mediaType, _, _ = mime.ParseMediaType(res.Header.Get("Content-Type"))
	}
	if _, err := c.outcome("content", res, err); err != nil {
		return nil, "", err
	}
	if len(data) > MaxContentBytes {
		return nil, "", ErrContentTooLarge
	}
	return data, mediaType, nil
}
