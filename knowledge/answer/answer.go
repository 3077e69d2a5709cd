package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/attache-bot/attache/knowledge"
)

// Source is one article an answer cites, numbered as in the answer's [n].
type Source struct {
	N        int
	Article  knowledge.Article   // without Body
	Passages []knowledge.Passage // the passages the answerer was given
}

// Usage is the token count of LLM calls.
type Usage struct {
	PromptTokens, CompletionTokens int
	// ReasoningTokens are the completion tokens a model spent thinking,
	// where the server reports them.
	ReasoningTokens int
}

func (u *Usage) add(v Usage) {
	u.PromptTokens += v.PromptTokens
	u.CompletionTokens += v.CompletionTokens
	u.ReasoningTokens += v.ReasoningTokens
}

// Method names how an answer was made.
const (
	MethodLLM        = "llm"
	MethodExtractive = "extractive"
)

// Answer is a grounded answer: text whose [n] markers point at Sources.
type Answer struct {
	Question string
	Text     string   // with [n] markers, numbered in order of first use
	Sources  []Source // exactly the cited articles, Sources[i].N == i+1
	// Grounded is true when at least one citation survived checking.
	// An answer that is not grounded says the articles do not answer.
	Grounded bool
	NoAnswer bool                // the stored articles do not answer the question
	Closest  []knowledge.Article // nearest headlines, offered with NoAnswer
	Method   string
	AsOf     time.Time // publication date of the newest cited article
	Dropped  []string  // sentences removed because no cited source supports them
	Usage    Usage
	// Fallback says why the extractive answerer stood in for the LLM.
	Fallback string
}

// Errors a caller may show in its own words.
var (
	ErrEmptyQuestion = errors.New("the question is empty")
	ErrTooLong       = fmt.Errorf("the question is longer than %d characters", MaxQuestionChars)
)

// MaxQuestionChars bounds a question, however it arrives: Discord's limit
// on a slash command's option (a message is shorter still, 2,000 or 4,000
// characters). A long message is answered by the question found in it.
const MaxQuestionChars = 6000

// Generator is an LLM that answers from numbered sources.
type Generator interface {
	// Generate answers the question from the sources; onDelta, when not nil,
	// receives the text as it streams.
	Generate(ctx context.Context, p Prompt, onDelta func(string)) (string, Usage, error)
}

// Service answers questions: retrieval, then the LLM when one is
// configured (falling back to the extractive answerer when it fails), then
// citation checking.
type Service struct {
	Retriever *Retriever
	LLM       Generator // nil: extractive answers only
	Log       *slog.Logger
	// PromptTokens is the budget of the sources in a prompt (default 3000).
	PromptTokens int
	// Timeout bounds one LLM answer (default 45 s).
	Timeout time.Duration
	// OnRetrieve and OnLLM, when set, observe each retrieval and LLM call
	// (for metrics).
	OnRetrieve func(time.Duration)
	OnLLM      func(time.Duration, Usage, error)
}

// FollowUp is an earlier exchange that a question follows.
type FollowUp struct {
	Question, Answer string
}

// Ask answers a question. onDelta, when not nil, receives the LLM's text as
// it streams (before citation checking). prior, when not nil, is the
// exchange the question follows up.
func (s *Service) Ask(ctx context.Context, question string, prior *FollowUp, onDelta func(string)) (Answer, error) {
	a, _, err := s.ask(ctx, question, prior, onDelta)
	return a, err
}

// AskSource is Ask from one outlet's articles only.
func (s *Service) AskSource(ctx context.Context, question, source string, prior *FollowUp, onDelta func(string)) (Answer, error) {
	cs, r := *s, *s.Retriever
	r.Source = source
	cs.Retriever = &r
	return cs.Ask(ctx, question, prior, onDelta)
}

// CheckQuestion is the one test of a question, however it arrives: not
// empty, at most MaxQuestionChars.
func CheckQuestion(question string) error {
	switch {
	case strings.TrimSpace(question) == "":
		return ErrEmptyQuestion
	case utf8.RuneCountInString(question) > MaxQuestionChars:
		return ErrTooLong
	}
	return nil
}

