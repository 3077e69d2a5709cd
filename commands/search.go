package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// Search is /search query [days] [source]: the matching articles,
// newest-first at equal relevance, each with a snippet; the outlet
// autocompletes from those the archive holds.
func Search(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{
			Name:        "search",
			Description: "Search the stored articles",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "query", Required: true, Description: "Words to look for", MaxLength: 300},
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "days", Description: "Only the last N days", MinValue: ptr(1.0), MaxValue: 3650},
				{Type: discordgo.ApplicationCommandOptionString, Name: "source", Description: "Only this outlet", MaxLength: 100, Autocomplete: true},
			},
		},
		Autocomplete: outletChoices(d),
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			q := req.String("query")
			if q == "" {
				return Reply{}, Userf("empty", "Give some words to search for.")
			}
			opt := knowledge.SearchOptions{Limit: 5, Source: req.String("source")}
			if days, ok := req.Int("days"); ok {
				if days < 1 || days > 3650 {
					return Reply{}, Userf("bad-days", "days must be between 1 and 3650.")
				}
				opt.Since = d.now().AddDate(0, 0, -int(days))
			}
			hits, err := d.Searcher.Search(ctx, q, opt)
			if err != nil {
				return Reply{}, fmt.Errorf("search: %w", err)
			}
			return Reply{Answer: searchAnswer(q, hits)}, nil
		},
	}
}

// searchAnswer lists hits as numbered snippets with their sources.
func searchAnswer(q string, hits []knowledge.Hit) answer.Answer {
	a := answer.Answer{Question: q}
	if len(hits) == 0 {
		a.Text = "No stored article matches that search."
		a.NoAnswer = true
		return a
	}
	var lines []string
	for i, h := range hits {
		lines = append(lines, fmt.Sprintf("**%d.** %s [%d]", i+1, h.Snippet, i+1))
		a.Sources = append(a.Sources, answer.Source{N: i + 1, Article: h.Article})
		if h.Article.Published.After(a.AsOf) {
			a.AsOf = h.Article.Published
		}
	}
	a.Text = strings.Join(lines, "\n")
	a.Grounded = true
	return a
}

// outletChoices completes a "source" option from the outlets the archive
// holds, the largest first.
func outletChoices(d Deps) func(ctx context.Context, req Request) ([]Choice, error) {
	return func(ctx context.Context, req Request) ([]Choice, error) {
		if req.Focused != "source" || d.Searcher == nil {
			return nil, nil
		}
		outlets, err := d.Searcher.Outlets(ctx, req.String("source"), 25)
		if err != nil {
			return nil, fmt.Errorf("outlet autocomplete: %w", err)
		}
		out := make([]Choice, 0, len(outlets))
		for _, o := range outlets {
			out = append(out, Choice{Name: o, Value: o})
		}
		return out, nil
	}
}
