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
	return f.subs, nil
}
func (f *fakeDigests) Digest(ctx context.Context, since, until time.Time) (answer.Answer, error) {
	return answer.Answer{Text: fmt.Sprintf("digest %s", until.Sub(since))}, nil
}

type fakeChannels struct{ hidden string }

func (f fakeChannels) CanPost(ctx context.Context, ch string) error {
	if ch == f.hidden {
		return commands.Userf("cannot-see", "I can't see that channel.")
	}
	return nil
}

type fakeFeeds struct{ added []string }

func (f *fakeFeeds) AddFeed(ctx context.Context, url, by string) (knowledge.Feed, int, error) {
	if !strings.HasPrefix(url, "https://") {
		return knowledge.Feed{}, 0, fmt.Errorf("%w: %q is not an http(s) URL", ingest.ErrFeedRejected, url)
	}
	f.added = append(f.added, url)
	return knowledge.Feed{URL: url, Title: "Desk"}, 3, nil
}
func (f *fakeFeeds) RemoveFeed(ctx context.Context, url string) error { return knowledge.ErrNotFound }
func (f *fakeFeeds) Feeds(ctx context.Context) ([]knowledge.Feed, error) {
	return []knowledge.Feed{{URL: "https://a.example/feed", Title: "A", Failures: 8, Disabled: true, LastError: "HTTP 500"}}, nil
}

func TestDigestAndFeedsCommands(t *testing.T) {
	digests := &fakeDigests{}
	feeds := &fakeFeeds{}
	d := deps()
	d.Digests, d.Channels, d.Feeds = digests, fakeChannels{hidden: "999"}, feeds
	cmds := map[string]commands.Command{}
	for _, c := range commands.All(d) {
		cmds[c.Definition.Name] = c
	}
	admin, member := commands.ManageServer, int64(0)
	tests := []struct {
		name     string
		command  string
		opts     map[string]any
		perms    int64
		guild    string
		wantCode string
		wantText string
	}{
		{"subscribe", "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "08:30", "timezone": "Europe/Paris"}, admin, "g", "", "every day at 08:30 (Europe/Paris)"},
		{"default zone UTC", "digest", map[string]any{"subcommand": "subscribe", "channel": "2", "time": "7:05"}, admin, "g", "", "07:05 (UTC)"},
		{"member refused", "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "08:30"}, member, "g", "forbidden", "Manage Server"},
		{"in a DM", "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "08:30"}, admin, "", "dm", "in a server"},
		{"bad time", "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "25:00"}, admin, "g", "bad-time", "24-hour"},
		{"bad time words", "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "noon"}, admin, "g", "bad-time", "08:30"},
		{"bad zone", "digest", map[string]any{"subcommand": "subscribe", "channel": "1", "time": "08:30", "timezone": "Mars/Olympus"}, admin, "g", "bad-zone", "Europe/Paris"},
		{"hidden channel", "digest", map[string]any{"subcommand": "subscribe", "channel": "999", "time": "08:30"}, admin, "g", "cannot-see", "can't see"},
		{"list", "digest", map[string]any{"subcommand": "list"}, member, "g", "", "<#1> at 08:30 Europe/Paris"},
		{"unsubscribe unknown", "digest", map[string]any{"subcommand": "unsubscribe", "channel": "7"}, admin, "g", "not-subscribed", "does not get"},
		{"unsubscribe as member", "digest", map[string]any{"subcommand": "unsubscribe", "channel": "1"}, member, "g", "forbidden", "Manage Server"},
		{"now", "digest", map[string]any{"subcommand": "now"}, member, "g", "", "digest 24h0m0s"},
		{"feeds add", "feeds", map[string]any{"subcommand": "add", "url": "https://desk.example/rss"}, admin, "g", "", "3 new articles"},
		{"feeds add refused", "feeds", map[string]any{"subcommand": "add", "url": "ftp://x"}, admin, "g", "bad-feed", "not an http(s) URL"},
		{"feeds add as member", "feeds", map[string]any{"subcommand": "add", "url": "https://x.example/rss"}, member, "g", "forbidden", "Manage Server"},
		{"feeds remove unknown", "feeds", map[string]any{"subcommand": "remove", "url": "https://y.example"}, admin, "g", "no-feed", "feeds list"},
		{"feeds list shows health", "feeds", map[string]any{"subcommand": "list"}, member, "g", "", "**disabled** after 8 failures (HTTP 500)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := commands.Request{Command: tt.command, Options: tt.opts, Permissions: tt.perms, GuildID: tt.guild, UserID: "u"}
			reply, err := cmds[tt.command].Handle(context.Background(), req)
			if tt.wantCode != "" {
				ue, ok := commands.AsUserError(err)
				if !ok || ue.Code != tt.wantCode || !strings.Contains(ue.Message, tt.wantText) {
					t.Fatalf("got %v, want %s containing %q", err, tt.wantCode, tt.wantText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(reply.Answer.Text, tt.wantText) {
				t.Errorf("reply %q, want %q", reply.Answer.Text, tt.wantText)
			}
		})
	}
	if len(digests.subs) != 2 || len(feeds.added) != 1 {
		t.Errorf("stored %d subscriptions and %d feeds; refused ones must store nothing", len(digests.subs), len(feeds.added))
	}
	if !cmds["digest"].Private(commands.Request{Options: map[string]any{"subcommand": "list"}}) || cmds["digest"].Private(commands.Request{Options: map[string]any{"subcommand": "now"}}) {
		t.Error("digest list must be private and digest now public")
	}
	if p := cmds["digest"].Definition.DefaultMemberPermissions; p == nil || *p != commands.ManageServer {
		t.Error("digest's default member permissions must be Manage Server")
	}
}
