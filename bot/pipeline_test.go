package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/bot/discordtest"
	"github.com/attache-bot/attache/knowledge/answer/answertest"
)

// slowModel answers as citeFirst does, after d.
func slowModel(d time.Duration) func(int, openai.ChatCompletionRequest) answertest.Reply {
	return func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		r := citeFirst(n, req)
		r.Delay = d
		return r
	}
}

// A question that waits for a model slot says so, with its place in line,
// and is answered when its turn comes.
func TestQueuedQuestionsSeeTheirPlace(t *testing.T) {
	h := newHarness(t, bot.Config{LLMConcurrency: 1}, slowModel(300*time.Millisecond))
	var ids []string
	for k := range 3 {
		ids = append(ids, h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, fmt.Sprint(700+k)))
	}
	if !h.discord.WaitFor(20*time.Second, func() bool { return h.counter("ask", "ok") == 3 }) {
		t.Fatalf("answered %v of 3", h.counter("ask", "ok"))
	}
	notices := 0
	for _, iid := range ids {
		edits := h.calls("PATCH", "itoken-"+iid+"/messages/@original")
		for _, e := range edits {
			if c, _ := e.Body["content"].(string); strings.Contains(c, "in line") {
				notices++
				if !strings.Contains(c, "number 1 in line") && !strings.Contains(c, "number 2 in line") {
					t.Errorf("queue notice %q", c)
				}
			}
		}
		if last := edits[len(edits)-1].Body["content"].(string); !strings.Contains(last, "[1]") {
			t.Errorf("%s ends with %q, want the cited answer", iid, last)
		}
	}
	if notices != 2 {
		t.Errorf("%d queue notices, want one for each of the 2 questions that waited", notices)
	}
}

// A mention whose wait for the model runs out is told so, as a slash
// command is, instead of being dropped.
func TestMentionThatTimesOutIsAnswered(t *testing.T) {
	h := newHarness(t, bot.Config{LLMConcurrency: 1, AnswerTimeout: 500 * time.Millisecond}, slowModel(2*time.Second))
	// The first question holds the one slot past the second's deadline:
	// its model runs out of time, and its reply takes a while to send.
	h.discord.SetLatency(300 * time.Millisecond)
	for _, q := range []string{"id1", "id2"} {
		msg := discordtest.Message(id(), "400000000000000011", "44"+q, "<@"+h.discord.BotID+"> what is Witkoff's role?", []string{h.discord.BotID}, nil)
		if err := h.discord.Dispatch("MESSAGE_CREATE", msg); err != nil {
			t.Fatal(err)
		}
	}
	sent := func() []discordtest.Call { return h.calls("POST", "/channels/400000000000000011/messages") }
	if !h.discord.WaitFor(10*time.Second, func() bool { return len(sent()) >= 2 }) {
		t.Fatalf("%d replies to 2 mentions", len(sent()))
	}
	for _, c := range sent() {
		if !strings.Contains(c.Body["content"].(string), "took too long") {
			t.Errorf("reply %q, want the timeout explained", c.Body["content"])
		}
	}
}

// Answers for different interactions are edited at the same time: each
// interaction token is its own rate-limit bucket, as on Discord's side.
func TestEditsOfDifferentAnswersDoNotQueue(t *testing.T) {
	h := newHarness(t, bot.Config{LLMConcurrency: 8}, citeFirst)
	h.discord.SetLatency(300 * time.Millisecond)
	for k := range 6 {
		h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, fmt.Sprint(800+k))
	}
	if !h.discord.WaitFor(30*time.Second, func() bool { return h.counter("ask", "ok") == 6 }) {
		t.Fatalf("answered %v of 6", h.counter("ask", "ok"))
	}
	if n := h.discord.MaxInFlight("PATCH"); n < 2 {
		t.Errorf("at most %d answer edit in flight at once: edits of different answers wait for each other", n)
	}
}
