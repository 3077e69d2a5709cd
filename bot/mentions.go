package bot

import (
	"container/list"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge/answer"
)

var mentionRE = regexp.MustCompile(`<@!?(\d+)>`)

// onMessage answers a message that mentions the bot, a reply to one of its
// answers (a follow-up), or any message in a DM.
func (b *Bot) onMessage(s *discordgo.Session, m *discordgo.MessageCreate) {
	botID, _ := b.botID.Load().(string)
	if m.Author == nil || m.Author.Bot || botID == "" || m.Author.ID == botID {
		return
	}
	mentioned := false
	for _, u := range m.Mentions {
		mentioned = mentioned || u.ID == botID
	}
	followUp := m.ReferencedMessage != nil && m.ReferencedMessage.Author != nil && m.ReferencedMessage.Author.ID == botID
	var prior *answer.FollowUp
	if m.MessageReference != nil && (m.ReferencedMessage == nil || followUp) {
		// An answer of ours that we remember, even when the event does not
		// carry the message it replies to. A reply to someone else's
		// message is not looked up.
		prior = b.exchanges.get(m.MessageReference.MessageID)
		followUp = followUp || prior != nil
	}
	dm := m.GuildID == ""
	ctx := b.root
	threaded := !dm && b.answerInThreads(ctx, m.GuildID)
	// Known once: where threads are on, is this one of Attache's?
	inOurThread := threaded && b.ourThread(ctx, m.ChannelID)
	if inOurThread && !mentioned && !followUp {
		// In a thread Attache started, every message follows it up.
		prior = b.threadPrior(ctx, m.ChannelID)
		followUp = true
	}
	if !mentioned && !followUp && !dm {
		return
	}
	cmd, ok := b.commands["ask"]
	if !ok {
		return
	}
	log := b.log.With("message", m.ID, "channel", m.ChannelID)
	r := &mentionResponder{b: b, m: m.Message, log: log, channel: m.ChannelID, thread: inOurThread}
	question := strings.TrimSpace(mentionRE.ReplaceAllStringFunc(m.Content, func(t string) string {
		if id := mentionRE.FindStringSubmatch(t)[1]; id == botID {
			return ""
		}
		return t
	}))
	if question == "" {
		b.metrics.interaction("mention", "empty")
		r.refuse("Ask me a question after the mention, for example: *What is Witkoff's role?*")
		return
	}
	if threaded && mentioned && !inOurThread && !isThread(b, m.ChannelID) {
		// The server answers in threads: one started from the question,
		// where the answer and its follow-ups go.
		name := truncate(strings.Join(strings.Fields(question), " "), 100)
		th, err := b.session.MessageThreadStartComplex(m.ChannelID, m.ID, &discordgo.ThreadStart{Name: name, AutoArchiveDuration: 1440},
			discordgo.WithContext(ctx))
		if err != nil {
			log.Warn("start an answer thread; answering in the channel", "err", redact(err, b.cfg.Token))
		} else {
			b.markThread(th.ID, true)
			r.channel, r.thread = th.ID, true
		}
	}
	req := commands.Request{Command: "ask", Options: map[string]any{"question": question}, UserID: m.Author.ID,
		GuildID: m.GuildID, ChannelID: r.channel}
	if followUp {
		req.Prior = prior
		if req.Prior == nil && m.ReferencedMessage != nil {
			req.Prior = &answer.FollowUp{Answer: m.ReferencedMessage.Content}
		}
	}
	b.run(r, job{cmd: cmd, req: req, metric: "mention", log: log, start: time.Now()})
}

// mentionResponder answers a message as a reply to it: a typing indicator,
// then the answer's messages, the first replying to the question.
type mentionResponder struct {
	b   *Bot
	m   *discordgo.Message
	log *slog.Logger
	// channel is where the answer goes: the message's channel, or the
	// thread started from it; thread: one of Attache's threads, where its
	// last answer is remembered and no reply reference is needed.
	channel string
	thread  bool
}

func (r *mentionResponder) refuse(msg string) { r.reply(context.Background(), msg) }

func (r *mentionResponder) ack() error {
	if err := r.b.session.ChannelTyping(r.channel); err != nil {
		r.log.Warn("typing indicator", "err", redact(err, r.b.cfg.Token))
	}
	return nil
}

// queued keeps the typing indicator up: a message cannot be edited into
// the answer the way a deferral can, and one more message would be noise.
func (r *mentionResponder) queued(context.Context, int) { _ = r.ack() }

