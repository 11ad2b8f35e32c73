package linesim_test

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"net/http"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/line"
	"mamasroom/linesim"
)

func TestContentOfAnImageSheSent(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if _, err := e.sim.SendImage(ctx, alice); err != nil {
		t.Fatal(err)
	}
	ev := e.rcv.last(t).Events[0].(webhook.MessageEvent)
	img := ev.Message.(webhook.ImageMessageContent)
	client := line.NewClient(token, e.base, http.DefaultClient, nil)

	data, mediaType, err := client.Content(ctx, img.Id)
	if err != nil {
		t.Fatal(err)
	}
	if mediaType != "image/jpeg" || !bytes.Equal(data, linesim.SampleJPEG) {
		t.Errorf("content: %s, %d bytes", mediaType, len(data))
	}
	if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
		t.Errorf("the sample is not a JPEG: %v", err)
	}

	// LINE keeps content for a while only, and has none for other messages.
	e.clock.Advance(15 * 24 * time.Hour)
	_, _, err = client.Content(ctx, img.Id)
	var lineErr *line.Error
	if !errors.As(err, &lineErr) || lineErr.Status != http.StatusNotFound || !line.IsRefused(err) {
		t.Errorf("expired content: err = %v, want a 404", err)
	}
	if _, _, err := client.Content(ctx, "5123"); err == nil {
		t.Error("content of a message never sent")
	}
	if got := len(e.sim.Rejected()); got != 2 {
		t.Errorf("%d rejections, want 2", got)
	}
}

func TestSendPhotoServesItsBytes(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	if _, err := e.sim.SendPhoto(ctx, bob, []byte("PNG bytes"), "image/png"); err != nil {
		t.Fatal(err)
	}
	img := e.rcv.last(t).Events[0].(webhook.MessageEvent).Message.(webhook.ImageMessageContent)
	res, err := e.blob.GetMessageContent(img.Id)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("content type %q", res.Header.Get("Content-Type"))
	}
}