// ask is Ask, returning the evidence retrieved too (for the evaluation).
func (s *Service) ask(ctx context.Context, question string, prior *FollowUp, onDelta func(string)) (Answer, Evidence, error) {
	question = strings.TrimSpace(question)
	if err := CheckQuestion(question); err != nil {
		return Answer{}, Evidence{}, err
	}
	question = FindQuestion(question)
	priorQuestion := ""
	if prior != nil {
		priorQuestion = prior.Question
	}
	// The day dates are read from costs a query: made once, and only for a
	// question of a list's form.
	ref := sync.OnceValue(func() time.Time { return s.listRef(ctx) })
	if f, ok := parseListForm(Paraphrase(question), ref); ok {
		// A day's news or a story's timeline: a dated list across articles.
		// When none lists, the question is answered the usual way.
		a, ev, err := s.list(ctx, question, f, s.Retriever.now(), onDelta)
		if err != nil || !a.NoAnswer {
			return a, ev, err
		}
	}
	start := time.Now()
	ev, err := s.Retriever.Retrieve(ctx, question, priorQuestion)
	if err != nil {
		return Answer{}, ev, err
	}
	if s.OnRetrieve != nil {
		s.OnRetrieve(time.Since(start))
	}
	if s.LLM == nil {
		if !ev.Answerable && len(ev.Roles) == 0 {
			return noAnswer(question, ev), ev, nil
		}
		return Extract(ev), ev, nil
	}
	if !ev.Plausible && len(ev.Roles) == 0 {
		// The question's own words found nothing plausible: it may say
		// what the articles say otherwise, or be in another language.
		// The model names English search terms once, and retrieval tries
		// again with them.
		if again, ok := s.retryWithTerms(ctx, ev, priorQuestion); ok {
			ev = again
		}
	}
	if !ev.Plausible {
		// Nothing for a model to read: a role question is answered from
		// the who-is records, anything else is declined.
		if len(ev.Roles) > 0 {
			return Extract(ev), ev, nil
		}
		return noAnswer(question, ev), ev, nil
	}
	a, err := s.generate(ctx, ev, prior, onDelta)
	if err != nil {
		if ctx.Err() != nil {
			return Answer{}, ev, ctx.Err()
		}
		fb := Extract(ev)
		if !ev.Answerable && len(ev.Roles) == 0 {
			fb = noAnswer(question, ev)
		}
		fb.Fallback = err.Error()
		return fb, ev, nil
	}
	return a, ev, nil
}

// listRef is the day a list question's dates are read from: the as-of day,
// else the clock's, or the archive's newest article when the archive is
// older (a demo corpus of last year answers "between March and July" of
// its own year).
func (s *Service) listRef(ctx context.Context) time.Time {
	now := s.Retriever.now()
	if !s.Retriever.AsOf.IsZero() {
		return now
	}
	if newest, err := s.Retriever.Store.Newest(ctx); err == nil && !newest.IsZero() && newest.Before(now) {
		return newest
	}
	return now
}

// termsPrompt asks a model for the search terms of a question.
const termsPrompt = `You turn a question about the news into English search terms for a news archive.
Reply with one line of at most twelve English keywords: the names of the people, places and organisations, and the words an English news article would use for the subject (e.g. "Secretary of State" for "America's top diplomat"). No explanation.`

// TermsTimeout bounds the model's search terms.
const TermsTimeout = 8 * time.Second

// retryWithTerms asks the model for English search terms and retrieves
// again with them; the evidence keeps the user's question. ok is false
// when the model failed or the terms found nothing plausible either.
func (s *Service) retryWithTerms(ctx context.Context, ev Evidence, prior string) (Evidence, bool) {
	terms, _, err := s.model().Text(ctx, "search terms", TermsTimeout, Prompt{System: termsPrompt, User: "Question: " + oneLine(ev.Question.Text)}, nil)
	if err != nil {
		return ev, false
	}
	terms = oneLine(stripMarkers(terms))
	if utf8.RuneCountInString(terms) > 300 {
		terms = truncateWords(terms, 300)
	}
	if terms == "" {
		return ev, false
	}
	again, err := s.Retriever.Retrieve(ctx, terms, prior)
	if err != nil || !again.Plausible {
		return ev, false
	}
	// The answer is to the user's question, in its language.
	again.Question.Text = ev.Question.Text
	again.Question.Lang = ev.Question.Lang
	return again, true
}

func (s *Service) generate(ctx context.Context, ev Evidence, prior *FollowUp, onDelta func(string)) (Answer, error) {
	p := BuildPrompt(ev, prior, orDefault(s.PromptTokens, 3000))
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 45 * time.Second
	}
	a, err := s.model().Cited(ctx, "answer", ev.Question.Text, timeout, p, onDelta, true)
	if errors.Is(err, ErrLLMContextLength) {
		// The model's context is smaller than the budget: once more with
		// half the sources' text.
		p = BuildPrompt(ev, prior, orDefault(s.PromptTokens, 3000)/2)
		a, err = s.model().Cited(ctx, "answer", ev.Question.Text, timeout, p, onDelta, true)
	}
	if err == nil && a.NoAnswer {
		a.Closest = closest(hitsOf(ev.Passages), 3)
	}
	return a, err
}

// model is the Service's path to its model.
func (s *Service) model() Model { return Model{LLM: s.LLM, Observe: s.OnLLM, Log: s.Log} }

func hitsOf(ps []Scored) []knowledge.Hit {
	out := make([]knowledge.Hit, len(ps))
	for i, p := range ps {
		out[i] = p.Hit
	}
	return out
}

// noAnswer says the stored articles do not answer, with the nearest headlines.
func noAnswer(question string, ev Evidence) Answer {
	return Answer{
		Question: question,
		Text:     noAnswerText(ev.Question.Lang),
		NoAnswer: true,
		Closest:  ev.Closest,
		Method:   MethodExtractive,
	}
}

func noAnswerText(lang string) string {
	switch lang {
	case "fr":
		return "Les articles enregistrés ne répondent pas à cette question."
	case "uk":
		return "Збережені статті не відповідають на це питання."
	case "ru":
		return "Сохранённые статьи не отвечают на этот вопрос."
	}
	return "The stored articles do not answer this question."
}
