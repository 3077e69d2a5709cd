package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// WhoIs is /whois name: a person's titles, newest first, each dated and
// cited; the name autocompletes from the people the articles name.
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

// whoisAnswer lists each person's titles, newest first, cited and dated.
func whoisAnswer(name string, people []knowledge.PersonRoles) answer.Answer {
	a := answer.Answer{Question: "Who is " + name}
	if len(people) == 0 {
		a.Text = fmt.Sprintf("No stored article names %q with a title.", name)
		a.NoAnswer = true
		return a
	}
	index := map[int64]int{}
	var lines []string
	for _, p := range people {
		lines = append(lines, "**"+p.Person.Name+"**")
		roles := p.Distinct()
		if len(roles) > 8 {
			roles = roles[:8]
		}
		for _, r := range roles {
			n, ok := index[r.Article.ID]
			if !ok {
				n = len(a.Sources) + 1
				index[r.Article.ID] = n
				a.Sources = append(a.Sources, answer.Source{N: n, Article: r.Article})
			}
			if r.Article.Published.After(a.AsOf) {
				a.AsOf = r.Article.Published
			}
			lines = append(lines, fmt.Sprintf("- %s: %s [%d]", r.Article.Day(), r.Title, n))
		}
	}
	a.Text = strings.Join(lines, "\n")
	a.Grounded = true
	return a
}
