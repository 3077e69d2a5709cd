package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge"
)

// Config sets the bot up.
type Config struct {
	Token   string // DISCORD_TOKEN; never logged
	GuildID string // DISCORD_GUILD_ID: register commands there (instant) instead of globally
	// APIURL replaces the origin of every REST call (DISCORD_API_URL), for
	// REST proxies and tests. Empty for Discord's own.
	APIURL string
	// UserBurst requests per UserWindow per user (default 5 per minute).
	UserBurst  int
	UserWindow time.Duration
	// Rates keeps each user's bucket where every process sharing the
	// store sees it (postgres.DB), so that the limit is per user, not per
	// process; nil keeps the buckets in this process.
	Rates knowledge.RateStore
	// LLMConcurrency bounds commands that may call the LLM at once (default 4).
	LLMConcurrency int
	// EditInterval is the least time between two progress edits of one
	// answer (default 1.5 s); EditsPerSecond caps progress edits across all
	// answers (default 4), since discordgo sends every webhook edit through
	// one rate-limit bucket, one at a time.
	EditInterval   time.Duration
	EditsPerSecond int
	// AnswerTimeout bounds one command (default 2 minutes; the interaction
	// token lives 15).
	AnswerTimeout time.Duration
	// Exchanges keeps the question behind each answer beyond the process,
	// so that a reply follows it up after a restart or on another shard
	// (sqlite.DB); nil keeps the last 2,000 in memory only.
	Exchanges ExchangeStore
	// Settings, when set, holds each server's choices: to answer mentions
	// in threads.
	Settings SettingsStore
	// ShutdownGrace bounds how long Close waits for answers in flight.
	ShutdownGrace time.Duration
	// Shards, when set, splits the gateway (see ParseShards).
	Shards Shards
}

// Bot is Attache on Discord.
type Bot struct {
	cfg      Config
	log      *slog.Logger
	session  *discordgo.Session
	commands map[string]commands.Command
	defs     []*discordgo.ApplicationCommand
	limiter  *Limiter
	llmSlots chan struct{}
	edits    *editBudget
	metrics  *Metrics

	botID, appID atomic.Value // string
	connected    sync.Map     // *discordgo.Session → bool: its gateway is up
	opened       atomic.Bool  // the gateway was opened (Open returned)
	mu           sync.Mutex
	gateways     []*discordgo.Session // the gateway connections: the REST session, or one per shard
	closing      atomic.Bool
	inflight     sync.WaitGroup
	waiting      atomic.Int64 // requests waiting for a model slot
	// root is the parent of every answer's context, cancelled when Close
	// gives up waiting; stopping is closed when Close begins, ending waits
	// on Discord's rate limits and for model slots.
	root       context.Context
	cancelRoot context.CancelFunc
	stopping   chan struct{}
	stopOnce   sync.Once
	sources    *commands.Command // what the Sources button runs; nil: none
	exchanges  *exchangeCache
	threads    *threads
	registered sync.Once
}

// New builds a bot; Register gives it its commands and Open connects it.
func New(cfg Config, log *slog.Logger, m *Metrics) (*Bot, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("DISCORD_TOKEN is not set")
	}
	if cfg.UserBurst == 0 {
		cfg.UserBurst = 5
	}
	if cfg.UserWindow <= 0 {
		cfg.UserWindow = time.Minute
	}
	if cfg.LLMConcurrency <= 0 {
		cfg.LLMConcurrency = 4
	}
	if cfg.EditInterval <= 0 {
		cfg.EditInterval = 1500 * time.Millisecond
	}
	if cfg.EditsPerSecond <= 0 {
		cfg.EditsPerSecond = 4
	}
	if cfg.AnswerTimeout <= 0 {
		cfg.AnswerTimeout = 2 * time.Minute
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 30 * time.Second
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	// Only what answering needs: no privileged intent. Messages that
	// mention the bot, DMs and replies to it carry their content anyway.
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	s.LogLevel = discordgo.LogError
	s.Client = &http.Client{Timeout: 20 * time.Second}
	if cfg.APIURL != "" {
		u, err := url.Parse(cfg.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("DISCORD_API_URL %q is not an http(s) URL", cfg.APIURL)
		}
		s.Client.Transport = &originRewriter{base: u, next: http.DefaultTransport}
	}
	next := s.Client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	s.Client.Transport = &rateLimitLog{next: next, log: log}
	b := &Bot{
		cfg:       cfg,
		log:       log,
		session:   s,
		commands:  map[string]commands.Command{},
		limiter:   &Limiter{Burst: cfg.UserBurst, Window: cfg.UserWindow, Store: cfg.Rates, Log: log},
		llmSlots:  make(chan struct{}, cfg.LLMConcurrency),
		edits:     newEditBudget(cfg.EditsPerSecond),
		metrics:   m,
		exchanges: newExchangeCache(2000, cfg.Exchanges, log),
		threads:   newThreads(),
	}
	b.root, b.cancelRoot = context.WithCancel(context.Background())
	b.stopping = make(chan struct{})
	b.botID.Store("")
	b.appID.Store("")
	b.addHandlers(s)
	return b, nil
}

