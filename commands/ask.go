package commands

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge/answer"
)

// Ask is /ask question: a cited answer from the stored articles.
func Ask(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{
			Name:        "ask",
			Description: "Ask about diplomatic news; the answer cites the articles it comes from",
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "question", Required: true,
				Description: "Your question, e.g. What is Witkoff's role?", MaxLength: answer.MaxQuestionChars,
			}},
		},
		UsesLLM: true,
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			q := req.String("question")
			if err := answer.CheckQuestion(q); err != nil {
				return Reply{}, questionError(err)
			}
			a, err := d.Asker.Ask(ctx, q, req.Prior, req.Progress)
			if err != nil {
				return Reply{}, fmt.Errorf("ask: %w", questionError(err))
			}
			// Any answer can be followed up ("and in March?"), grounded
			// or not: the next question is read with this one.
			return Reply{Answer: a, Remember: &answer.FollowUp{Question: q, Answer: a.Text}}, nil
		},
	}
}
