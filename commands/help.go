package commands

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// Help is /help: what Attache is and what it holds.
func Help(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{Name: "help", Description: "What Attache is and what it knows"},
		Private:    always,
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			st, err := d.Stats.Stats(ctx)
			if err != nil {
				return Reply{}, fmt.Errorf("help: %w", err)
			}
			newest := "none yet"
			if !st.Newest.IsZero() {
				newest = st.Newest.Format("2 Jan 2006")
			}
			text := fmt.Sprintf("**Attache** briefs you on diplomatic news from the articles it keeps, and cites them.\n"+
				"It holds **%d articles** from **%d outlets**; the newest is from **%s**.\n\n"+
				"`/ask` a question · `/search` the articles · `/summarize` a topic · `/timeline` a story · `/whois` someone\n"+
				"Mention me with a question, or reply to one of my answers to follow up.",
				st.Articles, st.Sources, newest)
			return Reply{Answer: textAnswer(text), Ephemeral: true}, nil
		},
	}
}
