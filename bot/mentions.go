package bot

import (
	"container/list"
	"context"
	"fmt"
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
	if !mentioned && !followUp && !dm {
		return
	}
	cmd, ok := b.commands["ask"]
	if !ok {
		return
	}
	log := b.log.With("message", m.ID, "channel", m.ChannelID)
	question := strings.TrimSpace(mentionRE.ReplaceAllStringFunc(m.Content, func(t string) string {
		if id := mentionRE.FindStringSubmatch(t)[1]; id == botID {
			return ""
		}
		return t
	}))
	if b.closing.Load() {
		b.reply(m.Message, log, "Attache is restarting. Please ask again in a minute.")
		return
	}
	if question == "" {
		b.reply(m.Message, log, "Ask me a question after the mention, for example: *What is Witkoff's role?*")
		return
	}
	if ok, wait := b.limiter.Allow(m.Author.ID); !ok {
		b.metrics.interaction("mention", "rate-limited")
		b.reply(m.Message, log, fmt.Sprintf("You're asking quickly. Try again in %d s.", int(wait.Seconds())))
		return
	}
	req := commands.Request{Command: "ask", Options: map[string]any{"question": question}, UserID: m.Author.ID,
		GuildID: m.GuildID, ChannelID: m.ChannelID}
	if followUp {
		req.Prior = prior
		if req.Prior == nil && m.ReferencedMessage != nil {
			req.Prior = &answer.FollowUp{Answer: m.ReferencedMessage.Content}
		}
	}
	b.inflight.Add(1)
	go func() {
		defer b.inflight.Done()
		b.answerMessage(m.Message, cmd, req, log)
	}()
}

// answerMessage answers a mention as a reply to it.
func (b *Bot) answerMessage(m *discordgo.Message, cmd commands.Command, req commands.Request, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.AnswerTimeout)
	defer cancel()
	start := time.Now()
	if err := b.session.ChannelTyping(m.ChannelID); err != nil {
		log.Warn("typing indicator", "err", redact(err, b.cfg.Token))
	}
	select {
	case b.llmSlots <- struct{}{}:
		defer func() { <-b.llmSlots }()
	case <-ctx.Done():
		return
	}
	reply, err := cmd.Handle(ctx, req)
	b.metrics.command("mention", time.Since(start))
	if err != nil {
		msg, code := userMessage(err)
		if code == "internal" || code == "timeout" {
			log.Error("mention failed", "code", code, "err", redact(err, b.cfg.Token))
		}
		b.metrics.interaction("mention", code)
		b.reply(m, log, msg)
		return
	}
	parts := Render(reply)
	var exchangeID string
	exchange := &answer.FollowUp{Question: req.String("question"), Answer: reply.Answer.Text}
	for k, p := range parts {
		send := &discordgo.MessageSend{Content: p, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds}
		if k == 0 {
			send.Reference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: ptr(false)}
		}
		sent, err := b.session.ChannelMessageSendComplex(m.ChannelID, send)
		if err != nil {
			log.Error("send answer", "err", redact(err, b.cfg.Token))
			b.metrics.interaction("mention", "send-failed")
			return
		}
		if k == 0 {
			// Remember the exchange at once: a reply to it may come fast.
			exchangeID = sent.ID
			b.exchanges.remember(exchangeID, exchange)
		}
	}
	b.exchanges.save(exchangeID, exchange)
	b.metrics.interaction("mention", "ok")
	log.Info("answered mention", "ms", time.Since(start).Milliseconds(), "sources", len(reply.Answer.Sources))
}

// reply sends a short reply to a message.
func (b *Bot) reply(m *discordgo.Message, log *slog.Logger, text string) {
	_, err := b.session.ChannelMessageSendComplex(m.ChannelID, &discordgo.MessageSend{
		Content: text, AllowedMentions: noMentions(),
		Reference: &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: ptr(false)},
	})
	if err != nil {
		log.Error("reply", "err", redact(err, b.cfg.Token))
	}
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
