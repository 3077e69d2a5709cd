package main

import (
	"context"
	"flag"
	"time"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/digest"
	"github.com/attache-bot/attache/knowledge/ingest"
)

// runServe runs the Discord bot until ctx ends (SIGINT, SIGTERM), then
// shuts down in order: stop taking work, finish answers in flight, close
// the session, the ops server and the database.
func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if m.Config.DiscordToken == "" {
		return usagef("serve: DISCORD_TOKEN is not set (see .env.example and the README's Discord section)")
	}
	db, err := m.openDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	metrics := bot.NewMetrics(nil)
	asker := m.newAnswerer(db)
	// What `attache doctor` checks, logged once at start, in the background:
	// a slow LLM server does not hold up the bot.
	checks := make(chan struct{})
	go func() {
		defer close(checks)
		m.logFindings(ctx, db)
	}()
	m.closers = append(m.closers, func() error { <-checks; return nil })
	asker.OnLLM = metrics.ObserveLLM
	asker.OnRetrieve = metrics.ObserveRetrieval
	// A store shared by processes keeps the per-user limit for all of them.
	rates, _ := db.(knowledge.RateStore)
	b, err := bot.New(bot.Config{
		Token:          m.Config.DiscordToken,
		GuildID:        m.Config.DiscordGuildID,
		APIURL:         m.Config.DiscordAPIURL,
		UserBurst:      m.Config.UserRate,
		UserWindow:     m.Config.UserWindow,
		LLMConcurrency: m.Config.LLMConcurrency,
		AnswerTimeout:  m.Config.LLMTimeout + 30*time.Second,
		Exchanges:      db,
		Settings:       db,
		Rates:          rates,
		Shards:         m.Config.Shards,
	}, m.Log, metrics)
	if err != nil {
		return err
	}
	// URLs given in Discord are fetched only from public addresses.
	poller := m.newPoller(db, true)
	digestOpts := digest.Options{LLM: m.newLLM(), LLMTimeout: 2 * m.Config.LLMTimeout, OnLLM: metrics.ObserveLLM, Log: m.Log}
	summarizer := m.newSummarizer(db)
	summarizer.OnLLM = metrics.ObserveLLM
	digests := digest.Service{Store: db, Options: digestOpts}
	deps := commands.Deps{
		Asker: asker, Searcher: db, Summarizer: summarizer, People: db, Stats: db, Now: m.now, Timelines: asker, Checker: asker,
		Digests: digests, Channels: b, Feeds: &ingest.FeedManager{DB: db, Poller: poller}, Articles: db, Settings: db,
	}
	b.Register(commands.All(deps)...)
	b.SetSources(commands.Sources(deps))
	if m.Config.HTTPAddr != "" {
		srv := bot.OpsServer(m.Config.HTTPAddr, b, db, metrics, m.Log)
		addr, err := bot.ListenOps(srv, m.Log)
		if err != nil {
			return err
		}
		m.Log.Info("ops server listening", "addr", addr)
		m.closers = append(m.closers, func() error {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		})
	}
	if m.Config.InteractionsAddr != "" {
		key, _ := bot.ParsePublicKey(m.Config.PublicKey) // checked by LoadConfig
		addr, err := b.ListenInteractions(ctx, m.Config.InteractionsAddr, key)
		if err != nil {
			return err
		}
		m.Log.Info("interactions endpoint listening", "addr", addr)
	}
	if m.Config.Gateway {
		if err := b.Open(ctx); err != nil {
			if ctx.Err() != nil {
				m.Log.Info("stopped before Discord answered")
				return nil
			}
			return err
		}
	} else if err := b.RegisterCommands(ctx); err != nil {
		// Answering does not need it: commands registered before stay.
		m.Log.Error("register commands", "err", err)
	}
	m.Log.Info("attache is running", "llm", m.Config.LLMConfigured(), "guild", m.Config.DiscordGuildID,
		"gateway", m.Config.Gateway, "interactions_endpoint", m.Config.InteractionsAddr != "")
	work, stopWork := context.WithCancel(ctx)
	defer stopWork()
	sched := &digest.Scheduler{Subs: db, Articles: db, Poster: b, Log: m.Log.With("part", "digest"),
		Render: func(a answer.Answer, footer string) []string {
			return bot.Render(commands.Reply{Answer: a, Footer: footer})
		}, CatchUp: m.Config.DigestCatchUp,
		QuietSilent: m.Config.DigestQuiet == "silent", Options: digestOpts}
	go sched.Run(work, m.Config.DigestTick)
	go m.pollFeeds(work, poller)
	<-ctx.Done()
	m.Log.Info("shutting down")
	return b.Close()
}

// pollFeeds polls due feeds every minute (each feed keeps its own interval
// and backoff) until ctx ends.
func (m *Main) pollFeeds(ctx context.Context, p *ingest.Poller) {
	t := time.NewTicker(m.Config.FeedTick)
	defer t.Stop()
	for {
		res, err := p.PollDue(ctx)
		if err != nil && ctx.Err() == nil {
			m.Log.Error("poll feeds", "err", err)
		}
		for _, r := range res {
			if r.New > 0 {
				m.Log.Info("feed polled", "feed", r.Feed.URL, "new", r.New)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
