package commands

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge/answer"
)

// SourceAsker answers from one outlet's articles.
type SourceAsker interface {
	AskSource(ctx context.Context, question, source string, prior *answer.FollowUp, onDelta func(string)) (answer.Answer, error)
}

// Ask is /ask question [source]: a cited answer from the stored articles
// (of one outlet, when given).
func Ask(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{
			Name:        "ask",
			Description: "Ask about diplomatic news; the answer cites the articles it comes from",
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "question", Required: true,
				Description: "Your question, e.g. What is Witkoff's role?", MaxLength: answer.MaxQuestionChars, Autocomplete: true,
			}, {Type: discordgo.ApplicationCommandOptionString, Name: "source", Description: "Only this outlet", MaxLength: 100, Autocomplete: true}},
		},
		// While a question is typed, the people whose names its last word
		// begins are offered as questions about them: a suggestion, never
		// a constraint.
		Autocomplete: func(ctx context.Context, req Request) ([]Choice, error) {
			if req.Focused == "source" {
				return outletChoices(d)(ctx, req)
			}
			typed := req.String("question")
			f := strings.Fields(typed)
			if d.People == nil || len(f) == 0 || utf8.RuneCountInString(f[len(f)-1]) < 3 {
				return nil, nil
			}
			people, err := d.People.People(ctx, strings.Trim(f[len(f)-1], "?.,!'’"), 10)
			if err != nil {
				return nil, fmt.Errorf("ask autocomplete: %w", err)
			}
			var out []Choice
			for _, p := range people {
				for _, q := range []string{"What is %s's role?", "Who is %s?", "What did %s do this month?"} {
					s := fmt.Sprintf(q, p.Name)
					if utf8.RuneCountInString(s) <= 100 {
						out = append(out, Choice{Name: s, Value: s})
					}
				}
			}
			if len(out) > 25 {
				out = out[:25]
			}
			return out, nil
		},
		UsesLLM: true,
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			q := req.String("question")
			if err := answer.CheckQuestion(q); err != nil {
				return Reply{}, questionError(err)
			}
			var a answer.Answer
			var err error
			if src, ok := d.Asker.(SourceAsker); ok && req.String("source") != "" {
				a, err = src.AskSource(ctx, q, req.String("source"), req.Prior, req.Progress)
			} else {
				a, err = d.Asker.Ask(ctx, q, req.Prior, req.Progress)
			}
			if err != nil {
				return Reply{}, fmt.Errorf("ask: %w", questionError(err))
			}
			// Any answer can be followed up ("and in March?"), grounded
			// or not: the next question is read with this one.
			return Reply{Answer: a, Remember: &answer.FollowUp{Question: q, Answer: a.Text}}, nil
		},
	}
}
