package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Model is the one path for every model call — answers, search terms,
// summaries, digests: a deadline, metrics and a log line for each call, and
// the citation check of what it wrote. Falling back is the caller's: each
// has its own extractive answer.
type Model struct {
	LLM Generator
	// Observe, when set, records each call (Metrics.ObserveLLM).
	Observe func(time.Duration, Usage, error)
	// Log, when set, says which calls failed and why.
	Log *slog.Logger
}

// ErrUncited is a model's text in which no citation survived the check.
var ErrUncited = errors.New("the answer had no supported citation")

// Text calls the model once, within timeout.
func (m Model) Text(ctx context.Context, purpose string, timeout time.Duration, p Prompt, onDelta func(string)) (string, Usage, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	text, usage, err := m.LLM.Generate(ctx, p, onDelta)
	took := time.Since(start)
	if m.Observe != nil {
		m.Observe(took, usage, err)
	}
	if err != nil && m.Log != nil {
		m.Log.Warn("llm call failed", "purpose", purpose, "ms", took.Milliseconds(), "err", err)
	}
	if err != nil {
		return "", usage, fmt.Errorf("llm: %w", err)
	}
	return text, usage, nil
}

// Cited calls the model and checks its citations against the prompt's
// sources (see Check). Text without a supported citation is an error, so
// that the caller answers without the model; a reply that the sources do
// not answer is returned as such when noAnswer allows it.
func (m Model) Cited(ctx context.Context, purpose, question string, timeout time.Duration, p Prompt, onDelta func(string), noAnswer bool) (Answer, error) {
	text, usage, err := m.Text(ctx, purpose, timeout, p, onDelta)
	if err != nil {
		return Answer{}, err
	}
	a := Check(question, text, p.Sources)
	a.Method, a.Usage = MethodLLM, usage
	if a.NoAnswer && noAnswer {
		return a, nil
	}
	if !a.Grounded {
		err := fmt.Errorf("llm %s: %w", purpose, ErrUncited)
		if m.Log != nil {
			m.Log.Warn("llm answer discarded", "purpose", purpose, "err", err)
		}
		return Answer{}, err
	}
	return a, nil
}

// SourceBlock is one numbered source as every prompt shows it: "[n] Title
// — Outlet, day", then its passages.
func SourceBlock(s Source) string {
	texts := make([]string, len(s.Passages))
	for i, p := range s.Passages {
		texts[i] = p.Text
	}
	return sourceHead(s) + strings.Join(texts, "\n") + "\n\n"
}

func sourceHead(s Source) string {
	return fmt.Sprintf("[%d] %s — %s, %s\n", s.N, oneLine(s.Article.Title), sourceName(s.Article), s.Article.Day())
}
