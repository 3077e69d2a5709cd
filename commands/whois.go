package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// WhoIs is /whois name: a person's offices, latest first, one line each
// with the days of its first and last mention, cited; the name
// autocompletes from the people the articles name.
func WhoIs(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{
			Name:        "whois",
			Description: "Who is who: a person's roles, newest first, with sources",
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "name", Required: true,
				Description: "A name or surname, e.g. Witkoff", Autocomplete: true, MaxLength: 100,
			}},
		},
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			name := req.String("name")
			if name == "" {
				return Reply{}, Userf("empty", "Give a name, for example Witkoff.")
			}
			people, err := d.People.WhoIs(ctx, name)
			if err != nil {
				return Reply{}, fmt.Errorf("whois: %w", err)
			}
			return Reply{Answer: whoisAnswer(name, people)}, nil
		},
		Autocomplete: func(ctx context.Context, req Request) ([]Choice, error) {
			people, err := d.People.People(ctx, req.String(req.Focused), 25)
			if err != nil {
				return nil, fmt.Errorf("whois autocomplete: %w", err)
			}
			out := make([]Choice, 0, len(people))
			for _, p := range people {
				out = append(out, Choice{Name: p.Name, Value: p.Name})
			}
			return out, nil
		},
	}
}

// whoisAnswer lists each person's offices, latest first, cited and dated.
func whoisAnswer(name string, people []knowledge.PersonRoles) answer.Answer {
	a := answer.Answer{Question: "Who is " + name}
	if len(people) == 0 {
		a.Text = fmt.Sprintf("No stored article names %q with a title.", name)
		a.NoAnswer = true
		return a
	}
	index := map[int64]int{}
	cite := func(art knowledge.Article) int {
		n, ok := index[art.ID]
		if !ok {
			n = len(a.Sources) + 1
			index[art.ID] = n
			a.Sources = append(a.Sources, answer.Source{N: n, Article: art})
		}
		if art.Published.After(a.AsOf) {
			a.AsOf = art.Published
		}
		return n
	}
	var lines []string
	for _, p := range people {
		lines = append(lines, "**"+p.Person.Name+"**")
		offices := p.Offices()
		if len(offices) > 8 {
			offices = offices[:8]
		}
		// One line per office: its fullest title, the days of its first
		// and last mention, and the mention that names it so.
		for _, o := range offices {
			lines = append(lines, fmt.Sprintf("- %s: %s [%d]", OfficeSpan(o), o.Title, cite(o.Named.Article)))
		}
	}
	a.Text = strings.Join(lines, "\n")
	a.Grounded = true
	return a
}

// OfficeSpan writes an office's days: "18 Feb 2025 – 13 Oct 2025", or one day.
func OfficeSpan(o knowledge.Office) string {
	if o.First.Format(time.DateOnly) == o.Last.Format(time.DateOnly) {
		return o.Last.Format("2 Jan 2006")
	}
	return o.First.Format("2 Jan 2006") + " – " + o.Last.Format("2 Jan 2006")
}
