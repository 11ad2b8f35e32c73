package linesim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
)

// TestWebhookBodiesMatchLINESpec checks every kind of webhook the sim sends
// against LINE's webhook.yml, each event against the concrete schema its
// "type" maps to, so the bot is tested against the bodies LINE really sends.
func TestWebhookBodiesMatchLINESpec(t *testing.T) {
	msgSpec := findSpec()
	if msgSpec == "" {
		t.Skip("LINE's OpenAPI specs not found")
	}
	doc, err := loadSpec(filepath.Join(filepath.Dir(msgSpec), "webhook.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var bodies [][]byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	defer hook.Close()

	s, err := New(Config{ChannelSecret: "s", AccessToken: "t", WebhookURL: hook.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const u = "U0123456789abcdef0123456789abcdef"
	steps := []func() (*Delivery, error){
		func() (*Delivery, error) { return s.SendFollow(ctx, u) },
		func() (*Delivery, error) { return s.SendText(ctx, u, "予約する") },
		func() (*Delivery, error) {
			return s.SendPostback(ctx, u, "step=birth", map[string]string{"date": "2026-10-15"})
		},
		func() (*Delivery, error) { return s.SendPostback(ctx, u, "answer=yes", nil) },
		func() (*Delivery, error) { return s.SendSticker(ctx, u, "446", "1988") },
		func() (*Delivery, error) { return s.SendImage(ctx, u) },
		func() (*Delivery, error) { return s.SendUnfollow(ctx, u) },
	}
	for _, step := range steps {
		d, err := step()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Redeliver(ctx, d); err != nil {
			t.Fatal(err)
		}
	}

	// walkSchema resolves discriminator mappings in s.spec; point it at the
	// webhook spec for this check.
	s.spec = doc
	callback := doc.Components.Schemas["CallbackRequest"]
	for _, body := range bodies {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		var errs []errorDetail
		if err := callback.Value.VisitJSON(v); err != nil {
			errs = append(errs, specDetails(err, "")...)
		}
		s.walkSchema(callback, v, "", &errs)
		for _, e := range errs {
			t.Errorf("%s: %s: %s", body, e.Property, e.Message)
		}
	}
}
