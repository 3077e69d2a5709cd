package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/attache-bot/attache/bot"
)

// Config is every setting of the attache binary, read from the environment
// (and a .env file). .env.example documents each one.
type Config struct {
	DBPath string // ATTACHE_DB
	// DBRetry is how long a write waits for a database server that cannot
	// be reached (ATTACHE_DB_RETRY): an ingest tries its batch again.
	DBRetry  time.Duration
	LogLevel slog.Level // ATTACHE_LOG_LEVEL
	LogJSON  bool       // ATTACHE_LOG_FORMAT=json

	OpenAIKey     string        // OPENAI_API_KEY
	OpenAIBaseURL string        // OPENAI_BASE_URL
	OpenAIModel   string        // OPENAI_MODEL
	LLMTimeout    time.Duration // ATTACHE_LLM_TIMEOUT
	// ReasoningEffort is sent as reasoning_effort when set
	// (ATTACHE_LLM_REASONING_EFFORT: none, minimal, low, medium, high).
	ReasoningEffort string
	LLMMaxTokens    int // ATTACHE_LLM_MAX_TOKENS: the answer's budget
	ThinkingTokens  int // ATTACHE_LLM_THINKING_TOKENS: more for models that think
	PromptTokens    int // ATTACHE_PROMPT_TOKENS

	FetchTimeout  time.Duration // ATTACHE_FETCH_TIMEOUT
	FetchMaxBytes int64         // ATTACHE_FETCH_MAX_BYTES

	DiscordToken   string        // DISCORD_TOKEN
	DiscordGuildID string        // DISCORD_GUILD_ID
	DiscordAPIURL  string        // DISCORD_API_URL
	HTTPAddr       string        // ATTACHE_HTTP_ADDR
	UserRate       int           // ATTACHE_USER_RATE: requests per user per ATTACHE_USER_WINDOW
	UserWindow     time.Duration // ATTACHE_USER_WINDOW
	LLMConcurrency int           // ATTACHE_LLM_CONCURRENCY
	FeedInterval   time.Duration // ATTACHE_FEED_INTERVAL
	DigestCatchUp  time.Duration // ATTACHE_DIGEST_CATCHUP
	DigestQuiet    string        // ATTACHE_DIGEST_QUIET: "message" or "silent"

	InteractionsAddr string     // ATTACHE_INTERACTIONS_ADDR: where Discord's HTTP interactions arrive
	PublicKey        string     // DISCORD_PUBLIC_KEY: the application's key, hex, that signs them
	Gateway          bool       // ATTACHE_GATEWAY: on (default) or off, for an HTTP-only process
	Shards           bot.Shards // ATTACHE_SHARDS: the gateway shards this process runs

	// How often serve checks for due digests (20 s) and feeds (1 min);
	// tests shorten them.
	DigestTick, FeedTick time.Duration
	// fetchAllowed, set by tests only, replaces the public-address test of
	// the fetcher serve uses (so that a feed on loopback plays a public one).
	fetchAllowed func(netip.Addr) bool
}

