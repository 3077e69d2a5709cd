package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Sharding: from 2,500 servers Discord requires the gateway to be split
// into shards, each its own connection; a server's events go to shard
// (guild_id >> 22) % count. A process runs the shard ids it is given out of
// the total (ATTACHE_SHARDS=0-3/16), or, with "auto", every shard of the
// count Discord recommends. Shards identify in buckets of
// id % max_concurrency, one identify per bucket every 5 s.

// Shards says which gateway shards a process runs.
type Shards struct {
	IDs   []int // nil with Auto
	Count int
	Auto  bool // every shard of the count GET /gateway/bot recommends
}

// ParseShards reads "0-3/16", "0,2,5/16", "7/16" or "auto"; "" is no
// sharding (one connection for everything).
func ParseShards(spec string) (Shards, error) {
	spec = strings.TrimSpace(spec)
	switch spec {
	case "":
		return Shards{}, nil
	case "auto":
		return Shards{Auto: true}, nil
	}
	bad := fmt.Errorf("ATTACHE_SHARDS=%q is not like 0-3/16, 0,2/16 or auto", spec)
	list, total, ok := strings.Cut(spec, "/")
	count, err := strconv.Atoi(total)
	if !ok || err != nil || count < 1 {
		return Shards{}, bad
	}
	var ids []int
	seen := map[int]bool{}
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a || b >= count {
			return Shards{}, bad
		}
		for id := a; id <= b; id++ {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return Shards{IDs: ids, Count: count}, nil
}

// identifyInterval is Discord's wait between two identifies of a bucket.
const identifyInterval = 5 * time.Second

// identifyPlan orders shard ids for identifying and says how long to wait
// before each: shards of different buckets (id % maxConcurrency) go at
// once, those of one bucket identifyInterval apart.
func identifyPlan(ids []int, maxConcurrency int) []time.Duration {
	if maxConcurrency < 1 {
		maxConcurrency = 1
	}
	next := map[int]time.Duration{}
	waits := make([]time.Duration, len(ids))
	for i, id := range ids {
		bucket := id % maxConcurrency
		waits[i] = next[bucket]
		next[bucket] += identifyInterval
	}
	return waits
}

// shardSessions makes one gateway session per shard, sharing the REST
// session's HTTP client and handlers.
func (b *Bot) shardSessions(ids []int, count int) ([]*discordgo.Session, error) {
	var out []*discordgo.Session
	for _, id := range ids {
		s, err := discordgo.New("Bot " + b.cfg.Token)
		if err != nil {
			return nil, fmt.Errorf("discord session: %w", err)
		}
		s.Identify.Intents = b.session.Identify.Intents
		s.LogLevel = b.session.LogLevel
		s.Client = b.session.Client
		s.ShardID, s.ShardCount = id, count
		b.addHandlers(s)
		out = append(out, s)
	}
	return out, nil
}

// openShards opens every shard's gateway, pacing identifies as Discord
// asks; ctx ends the waiting.
func (b *Bot) openShards(ctx context.Context) error {
	sh := b.cfg.Shards
	gb, err := b.session.GatewayBot(discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("GET /gateway/bot: %w", redact(err, b.cfg.Token))
	}
	ids, count := sh.IDs, sh.Count
	if sh.Auto {
		count = max(1, gb.Shards)
		ids = make([]int, count)
		for i := range ids {
			ids[i] = i
		}
	}
	sessions, err := b.shardSessions(ids, count)
	if err != nil {
		return err
	}
	b.log.Info("opening gateway shards", "shards", ids, "of", count, "recommended", gb.Shards,
		"max_concurrency", gb.SessionStartLimit.MaxConcurrency)
	waits := identifyPlan(ids, gb.SessionStartLimit.MaxConcurrency)
	start := time.Now()
	errs := make([]error, len(sessions))
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if d := time.Until(start.Add(waits[i])); d > 0 {
				t := time.NewTimer(d)
				defer t.Stop()
				select {
				case <-t.C:
				case <-ctx.Done():
					errs[i] = ctx.Err()
					return
				}
			}
			errs[i] = b.openSession(ctx, s)
		}()
	}
	wg.Wait()
	var failed []error
	for i, err := range errs {
		if err != nil {
			failed = append(failed, fmt.Errorf("shard %d: %w", ids[i], err))
		}
	}
	if len(failed) > 0 {
		// The process will not run with some shards missing: the ones that
		// connected are closed rather than left serving unattended.
		for i, s := range sessions {
			if errs[i] == nil {
				closeJustOpened(s)
			}
		}
		return errors.Join(failed...)
	}
	b.mu.Lock()
	b.gateways = sessions
	b.mu.Unlock()
	return nil
}