// addHandlers makes a session's gateway events the bot's.
func (b *Bot) addHandlers(s *discordgo.Session) {
	s.AddHandler(b.onReady)
	s.AddHandler(b.onResumed)
	s.AddHandler(b.onDisconnect)
	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
}

// Register adds commands; call it before Open.
func (b *Bot) Register(cmds ...commands.Command) {
	for _, c := range cmds {
		b.commands[c.Definition.Name] = c
		def := c.Definition
		if b.cfg.GuildID != "" {
			// Commands of one server (a test server) are installed by it
			// alone: user install and other contexts are for global ones.
			copied := *def
			copied.IntegrationTypes, copied.Contexts = nil, nil
			def = &copied
		}
		b.defs = append(b.defs, def)
	}
}

// Open connects to the gateway: one connection, or one per shard (see
// Config.Shards). It returns ctx's error at once when ctx ends first.
func (b *Bot) Open(ctx context.Context) error {
	b.log.Info("connecting to Discord")
	var err error
	if b.cfg.Shards.Auto || len(b.cfg.Shards.IDs) > 0 {
		err = b.openShards(ctx)
	} else {
		b.mu.Lock()
		b.gateways = []*discordgo.Session{b.session}
		b.mu.Unlock()
		err = b.openSession(ctx, b.session)
	}
	if err == nil {
		b.opened.Store(true)
	}
	return err
}

// openSession opens one gateway session. discordgo's connect cannot be
// cancelled (it waits out rate limits and a silent gateway), so it runs
// aside: when ctx ends first, openSession returns at once and the session
// is closed whenever the connect gives up.
func (b *Bot) openSession(ctx context.Context, s *discordgo.Session) error {
	done := make(chan error, 1)
	go func() { done <- s.Open() }()
	slow := time.NewTicker(connectPatience)
	defer slow.Stop()
	waited := time.Duration(0)
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("connect to Discord: %w", redact(err, b.cfg.Token))
			}
			return nil
		case <-slow.C:
			waited += connectPatience
			b.log.Warn("still connecting to Discord", "waited", waited.String(), "shard", s.ShardID)
		case <-ctx.Done():
			go func() {
				if <-done == nil {
					closeJustOpened(s)
				}
			}()
			return ctx.Err()
		}
	}
}

// closeJustOpened closes a session whose Open has just returned. Open
// starts the heartbeat goroutine, which sends its first heartbeat before it
// looks whether the session was closed; closed before that send, the send
// fails and discordgo reconnects the session. The first send sets
// DataReady, so Close waits for it, a moment at most.
func closeJustOpened(s *discordgo.Session) {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		s.RLock()
		ready := s.DataReady
		s.RUnlock()
		if ready {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.Close()
}

// connectPatience is how long a connect goes before the log says it waits.
const connectPatience = 15 * time.Second

// rateLimitLog logs Discord's 429 answers, which discordgo waits out
// silently, at most one line per route and second.
type rateLimitLog struct {
	next http.RoundTripper
	log  *slog.Logger
	mu   sync.Mutex
	last map[string]time.Time
}

func (t *rateLimitLog) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	route := r.Method + " " + r.URL.Path
	now := time.Now()
	t.mu.Lock()
	quiet := now.Sub(t.last[route]) < time.Second
	if !quiet {
		if t.last == nil || len(t.last) > 1000 {
			t.last = map[string]time.Time{}
		}
		t.last[route] = now
	}
	t.mu.Unlock()
	if !quiet {
		t.log.Warn("Discord is rate limiting this bot; waiting", "route", redactPath(r.URL.Path),
			"retry_after", resp.Header.Get("Retry-After"), "global", resp.Header.Get("X-RateLimit-Global") == "true")
	}
	return resp, nil
}

