package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

type (
	// Digests keeps subscriptions and builds digests.
	Digests interface {
		Subscribe(ctx context.Context, s knowledge.Subscription) (knowledge.Subscription, error)
		Unsubscribe(ctx context.Context, channelID string) error
		Subscriptions(ctx context.Context, guildID string) ([]knowledge.Subscription, error)
		// Digest builds the digest of the news in [since, until).
		Digest(ctx context.Context, since, until time.Time) (answer.Answer, error)
	}
	// Channels tells whether the bot can post in a channel; the error,
	// when it cannot, says why in words for the user.
	Channels interface {
		CanPost(ctx context.Context, channelID string) error
		// ChannelName is a channel's name, "" when unknown.
		ChannelName(ctx context.Context, channelID string) string
	}
)

// channelIDRE finds a channel's ID in what was typed: the ID, or <#ID>.
var channelIDRE = regexp.MustCompile(`\d+`)

var hhmm = regexp.MustCompile(`^([01]?\d|2[0-3]):([0-5]\d)$`)

// parseTime reads "HH:MM" into minutes after midnight.
func parseTime(s string) (int, error) {
	m := hhmm.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, Userf("bad-time", "%q is not a time like 08:30 (24-hour clock).", s)
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	return h*60 + mi, nil
}

// parseZone checks an IANA time zone name.
func parseZone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "UTC", nil
	}
	if strings.EqualFold(s, "local") || strings.ContainsAny(s, " ") {
		return "", Userf("bad-zone", "%q is not a time zone; use a name like Europe/Paris or America/New_York.", s)
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "", Userf("bad-zone", "%q is not a time zone; use a name like Europe/Paris or America/New_York.", s)
	}
	return s, nil
}

// Digest is /digest subscribe|unsubscribe|list|now.
func Digest(d Deps) Command {
	channelOpt := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Required: true,
		Description: "The channel", ChannelTypes: []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews, discordgo.ChannelTypeGuildForum}}
	return Command{
		Definition: &discordgo.ApplicationCommand{
			Name:                     "digest",
			Description:              "The daily digest of diplomatic news, posted to a channel",
			DefaultMemberPermissions: ptr(ManageServer),
			Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "subscribe", Description: "Post the digest in a channel every day",
					Options: []*discordgo.ApplicationCommandOption{channelOpt,
						{Type: discordgo.ApplicationCommandOptionString, Name: "time", Required: true, Description: "Time of day, HH:MM (24-hour)", MaxLength: 5},
						{Type: discordgo.ApplicationCommandOptionString, Name: "timezone", Description: "IANA time zone, e.g. Europe/Paris (default UTC)", MaxLength: 64},
						{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "Only stories on this topic (keywords)", MaxLength: 200}}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "unsubscribe", Description: "Stop the digest in a channel",
					Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "channel", Required: true,
						Description: "One of this server's digest channels", Autocomplete: true, MaxLength: 40}}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "The channels that get the digest"},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "now", Description: "The digest of the last 24 hours, here"},
			},
		},
		Private: func(req Request) bool { return req.String("subcommand") != "now" },
		Autocomplete: func(ctx context.Context, req Request) ([]Choice, error) {
			if req.Focused != "channel" || req.String("subcommand") != "unsubscribe" || requireManageServer(req) != nil {
				return nil, nil
			}
			subs, err := d.Digests.Subscriptions(ctx, req.GuildID)
			if err != nil {
				return nil, fmt.Errorf("digest autocomplete: %w", err)
			}
			typed := strings.ToLower(strings.TrimPrefix(req.String("channel"), "#"))
			var out []Choice
			for _, s := range subs {
				name := d.Channels.ChannelName(ctx, s.ChannelID)
				if name == "" {
					name = s.ChannelID
				}
				label := fmt.Sprintf("#%s — daily at %02d:%02d %s", name, s.Minute/60, s.Minute%60, s.Timezone)
				if typed == "" || strings.Contains(strings.ToLower(label), typed) {
					out = append(out, Choice{Name: label, Value: s.ChannelID})
				}
			}
			return out, nil
		},
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			switch req.String("subcommand") {
			case "subscribe":
				return subscribe(ctx, d, req)
			case "unsubscribe":
				if err := requireManageServer(req); err != nil {
					return Reply{}, err
				}
				ch := channelIDRE.FindString(req.String("channel"))
				// Only this server's subscriptions: the option is text,
				// and a channel of another server is not this one's to end.
				subs, err := d.Digests.Subscriptions(ctx, req.GuildID)
				if err != nil {
					return Reply{}, fmt.Errorf("unsubscribe: %w", err)
				}
				ours := false
				for _, s := range subs {
					ours = ours || (ch != "" && s.ChannelID == ch)
				}
				if !ours {
					return Reply{}, Userf("not-subscribed", "No channel of this server by that name gets the digest. Pick one from the list, or see `/digest list`.")
				}
				if err := d.Digests.Unsubscribe(ctx, ch); errors.Is(err, knowledge.ErrNotFound) {
					return Reply{}, Userf("not-subscribed", "<#%s> does not get the digest.", ch)
				} else if err != nil {
					return Reply{}, fmt.Errorf("unsubscribe: %w", err)
				}
				return Reply{Answer: textAnswer(fmt.Sprintf("<#%s> will no longer get the digest.", ch)), Ephemeral: true}, nil
			case "list":
				return listSubscriptions(ctx, d, req)
			case "now":
				now := d.now()
				a, err := d.Digests.Digest(ctx, now.Add(-24*time.Hour), now)
				if err != nil {
					return Reply{}, fmt.Errorf("digest now: %w", err)
				}
				a.Text = strings.Replace(a.Text, "**Daily digest**", "**"+T(req.Locale, "Daily digest")+"**", 1)
				return Reply{Answer: a}, nil
			}
			return Reply{}, Userf("unknown", "Use /digest subscribe, unsubscribe, list or now.")
		},
	}
}

