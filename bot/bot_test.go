package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/bot/discordtest"
	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/internal/syncbuf"
	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/answer/answertest"
	"github.com/attache-bot/attache/knowledge/digest"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/knowledgetest"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

type harness struct {
	db      *sqlite.DB // the sample corpus, the harness's own
	discord *discordtest.Server
	llm     *answertest.Server
	bot     *bot.Bot
	metrics *bot.Metrics
}

// citeFirst answers as a model would: it cites the first source block.
func citeFirst(n int, req openai.ChatCompletionRequest) answertest.Reply {
	p := answertest.Prompt(req)
	block := answertest.Block(p, "special envoy Steve Witkoff")
	return answertest.Reply{Text: fmt.Sprintf("Steve Witkoff is a special envoy [%d]. @everyone <@&123> ping!", block)}
}

// promptLog records the prompts the fake LLM receives and answers as
// citeFirst does.
type promptLog struct {
	mu      sync.Mutex
	prompts []string
}

func (p *promptLog) citeFirst(n int, req openai.ChatCompletionRequest) answertest.Reply {
	p.mu.Lock()
	p.prompts = append(p.prompts, answertest.Prompt(req))
	p.mu.Unlock()
	return citeFirst(n, req)
}

func (p *promptLog) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.prompts...)
}

func newHarness(t testing.TB, cfg bot.Config, llm func(int, openai.ChatCompletionRequest) answertest.Reply) *harness {
	t.Helper()
	h := &harness{db: knowledgetest.SampleDB(t), discord: discordtest.New(t), llm: answertest.New(llm)}
	t.Cleanup(h.llm.Close)
	t.Cleanup(h.discord.Close)
	gen := answer.NewOpenAI("", h.llm.BaseURL(), "fake", nil)
	gen.Backoff = 10 * time.Millisecond
	svc := &answer.Service{Retriever: &answer.Retriever{Store: h.db}, LLM: gen, Timeout: 5 * time.Second}
	cfg.Token = "test-token"
	cfg.APIURL = h.discord.URL
	if cfg.Settings == nil {
		cfg.Settings = h.db
	}
	if cfg.EditInterval == 0 {
		cfg.EditInterval = 50 * time.Millisecond
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = 5 * time.Second
	}
	h.metrics = bot.NewMetrics(nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	b, err := bot.New(cfg, log, h.metrics)
	if err != nil {
		t.Fatal(err)
	}
	deps := commands.Deps{Asker: svc, Searcher: h.db, Summarizer: &answer.Summarizer{Store: h.db},
		People: h.db, Stats: h.db, Digests: digest.Service{Store: h.db}, Channels: b, Feeds: &ingest.FeedManager{DB: h.db},
		Timelines: svc, Checker: svc, Articles: h.db, Settings: h.db}
	b.Register(commands.All(deps)...)
	b.SetSources(commands.Sources(deps))
	h.bot = b
	if err := b.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if !h.discord.WaitFor(5*time.Second, func() bool { return len(h.discord.CommandsRegistered(h.discord.AppID)) > 0 }) {
		t.Fatal("the bot did not register its commands")
	}
	return h
}

// calls returns the REST calls whose path contains frag, with the method.
func (h *harness) calls(method, frag string) []discordtest.Call {
	var out []discordtest.Call
	for _, c := range h.discord.Calls() {
		if c.Method == method && strings.Contains(c.Path, frag) {
			out = append(out, c)
		}
	}
	return out
}

var nextID atomic.Int64

func id() string { return fmt.Sprint(700000000000000000 + nextID.Add(1)) }

func (h *harness) slash(t testing.TB, command string, options map[string]any, user string) string {
	t.Helper()
	iid := id()
	if err := h.discord.Dispatch("INTERACTION_CREATE", discordtest.Interaction(iid, h.discord.AppID, command, options, user)); err != nil {
		t.Fatal(err)
	}
	return iid
}

// checkNoPings fails for any message payload that could ping someone.
func checkNoPings(t *testing.T, calls []discordtest.Call) {
	t.Helper()
	for _, c := range calls {
		body := c.Body
		if body["type"] == float64(9) {
			continue // a form, not a message: it holds no text of ours to ping with
		}
		// An interaction response holds its message in data, a forum
		// post in message.
		for _, key := range []string{"data", "message"} {
			if d, ok := body[key].(map[string]any); ok {
				body = d
			}
		}
		if _, has := body["content"]; !has {
			continue
		}
		am, ok := body["allowed_mentions"].(map[string]any)
		parse, isList := am["parse"].([]any)
		if !ok || !isList || len(parse) != 0 {
			t.Errorf("%s %s sends content without allowed_mentions.parse = []: %v", c.Method, c.Path, body["allowed_mentions"])
		}
	}
}

func TestAskIsDeferredThenAnsweredWithCitations(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	iid := h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, "42")
	edit := "/webhooks/" + h.discord.AppID + "/itoken-" + iid + "/messages/@original"
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 1 }) {
		t.Fatalf("no answer; calls: %+v", h.discord.Calls())
	}
	cb := h.calls("POST", "/interactions/"+iid+"/")
	if len(cb) != 1 || cb[0].Body["type"] != float64(5) {
		t.Fatalf("acknowledgement %+v, want one deferral (type 5)", cb)
	}
	edits := h.calls("PATCH", edit)
	content := edits[len(edits)-1].Body["content"].(string)
	for _, want := range []string{"special envoy [1]", "**Sources**", "[1] [", "(<https://", "-# As of"} {
		if !strings.Contains(content, want) {
			t.Errorf("answer lacks %q:\n%s", want, content)
		}
	}
	if cb[0].At.After(edits[0].At) {
		t.Error("answered before acknowledging")
	}
	checkNoPings(t, h.discord.Calls())
}