// redactPath drops the interaction and webhook tokens a REST path carries:
// /interactions/{id}/{token}/callback, /webhooks/{application}/{token}/….
func redactPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if (s == "interactions" || s == "webhooks") && i+2 < len(parts) {
			parts[i+2] = ":token"
		}
	}
	return strings.Join(parts, "/")
}

// Connected reports whether every gateway connection is up.
func (b *Bot) Connected() bool {
	b.mu.Lock()
	gws := b.gateways
	b.mu.Unlock()
	if len(gws) == 0 {
		return false
	}
	for _, s := range gws {
		if up, _ := b.connected.Load(s); up != true {
			return false
		}
	}
	return true
}

// Close stops taking work, waits (bounded) for answers in flight, then
// closes the gateway session.
func (b *Bot) Close() error {
	b.closing.Store(true)
	b.stopOnce.Do(func() { close(b.stopping) })
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(b.cfg.ShutdownGrace):
		b.log.Warn("shutdown: answers still in flight after the grace period; cancelling them")
		b.cancelRoot()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			b.log.Error("shutdown: answers did not stop when cancelled")
		}
	}
	b.cancelRoot()
	// Close stops the listener before it closes the connection, so the
	// session does not try to reconnect.
	if !b.opened.Load() {
		return nil // an HTTP-only process never opened the gateway
	}
	b.mu.Lock()
	gws := b.gateways
	b.mu.Unlock()
	var errs []error
	for _, s := range gws {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

func (b *Bot) onReady(s *discordgo.Session, r *discordgo.Ready) {
	b.connected.Store(s, true)
	if r.User != nil {
		b.botID.Store(r.User.ID)
	}
	if r.Application != nil && r.Application.ID != "" {
		b.appID.Store(r.Application.ID)
	} else if r.User != nil {
		b.appID.Store(r.User.ID)
	}
	b.log.Info("gateway ready", "bot_user", b.botID.Load(), "guilds", len(r.Guilds), "shard", s.ShardID, "shards", s.ShardCount)
	b.registered.Do(func() {
		go func() {
			if err := b.registerCommands(); err != nil {
				b.log.Error("register commands", "err", redact(err, b.cfg.Token))
			}
		}()
	})
}

func (b *Bot) onResumed(s *discordgo.Session, r *discordgo.Resumed) {
	b.connected.Store(s, true)
	b.log.Info("gateway resumed")
}

func (b *Bot) onDisconnect(s *discordgo.Session, d *discordgo.Disconnect) {
	b.connected.Store(s, false)
	b.log.Warn("gateway disconnected; discordgo reconnects")
}

// originRewriter sends requests for discord.com to another origin.
type originRewriter struct {
	base *url.URL
	next http.RoundTripper
}

func (t *originRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "discord.com" {
		return t.next.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	r2.URL.Scheme = t.base.Scheme
	r2.URL.Host = t.base.Host
	r2.Host = t.base.Host
	r2.URL.Path = strings.TrimRight(t.base.Path, "/") + r.URL.Path
	if r.URL.RawPath != "" {
		r2.URL.RawPath = strings.TrimRight(t.base.Path, "/") + r.URL.RawPath
	}
	return t.next.RoundTrip(r2)
}

// redact removes the token from an error's text.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "[token]"))
}

// noMentions stops a message from pinging anyone, whatever its text holds.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// editBudget spreads progress edits across answers: at most n a second.
type editBudget struct {
	mu     sync.Mutex
	n      int
	window time.Time
	used   int
}

func newEditBudget(n int) *editBudget { return &editBudget{n: n} }

// take reports whether a progress edit may go now.
func (e *editBudget) take(now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if now.Sub(e.window) >= time.Second {
		e.window, e.used = now, 0
	}
	if e.used >= e.n {
		return false
	}
	e.used++
	return true
}
