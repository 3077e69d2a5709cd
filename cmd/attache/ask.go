package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// newAnswerer wires retrieval and, when configured, the LLM.
func (m *Main) newAnswerer(db knowledge.Store) *answer.Service {
	s := &answer.Service{
		Retriever:    &answer.Retriever{Store: db, Now: m.now},
		Log:          m.Log,
		PromptTokens: m.Config.PromptTokens,
		Timeout:      m.Config.LLMTimeout,
	}
	s.LLM = m.newLLM()
	return s
}

// newLLM returns the configured LLM, or nil (a nil interface) when there
// is none. Every caller shares one client, so that what it learns of the
// server (the parameters it refuses, whether the model thinks) holds for
// answers, summaries and digests alike.
func (m *Main) newLLM() answer.Generator {
	if !m.Config.LLMConfigured() {
		return nil
	}
	if m.llm == nil {
		m.llm = m.openAIClient()
	}
	return m.llm
}

// openAIClient is a new client for the configured server.
func (m *Main) openAIClient() *answer.OpenAI {
	c := answer.NewOpenAI(m.Config.OpenAIKey, m.Config.OpenAIBaseURL, m.Config.OpenAIModel, nil)
	c.ReasoningEffort = m.Config.ReasoningEffort
	c.MaxTokens = m.Config.LLMMaxTokens
	c.ThinkingTokens = m.Config.ThinkingTokens
	c.Log = m.Log
	return c
}

// jsonAnswer is `attache ask --json`.
type jsonAnswer struct {
	Question string       `json:"question"`
	Answer   string       `json:"answer"`
	Grounded bool         `json:"grounded"`
	NoAnswer bool         `json:"no_answer"`
	Method   string       `json:"method"`
	AsOf     *time.Time   `json:"as_of,omitempty"`
	Sources  []jsonSource `json:"sources"`
	Closest  []jsonSource `json:"closest,omitempty"`
	Dropped  []string     `json:"dropped,omitempty"`
}

type jsonSource struct {
	N         int       `json:"n,omitempty"`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	Published time.Time `json:"published"`
	URL       string    `json:"url"`
}

func (m *Main) runAsk(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	asOfFlag := fs.String("as-of", "", "ask as of this `DATE` (YYYY-MM-DD): \"this week\" and \"latest\" are relative to it, later articles do not count")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(pos, " "))
	if question == "" {
		return usagef("ask: give a question, e.g. attache ask \"What is Witkoff's role?\"")
	}
	var asOf time.Time
	if *asOfFlag != "" {
		if asOf, err = time.Parse(time.DateOnly, *asOfFlag); err != nil {
			return usagef("ask: --as-of %q is not a date; give YYYY-MM-DD", *asOfFlag)
		}
	}
	db, err := m.readDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	return m.ask(ctx, db, question, asOf, *asJSON)
}

// ask answers a question, as of a day when asOf is set.
func (m *Main) ask(ctx context.Context, db knowledge.Store, question string, asOf time.Time, asJSON bool) error {
	svc := m.newAnswerer(db)
	svc.Retriever.AsOf = asOf
	a, err := svc.Ask(ctx, question, nil, nil)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(m.Stdout, toJSON(a))
	}
	printAnswer(m.Stdout, a)
	return nil
}

