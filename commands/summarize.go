package commands

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge/answer"
)

// Summarize is /summarize [topic] [days]: the news in a window, cited.
func Summarize(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{
			Name:        "summarize",
			Description: "Summarise the latest news, or the news on a topic",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "A topic, e.g. Iran nuclear talks", MaxLength: 200},
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "days", Description: "The last N days (default 7)", MinValue: ptr(1.0), MaxValue: 365},
				{Type: discordgo.ApplicationCommandOptionString, Name: "source", Description: "Only this outlet", MaxLength: 100, Autocomplete: true},
			},
		},
		Autocomplete: outletChoices(d),
		UsesLLM:      true,
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			days := int64(7)
			if v, ok := req.Int("days"); ok {
				if v < 1 || v > 365 {
					return Reply{}, Userf("bad-days", "days must be between 1 and 365.")
				}
				days = v
			}
			sr := answer.SummaryRequest{Topic: req.String("topic"), Since: d.now().AddDate(0, 0, -int(days)), Until: d.now(), Source: req.String("source")}
			a, err := d.Summarizer.Summarize(ctx, sr)
			if err != nil {
				return Reply{}, fmt.Errorf("summarize: %w", err)
			}
			if a.NoAnswer {
				a.Text = fmt.Sprintf("No stored article from the last %d days matches. Try more days.", days)
			}
			return Reply{Answer: a}, nil
		},
	}
}
