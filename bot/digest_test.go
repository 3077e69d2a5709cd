package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/bot/discordtest"
	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/digest"
)

// subscribe sends /digest subscribe as a member with the given permissions
// and returns what the member was told.
func (h *harness) subscribe(t *testing.T, channel, perms string) string {
	t.Helper()
	iid := id()
	ev := discordtest.Interaction(iid, h.discord.AppID, "digest",
		map[string]any{"subcommand": "subscribe", "channel": channel, "time": "09:00", "timezone": "Europe/Kyiv"}, "61")
	ev["member"].(map[string]any)["permissions"] = perms
	if err := h.discord.Dispatch("INTERACTION_CREATE", ev); err != nil {
		t.Fatal(err)
	}
	var text string
	h.discord.WaitFor(10*time.Second, func() bool {
		for _, c := range h.discord.Calls() {
			if strings.Contains(c.Path, "itoken-"+iid) && (c.Method == "PATCH" || c.Method == "POST") && strings.HasPrefix(c.Path, "/webhooks/") {
				text, _ = c.Body["content"].(string)
				return true
			}
		}
		return false
	})
	return text
}

func TestDigestSubscriptionAndScheduledPost(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	h.discord.SetHidden("400000000000000066")
	ctx := context.Background()
	if got := h.subscribe(t, "400000000000000050", "0"); !strings.Contains(got, "Manage Server") {
		t.Errorf("a member without Manage Server was told %q", got)
	}
	if subs, _ := h.db.Subscriptions(ctx, ""); len(subs) != 0 {
		t.Fatalf("a refused subscription was stored: %+v", subs)
	}
	if got := h.subscribe(t, "400000000000000066", "32"); !strings.Contains(got, "can't see") {
		t.Errorf("subscribing a hidden channel: %q", got)
	}
	if got := h.subscribe(t, "400000000000000050", "32"); !strings.Contains(got, "every day at 09:00 (Europe/Kyiv)") {
		t.Fatalf("admin subscribe: %q", got)
	}
	defer h.db.Unsubscribe(ctx, "400000000000000050")

	// The day after the Sharm el-Sheikh summit, ticking past 09:00 in Kyiv.
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	now := time.Date(2025, 10, 14, 8, 58, 0, 0, kyiv)
	sched := &digest.Scheduler{Subs: h.db, Articles: h.db, Poster: h.bot, Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Render: func(a answer.Answer, footer string) []string {
			return bot.Render(commands.Reply{Answer: a, Footer: footer})
		}}
	posts := func() []discordtest.Call { return h.calls("POST", "/channels/400000000000000050/messages") }
	for i := 0; i < 5; i++ {
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	if n := len(posts()); n != 1 {
		t.Fatalf("%d digest messages, want exactly 1", n)
	}
	msg := posts()[0].Body["content"].(string)
	for _, want := range []string{"**Daily digest**", "Sharm el-Sheikh", "[1]", "**Sources**", "(<https://", fmt.Sprint(digest.Ref(1, "2025-10-14"))} {
		if !strings.Contains(msg, want) {
			t.Errorf("digest lacks %q:\n%s", want, msg)
		}
	}
	// A restarted process does not post it again.
	sched2 := *sched
	sched2.Tick(ctx)
	if n := len(posts()); n != 1 {
		t.Errorf("%d digest messages after another tick, want 1", n)
	}
	checkNoPings(t, h.discord.Calls())
}
