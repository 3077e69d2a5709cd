package commands

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge"
)

// Settings keeps what each server chose.
type Settings interface {
	ServerSettings(ctx context.Context, guildID string) (knowledge.ServerSettings, error)
	SetServerSettings(ctx context.Context, s knowledge.ServerSettings) error
}

// SettingsCommand is /settings [answer_in_threads]: what this server chose,
// or a change of it, behind Manage Server.
func SettingsCommand(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{
			Name:                     "settings",
			Description:              "How Attache answers in this server",
			DefaultMemberPermissions: ptr(ManageServer),
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionBoolean, Name: "answer_in_threads",
				Description: "Answer mentions in a thread started from the question; follow-ups there need no mention"}},
		},
		Private: always,
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			if err := requireManageServer(req); err != nil {
				return Reply{}, err
			}
			s, err := d.Settings.ServerSettings(ctx, req.GuildID)
			if err != nil {
				return Reply{}, fmt.Errorf("settings: %w", err)
			}
			if v, ok := req.Options["answer_in_threads"].(bool); ok {
				s.AnswerInThreads, s.UpdatedBy = v, req.UserID
				if err := d.Settings.SetServerSettings(ctx, s); err != nil {
					return Reply{}, fmt.Errorf("settings: %w", err)
				}
			}
			state := "in the channel, as a reply"
			if s.AnswerInThreads {
				state = "in a thread started from the question, where follow-ups need no mention"
			}
			return Reply{Answer: textAnswer("Mentions of Attache are answered " + state + "."), Ephemeral: true}, nil
		},
	}
}