func TestMentionAnsweredAsReplyAndFollowUp(t *testing.T) {
	rec := &promptLog{}
	h := newHarness(t, bot.Config{}, rec.citeFirst)
	qid := id()
	msg := discordtest.Message(qid, "400000000000000009", "43", "<@"+h.discord.BotID+"> what is Witkoff's role?", []string{h.discord.BotID}, nil)
	if err := h.discord.Dispatch("MESSAGE_CREATE", msg); err != nil {
		t.Fatal(err)
	}
	sent := func() []discordtest.Call { return h.calls("POST", "/channels/400000000000000009/messages") }
	if !h.discord.WaitFor(10*time.Second, func() bool { return len(sent()) > 0 && h.counter("mention", "ok") == 1 }) {
		t.Fatal("no reply to the mention")
	}
	reply := sent()[0]
	ref, _ := reply.Body["message_reference"].(map[string]any)
	if ref["message_id"] != qid {
		t.Errorf("reply references %v, want %s", ref, qid)
	}
	if !strings.Contains(reply.Body["content"].(string), "[1]") {
		t.Errorf("reply %q", reply.Body["content"])
	}
	// Replying to the answer asks a follow-up with the earlier exchange.
	answerMsg := map[string]any{"id": reply.Response["id"], "channel_id": "400000000000000009", "content": reply.Body["content"],
		"author": map[string]any{"id": h.discord.BotID, "username": "Attache", "bot": true}}
	if err := h.discord.Dispatch("MESSAGE_CREATE", discordtest.Message(id(), "400000000000000009", "43", "and what did he do in April?", nil, answerMsg)); err != nil {
		t.Fatal(err)
	}
	if !h.discord.WaitFor(10*time.Second, func() bool { return len(sent()) > 1 }) {
		t.Fatal("no answer to the follow-up")
	}
	if prompts := rec.all(); len(prompts) < 2 || !strings.Contains(prompts[1], "Earlier question: what is Witkoff's role?") {
		t.Errorf("follow-up prompt lacks the earlier question:\n%v", prompts)
	}
	checkNoPings(t, h.discord.Calls())
}

// counter reads attache_interactions_total for a command and outcome.
func (h *harness) counter(command, outcome string) float64 {
	mfs, _ := h.metrics.Registry.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "attache_interactions_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["command"] == command && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestRateLimitedUserIsRefusedPrivately(t *testing.T) {
	h := newHarness(t, bot.Config{UserBurst: 2, UserWindow: time.Hour}, citeFirst)
	for i := 0; i < 3; i++ {
		h.slash(t, "ask", map[string]any{"question": "Who is Rafael Grossi?"}, "77")
	}
	// Events are handled concurrently: any one of the three is the third.
	acks := func() []discordtest.Call { return h.calls("POST", "/callback") }
	if !h.discord.WaitFor(5*time.Second, func() bool { return len(acks()) >= 3 }) {
		t.Fatal("the requests were not all acknowledged")
	}
	refused := 0
	for _, c := range acks() {
		data, _ := c.Body["data"].(map[string]any)
		if c.Body["type"] == float64(4) {
			refused++
			if data["flags"] != float64(64) || !strings.Contains(fmt.Sprint(data["content"]), "Try again in") {
				t.Errorf("refusal %v, want an ephemeral message saying when to retry", c.Body)
			}
		}
	}
	if refused != 1 {
		t.Errorf("%d of 3 requests refused, want 1", refused)
	}
	// Another user is not limited.
	other := h.slash(t, "ask", map[string]any{"question": "Who is Rafael Grossi?"}, "78")
	if !h.discord.WaitFor(5*time.Second, func() bool { return len(h.calls("POST", "/interactions/"+other+"/")) > 0 }) {
		t.Fatal("no acknowledgement for another user")
	}
	if h.calls("POST", "/interactions/"+other+"/")[0].Body["type"] != float64(5) {
		t.Error("another user was refused")
	}
	checkNoPings(t, h.discord.Calls())
}

