package commands

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge/answer"
)

// Checker checks the claims of a message against the stored articles.
type Checker interface {
	CheckClaims(ctx context.Context, message string) (answer.Answer, []answer.ClaimVerdict, error)
}

// CheckMessageName is the message command's name, as the message menu
// shows it (Apps › Check against the news).
const CheckMessageName = "Check against the news"

// CheckMessage is the message command "Check against the news": the
// message's checkable claims (names, numbers, dates, places), each
// answered privately as supported, contradicted or not in the stored
// articles, with its citations and dates.
func CheckMessage(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{Name: CheckMessageName, Type: discordgo.MessageApplicationCommand},
		Private:    always,
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			msg := req.String("message")
			if msg == "" {
				return Reply{}, Userf("empty", "That message has no text to check (I read text, not images or embeds).")
			}
			a, _, err := d.Checker.CheckClaims(ctx, msg)
			if err != nil {
				return Reply{}, fmt.Errorf("check: %w", err)
			}
			return Reply{Answer: a, Ephemeral: true}, nil
		},
	}
}
