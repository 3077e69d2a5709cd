package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// Hand-written fakes with function fields.
type fakeAsker struct {
	ask func(q string, prior *answer.FollowUp, onDelta func(string)) (answer.Answer, error)
}

func (f fakeAsker) Ask(ctx context.Context, q string, prior *answer.FollowUp, onDelta func(string)) (answer.Answer, error) {
	return f.ask(q, prior, onDelta)
}

type fakeSearcher struct {
	search func(q string, opt knowledge.SearchOptions) ([]knowledge.Hit, error)
}

func (f fakeSearcher) Search(ctx context.Context, q string, opt knowledge.SearchOptions) ([]knowledge.Hit, error) {
	return f.search(q, opt)
}

func (f fakeSearcher) Outlets(ctx context.Context, typed string, limit int) ([]string, error) {
	var out []string
	for _, o := range []string{"Gulf Monitor", "Kyiv Dispatch"} {
		if strings.Contains(strings.ToLower(o), strings.ToLower(typed)) {
			out = append(out, o)
		}
	}
	return out, nil
}

type fakePeople struct {
	whois  func(name string) ([]knowledge.PersonRoles, error)
	people func(prefix string) ([]knowledge.Person, error)
}

func (f fakePeople) WhoIs(ctx context.Context, name string) ([]knowledge.PersonRoles, error) {
	return f.whois(name)
}
func (f fakePeople) People(ctx context.Context, prefix string, limit int) ([]knowledge.Person, error) {
	return f.people(prefix)
}

type fakeStats struct{ st knowledge.Stats }

func (f fakeStats) Stats(ctx context.Context) (knowledge.Stats, error) { return f.st, nil }

type fakeSummarizer struct {
	sum func(r answer.SummaryRequest) (answer.Answer, error)
}

func (f fakeSummarizer) Summarize(ctx context.Context, r answer.SummaryRequest) (answer.Answer, error) {
	return f.sum(r)
}

var now = time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)

func art(id int64, title string, day int) knowledge.Article {
	return knowledge.Article{ID: id, Title: title, Source: "Wire", URL: "https://w.example/" + title, Published: time.Date(2025, 4, day, 0, 0, 0, 0, time.UTC)}
}

func deps() commands.Deps {
	return commands.Deps{
		Now: func() time.Time { return now },
		Asker: fakeAsker{func(q string, prior *answer.FollowUp, onDelta func(string)) (answer.Answer, error) {
			if onDelta != nil {
				onDelta("Witkoff is ")
			}
			return answer.Answer{Question: q, Text: "Witkoff is an envoy [1].", Grounded: true,
				Sources: []answer.Source{{N: 1, Article: art(1, "envoy", 16)}}}, nil
		}},
		Searcher: fakeSearcher{func(q string, opt knowledge.SearchOptions) ([]knowledge.Hit, error) {
			if q == "boom" {
				return nil, errors.New("disk failure")
			}
			return []knowledge.Hit{{Article: art(1, "a", 10), Snippet: "first snippet"}, {Article: art(2, "b", 12), Snippet: "second"}}, nil
		}},
		People: fakePeople{
			whois: func(name string) ([]knowledge.PersonRoles, error) {
				return []knowledge.PersonRoles{{Person: knowledge.Person{ID: 1, Name: "Steve Witkoff"}, Roles: []knowledge.Role{
					{Title: "special envoy", Article: art(3, "c", 17)}, {Title: "envoy", Article: art(4, "d", 11)}}}}, nil
			},
			people: func(prefix string) ([]knowledge.Person, error) {
				return []knowledge.Person{{ID: 1, Name: "Steve Witkoff"}}, nil
			},
		},
		Stats: fakeStats{knowledge.Stats{Articles: 24, Sources: 6, Newest: time.Date(2025, 10, 13, 0, 0, 0, 0, time.UTC)}},
		Summarizer: fakeSummarizer{func(r answer.SummaryRequest) (answer.Answer, error) {
			return answer.Answer{Text: "sum", NoAnswer: r.Topic == "nothing"}, nil
		}},
		Timelines: fakeTimeliner(func(topic string, since time.Time) (answer.Answer, error) {
			if strings.TrimSpace(topic) == "" {
				return answer.Answer{}, answer.ErrEmptyQuestion
			}
			if topic == "nothing" {
				return answer.Answer{NoAnswer: true}, nil
			}
			return answer.Answer{Text: fmt.Sprintf("- **13 Apr 2025**: %s since %s [1]", topic, since.Format(time.DateOnly)), Grounded: true,
				Sources: []answer.Source{{N: 1, Article: art(1, "t", 13)}}}, nil
		}),
	}
}

type fakeTimeliner func(topic string, since time.Time) (answer.Answer, error)