func TestSlowLLMIsStillAcknowledgedFirst(t *testing.T) {
	var replied atomic.Int64 // unix nanos when the LLM answered
	h := newHarness(t, bot.Config{}, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		time.Sleep(1500 * time.Millisecond)
		replied.Store(time.Now().UnixNano())
		return citeFirst(n, req)
	})
	iid := h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, "90")
	if !h.discord.WaitFor(15*time.Second, func() bool { return len(h.calls("PATCH", "itoken-"+iid+"/messages/@original")) > 0 }) {
		t.Fatal("no answer")
	}
	ack := h.calls("POST", "/interactions/"+iid+"/")[0]
	if ack.At.UnixNano() >= replied.Load() {
		t.Error("the acknowledgement waited for the LLM")
	}
}

func TestErrorsArePrivateAndShort(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	iid := h.slash(t, "search", map[string]any{"query": "   "}, "91")
	if !h.discord.WaitFor(5*time.Second, func() bool { return len(h.calls("POST", "/webhooks/"+h.discord.AppID+"/itoken-"+iid)) > 0 }) {
		t.Fatal("no error message")
	}
	if len(h.calls("DELETE", "itoken-"+iid+"/messages/@original")) != 1 {
		t.Error("the public deferral was not removed")
	}
	fu := h.calls("POST", "/webhooks/"+h.discord.AppID+"/itoken-"+iid)[0].Body
	if fu["flags"] != float64(64) || !strings.Contains(fmt.Sprint(fu["content"]), "Give some words") {
		t.Errorf("error follow-up %v", fu)
	}
	unknown := h.slash(t, "frobnicate", nil, "91")
	if !h.discord.WaitFor(5*time.Second, func() bool { return len(h.calls("POST", "/interactions/"+unknown+"/")) > 0 }) {
		t.Fatal("unknown command not answered")
	}
	resp := h.calls("POST", "/interactions/"+unknown+"/")[0].Body
	data, _ := resp["data"].(map[string]any)
	if resp["type"] != float64(4) || data["flags"] != float64(64) || !strings.Contains(fmt.Sprint(data["content"]), "don't know that command") {
		t.Errorf("unknown command answered with %v, want a private message naming the problem", resp)
	}
	checkNoPings(t, h.discord.Calls())
}

// The fake refuses what Discord refuses: a message over 2,000 characters
// fails, and would fail the test that sent it.
func TestDiscordRefusesAnOverlongMessage(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	err := h.bot.Post(context.Background(), "200000000000000001", []string{strings.Repeat("x", bot.MaxContent+1)})
	if err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("posting %d characters: %v, want Discord's 400", bot.MaxContent+1, err)
	}
	if v := h.discord.TakeViolations(); len(v) != 1 || !strings.Contains(v[0], "2001 characters, over 2000") {
		t.Errorf("violations %q", v)
	}
}

func TestAutocompleteAnswersDirectly(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	iid := id()
	h.discord.Dispatch("INTERACTION_CREATE", discordtest.Autocomplete(iid, h.discord.AppID, "whois", "name", "wit", "5"))
	if !h.discord.WaitFor(5*time.Second, func() bool { return len(h.calls("POST", "/interactions/"+iid+"/")) > 0 }) {
		t.Fatal("no autocomplete result")
	}
	body := h.calls("POST", "/interactions/"+iid+"/")[0].Body
	choices := body["data"].(map[string]any)["choices"].([]any)
	if body["type"] != float64(8) || len(choices) == 0 || choices[0].(map[string]any)["name"] != "Steve Witkoff" {
		t.Errorf("autocomplete %v", body)
	}
}

func TestGatewayDropIsRecovered(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	idents, resumes := h.discord.Sessions()
	h.discord.DropGateway()
	if !h.discord.WaitFor(15*time.Second, func() bool {
		i, r := h.discord.Sessions()
		return i+r > idents+resumes
	}) {
		t.Fatal("the bot did not reconnect")
	}
	iid := h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, "92")
	if !h.discord.WaitFor(10*time.Second, func() bool { return len(h.calls("PATCH", "itoken-"+iid+"/messages/@original")) > 0 }) {
		t.Fatal("no answer after reconnecting")
	}
}