func subscribe(ctx context.Context, d Deps, req Request) (Reply, error) {
	if err := requireManageServer(req); err != nil {
		return Reply{}, err
	}
	minute, err := parseTime(req.String("time"))
	if err != nil {
		return Reply{}, err
	}
	zone, err := parseZone(req.String("timezone"))
	if err != nil {
		return Reply{}, err
	}
	ch := req.String("channel")
	if ch == "" {
		return Reply{}, Userf("no-channel", "Choose a channel.")
	}
	if err := d.Channels.CanPost(ctx, ch); err != nil {
		if ue, ok := AsUserError(err); ok {
			return Reply{}, ue
		}
		return Reply{}, fmt.Errorf("check channel: %w", err)
	}
	s, err := d.Digests.Subscribe(ctx, knowledge.Subscription{GuildID: req.GuildID, ChannelID: ch, Minute: minute, Timezone: zone,
		CreatedBy: req.UserID, Topic: req.String("topic")})
	if err != nil {
		return Reply{}, fmt.Errorf("subscribe: %w", err)
	}
	about := ""
	if s.Topic != "" {
		about = fmt.Sprintf(", with the stories on %q", s.Topic)
	}
	return Reply{Answer: textAnswer(fmt.Sprintf("<#%s> will get the digest every day at %02d:%02d (%s)%s. A story comes back only with new articles, marked as an update; a forum gets one post per story.",
		s.ChannelID, s.Minute/60, s.Minute%60, s.Timezone, about)), Ephemeral: true}, nil
}

func listSubscriptions(ctx context.Context, d Deps, req Request) (Reply, error) {
	if req.GuildID == "" {
		return Reply{}, Userf("dm", "This works in a server, not in direct messages.")
	}
	subs, err := d.Digests.Subscriptions(ctx, req.GuildID)
	if err != nil {
		return Reply{}, fmt.Errorf("list subscriptions: %w", err)
	}
	if len(subs) == 0 {
		return Reply{Answer: textAnswer("No channel here gets the digest. Add one with `/digest subscribe`."), Ephemeral: true}, nil
	}
	var lines []string
	for _, s := range subs {
		last := "not yet"
		if !s.LastSentAt.IsZero() {
			last = s.LastSentAt.Format("2 Jan 2006 15:04 MST")
		}
		topic := ""
		if s.Topic != "" {
			topic = fmt.Sprintf(" · on %q", s.Topic)
		}
		lines = append(lines, fmt.Sprintf("- <#%s> at %02d:%02d %s%s · last posted %s", s.ChannelID, s.Minute/60, s.Minute%60, s.Timezone, topic, last))
	}
	return Reply{Answer: textAnswer(strings.Join(lines, "\n")), Ephemeral: true}, nil
}
