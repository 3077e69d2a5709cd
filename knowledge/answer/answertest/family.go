package answertest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Family is how one kind of OpenAI-compatible server treats a request, as
// ../shared/PLATFORM-NOTES.md records it: which fields it refuses and with
// what body, where a thinking model's reasoning goes, and what bounds the
// tokens it writes (reasoning counts against the bound everywhere).
type Family struct {
	Name string
	// Models the server serves; any other model is a 404 (none: any).
	Models []string
	// ReasoningField is the delta field reasoning streams in ("reasoning",
	// "reasoning_content"), or "" when it never leaves the server or is
	// written inline.
	ReasoningField string
	// Inline writes reasoning into the content: "tags" as <think>…</think>,
	// "lone" with only the closing tag (the template opened it).
	Inline string
	// ThinkTokens is how long the model thinks before it answers, unless
	// the request says reasoning_effort "none" and NoThinkOff is false.
	ThinkTokens int
	NoThinkOff  bool
	// BudgetFields are the request fields that bound the output, in the
	// order the server reads them; a field it ignores is not listed.
	BudgetFields []string
	// Refuse returns the server's refusal of a request, or nil.
	Refuse func(raw map[string]any) *Reply
}

func (f *Family) refuse(raw map[string]any) *Reply {
	if len(f.Models) > 0 {
		model, _ := raw["model"].(string)
		known := false
		for _, m := range f.Models {
			known = known || m == model
		}
		if !known {
			return &Reply{Status: 404, Body: fmt.Sprintf(`{"error":{"message":"model %q not found, try pulling it first","type":"api_error","param":null,"code":null}}`, model)}
		}
	}
	if f.Refuse != nil {
		return f.Refuse(raw)
	}
	return nil
}

// shape turns a model's reply into what this server sends: reasoning
// before the answer, where the family puts it, and the answer cut where
// the request's bound runs out.
func (f *Family) shape(raw map[string]any, rep Reply) Reply {
	if rep.Status != 0 && rep.Status != 200 {
		return rep
	}
	think := f.ThinkTokens
	if effort, _ := raw["reasoning_effort"].(string); effort == "none" && !f.NoThinkOff {
		think = 0
	}
	if think > 0 && rep.Reasoning == "" {
		rep.Reasoning = Thinking(think)
	}
	if think == 0 {
		rep.Reasoning = ""
	}
	budget := 0
	for _, k := range f.BudgetFields {
		if v, ok := raw[k].(float64); ok && v > 0 {
			budget = int(v)
			break
		}
	}
	if budget > 0 {
		thought := approxTokens(rep.Reasoning)
		switch {
		case thought >= budget:
			rep.Reasoning = cutTokens(rep.Reasoning, budget)
			rep.Text, rep.FinishReason = "", "length"
		case thought+approxTokens(rep.Text) > budget:
			rep.Text, rep.FinishReason = cutTokens(rep.Text, budget-thought), "length"
		}
	}
	rep.CompletionTokens = approxTokens(rep.Reasoning) + approxTokens(rep.Text)
	switch f.Inline {
	case "tags":
		if rep.Reasoning != "" {
			rep.Text = "<think>\n" + rep.Reasoning + "\n</think>\n\n" + rep.Text
		}
		rep.Reasoning = ""
	case "lone":
		if rep.Reasoning != "" {
			rep.Text = rep.Reasoning + "\n</think>\n\n" + rep.Text
		}
		rep.Reasoning = ""
	}
	return rep
}

// ThinkingMarker is in every piece of reasoning the fakes write, so that a
// test can see whether any reached an answer.
const ThinkingMarker = "HMMTHINKING"

// Thinking is reasoning of about n tokens.
func Thinking(n int) string {
	var b strings.Builder
	for approxTokens(b.String()) < n {
		b.WriteString("Okay, " + ThinkingMarker + " the user asks about the sources; let me check each one. ")
	}
	return strings.TrimSpace(b.String())
}

func approxTokens(s string) int { return (utf8.RuneCountInString(s) + 3) / 4 }

func cutTokens(s string, n int) string {
	r := []rune(s)
	if len(r) > 4*n {
		return string(r[:4*n])
	}
	return s
}

// The families of servers the tests emulate.
var (
	// OpenAIReasoning is OpenAI's o-series and gpt-5 family: max_tokens and
	// a temperature other than 1 refused with these exact bodies,
	// reasoning never returned but counted against max_completion_tokens.
	OpenAIReasoning = Family{
		Name: "openai-reasoning", ThinkTokens: 700, NoThinkOff: true,
		BudgetFields: []string{"max_completion_tokens"},
		Refuse: func(raw map[string]any) *Reply {
			if _, ok := raw["max_tokens"]; ok {
				return &Reply{Status: 400, Body: `{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}`}
			}
			if t, ok := raw["temperature"].(float64); ok && t != 1 {
				return &Reply{Status: 400, Body: fmt.Sprintf(`{"error":{"message":"Unsupported value: 'temperature' does not support %v with this model. Only the default (1) value is supported.","type":"invalid_request_error","param":"temperature","code":"unsupported_value"}}`, t)}
			}
			return nil
		},
	}
	// Ollama is Ollama's /v1 with a thinking model: reasoning in its own
	// "reasoning" field with empty content, max_tokens (num_predict)
	// consumed by thinking, max_completion_tokens ignored, thinking off
	// with reasoning_effort "none".
	Ollama = Family{
		Name: "ollama", ReasoningField: "reasoning", ThinkTokens: 800,
		BudgetFields: []string{"max_tokens"},
	}
	// LlamaCpp is llama.cpp's server with --reasoning-format deepseek (and
	// DeepSeek's API): reasoning in reasoning_content, counted in the bound.
	LlamaCpp = Family{
		Name: "llama.cpp", ReasoningField: "reasoning_content", ThinkTokens: 700,
		BudgetFields: []string{"max_tokens", "max_completion_tokens"},
	}
	// InlineThink is vLLM without a reasoning parser (or Groq's "raw"
	// format): <think>…</think> inside the content.
	InlineThink = Family{
		Name: "inline-think", Inline: "tags", ThinkTokens: 300,
		BudgetFields: []string{"max_tokens", "max_completion_tokens"},
	}
	// LoneClose is llama.cpp with --reasoning-format none behind a chat
	// template that opens the block itself: reasoning, then a lone </think>.
	LoneClose = Family{
		Name: "lone-close", Inline: "lone", ThinkTokens: 300,
		BudgetFields: []string{"max_tokens", "max_completion_tokens"},
	}
)