func TestCommandsAreRegisteredOnlyWhenChanged(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	if puts := len(h.calls("PUT", "/commands")); puts != 1 {
		t.Fatalf("%d overwrites at first start, want 1", puts)
	}
	// Bots against the same application: one with the same commands finds
	// them up to date; one with a command fewer overwrites them.
	start := func(withDigest bool) string {
		var logs syncbuf.Buffer
		b, err := bot.New(bot.Config{Token: "test-token", APIURL: h.discord.URL}, slog.New(slog.NewTextHandler(&logs, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		svc := &answer.Service{Retriever: &answer.Retriever{Store: h.db}}
		deps := commands.Deps{Asker: svc, Searcher: h.db, Summarizer: &answer.Summarizer{Store: h.db}, People: h.db, Stats: h.db,
			Feeds: &ingest.FeedManager{DB: h.db}, Timelines: svc, Checker: svc, Settings: h.db}
		if withDigest {
			deps.Digests, deps.Channels = digest.Service{Store: h.db}, b
		}
		b.Register(commands.All(deps)...)
		if err := b.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		var outcome string
		h.discord.WaitFor(10*time.Second, func() bool {
			for _, o := range []string{"commands up to date", "commands registered"} {
				if strings.Contains(logs.String(), o) {
					outcome = o
					return true
				}
			}
			return false
		})
		return outcome
	}
	if got := start(true); got != "commands up to date" {
		t.Errorf("a restart with the same commands: %q", got)
	}
	if got := len(h.calls("PUT", "/commands")); got != 1 {
		t.Errorf("%d overwrites after a restart with the same commands, want 1", got)
	}
	if got := start(false); got != "commands registered" {
		t.Errorf("a restart with other commands: %q", got)
	}
	if got := len(h.calls("PUT", "/commands")); got != 2 {
		t.Errorf("%d overwrites after the commands changed, want 2", got)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	srv := bot.OpsServer("127.0.0.1:0", h.bot, h.db, h.metrics, slog.New(slog.NewTextHandler(io.Discard, nil)))
	addr, err := bot.ListenOps(srv, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, "93")
	h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 1 })
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`attache_interactions_total{command="ask",outcome="ok"} 1`, "attache_ack_latency_seconds_count 1"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	h.discord.DropGateway()
	h.discord.Close()
}

func TestDiscord429And500(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	// Only final answers count: progress edits (ending in " …") may come
	// in between, as timing allows.
	var finals atomic.Int32
	h.discord.SetFail(func(c discordtest.Call) (int, string) {
		content, _ := c.Body["content"].(string)
		if c.Method != "PATCH" || !strings.HasSuffix(c.Path, "@original") || !strings.Contains(content, "**Sources**") {
			return 0, ""
		}
		switch finals.Add(1) {
		case 1:
			return 429, `{"message": "You are being rate limited.", "retry_after": 0.05, "global": false}`
		case 3:
			return 500, `{"message": "Internal Server Error", "code": 0}`
		}
		return 0, ""
	})
	first := h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, "94")
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 1 }) {
		t.Fatalf("a 429 was not retried; calls: %d", len(h.calls("PATCH", "itoken-"+first)))
	}
	h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, "95")
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "send-failed") == 1 }) {
		t.Fatal("a 500 was not reported")
	}
	third := h.slash(t, "ask", map[string]any{"question": "Who is Kaja Kallas?"}, "96")
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 2 }) {
		t.Fatalf("the bot did not go on after a 500 (interaction %s)", third)
	}
}

func TestReplyToASlashAnswerFollowsItUp(t *testing.T) {
	rec := &promptLog{}
	h := newHarness(t, bot.Config{}, rec.citeFirst)
	iid := h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, "97")
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 1 }) {
		t.Fatal("no answer")
	}
	edits := h.calls("PATCH", "itoken-"+iid+"/messages/@original")
	answerID := edits[len(edits)-1].Response["id"]
	// The reply carries only a reference, as some clients send it.
	msg := discordtest.Message(id(), "400000000000000001", "97", "and in April?", nil, nil)
	msg["message_reference"] = map[string]any{"message_id": answerID, "channel_id": "400000000000000001"}
	msg["type"] = 19
	if err := h.discord.Dispatch("MESSAGE_CREATE", msg); err != nil {
		t.Fatal(err)
	}
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("mention", "ok") == 1 }) {
		t.Fatal("the reply was not answered")
	}
	if prompts := rec.all(); !strings.Contains(prompts[len(prompts)-1], "Earlier question: What is Witkoff's role?") {
		t.Errorf("follow-up prompt lacks the earlier question:\n%v", prompts)
	}
}

