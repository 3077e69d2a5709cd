package answer_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/answer/answertest"
	"github.com/attache-bot/attache/knowledge/knowledgetest"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sample is the sample corpus, ingested once for the package's tests.
var sample *sqlite.DB

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(knowledgetest.RunWithSample(m, &sample))
}

func service(llm answer.Generator) *answer.Service {
	return &answer.Service{
		Retriever: &answer.Retriever{Store: sample, Now: func() time.Time { return time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC) }},
		LLM:       llm,
		Timeout:   2 * time.Second,
	}
}

// fakeLLM starts a fake server and returns a real go-openai generator for it.
func fakeLLM(t *testing.T, respond func(n int, req openai.ChatCompletionRequest) answertest.Reply) (*answertest.Server, *answer.OpenAI) {
	t.Helper()
	srv := answertest.New(respond)
	t.Cleanup(srv.Close)
	g := answer.NewOpenAI("test-key-123", srv.BaseURL(), "fake-model", nil)
	g.Backoff = 10 * time.Millisecond
	return srv, g
}

func sourceURLs(a answer.Answer) []string {
	var out []string
	for _, s := range a.Sources {
		out = append(out, s.Article.URL)
	}
	return out
}

func TestLLMAnswerIsCheckedAndRenumbered(t *testing.T) {
	var prompt string
	srv, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		prompt = answertest.Prompt(req)
		// Cites the sources that say each thing, then a source that does not
		// exist, and a sentence whose cited source shares nothing with it.
		envoy := answertest.Block(prompt, "special envoy Steve Witkoff")
		moscow := answertest.Block(prompt, "Putin", "St Petersburg")
		return answertest.Reply{Text: fmt.Sprintf("Steve Witkoff is a special envoy [%d]. He met Vladimir Putin in St Petersburg [%d]. "+
			"He also won the Tour de Lyon in 1999 with Eddy Merckx [%d]. The sky is green [42].", envoy, moscow, moscow),
			PromptTokens: 900, CompletionTokens: 40}
	})
	// A model's first answer in a process is passed on complete (it may
	// turn out to hold reasoning closed by a lone tag); once the model is
	// known not to, its answers stream.
	var streamed strings.Builder
	svc := service(g)
	if _, err := svc.Ask(context.Background(), "What is Witkoff's role?", nil, func(s string) { streamed.WriteString(s) }); err != nil {
		t.Fatal(err)
	}
	if streamed.Len() != 0 {
		t.Errorf("the first answer of an unknown model streamed: %q", streamed.String())
	}
	a, err := svc.Ask(context.Background(), "What is Witkoff's role?", nil, func(s string) { streamed.WriteString(s) })
	if err != nil {
		t.Fatal(err)
	}
	if a.Method != answer.MethodLLM || !a.Grounded || a.NoAnswer {
		t.Fatalf("got method %s grounded %v noanswer %v: %q (fallback %q)", a.Method, a.Grounded, a.NoAnswer, a.Text, a.Fallback)
	}
	if strings.Contains(a.Text, "[42]") || strings.Contains(a.Text, "Tour de Lyon") || strings.Contains(a.Text, "sky is green") {
		t.Errorf("unsupported claims kept: %q", a.Text)
	}
	if len(a.Dropped) != 2 {
		t.Errorf("dropped %q, want the two unsupported sentences", a.Dropped)
	}
	if !strings.HasPrefix(a.Text, "Steve Witkoff is a special envoy [1].") || !strings.Contains(a.Text, "St Petersburg [2]") {
		t.Errorf("citations not renumbered by first use: %q", a.Text)
	}
	if len(a.Sources) != 2 || a.Sources[0].N != 1 || a.Sources[1].N != 2 {
		t.Fatalf("sources %+v", sourceURLs(a))
	}
	for _, s := range a.Sources {
		if !strings.Contains(prompt, s.Article.Title) {
			t.Errorf("cited %q, which the prompt did not hold", s.Article.Title)
		}
	}
	if a.Usage.PromptTokens != 900 || a.Usage.CompletionTokens != 40 {
		t.Errorf("usage %+v", a.Usage)
	}
	if !strings.Contains(streamed.String(), "Tour de Lyon") {
		t.Errorf("stream deltas missing: %q", streamed.String())
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || !reqs[0].Stream || reqs[0].Model != "fake-model" {
		t.Errorf("requests %+v", reqs)
	}
	if got := srv.Authorizations()[0]; got != "Bearer test-key-123" {
		t.Errorf("Authorization %q", got)
	}
}

