package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"mamasroom/booking"
	"mamasroom/clock"
	"mamasroom/consult"
	"mamasroom/inbox"
	"mamasroom/line"
	"mamasroom/metrics"
	"mamasroom/outbox"
	"mamasroom/privacy"
	"mamasroom/words"
)

// replyTokenLife is how long after the webhook a reply token is trusted.
// LINE gives about a minute; the margin covers clock skew and the send.
const replyTokenLife = 50 * time.Second

// replier answers an event with its reply token.
type replier interface {
	Reply(ctx context.Context, token string, msgs []line.Message) error
}

// replyLog is where a reply is written down before it goes to LINE: the
// inbox, in the event's row (see Engine.answer).
type replyLog interface {
	BeginReply(ctx context.Context, eventID string, at time.Time) (earlier bool, err error)
	ReplyNotSent(ctx context.Context, eventID string, earlier bool) error
}

// contentSource downloads what she sent in an image message.
type contentSource interface {
	Content(ctx context.Context, messageID string) ([]byte, string, error)
}

// FacilitySource gives the facility's settings as staff last saved them.
type FacilitySource interface {
	Facility(ctx context.Context) (*booking.Facility, error)
}

// FacilityFunc makes a function a FacilitySource.
type FacilityFunc func(ctx context.Context) (*booking.Facility, error)

func (f FacilityFunc) Facility(ctx context.Context) (*booking.Facility, error) { return f(ctx) }

// Engine runs the conversation: one inbox event in, the answer out.
type Engine struct {
	// facilityID never changes; the facility's settings are read afresh
	// for every event, so a change staff make applies to the next one.
	facilityID int64
	facilities FacilitySource
	service    *booking.Service
	sessions   *Sessions
	replies    replier
	replyLog   replyLog
	// consult is the door to consultations; content fetches the photos
	// she sends with a question.
	consult *consult.Service
	content contentSource
	// pushes is the outbox, for answers that missed their reply token;
	// wakePushes tells its worker there is one.
	pushes     Pushes
	wakePushes func()
	// wakeOffers tells the waitlist's runner that a place may be free to
	// offer (an offer declined, a wait left).
	wakeOffers func()
	clock      clock.Clock
	// eraser erases her data when she asks; pusher answers her then when
	// the reply token is spent (flow_privacy.go).
	eraser *privacy.Eraser
	pusher directPusher
	// flowIdle is how long she may pause in a flow before her next answer
	// is checked against what changed meanwhile (resume.go).
	flowIdle time.Duration
	handled  *metrics.Counter
}

// Handle processes one event. It is safe to call again for the same event:
// a turn already run is not run again (its answer, kept with her session,
// is sent instead), and an answer is delivered once however often it is
// sent (see answer), so a crash anywhere in a turn repeats nothing.
func (e *Engine) Handle(ctx context.Context, ev inbox.Pending) error {
	parsed, err := webhook.UnmarshalEvent(ev.Payload)
	if err != nil {
		e.handled.Inc("unreadable")
		return nil // nothing to do with what cannot be read; never retried
	}
	userID := ev.LineUserID
	if userID == "" {
		e.handled.Inc("no_user")
		return nil // groups and rooms: the bot only talks one to one
	}
	f, err := e.facilities.Facility(ctx)
	if err != nil {
		return fmt.Errorf("load facility: %w", err)
	}
	if _, ok := parsed.(webhook.UnfollowEvent); ok {
		e.handled.Inc("unfollow")
		return e.unfollow(ctx, f, userID)
	}

	sess, err := e.sessions.Load(ctx, userID)
	if err != nil {
		return err
	}
	now := e.clock.Now()
	reply := eventReply{eventID: ev.EventID, userID: userID, token: replyToken(parsed),
		fresh: now.Sub(ev.ReceivedAt) <= replyTokenLife}
	if sess.LastEventID == ev.EventID {
		var msgs []line.Message
		if err := json.Unmarshal(sess.LastReply, &msgs); err == nil {
			e.handled.Inc("repeat")
			return e.answer(ctx, reply, msgs)
		}
	}

	t := &turn{Engine: e, facility: f, say: newReplies(f), userID: userID, sess: sess, now: now}
	t.version = sess.Version + 1
	msgs, err := t.run(ctx, parsed)
	if err != nil {
		return err
	}
	if t.erase {
		return e.eraseThenAnswer(ctx, ev, reply, msgs)
	}
	if len(msgs) == 0 {
		e.handled.Inc("ignored")
		return nil
	}
	raw, err := json.Marshal(msgs)
	if err != nil {
		return fmt.Errorf("encode answer: %w", err)
	}
	sess.LastEventID, sess.LastReply, sess.UpdatedAt = ev.EventID, raw, t.now
	if err := e.sessions.Save(ctx, userID, sess); err != nil {
		return err
	}
	e.handled.Inc(t.kind)
	return e.answer(ctx, reply, msgs)
}

