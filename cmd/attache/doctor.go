package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// finding is one check of `attache doctor`: what was checked, whether it
// works, what was found, and what to do when it does not.
type finding struct {
	Part   string
	OK     bool
	Skip   bool // not configured: neither a success nor a failure
	Detail string
	Fix    string
}

func (f finding) String() string {
	mark := "✓"
	switch {
	case f.Skip:
		mark = "–"
	case !f.OK:
		mark = "✗"
	}
	s := fmt.Sprintf("%s %s: %s", mark, f.Part, f.Detail)
	if !f.OK && !f.Skip && f.Fix != "" {
		s += " — " + f.Fix
	}
	return s
}

// doctor checks what the operator configured; it prints no secret.
type doctor struct {
	m *Main
	// addresses: whether to check that the HTTP addresses are free (not
	// in serve, which is about to listen on them).
	addresses bool
	// db, when set, is the store serve opened; else the check opens one.
	db knowledge.Store
}

func (m *Main) runDoctor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	failed := false
	for _, f := range (doctor{m: m, addresses: true}).run(ctx) {
		fmt.Fprintln(m.Stdout, safe(f.String()))
		failed = failed || (!f.OK && !f.Skip)
	}
	if failed {
		return errFailed
	}
	return nil
}

// logFindings runs the checks for serve, on its store, and logs each.
func (m *Main) logFindings(ctx context.Context, db knowledge.Store) {
	for _, f := range (doctor{m: m, db: db}).run(ctx) {
		switch {
		case f.Skip:
			m.Log.Info("check", "part", f.Part, "result", "not configured", "detail", f.Detail)
		case f.OK:
			m.Log.Info("check", "part", f.Part, "result", "ok", "detail", f.Detail)
		default:
			m.Log.Warn("check", "part", f.Part, "result", "failed", "detail", f.Detail, "fix", f.Fix)
		}
	}
}

func (d doctor) run(ctx context.Context) []finding {
	out := d.database(ctx)
	out = append(out, d.llm(ctx)...)
	out = append(out, d.discord()...)
	if d.addresses {
		out = append(out, d.listen()...)
	}
	return out
}

