package answer_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/answer/answertest"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/sqlite"
	"github.com/attache-bot/attache/knowledge/text"
)

// openCorpus ingests files into a new database of the test's own.
func openCorpus(t *testing.T, files ...string) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "corpus.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, f := range files {
		sum, err := (&ingest.Ingester{Store: db}).Ingest(ctx, f)
		if err != nil || sum.Failed > 0 {
			t.Fatalf("ingest %s: %v (%s)", f, err, sum)
		}
	}
	return db
}

func journalistCases(t *testing.T) (*sqlite.DB, []answer.EvalCase) {
	t.Helper()
	db := openCorpus(t, filepath.Join("testdata", "journalist", "articles.jsonl"))
	cases, err := answer.LoadEval(filepath.Join("testdata", "journalist", "questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return db, cases
}

// Each question asks for a kind of answer; the extractive answer must
// quote the sentence that holds one, not a topical sentence without it,
// and decline a false premise and a question outside its as-of window.
func TestExtractiveAnswersByKind(t *testing.T) {
	db, cases := journalistCases(t)
	rep, err := answer.RunEval(context.Background(), &answer.Service{Retriever: &answer.Retriever{Store: db}}, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if !r.Correct {
			t.Errorf("%s: %q\n  answer %q (missing %v)", r.Case.ID, r.Case.Question, r.Answer.Text, r.MissingFacts)
		}
		// The answer's first sentence is the one that holds the fact.
		if first := text.Sentences(r.Answer.Text); r.Case.Answerable != nil && *r.Case.Answerable && len(first) > 0 &&
			!strings.Contains(first[0], r.Case.Facts[0][0]) {
			t.Errorf("%s: first sentence %q lacks %q", r.Case.ID, first[0], r.Case.Facts[0][0])
		}
		if r.Case.Answerable != nil && *r.Case.Answerable && r.GoodCitations != r.Citations {
			t.Errorf("%s: cites %v, want only %v", r.Case.ID, r.WrongCitations, r.Case.Cite)
		}
	}
}

// With a model, every answerable question reaches it with the right
// article; a reply that declines, in any language, is shown as a decline
// with the closest headlines.
func TestModelSeesPlausibleEvidenceAndMayDecline(t *testing.T) {
	db, cases := journalistCases(t)
	for _, reply := range []string{
		"The stored articles do not answer this question.",
		"Los artículos no responden a esta pregunta.",
		"Die Quellen beantworten diese Frage nicht.",
		"资料中没有提到这个问题。",
	} {
		srv, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
			return answertest.Reply{Text: reply}
		})
		svc := &answer.Service{Retriever: &answer.Retriever{Store: db}, LLM: g}
		rep, err := answer.RunEval(context.Background(), svc, cases)
		if err != nil {
			t.Fatal(err)
		}
		if rep.ModelAsked < 1 {
			t.Errorf("model asked with the right article for %.0f%% of answerable questions, want all", 100*rep.ModelAsked)
		}
		for _, r := range rep.Results {
			if !r.Answer.NoAnswer || r.Answer.Grounded {
				t.Errorf("reply %q to %s: shown as %q, want a decline", reply, r.Case.ID, r.Answer.Text)
			}
		}
		if len(srv.Requests()) == 0 {
			t.Fatal("the model was never asked")
		}
	}
}

// A question whose own words find nothing (here in Ukrainian) is searched
// again with the English terms the model gives, and then answered.
func TestModelSearchTermsRescueAParaphrase(t *testing.T) {
	db, _ := journalistCases(t)
	var answered bool
	_, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		if strings.Contains(req.Messages[0].Content, "search terms") {
			return answertest.Reply{Text: "Marovia Talvesh ceasefire announced official"}
		}
		answered = true
		cite := answertest.Block(answertest.Prompt(req), "Imran Qadeer")
		return answertest.Reply{Text: "Про перемир'я оголосив Імран Кадір [" + strconv.Itoa(cite) + "]. Imran Qadeer announced the truce [" + strconv.Itoa(cite) + "]."}
	})
	svc := &answer.Service{Retriever: &answer.Retriever{Store: db}, LLM: g}
	a, err := svc.Ask(context.Background(), "Хто оголосив про перемир'я?", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !answered || !a.Grounded || len(a.Sources) != 1 || !strings.Contains(a.Sources[0].Article.URL, "harbour-ceasefire") {
		t.Errorf("answered %v: %+v", answered, a)
	}
}