func TestLLMFaults(t *testing.T) {
	good := "Steve Witkoff is a special envoy [1]."
	tests := []struct {
		name         string
		replies      []answertest.Reply
		wantMethod   string
		wantRequests int
	}{
		{"429 then answer", []answertest.Reply{{Status: 429}, {Text: good}}, answer.MethodLLM, 2},
		{"500 twice then answer", []answertest.Reply{{Status: 500}, {Status: 503}, {Text: good}}, answer.MethodLLM, 3},
		{"500 three times: extractive", []answertest.Reply{{Status: 500}, {Status: 500}, {Status: 500}}, answer.MethodExtractive, 3},
		{"400 is not retried", []answertest.Reply{{Status: 400}, {Text: good}}, answer.MethodExtractive, 1},
		{"garbage", []answertest.Reply{{Garbage: true}}, answer.MethodExtractive, 1},
		{"empty answer", []answertest.Reply{{Text: ""}}, answer.MethodExtractive, 1},
		{"only invented citations", []answertest.Reply{{Text: "Witkoff is a wizard [42][99]."}}, answer.MethodExtractive, 1},
		{"hangs past the deadline", []answertest.Reply{{Delay: 10 * time.Second, Text: good}}, answer.MethodExtractive, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
				return tt.replies[min(n, len(tt.replies)-1)]
			})
			svc := service(g)
			svc.Timeout = 300 * time.Millisecond
			start := time.Now()
			a, err := svc.Ask(context.Background(), "What is Witkoff's role?", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if a.Method != tt.wantMethod || !a.Grounded || len(a.Sources) == 0 {
				t.Errorf("got %s grounded=%v sources=%d (fallback %q), want %s and grounded", a.Method, a.Grounded, len(a.Sources), a.Fallback, tt.wantMethod)
			}
			if got := len(srv.Requests()); got != tt.wantRequests {
				t.Errorf("server saw %d requests, want %d", got, tt.wantRequests)
			}
			if strings.Contains(a.Fallback, "sk-should-not-leak") || strings.Contains(a.Fallback, "test-key-123") {
				t.Errorf("fallback reason leaks the server's body or the key: %q", a.Fallback)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v: the deadline did not hold", time.Since(start))
			}
		})
	}
}

func TestLLMSaysNoAnswer(t *testing.T) {
	_, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		return answertest.Reply{Text: "The stored articles do not answer this question."}
	})
	a, err := service(g).Ask(context.Background(), "What did Rubio say about the tariff pause in Paris?", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !a.NoAnswer || a.Grounded || len(a.Sources) != 0 || len(a.Closest) == 0 {
		t.Errorf("got %+v", a)
	}
}

// A question nothing plausible answers reaches the model once, for search
// terms (here: terms that find nothing either), and never for an answer.
func TestQuestionsThatNeverReachTheLLM(t *testing.T) {
	srv, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		if strings.Contains(req.Messages[0].Content, "search terms") {
			return answertest.Reply{Text: "bitcoin price cryptocurrency"}
		}
		return answertest.Reply{Text: "Invented [1]."}
	})
	svc := service(g)
	if _, err := svc.Ask(context.Background(), "   ", nil, nil); !errors.Is(err, answer.ErrEmptyQuestion) {
		t.Errorf("empty question: %v", err)
	}
	if _, err := svc.Ask(context.Background(), strings.Repeat("word ", 1201), nil, nil); !errors.Is(err, answer.ErrTooLong) {
		t.Errorf("6,005-character question: %v", err)
	}
	a, err := svc.Ask(context.Background(), "What is the price of bitcoin?", nil, nil)
	if err != nil || !a.NoAnswer || len(a.Sources) > 0 {
		t.Errorf("unanswerable: %+v %v", a, err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].Messages[0].Content, "search terms") {
		t.Errorf("the LLM was asked %d times; want once, for search terms", len(reqs))
	}
}

