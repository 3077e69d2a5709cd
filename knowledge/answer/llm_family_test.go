package answer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/attache-bot/attache/internal/syncbuf"
	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/answer/answertest"
)

// envoyAnswer cites the sources a model would for Witkoff's role, in the
// form the test asks for.
func envoyAnswer(prompt string, trailing bool) string {
	envoy := answertest.Block(prompt, "special envoy Steve Witkoff")
	moscow := answertest.Block(prompt, "Putin", "St Petersburg")
	if trailing {
		return fmt.Sprintf("Steve Witkoff is a US special envoy. [%d] He met Vladimir Putin in St Petersburg. [%d]", envoy, moscow)
	}
	return fmt.Sprintf("Steve Witkoff is a US special envoy [%d]. He met Vladimir Putin in St Petersburg [%d].", envoy, moscow)
}

// familyServer starts a fake of one server family answering about Witkoff.
func familyServer(t *testing.T, fam answertest.Family, model string) (*answertest.Server, *answer.OpenAI) {
	t.Helper()
	srv, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		return answertest.Reply{Text: envoyAnswer(answertest.Prompt(req), false), PromptTokens: 900}
	})
	srv.Family = &fam
	g.Model = model
	return srv, g
}

// debugLog is a logger that keeps every line, debug too.
func debugLog() (*slog.Logger, *syncbuf.Buffer) {
	var b syncbuf.Buffer
	return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

// Each family of server answers through the model, twice (the second time
// with what the client learned), and no reasoning reaches the answer or
// the stream.
func TestServerFamiliesAnswerWithoutThinking(t *testing.T) {
	for _, tc := range []struct {
		fam   answertest.Family
		model string
	}{
		{answertest.OpenAIReasoning, "gpt-5-mini"},
		{answertest.OpenAIReasoning, "openai/o4-mini"},
		{answertest.Ollama, "qwen3:8b"},
		{answertest.LlamaCpp, "deepseek-r1"},
		{answertest.InlineThink, "Qwen/Qwen3-8B"},
		{answertest.LoneClose, "qwen3-8b-q4"},
	} {
		t.Run(tc.fam.Name+" "+tc.model, func(t *testing.T) {
			srv, g := familyServer(t, tc.fam, tc.model)
			log, lines := debugLog()
			g.Log = log
			svc := service(g)
			for round := range 2 {
				var streamed strings.Builder
				a, err := svc.Ask(context.Background(), "What is Witkoff's role?", nil, func(s string) { streamed.WriteString(s) })
				if err != nil {
					t.Fatal(err)
				}
				if a.Method != answer.MethodLLM || !a.Grounded {
					t.Fatalf("round %d: method %s grounded %v fallback %q: %q", round, a.Method, a.Grounded, a.Fallback, a.Text)
				}
				if !strings.Contains(a.Text, "special envoy [1]") || !strings.Contains(a.Text, "St Petersburg [2]") {
					t.Errorf("round %d: answer %q", round, a.Text)
				}
				for _, s := range []string{a.Text, streamed.String()} {
					if strings.Contains(s, answertest.ThinkingMarker) || strings.Contains(s, "think>") {
						t.Errorf("round %d: thinking shown: %q", round, s)
					}
				}
				if round == 1 && !strings.Contains(streamed.String(), "special envoy") {
					t.Errorf("a known model's answer did not stream: %q", streamed.String())
				}
			}
			// Reasoning is counted: characters where the server sends them,
			// the server's own token count where it keeps them.
			if !strings.Contains(lines.String(), "llm reasoning dropped") ||
				(tc.fam.Name != "openai-reasoning" && strings.Contains(lines.String(), "chars=0")) {
				t.Errorf("reasoning not counted:\n%s", lines)
			}
			for i, raw := range srv.RawRequests() {
				if _, ok := raw["max_tokens"]; ok && tc.fam.Name == "openai-reasoning" {
					t.Errorf("request %d sent max_tokens to a reasoning model", i)
				}
				if _, ok := raw["temperature"]; ok && tc.fam.Name == "openai-reasoning" {
					t.Errorf("request %d sent a temperature to a reasoning model", i)
				}
				if tc.fam.Name == "ollama" {
					if _, ok := raw["max_tokens"]; !ok {
						t.Errorf("request %d to Ollama without max_tokens (it ignores max_completion_tokens): %v", i, raw)
					}
				}
			}
		})
	}
}

// A server that refuses parameters the way OpenAI's reasoning models do,
// under a model name no list knows, is answered after one retry per
// refused parameter, and the next call sends what it accepts at once.
func TestRefusedParametersAreLearned(t *testing.T) {
	srv, g := familyServer(t, answertest.OpenAIReasoning, "house-reasoner-v2")
	svc := service(g)
	a, err := svc.Ask(context.Background(), "What is Witkoff's role?", nil, nil)
	if err != nil || a.Method != answer.MethodLLM {
		t.Fatalf("method %s fallback %q err %v", a.Method, a.Fallback, err)
	}
	// max_tokens refused, then the temperature; then the model's thinking
	// fills the answer's budget, and the call with room for it answers.
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
	a, err = svc.Ask(context.Background(), "What is Witkoff's role?", nil, nil)
	if err != nil || a.Method != answer.MethodLLM {
		t.Fatalf("second: method %s fallback %q err %v", a.Method, a.Fallback, err)
	}
	raws := srv.RawRequests()
	if n := len(raws); n != 5 {
		t.Errorf("%d requests after the second question, want 5", n)
	}
	last := raws[len(raws)-1]
	if _, ok := last["max_completion_tokens"]; !ok {
		t.Errorf("learned request lacks max_completion_tokens: %v", last)
	}
}

// ATTACHE_LLM_REASONING_EFFORT reaches the request; "none" turns an
// Ollama model's thinking off, so the answer needs no thinking budget.
func TestReasoningEffortIsSent(t *testing.T) {
	srv, g := familyServer(t, answertest.Ollama, "qwen3:8b")
	g.ReasoningEffort = "none"
	a, err := service(g).Ask(context.Background(), "What is Witkoff's role?", nil, nil)
	if err != nil || a.Method != answer.MethodLLM {
		t.Fatalf("method %s fallback %q err %v", a.Method, a.Fallback, err)
	}
	raws := srv.RawRequests()
	if len(raws) != 1 || raws[0]["reasoning_effort"] != "none" || raws[0]["max_tokens"] != float64(600) {
		t.Errorf("requests %v", raws)
	}
}

// A thinking model whose reasoning fills even the larger budget gives a
// counted fallback with a reason, never a blank answer.
func TestThinkingThatFillsTheBudgetFallsBack(t *testing.T) {
	fam := answertest.Ollama
	fam.ThinkTokens = 20000
	_, g := familyServer(t, fam, "qwen3:8b")
	_, _, err := g.Generate(context.Background(), answer.Prompt{System: "s", User: "u"}, nil)
	if !errors.Is(err, answer.ErrLLMCutOff) {
		t.Fatalf("err %v, want ErrLLMCutOff", err)
	}
	a, err := service(g).Ask(context.Background(), "What is Witkoff's role?", nil, nil)
	if err != nil || a.Method != answer.MethodExtractive || a.Fallback == "" || strings.TrimSpace(a.Text) == "" {
		t.Errorf("method %s fallback %q text %q err %v", a.Method, a.Fallback, a.Text, err)
	}
}

// Citation markers written after the full stop are read as the
// sentence's: the model's answer is shown, not the extractive one.
func TestMarkersAfterTheFullStopKeepTheAnswer(t *testing.T) {
	_, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		return answertest.Reply{Text: envoyAnswer(answertest.Prompt(req), true)}
	})
	a, err := service(g).Ask(context.Background(), "What is Witkoff's role?", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Method != answer.MethodLLM || a.Text != "Steve Witkoff is a US special envoy [1]. He met Vladimir Putin in St Petersburg [2]." {
		t.Errorf("method %s fallback %q: %q", a.Method, a.Fallback, a.Text)
	}
}

