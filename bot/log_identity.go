package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"

	"mamasroom/inbox"
)

// Log lines about an event name it by its webhook event id and its user
// by a keyed hash, never by her LINE user id: an operator who has a user
// id and the channel secret can find her lines (UserLogHash), and a log
// read by anyone else names nobody.

type eventLogKey struct{}

type eventLogAttrs struct{ eventID, userID string }

// logEvent marks ctx as the handling of ev: every line the dispatcher's
// logger writes with it carries the event id and the user's hash.
func logEvent(ctx context.Context, ev inbox.Pending) context.Context {
	return context.WithValue(ctx, eventLogKey{}, eventLogAttrs{eventID: ev.EventID, userID: ev.LineUserID})
}

// UserLogHash is how log lines name a LINE user: HMAC-SHA256 of her user
// id under a key derived from the channel secret, 16 hex digits.
func UserLogHash(channelSecret, userID string) string {
	if userID == "" {
		return ""
	}
	key := hmac.New(sha256.New, []byte(channelSecret))
	key.Write([]byte("mamasroom log user hash"))
	mac := hmac.New(sha256.New, key.Sum(nil))
	mac.Write([]byte(userID))
	return hex.EncodeToString(mac.Sum(nil))[:16]
}

// eventLogger is log with the event id and user hash of logEvent's ctx
// added to each line.
func eventLogger(log *slog.Logger, channelSecret string) *slog.Logger {
	if log == nil {
		return nil
	}
	return slog.New(eventLogHandler{next: log.Handler(), secret: channelSecret})
}

type eventLogHandler struct {
	next   slog.Handler
	secret string
}

func (h eventLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h eventLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if a, ok := ctx.Value(eventLogKey{}).(eventLogAttrs); ok {
		r = r.Clone()
		r.AddAttrs(slog.String("event", a.eventID), slog.String("user", UserLogHash(h.secret, a.userID)))
	}
	return h.next.Handle(ctx, r)
}

func (h eventLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return eventLogHandler{next: h.next.WithAttrs(attrs), secret: h.secret}
}

func (h eventLogHandler) WithGroup(name string) slog.Handler {
	return eventLogHandler{next: h.next.WithGroup(name), secret: h.secret}
}