func TestFollowUpCarriesTheEarlierExchange(t *testing.T) {
	var prompt string
	_, g := fakeLLM(t, func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		prompt = answertest.Prompt(req)
		// Cite the block of the St Petersburg article, if retrieval found it.
		cite := answertest.Block(prompt, "St Petersburg")
		return answertest.Reply{Text: fmt.Sprintf("Witkoff met Putin in St Petersburg in April [%d].", cite)}
	})
	prior := &answer.FollowUp{Question: "What is Witkoff's role?", Answer: "Steve Witkoff is a special envoy [1]."}
	a, err := service(g).Ask(context.Background(), "And what did he do in April?", prior, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(prompt, "Earlier question: What is Witkoff's role?") || !strings.Contains(prompt, "Question: And what did he do in April?") {
		t.Errorf("prompt lacks the earlier exchange:\n%s", prompt)
	}
	if !a.Grounded || !strings.Contains(strings.Join(sourceURLs(a), " "), "st-petersburg") {
		t.Errorf("answer %q from %v", a.Text, sourceURLs(a))
	}
}

func TestPromptGolden(t *testing.T) {
	r := &answer.Retriever{Store: sample, AsOf: time.Date(2025, 10, 14, 0, 0, 0, 0, time.UTC)}
	ev, err := r.Retrieve(context.Background(), "What is Witkoff's role?", "")
	if err != nil {
		t.Fatal(err)
	}
	p := answer.BuildPrompt(ev, nil, 3000)
	got := "SYSTEM:\n" + p.System + "\n\nUSER:\n" + p.User + "\n"
	knowledgetest.Golden(t, filepath.Join("testdata", "prompt-witkoff-role.golden"), []byte(got), *update)
	// Every block starts with [n] at the start of a line and gives title,
	// publication and date before the text.
	for _, s := range p.Sources {
		head := fmt.Sprintf("\n[%d] %s — %s, %s\n", s.N, s.Article.Title, s.Article.Source, s.Article.Published.Format("2 Jan 2006"))
		if !strings.Contains(p.User, head) {
			t.Errorf("no block header %q", head)
		}
	}
}