func (r *mentionResponder) progress(string) {}
func (r *mentionResponder) stopProgress()   {}

func (r *mentionResponder) send(ctx context.Context, reply commands.Reply, parts []string) (string, error) {
	first := ""
	for k, p := range parts {
		send := &discordgo.MessageSend{Content: p, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds}
		if k == 0 {
			if !r.thread {
				send.Reference = r.reference()
			}
			send.Components = commands.AnswerButtons(reply, r.b.sources != nil)
		}
		sent, err := r.b.session.ChannelMessageSendComplex(r.channel, send, discordgo.WithContext(ctx))
		if err != nil {
			return first, err
		}
		if k == 0 {
			first = sent.ID
			if r.thread {
				r.b.answered(r.channel, sent.ID)
			}
		}
	}
	return first, nil
}

func (r *mentionResponder) fail(ctx context.Context, msg string) { r.reply(ctx, msg) }

// reply sends a short reply to the message.
func (r *mentionResponder) reply(ctx context.Context, text string) {
	send := &discordgo.MessageSend{Content: text, AllowedMentions: noMentions()}
	if !r.thread {
		send.Reference = r.reference()
	}
	_, err := r.b.session.ChannelMessageSendComplex(r.channel, send, discordgo.WithContext(ctx))
	if err != nil {
		r.log.Error("reply", "err", redact(err, r.b.cfg.Token))
	}
}

func (r *mentionResponder) reference() *discordgo.MessageReference {
	return &discordgo.MessageReference{MessageID: r.m.ID, ChannelID: r.m.ChannelID, GuildID: r.m.GuildID, FailIfNotExists: ptr(false)}
}

func ptr[T any](v T) *T { return &v }

// ExchangeStore keeps answered exchanges beyond the process.
type ExchangeStore interface {
	SaveExchange(ctx context.Context, messageID, question, answer string) error
	Exchange(ctx context.Context, messageID string) (question, answer string, ok bool, err error)
}

// exchangeCache remembers the question behind each recent answer message,
// so that a reply to the answer can follow it up: the recent ones in
// memory, all of them in the store when there is one.
type exchangeCache struct {
	mu    sync.Mutex
	max   int
	order *list.List
	items map[string]*list.Element
	store ExchangeStore // may be nil
	log   *slog.Logger
}

type exchange struct {
	id string
	fu *answer.FollowUp
}

func newExchangeCache(max int, store ExchangeStore, log *slog.Logger) *exchangeCache {
	return &exchangeCache{max: max, order: list.New(), items: map[string]*list.Element{}, store: store, log: log}
}

// storeTimeout bounds one read or write of the exchange store.
const storeTimeout = 5 * time.Second

// save writes an exchange to the store, if there is one. Callers remember
// it first, at once, and save it once the answer is sent: the store's one
// writer may be busy with an ingest.
func (c *exchangeCache) save(id string, fu *answer.FollowUp) {
	if c.store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := c.store.SaveExchange(ctx, id, fu.Question, fu.Answer); err != nil && c.log != nil {
		c.log.Warn("save exchange for follow-ups", "message", id, "err", err)
	}
}

// remember keeps an exchange in memory.
func (c *exchangeCache) remember(id string, fu *answer.FollowUp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[id]; ok {
		c.order.MoveToFront(e)
		e.Value.(*exchange).fu = fu
		return
	}
	c.items[id] = c.order.PushFront(&exchange{id, fu})
	for c.order.Len() > c.max {
		e := c.order.Back()
		c.order.Remove(e)
		delete(c.items, e.Value.(*exchange).id)
	}
}

func (c *exchangeCache) get(id string) *answer.FollowUp {
	c.mu.Lock()
	if e, ok := c.items[id]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*exchange).fu
	}
	c.mu.Unlock()
	if c.store == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	q, a, ok, err := c.store.Exchange(ctx, id)
	if err != nil && c.log != nil {
		c.log.Warn("read exchange for a follow-up", "message", id, "err", err)
	}
	if !ok {
		return nil
	}
	fu := &answer.FollowUp{Question: q, Answer: a}
	c.remember(id, fu)
	return fu
}

// isThread reports a channel the gateway knows as a thread.
func isThread(b *Bot, channelID string) bool {
	c, err := b.session.State.Channel(channelID)
	return err == nil && c.IsThread()
}