// The prompt says what day the question is asked on.
func TestPromptStatesTheDay(t *testing.T) {
	var prompts []string
	_, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		prompts = append(prompts, req.Messages[0].Content+"\n"+answertest.Prompt(req))
		return answertest.Reply{Text: envoyAnswer(answertest.Prompt(req), false)}
	})
	svc := service(g)
	svc.Retriever.AsOf = time.Date(2025, 10, 7, 0, 0, 0, 0, time.UTC)
	if _, err := svc.Ask(context.Background(), "What is Witkoff's role?", nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(prompts) != 1 || !strings.Contains(prompts[0], "Today is Tuesday 7 October 2025") {
		t.Errorf("prompt without the day: %q", prompts)
	}
}

// A 400 for a prompt longer than the model's context is asked again once
// with half the sources' text.
func TestContextOverflowRetriesWithHalfTheSources(t *testing.T) {
	for _, body := range []string{
		`{"error":{"message":"This model's maximum context length is 4096 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`,
		`{"error":{"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}}`,
	} {
		srv, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
			if n == 0 {
				return answertest.Reply{Status: 400, Body: body}
			}
			return answertest.Reply{Text: envoyAnswer(answertest.Prompt(req), false)}
		})
		svc := service(g)
		svc.PromptTokens = 1000
		a, err := svc.Ask(context.Background(), "What is Witkoff's role?", nil, nil)
		if err != nil || a.Method != answer.MethodLLM {
			t.Fatalf("method %s fallback %q err %v", a.Method, a.Fallback, err)
		}
		reqs := srv.Requests()
		if len(reqs) != 2 || len(answertest.Prompt(reqs[1])) >= len(answertest.Prompt(reqs[0])) {
			t.Errorf("%d requests; the second prompt is not shorter", len(reqs))
		}
	}
}

