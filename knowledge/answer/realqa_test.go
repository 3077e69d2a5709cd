package answer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/answer/answertest"
)

// realQA is ../shared/realqa beside the repository: real news articles and
// news-quiz questions nobody here wrote (RealTime QA). It is read, never
// copied into the project.
var realQA = filepath.Join("..", "..", "..", "shared", "realqa")

func realQACases(t *testing.T) ([]answer.EvalCase, string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(realQA, "questions.jsonl")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI runs beside ../shared, but %s is missing: %v", realQA, err)
		}
		t.Skipf("%s is not beside the repository: %v", realQA, err)
	}
	cases, err := answer.LoadEval(filepath.Join(realQA, "questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return cases, filepath.Join(realQA, "articles.jsonl")
}

// TestRealQA measures the extractive answerer on questions nobody here
// wrote, against the targets: a fall below any fails.
func TestRealQA(t *testing.T) {
	cases, articles := realQACases(t)
	db := openCorpus(t, articles)
	rep, err := answer.RunEval(context.Background(), &answer.Service{Retriever: &answer.Retriever{Store: db}}, cases)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.Print(&b)
	t.Log("\n" + b.String())
	answerable := 0
	for _, c := range cases {
		if c.Answerable == nil || *c.Answerable {
			answerable++
		}
	}
	declined := float64(rep.FalseAbstentions) / float64(answerable)
	atLeast(t, []floor{
		{"answer accuracy", rep.AnswerAccuracy, 0.65},
		{"answerable questions answered", 1 - declined, 0.90},
		{"abstention accuracy", rep.AbstentionAccuracy, 0.85},
		{"citation accuracy", rep.CitationAccuracy, 0.85},
	})
}

// With a model, the answerable questions of both sets reach it with an
// acceptable article in the prompt. The fake model declines every time,
// so that what is measured is the gate before it.
func TestModelIsAskedWithTheRightArticle(t *testing.T) {
	decline := func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		return answertest.Reply{Text: "The stored articles do not answer this question."}
	}
	project, err := answer.LoadEval("../../eval/questions.json")
	if err != nil {
		t.Fatal(err)
	}
	_, g := fakeLLM(t, decline)
	rep, err := answer.RunEval(context.Background(), service(g), project)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ModelAsked < 0.9 {
		t.Errorf("project set: model asked with an expected article for %.1f%% of answerable questions, want 90%%", 100*rep.ModelAsked)
	}
	t.Logf("project set: model asked for %.1f%%", 100*rep.ModelAsked)

	cases, articles := realQACases(t)
	db := openCorpus(t, articles)
	_, g = fakeLLM(t, decline)
	rep, err = answer.RunEval(context.Background(), &answer.Service{Retriever: &answer.Retriever{Store: db}, LLM: g}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ModelAsked < 0.9 {
		t.Errorf("realqa: model asked with an expected article for %.1f%% of answerable questions, want 90%%", 100*rep.ModelAsked)
	}
	if rep.PromptsDated < 0.95 {
		t.Errorf("realqa: %.1f%% of the prompts state the question's day, want 95%%", 100*rep.PromptsDated)
	}
	t.Logf("realqa: model asked for %.1f%%, prompts dated %.1f%%", 100*rep.ModelAsked, 100*rep.PromptsDated)
}