// eventReply is how an event can be answered.
type eventReply struct {
	eventID, userID string
	token           string // "" for an event without one
	// fresh is true while the token is young enough to trust.
	fresh bool
}

// answer sends an event's answer so that she gets it once, however often
// it runs for the event: after a crash, after LINE's answer was lost or
// came after our timeout, after Postgres stopped before the event was done.
//
// LINE itself makes a reply happen at most once: a reply token is good
// for one reply, and LINE refuses it (400) after that. So every reply is
// written down in the event's row before it goes out, and a retry replies
// again with the same token, never pushing once a reply may have reached
// LINE: a refused token then means the earlier reply was delivered. Only
// an event no reply of which can have reached LINE, and whose token is
// missing or spent, is answered by push, through the outbox under a key
// made from the event, which sends it once.
//
// The choice has a cost, taken deliberately: when a reply's fate is
// unknown (LINE did not answer: a timeout, a crash mid-request, a dropped
// connection) and the token has expired by the retry, the answer is not
// pushed, in case LINE had it: she may miss that answer, but never gets
// it twice. A crash costs one short lease (eventLease) before the retry,
// well within the token's minute, so in practice the retry's own reply
// settles it; a LINE that answers 5xx or 429 has refused the reply, and
// that answer is pushed later as usual.
func (e *Engine) answer(ctx context.Context, r eventReply, msgs []line.Message) error {
	if r.token == "" {
		return e.pushAnswer(ctx, r, msgs)
	}
	earlier, err := e.replyLog.BeginReply(ctx, r.eventID, e.clock.Now())
	if err != nil {
		return err
	}
	if !r.fresh && !earlier {
		// Spent before any reply was tried: only a push can reach her.
		if err := e.replyLog.ReplyNotSent(ctx, r.eventID, false); err != nil {
			return err
		}
		return e.pushAnswer(ctx, r, msgs)
	}
	err = e.replies.Reply(ctx, r.token, msgs)
	switch {
	case err == nil:
		return nil
	case line.IsInvalidReplyToken(err) && earlier:
		e.handled.Inc("reply_already_delivered")
		return nil
	case line.IsInvalidReplyToken(err):
		// Expired before this, the first reply that can have reached LINE.
		if err := e.replyLog.ReplyNotSent(ctx, r.eventID, false); err != nil {
			return err
		}
		return e.pushAnswer(ctx, r, msgs)
	case replyRefused(err):
		// LINE is out or refused it; the token may still be good next time.
		if err := e.replyLog.ReplyNotSent(ctx, r.eventID, earlier); err != nil {
			return err
		}
		return err
	default:
		return err // its fate is unknown: it stays written down
	}
}

// pushAnswer puts the answer in the outbox under a key made from the
// event, so that however often it is put there she gets it once.
func (e *Engine) pushAnswer(ctx context.Context, r eventReply, msgs []line.Message) error {
	return e.push(ctx, outbox.Push{
		LineUserID: r.userID, Kind: outbox.KindAnswer, DedupeKey: "answer/" + r.eventID, Messages: msgs,
	})
}