func toJSON(a answer.Answer) jsonAnswer {
	j := jsonAnswer{Question: a.Question, Answer: a.Text, Grounded: a.Grounded, NoAnswer: a.NoAnswer, Method: a.Method,
		Dropped: a.Dropped, Sources: []jsonSource{}}
	if !a.AsOf.IsZero() {
		j.AsOf = &a.AsOf
	}
	for _, s := range a.Sources {
		j.Sources = append(j.Sources, jsonSource{s.N, s.Article.Title, s.Article.Source, s.Article.Published, s.Article.URL})
	}
	for _, c := range a.Closest {
		j.Closest = append(j.Closest, jsonSource{0, c.Title, c.Source, c.Published, c.URL})
	}
	return j
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printAnswer writes an answer and its numbered sources for a terminal.
func printAnswer(w io.Writer, a answer.Answer) {
	fmt.Fprintf(w, "%s\n", safe(a.Text))
	if len(a.Sources) > 0 {
		fmt.Fprintln(w, "\nSources:")
		for _, s := range a.Sources {
			fmt.Fprintf(w, "  [%d] %s — %s, %s\n      %s\n", s.N, safeLine(s.Article.Title), safeLine(sourceName(s.Article)),
				s.Article.Day(), safeLine(s.Article.URL))
		}
		fmt.Fprintf(w, "\nAs of %s · %s answer\n", a.AsOf.Format("2 Jan 2006"), a.Method)
	}
	if a.NoAnswer && len(a.Closest) > 0 {
		fmt.Fprintln(w, "\nThe closest stored articles:")
		for _, c := range a.Closest {
			fmt.Fprintf(w, "  - %s — %s, %s\n    %s\n", safeLine(c.Title), safeLine(sourceName(c)), c.Day(), safeLine(c.URL))
		}
	}
}

func (m *Main) runWhois(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("whois", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(strings.Join(pos, " "))
	if name == "" {
		return usagef("whois: give a name, e.g. attache whois Witkoff")
	}
	db, err := m.readDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	people, err := db.WhoIs(ctx, name)
	if err != nil {
		return err
	}
	if *asJSON {
		type mention struct {
			Role      string    `json:"role"`
			Published time.Time `json:"published"`
			Title     string    `json:"article"`
			Source    string    `json:"source"`
			URL       string    `json:"url"`
		}
		type office struct {
			Office     string    `json:"office"`
			Head       string    `json:"head"`
			Scope      string    `json:"scope,omitempty"`
			Qualifiers []string  `json:"qualifiers,omitempty"`
			First      time.Time `json:"first"`
			Last       time.Time `json:"last"`
			Mentions   []mention `json:"mentions"`
		}
		type person struct {
			Name    string   `json:"name"`
			Offices []office `json:"offices"`
		}
		out := []person{}
		for _, p := range people {
			jp := person{Name: p.Person.Name, Offices: []office{}}
			for _, o := range p.Offices() {
				jo := office{Office: o.Title, Head: o.Head, Scope: o.Scope, Qualifiers: o.Qualifiers, First: o.First, Last: o.Last}
				for _, r := range o.Mentions {
					jo.Mentions = append(jo.Mentions, mention{r.Title, r.Article.Published, r.Article.Title, r.Article.Source, r.Article.URL})
				}
				jp.Offices = append(jp.Offices, jo)
			}
			out = append(out, jp)
		}
		return writeJSON(m.Stdout, out)
	}
	if len(people) == 0 {
		fmt.Fprintf(m.Stdout, "No stored article names %q with a title.\n", name)
		return nil
	}
	for _, p := range people {
		offices := p.Offices()
		fmt.Fprintf(m.Stdout, "%s\n", safeLine(p.Person.Name))
		for i, o := range offices {
			fmt.Fprintf(m.Stdout, "  %s — %s [%d]\n", commands.OfficeSpan(o), safeLine(o.Title), i+1)
			if others := otherNames(o); others != "" {
				fmt.Fprintf(m.Stdout, "      also named: %s\n", safeLine(others))
			}
		}
		fmt.Fprintln(m.Stdout, "  Sources:")
		for i, o := range offices {
			r := o.Named
			fmt.Fprintf(m.Stdout, "    [%d] %s — %s, %s  %s\n", i+1, safeLine(r.Article.Title), safeLine(sourceName(r.Article)), r.Article.Day(), safeLine(r.Article.URL))
		}
	}
	return nil
}

// otherNames are the other ways the articles named an office.
func otherNames(o knowledge.Office) string {
	seen := map[string]bool{strings.ToLower(o.Title): true}
	var out []string
	for _, r := range o.Mentions {
		k := strings.ToLower(r.Title)
		if !seen[k] && !strings.HasPrefix(k, strings.ToLower(o.Title)) {
			seen[k] = true
			out = append(out, r.Title)
		}
	}
	return strings.Join(out, "; ")
}

func (m *Main) newSummarizer(db knowledge.Store) *answer.Summarizer {
	return &answer.Summarizer{Store: db, LLM: m.newLLM(), PromptTokens: m.Config.PromptTokens, Timeout: 2 * m.Config.LLMTimeout, Log: m.Log, Now: m.now}
}

func (m *Main) runSummarize(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("summarize", flag.ContinueOnError)
	days := fs.Int("days", 7, "the window: the last N days (0 for all stored news)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *days < 0 {
		return usagef("summarize: --days must be 0 or more")
	}
	db, err := m.readDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	req := answer.SummaryRequest{Topic: strings.TrimSpace(strings.Join(pos, " "))}
	if *days > 0 {
		req.Since = m.now().AddDate(0, 0, -*days)
	}
	a, err := m.newSummarizer(db).Summarize(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, toJSON(a))
	}
	if a.NoAnswer && *days > 0 {
		fmt.Fprintf(m.Stdout, "No stored article in the last %d days matches. Try --days 0 for all stored news.\n", *days)
		if len(a.Closest) > 0 {
			fmt.Fprintln(m.Stdout, "\nThe latest stored articles:")
			for _, c := range a.Closest {
				fmt.Fprintf(m.Stdout, "  - %s — %s, %s\n    %s\n", c.Title, sourceName(c), c.Day(), c.URL)
			}
		}
		return nil
	}
	printAnswer(m.Stdout, a)
	return nil
}

// runTimeline prints a topic's story so far, dated and cited.
func (m *Main) runTimeline(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("timeline", flag.ContinueOnError)
	days := fs.Int("days", 0, "only the last N days (0: all stored news)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	topic := strings.TrimSpace(strings.Join(pos, " "))
	if topic == "" {
		return usageError{msg: "timeline: give a topic, e.g. attache timeline \"Iran nuclear talks\"", fs: fs}
	}
	if *days < 0 {
		return usagef("timeline: --days must be 0 or more")
	}
	db, err := m.readDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	var since time.Time
	if *days > 0 {
		since = m.now().AddDate(0, 0, -*days)
	}
	a, err := m.newAnswerer(db).Timeline(ctx, topic, since, time.Time{})
	if errors.Is(err, answer.ErrEmptyQuestion) {
		return usagef("timeline: %q names no story; give a topic, e.g. \"Iran nuclear talks\"", topic)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, toJSON(a))
	}
	printAnswer(m.Stdout, a)
	return nil
}
