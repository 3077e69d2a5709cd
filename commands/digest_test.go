package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/ingest"
)

type fakeDigests struct {
	subs []knowledge.Subscription
}

func (f *fakeDigests) Subscribe(ctx context.Context, s knowledge.Subscription) (knowledge.Subscription, error) {
	f.subs = append(f.subs, s)
	return s, nil
}
func (f *fakeDigests) Unsubscribe(ctx context.Context, ch string) error {
	for i, s := range f.subs {
		if s.ChannelID == ch {
			f.subs = append(f.subs[:i], f.subs[i+1:]...)
			return nil
		}
	}
	return knowledge.ErrNotFound
}
func (f *fakeDigests) Subscriptions(ctx context.Context, g string) ([]knowledge.Subscription, error) {
	var out []knowledge.Subscription
	for _, s := range f.subs {
		if g == "" || s.GuildID == g {
			out = append(out, s)
		}
	}
	return out, nil
}
func (f *fakeDigests) Digest(ctx context.Context, since, until time.Time) (answer.Answer, error) {
	return answer.Answer{Text: fmt.Sprintf("digest %s", until.Sub(since))}, nil
}

type fakeChannels struct{ hidden string }

func (f fakeChannels) ChannelName(ctx context.Context, ch string) string { return "chan-" + ch }

func (f fakeChannels) CanPost(ctx context.Context, ch string) error {
	if ch == f.hidden {
		return commands.Userf("cannot-see", "I can't see that channel.")
	}
	return nil
}

// fakeFeeds keeps feeds by server, as the store does.
type fakeFeeds struct{ byGuild map[string][]knowledge.Feed }

func (f *fakeFeeds) AddFeed(ctx context.Context, guild, url, by string) (knowledge.Feed, int, error) {
	if !strings.HasPrefix(url, "https://") {
		return knowledge.Feed{}, 0, &ingest.FeedRejection{Reason: fmt.Sprintf("%q is not an http(s) URL", url)}
	}
	if f.byGuild == nil {
		f.byGuild = map[string][]knowledge.Feed{}
	}
	feed := knowledge.Feed{URL: url, Title: "Desk"}
	f.byGuild[guild] = append(f.byGuild[guild], feed)
	return feed, 3, nil
}
func (f *fakeFeeds) RemoveFeed(ctx context.Context, guild, url string) error {
	for i, feed := range f.byGuild[guild] {
		if feed.URL == url {
			f.byGuild[guild] = append(f.byGuild[guild][:i], f.byGuild[guild][i+1:]...)
			return nil
		}
	}
	return knowledge.ErrNotFound
}
func (f *fakeFeeds) Feeds(ctx context.Context, guild string) ([]knowledge.Feed, error) {
	return f.byGuild[guild], nil
}
func (f *fakeFeeds) count() int {
	n := 0
	for _, fs := range f.byGuild {
		n += len(fs)
	}
	return n
}

