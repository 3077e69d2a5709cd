package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/ingest"
)

// Feeds manages the feeds a server reads. Each server sees and changes
// only its own; a URL several servers read is fetched once for all.
type Feeds interface {
	// AddFeed checks that the URL serves a feed (fetching it safely),
	// stores it and its first items for the server, and reports how many
	// were new.
	AddFeed(ctx context.Context, guildID, url, addedBy string) (knowledge.Feed, int, error)
	RemoveFeed(ctx context.Context, guildID, url string) error
	Feeds(ctx context.Context, guildID string) ([]knowledge.Feed, error)
}

// FeedsCommand is /feeds add|remove|list.
func FeedsCommand(d Deps) Command {
	urlOpt := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "url", Required: true,
		Description: "The feed's URL (RSS or Atom)", MaxLength: 500}
	// Removing picks from the feeds this server reads.
	removeOpt := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "url", Required: true,
		Description: "One of this server's feeds", MaxLength: 500, Autocomplete: true}
	return Command{
		Definition: &discordgo.ApplicationCommand{
			Name:                     "feeds",
			Description:              "The news feeds Attache reads",
			DefaultMemberPermissions: ptr(ManageServer),
			Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Read a feed", Options: []*discordgo.ApplicationCommandOption{urlOpt}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Stop reading a feed", Options: []*discordgo.ApplicationCommandOption{removeOpt}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "The feeds and their health"},
			},
		},
		Private: always,
		Autocomplete: func(ctx context.Context, req Request) ([]Choice, error) {
			if req.Focused != "url" || req.String("subcommand") != "remove" || requireManageServer(req) != nil {
				return nil, nil
			}
			fs, err := d.Feeds.Feeds(ctx, req.GuildID)
			if err != nil {
				return nil, fmt.Errorf("feeds autocomplete: %w", err)
			}
			typed := strings.ToLower(req.String("url"))
			var out []Choice
			for _, f := range fs {
				label := orText(f.Title, "untitled feed") + " — " + f.URL
				// A choice's value holds 100 characters at most.
				if len(f.URL) > 100 || (typed != "" && !strings.Contains(strings.ToLower(label), typed)) {
					continue
				}
				out = append(out, Choice{Name: label, Value: f.URL})
			}
			return out, nil
		},
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			switch req.String("subcommand") {
			case "add":
				if err := requireManageServer(req); err != nil {
					return Reply{}, err
				}
				if req.GuildID == "" {
					return Reply{}, Userf("dm", "Feeds belong to a server: use /feeds in a server.")
				}
				f, n, err := d.Feeds.AddFeed(ctx, req.GuildID, req.String("url"), req.UserID)
				if rej := (*ingest.FeedRejection)(nil); errors.As(err, &rej) {
					return Reply{}, Userf("bad-feed", "%s", rej.Reason)
				}
				if err != nil {
					return Reply{}, fmt.Errorf("add feed: %w", err)
				}
				return Reply{Answer: textAnswer(fmt.Sprintf("Now reading **%s** (<%s>): %d new articles.", orText(f.Title, "untitled feed"), f.URL, n)), Ephemeral: true}, nil
			case "remove":
				if err := requireManageServer(req); err != nil {
					return Reply{}, err
				}
				if req.GuildID == "" {
					return Reply{}, Userf("dm", "Feeds belong to a server: use /feeds in a server.")
				}
				err := d.Feeds.RemoveFeed(ctx, req.GuildID, req.String("url"))
				if errors.Is(err, knowledge.ErrNotFound) {
					return Reply{}, Userf("no-feed", "This server does not read that feed. See `/feeds list`.")
				}
				if err != nil {
					return Reply{}, err
				}
				return Reply{Answer: textAnswer("Stopped reading that feed. Its articles stay."), Ephemeral: true}, nil
			case "list":
				if req.GuildID == "" {
					return Reply{}, Userf("dm", "Feeds belong to a server: use /feeds in a server.")
				}
				fs, err := d.Feeds.Feeds(ctx, req.GuildID)
				if err != nil {
					return Reply{}, fmt.Errorf("list feeds: %w", err)
				}
				return Reply{Answer: textAnswer(feedList(fs)), Ephemeral: true}, nil
			}
			return Reply{}, Userf("unknown", "Use /feeds add, remove or list.")
		},
	}
}

func orText(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format("2 Jan 15:04 MST")
}

// feedList shows each feed's health.
func feedList(fs []knowledge.Feed) string {
	if len(fs) == 0 {
		return "This server reads no feeds yet. Add one with `/feeds add`."
	}
	var lines []string
	for _, f := range fs {
		state := "ok"
		switch {
		case f.Disabled:
			state = fmt.Sprintf("**disabled** after %d failures (%s)", f.Failures, f.LastError)
		case f.Failures > 0:
			state = fmt.Sprintf("%d failures in a row (%s)", f.Failures, f.LastError)
		}
		lines = append(lines, fmt.Sprintf("- **%s** <%s>\n  last fetch %s · last new item %s · %s", orText(f.Title, "untitled"), f.URL, when(f.LastFetch), when(f.LastNew), state))
	}
	return strings.Join(lines, "\n")
}