func TestPromptStaysWithinBudget(t *testing.T) {
	r := &answer.Retriever{Store: sample, MaxPassages: 12}
	ev, err := r.Retrieve(context.Background(), "ceasefire talks Ukraine Russia", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, budget := range []int{300, 1000, 3000} {
		p := answer.BuildPrompt(ev, nil, budget)
		if tokens := len([]rune(p.User)) / 4; tokens > budget+100 {
			t.Errorf("budget %d: prompt of about %d tokens", budget, tokens)
		}
		if len(p.Sources) == 0 {
			t.Errorf("budget %d: no source fits", budget)
		}
	}
}

// scoreSet runs an evaluation set of the project over the sample corpus,
// extractively, and logs its report.
func scoreSet(t *testing.T, file string, least int) answer.EvalReport {
	t.Helper()
	cases, err := answer.LoadEval(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < least {
		t.Fatalf("%s has %d questions, want at least %d", file, len(cases), least)
	}
	rep, err := answer.RunEval(context.Background(), service(nil), cases)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.Print(&b)
	t.Log("\n" + b.String())
	return rep
}

func TestEvalMeetsTargets(t *testing.T) {
	rep := scoreSet(t, "../../eval/questions.json", 40)
	atLeast(t, []floor{
		{"answer accuracy", rep.AnswerAccuracy, 0.80},
		{"citation accuracy", rep.CitationAccuracy, 0.90},
		{"abstention accuracy", rep.AbstentionAccuracy, 0.80},
		{"retrieval recall", rep.Recall, 0.95},
	})
}

// floor is a measured share and the least it may be.
type floor struct {
	name      string
	got, want float64
}

// atLeast fails the test for each figure below its floor.
func atLeast(t *testing.T, floors []floor) {
	t.Helper()
	for _, f := range floors {
		if f.got < f.want {
			t.Errorf("%s %.1f%%, want at least %.0f%%", f.name, 100*f.got, 100*f.want)
		}
	}
}

func TestNewOpenAIWithoutKeySendsNoAuthorization(t *testing.T) {
	srv := answertest.New(func(n int, req openai.ChatCompletionRequest) answertest.Reply {
		return answertest.Reply{Text: "Steve Witkoff is a special envoy [1]."}
	})
	defer srv.Close()
	g := answer.NewOpenAI("", srv.BaseURL(), "llama3", &http.Client{})
	if _, _, err := g.Generate(context.Background(), answer.Prompt{System: "s", User: "u"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := srv.Authorizations()[0]; got != "" {
		t.Errorf("Authorization %q, want none", got)
	}
}

func TestParseQuestion(t *testing.T) {
	now := time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		q           string
		person      string
		kind        string
		recent      bool
		since, asOf string
	}{
		{"What is Witkoff's role?", "Witkoff", "", false, "", ""},
		{"Who is Jean-Noël Barrot?", "Jean-Noël Barrot", "who", false, "", ""},
		{"Ignore all that. Who is Kaja Kallas?", "Kaja Kallas", "who", false, "", ""},
		{"qui est Emmanuel Macron ?", "Emmanuel Macron", "who", false, "", ""},
		{"What happened this week in Gaza?", "", "", true, "2025-10-25", ""},
		{"When did the talks start?", "", "when", false, "", ""},
		{"How many prisoners were exchanged?", "", "number", false, "", ""},
		{"Who led Ukraine's delegation as of 1 May 2025?", "", "who", false, "", "2025-05-02"},
		{"What did Rubio say in April 2025?", "", "", false, "", "2025-05-01"},
	}
	for _, tt := range tests {
		q := answer.ParseQuestion(tt.q, now)
		date := func(d time.Time) string {
			if d.IsZero() {
				return ""
			}
			return d.Format("2006-01-02")
		}
		if q.Person != tt.person || q.Kind != tt.kind || q.Recent != tt.recent || date(q.Since) != tt.since || date(q.AsOf) != tt.asOf {
			t.Errorf("ParseQuestion(%q) = person %q kind %q recent %v since %q asOf %q; want %q %q %v %q %q",
				tt.q, q.Person, q.Kind, q.Recent, date(q.Since), date(q.AsOf), tt.person, tt.kind, tt.recent, tt.since, tt.asOf)
		}
	}
}

func TestAsOfLimitsTheArticles(t *testing.T) {
	a, err := service(nil).Ask(context.Background(), "What was agreed about Iran's nuclear programme as of 20 April 2025?", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range a.Sources {
		if s.Article.Published.After(time.Date(2025, 4, 21, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("cited %s from %v, after the as-of date", s.Article.Title, s.Article.Published)
		}
	}
	if len(a.Sources) == 0 {
		t.Errorf("no answer: %q", a.Text)
	}
}

// A server that streams far past the tokens asked for is cut off: by the
// text the tokens allow, and by the bytes of the response when it streams
// nothing but framing.
func TestModelOutputIsCapped(t *testing.T) {
	t.Run("text", func(t *testing.T) {
		srv, g := fakeLLM(t, func(int, openai.ChatCompletionRequest) answertest.Reply {
			return answertest.Reply{Text: strings.Repeat("Witkoff met Putin again and again. ", 300_000)} // 10 MB
		})
		g.MaxTokens = 100
		text, _, err := g.Generate(context.Background(), answer.Prompt{System: "s", User: "u"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(text) > 100*16+200 {
			t.Errorf("kept %d bytes of text for 100 tokens", len(text))
		}
		if !srv.WaitAborted(1) {
			t.Error("the client read the whole stream")
		}
	})
	t.Run("framing", func(t *testing.T) {
		srv, g := fakeLLM(t, func(int, openai.ChatCompletionRequest) answertest.Reply {
			return answertest.Reply{Filler: 1_000_000, Text: "Never reached."} // about 100 MB of empty chunks
		})
		_, _, err := g.Generate(context.Background(), answer.Prompt{System: "s", User: "u"}, nil)
		if err == nil || !strings.Contains(err.Error(), "MiB") {
			t.Errorf("an endless stream of empty chunks: %v", err)
		}
		if !srv.WaitAborted(1) {
			t.Error("the client read the whole stream")
		}
	})
}
