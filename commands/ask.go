package commands

import (
	"context"
	"fmt"
	"unicode/utf8"

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
				Description: "Your question, e.g. What is Witkoff's role?", MaxLength: maxQuestion,
			}},
		},
		UsesLLM: true,
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			q := req.String("question")
			if q == "" {
				return Reply{}, questionError(answer.ErrEmptyQuestion)
			}
			if utf8.RuneCountInString(q) > maxQuestion {
				return Reply{}, questionError(answer.ErrTooLong)
			}
			a, err := d.Asker.Ask(ctx, q, req.Prior, req.Progress)
			if err != nil {
				return Reply{}, fmt.Errorf("ask: %w", questionError(err))
			}
			return Reply{Answer: a}, nil
		},
	}
}
