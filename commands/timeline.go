package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge/answer"
)

// Timeliner tells a story so far.
type Timeliner interface {
	Timeline(ctx context.Context, topic string, since, until time.Time) (answer.Answer, error)
}

// Timeline is /timeline topic [days]: a topic's story so far, as a dated
// list across the articles that report it, oldest first, each cited.
func Timeline(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{
			Name:        "timeline",
			Description: "A story so far: its events across the stored articles, dated and cited",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "The story, e.g. Iran nuclear talks", Required: true, MaxLength: 200},
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "days", Description: "Only the last N days (default: all stored news)", MinValue: ptr(1.0), MaxValue: 3650},
			},
		},
		UsesLLM: true,
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			var since time.Time
			if v, ok := req.Int("days"); ok {
				if v < 1 || v > 3650 {
					return Reply{}, Userf("bad-days", "days must be between 1 and 3650.")
				}
				since = d.now().AddDate(0, 0, -int(v))
			}
			a, err := d.Timelines.Timeline(ctx, req.String("topic"), since, time.Time{})
			if errors.Is(err, answer.ErrEmptyQuestion) {
				return Reply{}, Userf("empty", "Name a story, for example: Iran nuclear talks.")
			}
			if err != nil {
				return Reply{}, fmt.Errorf("timeline: %w", err)
			}
			if a.NoAnswer {
				a.Text = "No stored article reports that story. Try other words, or /search."
			}
			return Reply{Answer: a}, nil
		},
	}
}