// LoadConfig reads the configuration from getenv, applying defaults. It
// reports every malformed value at once.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DBPath:         "attache.db",
		DBRetry:        time.Minute,
		OpenAIModel:    "gpt-4o-mini",
		LLMTimeout:     45 * time.Second,
		LLMMaxTokens:   600,
		ThinkingTokens: 4000,
		PromptTokens:   3000,
		FetchTimeout:   20 * time.Second,
		FetchMaxBytes:  10 << 20,
		UserRate:       5,
		UserWindow:     time.Minute,
		LLMConcurrency: 4,
		FeedInterval:   10 * time.Minute,
		DigestCatchUp:  6 * time.Hour,
		DigestQuiet:    "message",
		Gateway:        true,
		DigestTick:     20 * time.Second,
		FeedTick:       time.Minute,
	}
	var errs []string
	str := func(key string, dst *string) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			*dst = v
		}
	}
	dur := func(key string, dst *time.Duration) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Sprintf("%s=%q is not a positive duration like 30s", key, v))
				return
			}
			*dst = d
		}
	}
	integer := func(key string, dst *int) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				errs = append(errs, fmt.Sprintf("%s=%q is not a positive whole number", key, v))
				return
			}
			*dst = n
		}
	}
	str("ATTACHE_DB", &c.DBPath)
	dur("ATTACHE_DB_RETRY", &c.DBRetry)
	str("OPENAI_API_KEY", &c.OpenAIKey)
	str("OPENAI_BASE_URL", &c.OpenAIBaseURL)
	str("OPENAI_MODEL", &c.OpenAIModel)
	dur("ATTACHE_LLM_TIMEOUT", &c.LLMTimeout)
	integer("ATTACHE_LLM_MAX_TOKENS", &c.LLMMaxTokens)
	integer("ATTACHE_LLM_THINKING_TOKENS", &c.ThinkingTokens)
	switch v := strings.ToLower(strings.TrimSpace(getenv("ATTACHE_LLM_REASONING_EFFORT"))); v {
	case "", "none", "minimal", "low", "medium", "high", "xhigh":
		c.ReasoningEffort = v
	default:
		errs = append(errs, fmt.Sprintf("ATTACHE_LLM_REASONING_EFFORT=%q is not one of none, minimal, low, medium, high", v))
	}
	integer("ATTACHE_PROMPT_TOKENS", &c.PromptTokens)
	dur("ATTACHE_FETCH_TIMEOUT", &c.FetchTimeout)
	var maxBytes int
	integer("ATTACHE_FETCH_MAX_BYTES", &maxBytes)
	if maxBytes > 0 {
		c.FetchMaxBytes = int64(maxBytes)
	}
	str("DISCORD_TOKEN", &c.DiscordToken)
	str("DISCORD_GUILD_ID", &c.DiscordGuildID)
	str("DISCORD_API_URL", &c.DiscordAPIURL)
	str("ATTACHE_HTTP_ADDR", &c.HTTPAddr)
	integer("ATTACHE_USER_RATE", &c.UserRate)
	dur("ATTACHE_USER_WINDOW", &c.UserWindow)
	integer("ATTACHE_LLM_CONCURRENCY", &c.LLMConcurrency)
	dur("ATTACHE_FEED_INTERVAL", &c.FeedInterval)
	dur("ATTACHE_DIGEST_CATCHUP", &c.DigestCatchUp)
	str("ATTACHE_DIGEST_QUIET", &c.DigestQuiet)
	str("ATTACHE_INTERACTIONS_ADDR", &c.InteractionsAddr)
	str("DISCORD_PUBLIC_KEY", &c.PublicKey)
	switch v := strings.ToLower(strings.TrimSpace(getenv("ATTACHE_GATEWAY"))); v {
	case "", "on":
	case "off":
		c.Gateway = false
	default:
		errs = append(errs, fmt.Sprintf("ATTACHE_GATEWAY=%q is not on or off", v))
	}
	if c.InteractionsAddr != "" {
		if _, err := bot.ParsePublicKey(c.PublicKey); err != nil {
			errs = append(errs, "ATTACHE_INTERACTIONS_ADDR is set, but "+err.Error())
		}
	}
	if sh, err := bot.ParseShards(getenv("ATTACHE_SHARDS")); err != nil {
		errs = append(errs, err.Error())
	} else {
		c.Shards = sh
	}
	if !c.Gateway && c.InteractionsAddr == "" {
		errs = append(errs, "ATTACHE_GATEWAY=off leaves nothing to answer: set ATTACHE_INTERACTIONS_ADDR too")
	}
	if c.DigestQuiet != "message" && c.DigestQuiet != "silent" {
		errs = append(errs, fmt.Sprintf("ATTACHE_DIGEST_QUIET=%q is not message or silent", c.DigestQuiet))
	}
	if v := strings.TrimSpace(getenv("ATTACHE_LOG_LEVEL")); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Sprintf("ATTACHE_LOG_LEVEL=%q is not one of debug, info, warn, error", v))
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("ATTACHE_LOG_FORMAT"))); v {
	case "", "text":
	case "json":
		c.LogJSON = true
	default:
		errs = append(errs, fmt.Sprintf("ATTACHE_LOG_FORMAT=%q is not text or json", v))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// LLMConfigured reports whether an OpenAI-compatible server is set up. A
// base URL alone is enough: local servers (Ollama, llama.cpp) need no key.
func (c Config) LLMConfigured() bool {
	return c.OpenAIKey != "" || c.OpenAIBaseURL != ""
}

// loadDotEnv sets variables from a .env file (KEY=VALUE lines, # comments,
// optional quotes) that are not already set in the environment. A missing
// file is not an error.
func loadDotEnv(path string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("%s:%d: expected KEY=VALUE", path, n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
	return sc.Err()
}