func TestAnswerKind(t *testing.T) {
	tests := []struct{ q, kind string }{
		{"Which high-ranking US official tested positive this week?", answer.KindPerson},
		{"Who hosted the summit?", answer.KindPerson},
		{"At what time did the ceasefire take effect?", answer.KindTime},
		{"When did the talks start?", answer.KindDate},
		{"The deal was signed. How many prisoners were exchanged?", answer.KindNumber},
		{"Putin said he would reward women who give birth to how many children?", answer.KindNumber},
		{"Which island nation plunged into chaos?", answer.KindPlace},
		{"Which countries signed the accord?", answer.KindPlace},
		{"Pelosi made a visit to which area this week?", answer.KindPlace},
		{"Sheinbaum threatened to sue which American tech company?", answer.KindOrg},
		{"Musk is launching a party. What is its name?", answer.KindName},
		{"Did the sanctions come back?", answer.KindYesNo},
		{"What happened this week in Gaza?", ""},
		{"What is the biggest security threat in the region?", ""},
	}
	for _, tt := range tests {
		if got := answer.ParseQuestion(tt.q, time.Time{}).Kind; got != tt.kind {
			t.Errorf("ParseQuestion(%q).Kind = %q, want %q", tt.q, got, tt.kind)
		}
	}
}

func TestFocusIsTheQuestionSentence(t *testing.T) {
	q := answer.ParseQuestion("A bipartisan group of senators announced a deal this week. Which measure did lawmakers leave out?", time.Time{})
	if q.Focus != "Which measure did lawmakers leave out?" {
		t.Errorf("focus %q", q.Focus)
	}
	for _, w := range q.FocusWords {
		if w == "senators" || w == "bipartisan" {
			t.Errorf("context word %q in the focus %q", w, q.FocusWords)
		}
	}
	// Too short to stand alone: the whole question is the focus.
	q = answer.ParseQuestion("Biden designated Camp Hale a monument. Where is it?", time.Time{})
	if len(q.FocusWords) < 4 {
		t.Errorf("focus words %q, want the context's too", q.FocusWords)
	}
	// A lone capitalised word opening a sentence, a weekday and a
	// nationality are not names to find.
	q = answer.ParseQuestion("In response, Mexican President Claudia Sheinbaum spoke on Thursday. What did American officials say?", time.Time{})
	for _, n := range q.Names {
		if n == "In" || n == "Thursday" || n == "American" {
			t.Errorf("names %q", q.Names)
		}
	}
}

// A question worded far from the articles is not answered extractively,
// but its evidence is plausible: the model sees it and judges.
func TestModelJudgesWhatExtractionWouldDecline(t *testing.T) {
	db, _ := journalistCases(t)
	const q = "After eleven days of shelling, which senior diplomat went on television to tell the nation the guns would fall quiet on the river?"
	plain, err := (&answer.Service{Retriever: &answer.Retriever{Store: db}}).Ask(context.Background(), q, nil, nil)
	if err != nil || !plain.NoAnswer {
		t.Fatalf("without a model: %+v %v; want a decline (else this test proves nothing)", plain, err)
	}
	_, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		cite := answertest.Block(answertest.Prompt(req), "Imran Qadeer")
		return answertest.Reply{Text: "Foreign Secretary Imran Qadeer announced the truce [" + strconv.Itoa(cite) + "]."}
	})
	a, err := (&answer.Service{Retriever: &answer.Retriever{Store: db}, LLM: g}).Ask(context.Background(), q, nil, nil)
	if err != nil || !a.Grounded || a.Method != answer.MethodLLM {
		t.Errorf("with a model: %+v %v", a, err)
	}
}
