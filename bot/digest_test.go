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
	"github.com/attache-bot/attache/knowledge"
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

// scheduler is a digest scheduler posting through the harness's bot at a
// time the test moves.
func (h *harness) scheduler(now *time.Time) *digest.Scheduler {
	return &digest.Scheduler{Subs: h.db, Articles: h.db, Poster: h.bot, Now: func() time.Time { return *now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Render: func(a answer.Answer, footer string) []string {
			return bot.Render(commands.Reply{Answer: a, Footer: footer})
		}}
}

// A forum gets one post per story, tagged with the forum's tags the story
// names, never a plain message (which a forum refuses).
func TestDigestToAForum(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	ctx := context.Background()
	const forum = "400000000000000070"
	h.discord.SetForum(forum, "Gaza", "Iran", "Tariffs")
	if _, err := h.db.Subscribe(ctx, knowledge.Subscription{GuildID: "300000000000000001", ChannelID: forum, Minute: 9 * 60, Timezone: "UTC", CreatedBy: "1"}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 10, 14, 9, 1, 0, 0, time.UTC)
	sched := h.scheduler(&now)
	if err := sched.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	posts := h.calls("POST", "/channels/"+forum+"/threads")
	if len(posts) == 0 || len(h.calls("POST", "/channels/"+forum+"/messages")) != 0 {
		t.Fatalf("%d forum posts, %d plain messages; calls %+v", len(posts), len(h.calls("POST", "/channels/"+forum+"/messages")), h.discord.Calls())
	}
	gaza := false
	for _, p := range posts {
		msg, _ := p.Body["message"].(map[string]any)
		if name, _ := p.Body["name"].(string); strings.Contains(name, "Gaza") || strings.Contains(fmt.Sprint(msg["content"]), "Gaza") {
			gaza = true
			if tags := fmt.Sprint(p.Body["applied_tags"]); !strings.Contains(tags, "770000000000000001") {
				t.Errorf("the Gaza story was not tagged Gaza: %v", p.Body["applied_tags"])
			}
		}
		if !strings.Contains(fmt.Sprint(msg["content"]), "[1]") {
			t.Errorf("a post without its citation: %v", msg["content"])
		}
	}
	if !gaza {
		t.Errorf("no Gaza post among %d", len(posts))
	}
	if sub, _ := h.db.Subscription(ctx, forum); sub.LastDate != "2025-10-14" {
		t.Errorf("the forum digest was not recorded: %+v", sub)
	}
	checkNoPings(t, h.discord.Calls())
	h.discord.Check(t)
}

// A story posted one day does not come back the next without new
// articles; a topic keeps a subscription to its stories.
func TestDigestDoesNotRepeatAStory(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	ctx := context.Background()
	const ch, onIran = "400000000000000080", "400000000000000081"
	for _, s := range []knowledge.Subscription{{GuildID: "300000000000000001", ChannelID: ch, Minute: 9 * 60, Timezone: "UTC", CreatedBy: "1"},
		{GuildID: "300000000000000001", ChannelID: onIran, Minute: 9 * 60, Timezone: "UTC", CreatedBy: "1", Topic: "Iran nuclear"}} {
		if _, err := h.db.Subscribe(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	messages := func(c string) []string {
		var out []string
		for _, call := range h.calls("POST", "/channels/"+c+"/messages") {
			out = append(out, fmt.Sprint(call.Body["content"]))
		}
		return out
	}
	// 25 June, a day after the Israel–Iran ceasefire, with the last week
	// of news (the sample's June articles).
	now := time.Date(2025, 6, 25, 9, 1, 0, 0, time.UTC)
	sched := h.scheduler(&now)
	sched.Window = 14 * 24 * time.Hour
	if err := sched.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	first := strings.Join(messages(ch), "\n")
	if !strings.Contains(first, "ceasefire") {
		t.Fatalf("first digest:\n%s", first)
	}
	iran := strings.Join(messages(onIran), "\n")
	if !strings.Contains(iran, "Iran") || strings.Contains(iran, "tariff") {
		t.Errorf("the Iran subscription's digest:\n%s", iran)
	}
	// The next day, nothing new: the stories do not come back.
	now = now.Add(24 * time.Hour)
	if _, err := h.db.Subscribe(ctx, knowledge.Subscription{GuildID: "300000000000000001", ChannelID: ch, Minute: 9 * 60, Timezone: "UTC", CreatedBy: "1"}); err != nil {
		t.Fatal(err)
	}
	h.db.DigestDone(ctx, 1, "2025-06-25", true, now.Add(-24*time.Hour).Add(-14*24*time.Hour)) // as if the window reached back again
	if err := sched.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	all := messages(ch)
	second := all[len(all)-1]
	if strings.Contains(second, "ceasefire") || !strings.Contains(second, "quiet day") {
		t.Errorf("the next day's digest repeats a story without news:\n%s", second)
	}
	h.discord.Check(t)
}

// A digest carries a button per story; a click shows that story so far,
// privately, through the pipeline.
func TestDigestTimelineButtons(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	ctx := context.Background()
	const ch = "400000000000000090"
	if _, err := h.db.Subscribe(ctx, knowledge.Subscription{GuildID: "300000000000000001", ChannelID: ch, Minute: 9 * 60, Timezone: "UTC", CreatedBy: "1"}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 25, 9, 1, 0, 0, time.UTC)
	sched := h.scheduler(&now)
	sched.Window = 14 * 24 * time.Hour
	if err := sched.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	posts := h.calls("POST", "/channels/"+ch+"/messages")
	if len(posts) == 0 {
		t.Fatal("no digest")
	}
	rows, _ := posts[len(posts)-1].Body["components"].([]any)
	if len(rows) != 1 {
		t.Fatalf("digest components %v, want a row of timeline buttons", posts[len(posts)-1].Body["components"])
	}
	var custom string
	for _, b := range rows[0].(map[string]any)["components"].([]any) {
		id := b.(map[string]any)["custom_id"].(string)
		if strings.HasPrefix(id, commands.TimelinePrefix) && strings.Contains(id, "Iran") {
			custom = id
		}
	}
	if custom == "" {
		t.Fatalf("no timeline button for an Iran story: %v", rows)
	}
	click := id()
	h.discord.Dispatch("INTERACTION_CREATE", componentInteraction(click, h.discord.AppID, custom, posts[len(posts)-1].Response["id"].(string), "42"))
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("timeline-button", "ok") == 1 }) {
		t.Fatalf("the timeline button was not answered: %+v", h.discord.Calls())
	}
	edits := h.calls("PATCH", "itoken-"+click)
	if text := fmt.Sprint(edits[len(edits)-1].Body["content"]); !strings.Contains(text, "- **") || !strings.Contains(text, "[1]") {
		t.Errorf("the story so far:\n%s", text)
	}
	cb := h.calls("POST", "/interactions/"+click+"/")
	if data, _ := cb[0].Body["data"].(map[string]any); data["flags"] != float64(64) {
		t.Errorf("the timeline was shown in public: %+v", cb)
	}
	h.discord.Check(t)
}