func TestDigestAndFeedsCommands(t *testing.T) {
	admin, member := commands.ManageServer, int64(0)
	paris := knowledge.Subscription{GuildID: "g", ChannelID: "1", Minute: 8*60 + 30, Timezone: "Europe/Paris"}
	sick := knowledge.Feed{URL: "https://a.example/feed", Title: "A", Failures: 8, Disabled: true, LastError: "HTTP 500"}
	tests := []struct {
		name     string
		subs     []knowledge.Subscription    // the state before the command
		feeds    map[string][]knowledge.Feed // by server
		command  string
		opts     map[string]any
		perms    int64
		guild    string
		wantCode string
		wantText string
		// what is stored after the command
		wantSubs, wantFeeds int
	}{
		{"subscribe", nil, nil, "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "08:30", "timezone": "Europe/Paris"}, admin, "g", "", "every day at 08:30 (Europe/Paris)", 1, 0},
		{"default zone UTC", nil, nil, "digest", map[string]any{"subcommand": "subscribe", "channel": "2", "time": "7:05"}, admin, "g", "", "07:05 (UTC)", 1, 0},
		{"member refused", nil, nil, "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "08:30"}, member, "g", "forbidden", "Manage Server", 0, 0},
		{"in a DM", nil, nil, "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "08:30"}, admin, "", "dm", "in a server", 0, 0},
		{"bad time", nil, nil, "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "25:00"}, admin, "g", "bad-time", "24-hour", 0, 0},
		{"bad time words", nil, nil, "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "noon"}, admin, "g", "bad-time", "08:30", 0, 0},
		{"bad zone", nil, nil, "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "08:30", "timezone": "Mars/Olympus"}, admin, "g", "bad-zone", "Europe/Paris", 0, 0},
		{"hidden channel", nil, nil, "digest", map[string]any{"subcommand": "subscribe", "channel": "999", "time": "08:30"}, admin, "g", "cannot-see", "can't see", 0, 0},
		{"list", []knowledge.Subscription{paris}, nil, "digest", map[string]any{"subcommand": "list"}, member, "g", "", "<#1> at 08:30 Europe/Paris", 1, 0},
		{"unsubscribe", []knowledge.Subscription{paris}, nil, "digest", map[string]any{"subcommand": "unsubscribe", "channel": "1"}, admin, "g", "", "", 0, 0},
		{"unsubscribe unknown", []knowledge.Subscription{paris}, nil, "digest", map[string]any{"subcommand": "unsubscribe", "channel": "7"}, admin, "g", "not-subscribed", "gets the digest", 1, 0},
		{"unsubscribe another server's", []knowledge.Subscription{paris}, nil, "digest", map[string]any{"subcommand": "unsubscribe", "channel": "1"}, admin, "other", "not-subscribed", "gets the digest", 1, 0},
		{"unsubscribe by mention", []knowledge.Subscription{paris}, nil, "digest", map[string]any{"subcommand": "unsubscribe", "channel": "<#1>"}, admin, "g", "", "", 0, 0},
		{"unsubscribe as member", []knowledge.Subscription{paris}, nil, "digest", map[string]any{"subcommand": "unsubscribe", "channel": "1"}, member, "g", "forbidden", "Manage Server", 1, 0},
		{"now", nil, nil, "digest", map[string]any{"subcommand": "now"}, member, "g", "", "digest 24h0m0s", 0, 0},
		{"feeds add", nil, nil, "feeds", map[string]any{"subcommand": "add", "url": "https://desk.example/rss"}, admin, "g", "", "3 new articles", 0, 1},
		{"feeds add refused", nil, nil, "feeds", map[string]any{"subcommand": "add", "url": "ftp://x"}, admin, "g", "bad-feed", "not an http(s) URL", 0, 0},
		{"feeds add as member", nil, nil, "feeds", map[string]any{"subcommand": "add", "url": "https://x.example/rss"}, member, "g", "forbidden", "Manage Server", 0, 0},
		{"feeds add in a DM", nil, nil, "feeds", map[string]any{"subcommand": "add", "url": "https://x.example/rss"}, admin, "", "dm", "server", 0, 0},
		{"feeds remove another server's", nil, map[string][]knowledge.Feed{"h": {sick}}, "feeds", map[string]any{"subcommand": "remove", "url": sick.URL}, admin, "g", "no-feed", "feeds list", 0, 1},
		{"feeds remove", nil, map[string][]knowledge.Feed{"g": {sick}}, "feeds", map[string]any{"subcommand": "remove", "url": sick.URL}, admin, "g", "", "Stopped reading", 0, 0},
		{"feeds list shows health", nil, map[string][]knowledge.Feed{"g": {sick}}, "feeds", map[string]any{"subcommand": "list"}, member, "g", "", "**disabled** after 8 failures (HTTP 500)", 0, 1},
		{"feeds list is the server's own", nil, map[string][]knowledge.Feed{"h": {sick}}, "feeds", map[string]any{"subcommand": "list"}, member, "g", "", "reads no feeds", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			digests := &fakeDigests{subs: append([]knowledge.Subscription(nil), tt.subs...)}
			feeds := &fakeFeeds{byGuild: map[string][]knowledge.Feed{}}
			for g, fs := range tt.feeds {
				feeds.byGuild[g] = append([]knowledge.Feed(nil), fs...)
			}
			d := deps()
			d.Digests, d.Channels, d.Feeds = digests, fakeChannels{hidden: "999"}, feeds
			cmds := map[string]commands.Command{}
			for _, c := range commands.All(d) {
				cmds[c.Definition.Name] = c
			}
			req := commands.Request{Command: tt.command, Options: tt.opts, Permissions: tt.perms, GuildID: tt.guild, UserID: "u"}
			reply, err := cmds[tt.command].Handle(context.Background(), req)
			if tt.wantCode != "" {
				ue, ok := commands.AsUserError(err)
				if !ok || ue.Code != tt.wantCode || !strings.Contains(ue.Message, tt.wantText) {
					t.Errorf("got %v, want %s containing %q", err, tt.wantCode, tt.wantText)
				}
			} else if err != nil {
				t.Errorf("unexpected error %v", err)
			} else if !strings.Contains(reply.Answer.Text, tt.wantText) {
				t.Errorf("reply %q, want %q", reply.Answer.Text, tt.wantText)
			}
			if len(digests.subs) != tt.wantSubs || feeds.count() != tt.wantFeeds {
				t.Errorf("%d subscriptions and %d feeds stored after, want %d and %d", len(digests.subs), feeds.count(), tt.wantSubs, tt.wantFeeds)
			}
		})
	}
	d := deps()
	d.Digests, d.Channels, d.Feeds = &fakeDigests{}, fakeChannels{}, &fakeFeeds{}
	cmds := map[string]commands.Command{}
	for _, c := range commands.All(d) {
		cmds[c.Definition.Name] = c
	}
	if !cmds["digest"].Private(commands.Request{Options: map[string]any{"subcommand": "list"}}) || cmds["digest"].Private(commands.Request{Options: map[string]any{"subcommand": "now"}}) {
		t.Error("digest list must be private and digest now public")
	}
	if p := cmds["digest"].Definition.DefaultMemberPermissions; p == nil || *p != commands.ManageServer {
		t.Error("digest's default member permissions must be Manage Server")
	}
}
