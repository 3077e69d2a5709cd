package bot

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge/digest"
)

// CanPost tells whether the bot may post in a channel: from the gateway's
// cache of the guild when it has one, else by asking Discord for the
// channel (which fails when the bot cannot see it).
func (b *Bot) CanPost(ctx context.Context, channelID string) error {
	botID, _ := b.botID.Load().(string)
	if perms, err := b.session.State.UserChannelPermissions(botID, channelID); err == nil {
		const need = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages
		if perms&need != need {
			return commands.Userf("cannot-post", "I can't post in <#%s>: give me View Channel and Send Messages there.", channelID)
		}
		return nil
	}
	_, err := b.session.Channel(channelID, discordgo.WithContext(ctx))
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && (re.Response.StatusCode == http.StatusForbidden || re.Response.StatusCode == http.StatusNotFound) {
		return commands.Userf("cannot-see", "I can't see <#%s>: give me View Channel and Send Messages there.", channelID)
	}
	if err != nil {
		return redact(err, b.cfg.Token)
	}
	return nil
}

// Post sends messages to a channel, none of which can ping anyone.
func (b *Bot) Post(ctx context.Context, channelID string, parts []string) error {
	for _, p := range parts {
		_, err := b.session.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
			Content: p, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds,
		}, discordgo.WithContext(ctx))
		if err != nil {
			return redact(err, b.cfg.Token)
		}
	}
	return nil
}

// Posted reports whether one of the bot's last 50 messages in a channel
// holds ref.
func (b *Bot) Posted(ctx context.Context, channelID, ref string) (bool, error) {
	msgs, err := b.session.ChannelMessages(channelID, 50, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		return false, redact(err, b.cfg.Token)
	}
	botID, _ := b.botID.Load().(string)
	for _, m := range msgs {
		if m.Author != nil && m.Author.ID == botID && strings.Contains(m.Content, ref) {
			return true, nil
		}
	}
	return false, nil
}

// ChannelName is a channel's name, from the gateway's cache or else from
// Discord ("" when it cannot be had).
func (b *Bot) ChannelName(ctx context.Context, channelID string) string {
	if c, err := b.session.State.Channel(channelID); err == nil && c.Name != "" {
		return c.Name
	}
	c, err := b.session.Channel(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return ""
	}
	return c.Name
}

// channel is a channel as the gateway cached it, or as Discord says.
func (b *Bot) channel(ctx context.Context, channelID string) (*discordgo.Channel, error) {
	if c, err := b.session.State.Channel(channelID); err == nil {
		return c, nil
	}
	c, err := b.session.Channel(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return nil, redact(err, b.cfg.Token)
	}
	return c, nil
}

// IsForum reports a forum channel (type 15), which holds only posts.
func (b *Bot) IsForum(ctx context.Context, channelID string) (bool, error) {
	c, err := b.channel(ctx, channelID)
	if err != nil {
		return false, err
	}
	return c.Type == discordgo.ChannelTypeGuildForum, nil
}

// maxAppliedTags is Discord's limit on a post's tags.
const maxAppliedTags = 5

// PostThreads starts one forum post per story, tagged with the forum's
// tags whose names the story holds; none of it can ping anyone.
func (b *Bot) PostThreads(ctx context.Context, channelID string, posts []digest.ThreadPost) error {
	forum, err := b.channel(ctx, channelID)
	if err != nil {
		return err
	}
	for _, p := range posts {
		if len(p.Parts) == 0 {
			continue
		}
		var tags []string
		words := strings.ToLower(p.Words)
		for _, t := range forum.AvailableTags {
			if len(tags) < maxAppliedTags && t.Name != "" && strings.Contains(words, strings.ToLower(t.Name)) {
				tags = append(tags, t.ID)
			}
		}
		name := truncate(strings.TrimSpace(p.Title), 100)
		if name == "" {
			name = "Digest"
		}
		th, err := b.session.ForumThreadStartComplex(channelID, &discordgo.ThreadStart{Name: name, AppliedTags: tags},
			&discordgo.MessageSend{Content: p.Parts[0], AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds},
			discordgo.WithContext(ctx))
		if err != nil {
			return redact(err, b.cfg.Token)
		}
		if err := b.Post(ctx, th.ID, p.Parts[1:]); err != nil {
			return err
		}
	}
	return nil
}

// PostWithTimelines posts a digest with a button per story under its last
// message, each showing that story so far.
func (b *Bot) PostWithTimelines(ctx context.Context, channelID string, parts []string, stories []string) error {
	for k, p := range parts {
		send := &discordgo.MessageSend{Content: p, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds}
		if k == len(parts)-1 && b.commands["timeline"].Handle != nil {
			send.Components = commands.TimelineButtons(stories, "")
		}
		if _, err := b.session.ChannelMessageSendComplex(channelID, send, discordgo.WithContext(ctx)); err != nil {
			return redact(err, b.cfg.Token)
		}
	}
	return nil
}