func (f fakeTimeliner) Timeline(ctx context.Context, topic string, since, until time.Time) (answer.Answer, error) {
	return f(topic, since)
}

func find(t *testing.T, name string) commands.Command {
	t.Helper()
	for _, c := range commands.All(deps()) {
		if c.Definition.Name == name {
			return c
		}
	}
	t.Fatalf("no command %s", name)
	return commands.Command{}
}

func TestHandlers(t *testing.T) {
	tests := []struct {
		name     string
		command  string
		options  map[string]any
		wantText string // substring of the reply, or of the user error
		wantCode string // user error code, "" for success
		internal bool   // an error that is not for users
	}{
		{"ask", "ask", map[string]any{"question": "What is Witkoff's role?"}, "envoy [1]", "", false},
		{"ask empty", "ask", map[string]any{"question": "   "}, "Ask a question", "empty", false},
		{"ask too long", "ask", map[string]any{"question": strings.Repeat("x", answer.MaxQuestionChars+1)}, "too long", "too-long", false},
		{"search", "search", map[string]any{"query": "Witkoff", "days": int64(7)}, "**1.** first snippet [1]", "", false},
		{"search empty", "search", map[string]any{"query": ""}, "Give some words", "empty", false},
		{"search bad days", "search", map[string]any{"query": "x", "days": int64(0)}, "between 1 and 3650", "bad-days", false},
		{"search store failure", "search", map[string]any{"query": "boom"}, "", "", true},
		{"whois", "whois", map[string]any{"name": "Witkoff"}, "- 17 Apr 2025: special envoy [1]", "", false},
		{"whois empty", "whois", map[string]any{}, "Give a name", "empty", false},
		{"summarize nothing", "summarize", map[string]any{"topic": "nothing", "days": int64(3)}, "last 3 days", "", false},
		{"summarize bad days", "summarize", map[string]any{"days": int64(400)}, "between 1 and 365", "bad-days", false},
		{"timeline", "timeline", map[string]any{"topic": "Iran talks"}, "Iran talks since 0001-01-01 [1]", "", false},
		{"timeline of 30 days", "timeline", map[string]any{"topic": "Iran talks", "days": int64(30)}, "since " + now.AddDate(0, 0, -30).Format(time.DateOnly), "", false},
		{"timeline empty", "timeline", map[string]any{"topic": " "}, "Name a story", "empty", false},
		{"timeline bad days", "timeline", map[string]any{"topic": "x", "days": int64(0)}, "between 1 and 3650", "bad-days", false},
		{"timeline of nothing", "timeline", map[string]any{"topic": "nothing"}, "No stored article reports", "", false},
		{"help", "help", nil, "**24 articles** from **6 outlets**; the newest is from **13 Oct 2025**", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var progress []string
			req := commands.Request{Command: tt.command, Options: tt.options, UserID: "u1", Progress: func(s string) { progress = append(progress, s) }}
			if req.Options == nil {
				req.Options = map[string]any{}
			}
			reply, err := find(t, tt.command).Handle(context.Background(), req)
			ue, isUser := commands.AsUserError(err)
			switch {
			case tt.internal:
				if err == nil || isUser {
					t.Fatalf("got %v, want an internal error", err)
				}
			case tt.wantCode != "":
				if !isUser || ue.Code != tt.wantCode || !strings.Contains(ue.Message, tt.wantText) {
					t.Fatalf("got %v, want user error %s containing %q", err, tt.wantCode, tt.wantText)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(reply.Answer.Text, tt.wantText) {
					t.Errorf("reply %q, want it to contain %q", reply.Answer.Text, tt.wantText)
				}
			}
			if tt.command == "ask" && tt.wantCode == "" && len(progress) == 0 {
				t.Error("ask did not pass progress through")
			}
		})
	}
}

func TestWhoisAutocomplete(t *testing.T) {
	c := find(t, "whois")
	got, err := c.Autocomplete(context.Background(), commands.Request{Focused: "name", Options: map[string]any{"name": "wit"}})
	if err != nil || len(got) != 1 || got[0].Name != "Steve Witkoff" {
		t.Errorf("got %v %v", got, err)
	}
}

func TestDefinitionsAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands.All(deps()) {
		d := c.Definition
		if seen[d.Name] || d.Name != strings.ToLower(d.Name) || len(d.Name) > 32 || d.Description == "" || len(d.Description) > 100 {
			t.Errorf("bad definition %+v", d)
		}
		seen[d.Name] = true
		for _, o := range d.Options {
			if len(o.Description) > 100 || o.Name != strings.ToLower(o.Name) {
				t.Errorf("%s: bad option %+v", d.Name, o)
			}
		}
		if c.Handle == nil {
			t.Errorf("%s has no handler", d.Name)
		}
	}
}
