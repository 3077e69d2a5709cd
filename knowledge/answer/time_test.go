package answer_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge/answer"
)

// writeArticles writes JSONL articles for openCorpus.
func writeArticles(t *testing.T, arts ...map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "articles.jsonl")
	var b strings.Builder
	for _, a := range arts {
		line, _ := json.Marshal(a)
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A sentence of years ago that shares a question's words answers another
// question: a news question that names no time of its own is not answered
// from stale articles alone, but is when it names their time.
func TestStaleArticlesDoNotAnswerTheNews(t *testing.T) {
	db := openCorpus(t, writeArticles(t,
		map[string]string{"url": "https://w.example/2019/committee", "title": "Committee weighs candidates for its presidency", "published": "2019-05-02",
			"body": "The committee's members said the next president of the federation would be elected by secret ballot. Observers expected Maria Duval, a former minister, to be the front-runner."},
		map[string]string{"url": "https://w.example/2026/harbour", "title": "Harbour reopens after storm", "published": "2026-03-10",
			"body": "The harbour of Port Saint reopened on Monday after a week of storm damage, the port authority said."},
	))
	svc := &answer.Service{Retriever: &answer.Retriever{Store: db, Now: func() time.Time { return time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC) }}}
	a, err := svc.Ask(context.Background(), "Who was elected as the next president of the federation?", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !a.NoAnswer {
		t.Errorf("answered from a seven-year-old article: %q", a.Text)
	}
	a, err = svc.Ask(context.Background(), "Who was expected to be elected president of the federation in 2019?", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.NoAnswer || !strings.Contains(a.Text, "Maria Duval") {
		t.Errorf("a question about 2019 got %q", a.Text)
	}
}