// replyRefused reports whether LINE surely did not deliver a reply that
// failed with err: it answered with an error status (a 5xx is taken as
// LINE's word that it failed), or it was never reached (no connection).
// A reply sent with no answer back (a timeout, a connection lost midway)
// may have been delivered.
func replyRefused(err error) bool {
	var le *line.Error
	if !errors.As(err, &le) {
		return false
	}
	if le.Status != 0 {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// push puts a push into the outbox and wakes its worker.
func (e *Engine) push(ctx context.Context, p outbox.Push) error {
	p.FacilityID = e.facilityID
	if err := e.pushes.Add(ctx, p); err != nil {
		return fmt.Errorf("queue %s push: %w", p.Kind, err)
	}
	if e.wakePushes != nil {
		e.wakePushes()
	}
	return nil
}

// GiveUp tells her, when an event failed for good, that it went wrong, so
// that she is never left with silence. The outbox sends it once, and not at
// all to a mother who has blocked the account.
func (e *Engine) GiveUp(ctx context.Context, ev inbox.Pending) error {
	if ev.LineUserID == "" {
		return nil
	}
	if parsed, err := webhook.UnmarshalEvent(ev.Payload); err != nil {
		return nil
	} else if _, ok := parsed.(webhook.UnfollowEvent); ok {
		return nil
	}
	f, err := e.facilities.Facility(ctx)
	if err != nil {
		return fmt.Errorf("load facility: %w", err)
	}
	return e.push(ctx, outbox.Push{
		LineUserID: ev.LineUserID, Kind: outbox.KindAnswer, DedupeKey: "giveup/" + ev.EventID,
		Messages: []line.Message{newReplies(f).somethingWentWrong()},
	})
}

func (e *Engine) unfollow(ctx context.Context, f *booking.Facility, userID string) error {
	m, err := e.service.FindMother(ctx, f, userID)
	switch {
	case errors.Is(err, booking.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := e.service.SetFollowing(ctx, m, false); err != nil {
			return err
		}
	}
	return e.sessions.Delete(ctx, userID)
}

// messageID is LINE's id of a message, the key of its content.
func messageID(m webhook.MessageContentInterface) string {
	switch m := m.(type) {
	case webhook.TextMessageContent:
		return m.Id
	case webhook.ImageMessageContent:
		return m.Id
	case webhook.VideoMessageContent:
		return m.Id
	case webhook.AudioMessageContent:
		return m.Id
	case webhook.FileMessageContent:
		return m.Id
	case webhook.StickerMessageContent:
		return m.Id
	case webhook.LocationMessageContent:
		return m.Id
	}
	return ""
}

func replyToken(ev webhook.EventInterface) string {
	switch ev := ev.(type) {
	case webhook.MessageEvent:
		return ev.ReplyToken
	case webhook.PostbackEvent:
		return ev.ReplyToken
	case webhook.FollowEvent:
		return ev.ReplyToken
	}
	return ""
}

// turn is the handling of one event.
type turn struct {
	*Engine
	facility *booking.Facility
	say      replies
	userID   string
	sess     *Session
	now      time.Time
	// version is the session's version once this turn is saved; the buttons
	// of this turn's answer carry it.
	version int64
	mother  *booking.Mother
	kind    string // for the metrics: what kind of turn this was
	// messageID is LINE's id of the message this turn answers, "" for
	// other events.
	messageID string
	// erase asks that she be erased before the answer (flow_privacy.go).
	erase bool
}

func (t *turn) today() booking.Date { return booking.DateOf(t.now) }

// loadMother returns the mother, creating her on first contact.
func (t *turn) loadMother(ctx context.Context) (*booking.Mother, error) {
	if t.mother != nil {
		return t.mother, nil
	}
	m, err := t.service.EnsureMother(ctx, t.facility, t.userID)
	if err != nil {
		return nil, err
	}
	t.mother = m
	return m, nil
}

func (t *turn) run(ctx context.Context, ev webhook.EventInterface) ([]line.Message, error) {
	switch ev := ev.(type) {
	case webhook.FollowEvent:
		t.kind = "follow"
		m, err := t.loadMother(ctx)
		if err != nil {
			return nil, err
		}
		if err := t.service.SetFollowing(ctx, m, true); err != nil {
			return nil, err
		}
		t.sess.ClearFlow()
		return t.say.greeting(), nil
	case webhook.MessageEvent:
		t.messageID = messageID(ev.Message)
		// Safety comes before any flow, in any state: what she wrote is
		// read for red flags before it is read as an answer. In the middle
		// of a question, the words are kept in it too, so that the
		// midwives see it urgent.
		if text, ok := ev.Message.(webhook.TextMessageContent); ok {
			if found := consult.Check(text.Text); found.Urgent() {
				if err := t.keepRedFlagInQuestion(ctx, text.Text); err != nil {
					return nil, err
				}
				return t.onRedFlag(ctx, found)
			}
		}
		if resumed, err := t.resumeFlow(ctx); err != nil || resumed != nil {
			if text, ok := ev.Message.(webhook.TextMessageContent); ok && err == nil && isCommand(text.Text) {
				return t.onText(ctx, text.Text)
			}
			return resumed, err
		}
		switch m := ev.Message.(type) {
		case webhook.TextMessageContent:
			return t.onText(ctx, m.Text)
		case webhook.StickerMessageContent:
			t.kind = "sticker"
			if t.sess.InFlow() {
				return t.reprompt(ctx, t.say.thanksForSticker())
			}
			return []line.Message{t.say.sticker()}, nil
		case webhook.ImageMessageContent:
			if st, ok := steps[t.sess.Step]; ok && t.sess.InFlow() && st.onImage != nil {
				t.kind = "step_image"
				return st.onImage(t, ctx, m.Id)
			}
			t.kind = "media"
			if t.sess.InFlow() {
				return t.reprompt(ctx, t.say.mediaNotReadInStep())
			}
			return []line.Message{t.say.mediaNotRead()}, nil
		default:
			t.kind = "media"
			if t.sess.Flow == flowConsult && t.sess.Step == stepQuestion {
				return t.reprompt(ctx, t.say.mediaNotKept())
			}
			if t.sess.InFlow() {
				return t.reprompt(ctx, t.say.mediaNotReadInStep())
			}
			return []line.Message{t.say.mediaNotRead()}, nil
		}
	case webhook.PostbackEvent:
		if ev.Postback != nil {
			if p, st, ok := anytimePostback(ev.Postback.Data); ok {
				t.kind = "step_" + p.Step
				return st.onPostback(t, ctx, p, ev.Postback)
			}
		}
		if resumed, err := t.resumeFlow(ctx); err != nil || resumed != nil {
			return resumed, err
		}
		if ev.Postback == nil {
			return nil, nil
		}
		return t.onPostback(ctx, ev.Postback)
	}
	return nil, nil // other events (unsend, read, ...) need no answer
}

// onRedFlag answers a message with a red flag: the safety answer first,
// then, if she was in the middle of a flow, its question again, so she can
// go on when she is ready (the buttons she had are stale once this turn is
// saved).
func (t *turn) onRedFlag(ctx context.Context, found consult.Triage) ([]line.Message, error) {
	t.kind = "red_flag"
	var msgs []line.Message
	for _, c := range found.Concerns()[:min(len(found.Concerns()), maxSafetyAnswers)] {
		if last, ok := t.sess.SafetyAnswered[c.String()]; ok && t.now.Sub(last) < safetyRepeatAfter {
			continue
		}
		if t.sess.SafetyAnswered == nil {
			t.sess.SafetyAnswered = map[string]time.Time{}
		}
		t.sess.SafetyAnswered[c.String()] = t.now
		msgs = append(msgs, t.say.safety(c, t.now))
	}
	if len(msgs) == 0 {
		msgs = []line.Message{t.say.safetyAgain()}
	}
	resumed, err := t.resumeFlow(ctx)
	switch {
	case err != nil:
		return nil, err
	case !t.sess.InFlow():
		return msgs, nil
	case resumed != nil: // what changed while she was away, and her question
		return append(msgs, resumed[:min(len(resumed), maxReplyMessages-len(msgs))]...), nil
	}
	flow, err := t.reprompt(ctx, t.say.flowCanWait())
	if err != nil {
		return nil, err
	}
	return append(msgs, flow[:min(len(flow), maxReplyMessages-len(msgs))]...), nil
}

const (
	// maxSafetyAnswers leaves room in one reply for the flow's question.
	maxSafetyAnswers = 2
	// maxReplyMessages is LINE's limit of messages in one reply or push.
	maxReplyMessages = 5
	// safetyRepeatAfter is how soon the same safety answer may be sent again.
	safetyRepeatAfter = time.Minute
)

func isCommand(text string) bool {
	switch strings.TrimSpace(text) {
	case cmdBook, cmdMyBookings, cmdConsult, cmdEligible, cmdInfo, cmdQuit, cmdErase:
		return true
	}
	return intentOf(text) != intentNone
}

func (t *turn) onText(ctx context.Context, text string) ([]line.Message, error) {
	text = strings.TrimSpace(text)
	switch text {
	case cmdQuit:
		t.kind = "quit"
		if err := t.discardQuestion(ctx); err != nil {
			return nil, err
		}
		t.sess.ClearFlow()
		return []line.Message{t.say.quit()}, nil
	case cmdBook:
		t.kind = "book"
		return t.startBooking(ctx)
	case cmdMyBookings:
		t.kind = "mybookings"
		return t.showMyBookings(ctx)
	case cmdEligible:
		t.kind = "eligibility"
		return t.startEligibility(false), nil
	case cmdInfo:
		t.kind = "info"
		t.sess.ClearFlow()
		return t.say.info(), nil
	case cmdConsult:
		t.kind = "consult"
		return t.startConsult(ctx)
	case words.CancelThis:
		// The reminder's button, typed: which booking is not in the words,
		// so she picks it from her list.
		t.kind = "mybookings"
		return t.showMyBookings(ctx)
	case words.DeclineOffer:
		t.kind = "offer_text"
		return t.declineTypedOffer(ctx)
	case cmdErase:
		t.kind = "erase_asked"
		if err := t.discardQuestion(ctx); err != nil {
			return nil, err
		}
		return t.startErase(ctx)
	}
	if msgs, ok, err := t.onTypedWords(ctx, text); ok || err != nil {
		return msgs, err
	}
	st, ok := steps[t.sess.Step]
	if !t.sess.InFlow() || !ok {
		t.sess.ClearFlow()
		t.kind = "help"
		return []line.Message{t.say.help()}, nil
	}
	t.kind = "step_text"
	return st.onText(t, ctx, text)
}

// onPostback takes a tapped button. A button of another step than hers, or
// made for an older version of her session, is stale: she is asked the
// current question again.
func (t *turn) onPostback(ctx context.Context, pb *webhook.PostbackContent) ([]line.Message, error) {
	p, err := ParsePostback(pb.Data)
	if err == nil {
		if msgs, ok, err := t.confirmedAgain(ctx, p); ok || err != nil {
			return msgs, err
		}
	}
	st, known := steps[p.Step]
	if err != nil || !known || p.Version != t.sess.Version || p.Step != t.sess.Step || st.flow != t.sess.Flow {
		t.kind = "stale"
		if t.sess.InFlow() {
			return t.reprompt(ctx, t.say.staleButton())
		}
		return []line.Message{t.say.withMenu(t.say.staleButton())}, nil
	}
	t.kind = "step_" + p.Step
	return st.onPostback(t, ctx, p, pb)
}

// anytimePostback reads the postback of a step whose buttons work in any
// state (an offer's); ok is false for every other button.
func anytimePostback(data string) (Postback, step, bool) {
	p, err := ParsePostback(data)
	if err != nil {
		return Postback{}, step{}, false
	}
	st, known := steps[p.Step]
	return p, st, known && st.anytime
}

// reprompt asks the current step's question again, after a short note.
func (t *turn) reprompt(ctx context.Context, note string) ([]line.Message, error) {
	st, ok := steps[t.sess.Step]
	if !ok || !t.sess.InFlow() {
		t.sess.ClearFlow()
		return []line.Message{t.say.help()}, nil
	}
	return st.prompt(t, ctx, note)
}
