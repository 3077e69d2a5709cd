package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/attache-bot/attache/knowledge/answer/answertest"
)

// modeModel answers as a model would: "ready" to the doctor's check, the
// envoy's role with the sources that say it, and a summary citing its
// first source; trailing writes each marker after the full stop.
func modeModel(trailing bool) func(int, openai.ChatCompletionRequest) answertest.Reply {
	return func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		p := answertest.Prompt(req)
		mark := func(sentence string, n int) string {
			if trailing {
				return fmt.Sprintf("%s. [%d]", sentence, n)
			}
			return fmt.Sprintf("%s [%d].", sentence, n)
		}
		switch {
		case strings.Contains(p, "Reply with the word"):
			return answertest.Reply{Text: "ready"}
		case strings.Contains(p, "Question:"):
			return answertest.Reply{Text: "modelsays " + mark("Steve Witkoff is a US special envoy", answertest.Block(p, "special envoy Steve Witkoff")) +
				" " + mark("He met Vladimir Putin in St Petersburg", answertest.Block(p, "Putin", "St Petersburg"))}
		}
		return answertest.Reply{Text: "- modelsays " + mark(answertest.Title(p, 1), 1) + "\n- " + mark(answertest.Title(p, 2), 2)}
	}
}

// The five modes: ask and summarize show the model's answer (not
// the extractive fallback, no thinking), and doctor passes, against each.
func TestLLMModesThroughTheCommandLine(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "a.db")
	t.Setenv("ATTACHE_DB", dbPath)
	if code, _, errOut := attache(t, ctx, "ingest", "--quiet", "../../sample"); code != 0 {
		t.Fatal(errOut)
	}
	for _, mode := range []struct {
		name     string
		family   *answertest.Family
		model    string
		trailing bool
	}{
		{"plain", nil, "gpt-4o-mini", false},
		{"OpenAI reasoning", &answertest.OpenAIReasoning, "gpt-5-mini", false},
		{"inline thinking", &answertest.InlineThink, "qwen3:8b", false},
		{"reasoning in its own field", &answertest.Ollama, "qwen3:8b", false},
		{"marker after the full stop", nil, "llama3.1:8b", true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			srv := answertest.New(modeModel(mode.trailing))
			defer srv.Close()
			srv.Family = mode.family
			srv.Models = []string{"other-model", mode.model}
			t.Setenv("OPENAI_BASE_URL", srv.BaseURL())
			t.Setenv("OPENAI_API_KEY", "sk-test-secret-42")
			t.Setenv("OPENAI_MODEL", mode.model)
			for _, args := range [][]string{
				{"ask", "What is Witkoff's role?"},
				{"summarize", "tariffs", "--days", "0"},
			} {
				code, out, errOut := attache(t, ctx, args...)
				if code != 0 || !strings.Contains(out, "modelsays") || !strings.Contains(out, "· llm answer") || !strings.Contains(out, "[2]") {
					t.Errorf("%v: exit %d\n%s\n%s", args, code, out, errOut)
				}
				if strings.Contains(out+errOut, answertest.ThinkingMarker) || strings.Contains(out, "think>") {
					t.Errorf("%v: thinking shown:\n%s", args, out)
				}
			}
			code, out, errOut := attache(t, ctx, "doctor")
			if code != 0 || !strings.Contains(out, "✓ LLM answer") || strings.Contains(out, "✗") {
				t.Errorf("doctor: exit %d\n%s\n%s", code, out, errOut)
			}
			if strings.Contains(out+errOut, "sk-test-secret-42") {
				t.Errorf("doctor printed the key:\n%s", out)
			}
		})
	}
}

// Doctor names what is wrong and exits non-zero: an unknown model, a
// refused key, a server that is not there, a malformed Discord token.
func TestDoctorFindsWhatIsWrong(t *testing.T) {
	ctx := context.Background()
	t.Setenv("ATTACHE_DB", filepath.Join(t.TempDir(), "missing.db"))
	srv := answertest.New(func(int, openai.ChatCompletionRequest) answertest.Reply {
		return answertest.Reply{Status: 401, Body: `{"error":{"message":"Incorrect API key provided: sk-wr****ng.","type":"invalid_request_error","code":"invalid_api_key"}}`}
	})
	defer srv.Close()
	srv.Models = []string{"gpt-4o-mini"}
	t.Setenv("OPENAI_BASE_URL", srv.BaseURL())
	t.Setenv("OPENAI_API_KEY", "sk-wrong-key")
	t.Setenv("DISCORD_TOKEN", "Bot abc.def.ghi")
	code, out, _ := attache(t, ctx, "doctor")
	for _, want := range []string{"✗ database", "attache ingest", "✗ LLM answer", "OPENAI_API_KEY", "✗ Discord token", "without \"Bot \""} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 || strings.Contains(out, "sk-wrong-key") || strings.Contains(out, "abc.def.ghi") {
		t.Errorf("exit %d (want 1), or a secret printed:\n%s", code, out)
	}
	t.Setenv("OPENAI_MODEL", "gpt-9")
	if _, out, _ := attache(t, ctx, "doctor"); !strings.Contains(out, "✗ LLM model") || !strings.Contains(out, "OPENAI_MODEL") {
		t.Errorf("unknown model not found:\n%s", out)
	}
}