// memExchanges is an ExchangeStore in memory, shared by two bots as one
// database would be.
type memExchanges struct {
	mu sync.Mutex
	m  map[string][2]string
}

func (s *memExchanges) SaveExchange(_ context.Context, id, q, a string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][2]string{}
	}
	s.m[id] = [2]string{q, a}
	return nil
}

func (s *memExchanges) Exchange(_ context.Context, id string) (string, string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	return e[0], e[1], ok, nil
}

// A reply to an answer given before a restart (or by another shard) still
// follows it up, even when the event does not carry the answer's text.
func TestFollowUpAfterRestart(t *testing.T) {
	store := &memExchanges{}
	first := newHarness(t, bot.Config{Exchanges: store}, citeFirst)
	if err := first.discord.Dispatch("MESSAGE_CREATE", discordtest.Message(id(), "400000000000000009", "43",
		"<@"+first.discord.BotID+"> what is Witkoff's role?", []string{first.discord.BotID}, nil)); err != nil {
		t.Fatal(err)
	}
	sent := func(h *harness) []discordtest.Call { return h.calls("POST", "/channels/400000000000000009/messages") }
	if !first.discord.WaitFor(10*time.Second, func() bool { return len(sent(first)) > 0 && first.counter("mention", "ok") == 1 }) {
		t.Fatal("no answer before the restart")
	}
	answerID, _ := sent(first)[0].Response["id"].(string)
	first.bot.Close()

	rec := &promptLog{}
	second := newHarness(t, bot.Config{Exchanges: store}, rec.citeFirst)
	reply := discordtest.Message(id(), "400000000000000009", "43", "and what did he do in April?", nil, nil)
	reply["type"] = 19
	reply["message_reference"] = map[string]any{"message_id": answerID, "channel_id": "400000000000000009"}
	if err := second.discord.Dispatch("MESSAGE_CREATE", reply); err != nil {
		t.Fatal(err)
	}
	if !second.discord.WaitFor(10*time.Second, func() bool { return len(sent(second)) > 0 }) {
		t.Fatal("the reply to an answer from before the restart was not answered")
	}
	if prompts := rec.all(); len(prompts) != 1 || !strings.Contains(prompts[0], "Earlier question: what is Witkoff's role?") {
		t.Errorf("follow-up prompt lacks the earlier question:\n%v", prompts)
	}
}

// When one of a process's shards cannot connect, Open fails and the
// shards that did connect are closed, not left running unattended.
func TestShardFailureClosesTheOthers(t *testing.T) {
	fake := discordtest.New(t)
	defer fake.Close()
	fake.Shards = 2
	// Shard 2 of a count of 2 does not exist: discordgo refuses to
	// identify it.
	b, err := bot.New(bot.Config{Token: "test-token", APIURL: fake.URL, Shards: bot.Shards{IDs: []int{0, 2}, Count: 2}},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Open(context.Background())
	if err == nil || !strings.Contains(err.Error(), "shard 2") {
		t.Fatalf("Open = %v, want shard 2's error", err)
	}
	if len(fake.Identified()) != 1 {
		t.Fatalf("identified %v, want shard 0 alone", fake.Identified())
	}
	if !fake.WaitFor(10*time.Second, func() bool { return fake.Live() == 0 }) {
		t.Errorf("%d gateway connections left open after Open failed", fake.Live())
	}
}

// A process runs the gateway shards it is given, or every shard Discord
// recommends, each its own connection identified with its shard.
func TestShardedGateway(t *testing.T) {
	for _, tc := range []struct {
		name   string
		shards bot.Shards
		want   [][2]int
	}{
		{"given", bot.Shards{IDs: []int{1, 2}, Count: 4}, [][2]int{{1, 4}, {2, 4}}},
		{"auto", bot.Shards{Auto: true}, [][2]int{{0, 3}, {1, 3}, {2, 3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := discordtest.New(t)
			defer fake.Close()
			fake.Shards = 3
			b, err := bot.New(bot.Config{Token: "test-token", APIURL: fake.URL, Shards: tc.shards}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Open(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if !fake.WaitFor(10*time.Second, func() bool { return len(fake.Identified()) == len(tc.want) && b.Connected() }) {
				t.Fatalf("identified %v, connected %v", fake.Identified(), b.Connected())
			}
			got := fake.Identified()
			sort.Slice(got, func(i, j int) bool { return got[i][0] < got[j][0] })
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("identified %v, want %v", got, tc.want)
			}
		})
	}
}
