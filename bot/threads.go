package bot

import (
	"context"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// SettingsStore is what the bot reads of a server's choices.
type SettingsStore interface {
	ServerSettings(ctx context.Context, guildID string) (knowledge.ServerSettings, error)
}

// threads remembers, for a process, which servers answer in threads and
// which threads are Attache's, so that a message in a channel costs no
// request once its channel is known.
type threads struct {
	mu       sync.Mutex
	settings map[string]cachedSetting // by guild
	ours     map[string]bool          // by channel: a thread Attache started
	last     map[string]string        // by thread: Attache's last answer there
}

type cachedSetting struct {
	on bool
	at time.Time
}

// settingsTTL is how long a server's choice is trusted before it is read
// again (another process may have changed it).
const settingsTTL = time.Minute

// maxKnownChannels bounds what the process remembers of channels.
const maxKnownChannels = 10000

func newThreads() *threads {
	return &threads{settings: map[string]cachedSetting{}, ours: map[string]bool{}, last: map[string]string{}}
}

// answerInThreads reports whether a server chose to have mentions answered
// in threads.
func (b *Bot) answerInThreads(ctx context.Context, guildID string) bool {
	if b.cfg.Settings == nil || guildID == "" {
		return false
	}
	t := b.threads
	t.mu.Lock()
	c, ok := t.settings[guildID]
	t.mu.Unlock()
	if ok && time.Since(c.at) < settingsTTL {
		return c.on
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	s, err := b.cfg.Settings.ServerSettings(ctx, guildID)
	if err != nil {
		b.log.Warn("read server settings", "guild", guildID, "err", err)
		return ok && c.on
	}
	t.mu.Lock()
	if len(t.settings) > maxKnownChannels {
		t.settings = map[string]cachedSetting{}
	}
	t.settings[guildID] = cachedSetting{on: s.AnswerInThreads, at: time.Now()}
	t.mu.Unlock()
	return s.AnswerInThreads
}

// ourThread reports whether a channel is a thread Attache started.
func (b *Bot) ourThread(ctx context.Context, channelID string) bool {
	t := b.threads
	t.mu.Lock()
	known, ok := t.ours[channelID]
	t.mu.Unlock()
	if ok {
		return known
	}
	c, err := b.channel(ctx, channelID)
	if err != nil {
		return false
	}
	botID, _ := b.botID.Load().(string)
	mine := c.IsThread() && c.OwnerID == botID
	b.markThread(channelID, mine)
	return mine
}

func (b *Bot) markThread(channelID string, mine bool) {
	t := b.threads
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.ours) > maxKnownChannels {
		t.ours = map[string]bool{}
	}
	t.ours[channelID] = mine
}

// answered remembers Attache's last answer in a thread.
func (b *Bot) answered(threadID, messageID string) {
	t := b.threads
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.last) > maxKnownChannels {
		t.last = map[string]string{}
	}
	t.last[threadID] = messageID
}

// threadPrior is the exchange a message in one of Attache's threads
// follows: its last answer there, from memory or, after a restart, from
// the thread's recent messages.
func (b *Bot) threadPrior(ctx context.Context, threadID string) *answer.FollowUp {
	t := b.threads
	t.mu.Lock()
	id := t.last[threadID]
	t.mu.Unlock()
	if id == "" {
		botID, _ := b.botID.Load().(string)
		msgs, err := b.session.ChannelMessages(threadID, 20, "", "", "", discordgo.WithContext(ctx))
		if err == nil {
			for _, m := range msgs { // newest first
				if m.Author != nil && m.Author.ID == botID {
					id = m.ID
					break
				}
			}
		}
	}
	if id == "" {
		return nil
	}
	return b.exchanges.get(id)
}
