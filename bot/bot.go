// Package bot is mamasroom's LINE side: the webhook and its inbox, the
// dispatcher, the conversation flows and every Japanese message text.
package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"mamasroom/booking"
	"mamasroom/clock"
	"mamasroom/consult"
	"mamasroom/inbox"
	"mamasroom/line"
	"mamasroom/metrics"
	"mamasroom/outbox"
	"mamasroom/privacy"
)

// Config is what the bot is built from.
type Config struct {
	FacilityID int64
	// Facilities gives the facility's settings as they are now.
	Facilities FacilitySource
	// Bookings is the only door to bookings and mothers.
	Bookings *booking.Service
	// Consult is the only door to consultations.
	Consult *consult.Service
	// ConsultEvery is how often paused questions are looked for; default
	// 30 seconds.
	ConsultEvery time.Duration
	// WaitlistEvery is how often the waitlist's runner looks for places
	// to offer and offers whose time is up; default 30 seconds.
	WaitlistEvery time.Duration
	Inbox         inbox.Store
	Redis         redis.UniversalClient
	// Erasure erases a mother's data when she asks (「データ削除」).
	Erasure       privacy.Store
	ChannelSecret string
	LINE          *line.Client
	// Pushes is the outbox; WakePushes, when set, wakes its worker.
	Pushes     Pushes
	WakePushes func()
	Clock      clock.Clock
	Logger     *slog.Logger
	Metrics    *metrics.Registry
	// Workers is how many users' events are handled at once.
	Workers int
}

// Pushes is the outbox as the bot uses it: a push is added once per dedupe
// key, and the outbox's worker sends it.
type Pushes interface {
	Add(ctx context.Context, p outbox.Push) error
}

// Bot is the webhook, which only stores events, and the dispatcher, which
// hands them to the conversation engine after LINE has its answer.
type Bot struct {
	Webhook    *Webhook
	Dispatcher *Dispatcher
	Engine     *Engine
	// ConsultPause sends the questions of mothers who paused; run it
	// beside the dispatcher.
	ConsultPause *ConsultPause
	// WaitlistOffers offers freed places to waiting mothers; run it
	// beside the dispatcher.
	WaitlistOffers *WaitlistOffers
}

// flowIdle is how long she may pause in a flow before her next answer is
// checked against what changed meanwhile; her place itself is kept for
// placeKept.
const flowIdle = 30 * time.Minute

func New(cfg Config) *Bot {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.ConsultEvery <= 0 {
		cfg.ConsultEvery = 30 * time.Second
	}
	if cfg.WaitlistEvery <= 0 {
		cfg.WaitlistEvery = 30 * time.Second
	}
	offers := &WaitlistOffers{
		facilities: cfg.Facilities,
		service:    cfg.Bookings,
		every:      cfg.WaitlistEvery,
		wake:       make(chan struct{}, 1),
		wakePushes: cfg.WakePushes,
		log:        cfg.Logger,
		offered:    cfg.Metrics.NewCounter("mamasroom_waitlist_offers_total", "Freed places offered to waiting mothers.", "outcome"),
	}
	engine := &Engine{
		facilityID: cfg.FacilityID,
		facilities: cfg.Facilities,
		service:    cfg.Bookings,
		sessions:   NewSessions(cfg.Redis, redisPrefix),
		eraser:     newEraser(cfg, offers.Wake),
		pusher:     cfg.LINE,
		replies:    cfg.LINE,
		replyLog:   cfg.Inbox,
		consult:    cfg.Consult,
		content:    cfg.LINE,
		pushes:     cfg.Pushes,
		wakePushes: cfg.WakePushes,
		wakeOffers: offers.Wake,
		clock:      cfg.Clock,
		flowIdle:   flowIdle,
		handled:    cfg.Metrics.NewCounter("mamasroom_turns_total", "Conversation turns by kind.", "kind"),
	}
	d := &Dispatcher{
		inbox:   cfg.Inbox,
		handle:  engine.Handle,
		giveUp:  engine.GiveUp,
		clock:   cfg.Clock,
		log:     eventLogger(cfg.Logger, cfg.ChannelSecret),
		workers: cfg.Workers,
		wake:    make(chan struct{}, 1),
		outcome: cfg.Metrics.NewCounter("mamasroom_events_total", "Webhook events handled, by outcome.", "outcome"),
	}
	d.observe(cfg.Metrics, func(ctx context.Context) error { return cfg.Redis.Ping(ctx).Err() })
	hook := &Webhook{
		secret:   cfg.ChannelSecret,
		inbox:    cfg.Inbox,
		wake:     d.Wake,
		clock:    cfg.Clock,
		log:      cfg.Logger,
		requests: cfg.Metrics.NewCounter("mamasroom_webhook_requests_total", "Webhook requests by answer.", "status"),
		dropped:  cfg.Metrics.NewCounter("mamasroom_webhook_events_dropped_total", "Webhook events left out of a stored delivery, by reason.", "reason"),
	}
	cfg.Metrics.GaugeFunc("mamasroom_inbox_pending", "Webhook events stored and not yet handled.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := cfg.Inbox.Pending(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	pause := &ConsultPause{
		facilityID: cfg.FacilityID,
		consult:    cfg.Consult,
		every:      cfg.ConsultEvery,
		log:        cfg.Logger,
		sent:       cfg.Metrics.NewCounter("mamasroom_questions_sent_after_pause_total", "Questions sent by a pause, by urgency.", "urgent"),
	}
	return &Bot{Webhook: hook, Dispatcher: d, Engine: engine, ConsultPause: pause, WaitlistOffers: offers}
}