// database: the store opens, its schema, its articles.
func (d doctor) database(ctx context.Context) []finding {
	cfg := d.m.Config
	name := "SQLite " + cfg.DBPath
	if isPostgres(cfg.DBPath) {
		name = "PostgreSQL " + redactURL(cfg.DBPath)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	db, err := d.db, error(nil)
	if db == nil {
		db, err = d.m.readDB(ctx, cfg.DBPath)
	}
	if err != nil {
		fix := "check ATTACHE_DB"
		switch {
		case errors.Is(err, knowledge.ErrSchemaOlder):
			fix = "run attache ingest or attache serve once to upgrade it (back it up first)"
		case errors.Is(err, knowledge.ErrSchemaNewer):
			fix = "run a newer attache"
		case !isPostgres(cfg.DBPath):
			fix = "run attache ingest PATH to create it, or set ATTACHE_DB"
		}
		return []finding{{Part: "database", Detail: name + ": " + redactURL(err.Error()), Fix: fix}}
	}
	detail := name
	if v, ok := db.(interface {
		SchemaVersion(context.Context) (int, error)
	}); ok {
		if n, err := v.SchemaVersion(ctx); err == nil {
			detail += fmt.Sprintf(", schema %d", n)
		}
	}
	st, err := db.Stats(ctx)
	if err != nil {
		return []finding{{Part: "database", Detail: detail + ": " + err.Error(), Fix: "check the database server and ATTACHE_DB"}}
	}
	detail += fmt.Sprintf(", %d articles", st.Articles)
	if st.Articles > 0 {
		detail += fmt.Sprintf(" from %s to %s", st.Oldest.Format(time.DateOnly), st.Newest.Format(time.DateOnly))
	}
	return []finding{{Part: "database", OK: true, Detail: detail}}
}

// llm: the server answers, knows the key and the model, streams, and
// what it was found to take.
func (d doctor) llm(ctx context.Context) []finding {
	cfg := d.m.Config
	if !cfg.LLMConfigured() {
		return []finding{{Part: "LLM", Skip: true, Detail: "not configured: answers are extractive (set OPENAI_BASE_URL or OPENAI_API_KEY)"}}
	}
	c := d.m.newLLM().(*answer.OpenAI)
	where := cfg.OpenAIBaseURL
	if where == "" {
		where = "OpenAI"
	}
	where = redactURL(where)
	var out []finding
	lctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	models, err := c.ListModels(lctx)
	cancel()
	switch {
	case errors.Is(err, answer.ErrLLMUnreachable), errors.Is(err, answer.ErrLLMUnauthorized):
		return append(out, finding{Part: "LLM server", Detail: where + ": " + err.Error(), Fix: fixFor(err)})
	case err != nil:
		out = append(out, finding{Part: "LLM server", OK: true, Detail: where + " answers (it lists no models: " + err.Error() + ")"})
	case len(models) > 0 && !slices.Contains(models, cfg.OpenAIModel):
		shown := models[:min(5, len(models))]
		return append(out, finding{Part: "LLM model", Detail: fmt.Sprintf("%s does not list %q (it lists %d, e.g. %s)", where, cfg.OpenAIModel, len(models), strings.Join(shown, ", ")),
			Fix: "set OPENAI_MODEL to one it serves"})
	default:
		out = append(out, finding{Part: "LLM server", OK: true, Detail: fmt.Sprintf("%s answers and lists %d models, %q among them", where, len(models), cfg.OpenAIModel)})
	}
	gctx, cancel := context.WithTimeout(ctx, cfg.LLMTimeout)
	defer cancel()
	pieces := 0
	start := time.Now()
	text, _, err := c.Generate(gctx, answer.Prompt{System: "You check that a chat server works. Reply with one word.", User: "Reply with the word: ready"},
		func(string) { pieces++ })
	if err != nil {
		return append(out, finding{Part: "LLM answer", Detail: fmt.Sprintf("%q: %v", cfg.OpenAIModel, err), Fix: fixFor(err)})
	}
	p := c.Profile()
	tokens := p.TokenField
	if tokens == "" {
		tokens = "no token limit"
	}
	temp := "a temperature"
	if !p.Temperature {
		temp = "no temperature"
	}
	thinks := "does not think"
	if p.Thinks {
		thinks = "thinks (its reasoning is never shown)"
	}
	out = append(out, finding{Part: "LLM answer", OK: true, Detail: fmt.Sprintf("%q streamed %q in %s; it takes %s and %s, and %s",
		cfg.OpenAIModel, truncate(text, 40), time.Since(start).Round(10*time.Millisecond), tokens, temp, thinks)})
	return out
}

// fixFor is what to do about a model call's error.
func fixFor(err error) string {
	switch {
	case errors.Is(err, answer.ErrLLMUnauthorized):
		return "set OPENAI_API_KEY to a key this server accepts"
	case errors.Is(err, answer.ErrLLMModelNotFound):
		return "set OPENAI_MODEL to a model the server serves (Ollama: ollama pull NAME)"
	case errors.Is(err, answer.ErrLLMNotFound):
		return "set OPENAI_BASE_URL to the API's base, usually ending in /v1"
	case errors.Is(err, answer.ErrLLMUnreachable):
		return "start the server or correct OPENAI_BASE_URL"
	case errors.Is(err, answer.ErrLLMTimeout):
		return "raise ATTACHE_LLM_TIMEOUT or use a faster model"
	case errors.Is(err, answer.ErrLLMCutOff):
		return "raise ATTACHE_LLM_THINKING_TOKENS or set ATTACHE_LLM_REASONING_EFFORT=low"
	case errors.Is(err, answer.ErrLLMRateLimited):
		return "wait, or raise the account's rate limit"
	}
	return "see the server's own log"
}

// discord: the token and public key have the forms Discord issues.
func (d doctor) discord() []finding {
	cfg := d.m.Config
	var out []finding
	if cfg.DiscordToken == "" {
		out = append(out, finding{Part: "Discord token", Skip: true, Detail: "DISCORD_TOKEN is not set (serve needs it)"})
	} else if err := bot.CheckToken(cfg.DiscordToken); err != nil {
		out = append(out, finding{Part: "Discord token", Detail: err.Error(), Fix: "copy the token from the Bot page of the application"})
	} else {
		out = append(out, finding{Part: "Discord token", OK: true, Detail: "well-formed, for bot " + bot.TokenBotID(cfg.DiscordToken)})
	}
	if cfg.PublicKey != "" || cfg.InteractionsAddr != "" {
		if _, err := bot.ParsePublicKey(cfg.PublicKey); err != nil {
			out = append(out, finding{Part: "Discord public key", Detail: err.Error(), Fix: "copy it from the General Information page of the application"})
		} else {
			out = append(out, finding{Part: "Discord public key", OK: true, Detail: "64 hex digits"})
		}
	}
	return out
}

// listen: the HTTP addresses are free to listen on.
func (d doctor) listen() []finding {
	var out []finding
	for _, a := range []struct{ name, addr string }{
		{"ATTACHE_HTTP_ADDR", d.m.Config.HTTPAddr}, {"ATTACHE_INTERACTIONS_ADDR", d.m.Config.InteractionsAddr},
	} {
		if a.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", a.addr)
		if err != nil {
			out = append(out, finding{Part: a.name, Detail: a.addr + ": " + err.Error(), Fix: "stop what listens there, or choose another address"})
			continue
		}
		ln.Close()
		out = append(out, finding{Part: a.name, OK: true, Detail: a.addr + " is free"})
	}
	return out
}

// redactURL hides a password in a URL or in a message that holds one.
func redactURL(s string) string {
	return passwordRE.ReplaceAllString(s, "$1:[redacted]@")
}

var passwordRE = regexp.MustCompile(`(//[^:/@\s]+):[^@\s]*@`)

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