// A rate limit names its wait: a short one is honoured and retried, one
// longer than the client will wait ends the call at once.
func TestRateLimitWaitsAreHonoured(t *testing.T) {
	for _, tc := range []struct {
		header   map[string]string
		requests int
		method   string
	}{
		{map[string]string{"x-ratelimit-reset-requests": "20ms"}, 2, answer.MethodLLM},
		{map[string]string{"Retry-After": "0"}, 2, answer.MethodLLM},
		{map[string]string{"Retry-After": "3600"}, 1, answer.MethodExtractive},
		{map[string]string{"x-ratelimit-reset-tokens": "6m0s"}, 1, answer.MethodExtractive},
	} {
		srv, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
			if n == 0 {
				return answertest.Reply{Status: 429, Header: tc.header, Body: `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`}
			}
			return answertest.Reply{Text: envoyAnswer(answertest.Prompt(req), false)}
		})
		a, err := service(g).Ask(context.Background(), "What is Witkoff's role?", nil, nil)
		if err != nil || a.Method != tc.method || len(srv.Requests()) != tc.requests {
			t.Errorf("%v: method %s, %d requests, err %v", tc.header, a.Method, len(srv.Requests()), err)
		}
	}
}

// The errors an operator must act on are named, without the server's body.
func TestOperatorErrorsAreNamed(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   error
	}{
		{401, `{"error":{"message":"Incorrect API key provided: sk-live-abc.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, answer.ErrLLMUnauthorized},
		{401, `{"error":"Unauthorized"}`, answer.ErrLLMUnauthorized},
		{404, `{"error":{"message":"The model 'gpt-9' does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}}`, answer.ErrLLMModelNotFound},
		{404, `{"error":{"message":"model \"qwen9\" not found, try pulling it first","type":"api_error"}}`, answer.ErrLLMModelNotFound},
	} {
		_, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
			return answertest.Reply{Status: tc.status, Body: tc.body}
		})
		_, _, err := g.Generate(context.Background(), answer.Prompt{System: "s", User: "u"}, nil)
		if !errors.Is(err, tc.want) {
			t.Errorf("%d %s: %v, want %v", tc.status, tc.body, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "sk-live") || strings.Contains(err.Error(), "Incorrect")) {
			t.Errorf("server body leaked: %v", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	g := answer.NewOpenAI("", "http://"+addr+"/v1", "m", nil)
	g.MaxRetries = -1
	if _, _, err := g.Generate(context.Background(), answer.Prompt{System: "s", User: "u"}, nil); !errors.Is(err, answer.ErrLLMUnreachable) {
		t.Errorf("refused connection: %v, want ErrLLMUnreachable", err)
	}
}
