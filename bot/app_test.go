package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/bot/discordtest"
)

// dmInteraction is a slash command in the bot's DM, from a user's own
// install: no guild, a user instead of a member.
func dmInteraction(id, appID, command string, options map[string]any, userID string) map[string]any {
	i := discordtest.Interaction(id, appID, command, options, userID)
	delete(i, "guild_id")
	delete(i, "member")
	i["channel_id"] = "410000000000000001"
	i["user"] = map[string]any{"id": userID, "username": "user" + userID}
	i["context"] = 1
	i["authorizing_integration_owners"] = map[string]any{"1": userID}
	return i
}

// The reading commands are installable by a user and usable in DMs and
// private channels; the admin commands stay in servers.
func TestCommandsDeclareWhereTheyWork(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	reading := map[string]bool{"ask": true, "search": true, "summarize": true, "whois": true, "help": true, "timeline": true}
	for _, c := range h.discord.CommandsRegistered(h.discord.AppID) {
		name := c["name"].(string)
		types, _ := c["integration_types"].([]any)
		contexts, _ := c["contexts"].([]any)
		if reading[name] && (len(types) != 2 || len(contexts) != 3) {
			t.Errorf("/%s: integration_types %v, contexts %v; want both installs and all three contexts", name, types, contexts)
		}
		if !reading[name] && (len(types) != 1 || types[0] != float64(0) || len(contexts) != 1 || contexts[0] != float64(0)) {
			t.Errorf("/%s: integration_types %v, contexts %v; want server only", name, types, contexts)
		}
	}
	h.discord.Check(t)
}

// /ask in a DM through a user's own install is answered, from the
// operator's archive, and counts against the user's rate limit.
func TestAskInADM(t *testing.T) {
	h := newHarness(t, bot.Config{UserBurst: 1, UserWindow: time.Hour}, citeFirst)
	iid := id()
	if err := h.discord.Dispatch("INTERACTION_CREATE", dmInteraction(iid, h.discord.AppID, "ask", map[string]any{"question": "What is Witkoff's role?"}, "77")); err != nil {
		t.Fatal(err)
	}
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 1 }) {
		t.Fatalf("the DM /ask was not answered; calls: %+v", h.discord.Calls())
	}
	edits := h.calls("PATCH", "itoken-"+iid)
	if len(edits) == 0 || !containsText(edits[len(edits)-1].Body, "special envoy [1]") {
		t.Errorf("DM answer: %+v", edits)
	}
	// The same user again, in the DM: the limit holds there too.
	again := id()
	h.discord.Dispatch("INTERACTION_CREATE", dmInteraction(again, h.discord.AppID, "ask", map[string]any{"question": "Who is Rubio?"}, "77"))
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "rate-limited") == 1 }) {
		t.Error("the rate limit did not hold in a DM")
	}
	// An admin command in a DM is refused with a word, not run.
	adm := id()
	h.discord.Dispatch("INTERACTION_CREATE", dmInteraction(adm, h.discord.AppID, "digest", map[string]any{"subcommand": "list"}, "78"))
	if !h.discord.WaitFor(10*time.Second, func() bool {
		for _, c := range h.discord.Calls() {
			if containsText(c.Body, "works in a server") {
				return true
			}
		}
		return false
	}) {
		t.Error("/digest in a DM was not refused")
	}
	h.discord.Check(t)
}

// In a server that has not installed Attache, a user's own install answers
// privately.
func TestUserInstallInAServerAnswersPrivately(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	iid := id()
	i := discordtest.Interaction(iid, h.discord.AppID, "ask", map[string]any{"question": "What is Witkoff's role?"}, "88")
	i["context"] = 0
	i["authorizing_integration_owners"] = map[string]any{"1": "88"}
	h.discord.Dispatch("INTERACTION_CREATE", i)
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 1 }) {
		t.Fatal("not answered")
	}
	cb := h.calls("POST", "/interactions/"+iid+"/")
	data, _ := cb[0].Body["data"].(map[string]any)
	if len(cb) != 1 || data["flags"] != float64(64) {
		t.Errorf("deferral %+v, want an ephemeral one (flags 64)", cb)
	}
	// Installed by the server: public as usual.
	pub := id()
	j := discordtest.Interaction(pub, h.discord.AppID, "ask", map[string]any{"question": "What is Witkoff's role?"}, "89")
	j["authorizing_integration_owners"] = map[string]any{"0": "300000000000000001", "1": "89"}
	h.discord.Dispatch("INTERACTION_CREATE", j)
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 2 }) {
		t.Fatal("not answered")
	}
	cb = h.calls("POST", "/interactions/"+pub+"/")
	if data, _ := cb[0].Body["data"].(map[string]any); data["flags"] == float64(64) {
		t.Errorf("a server-installed answer was made private: %+v", cb)
	}
	h.discord.Check(t)
}

// containsText reports whether a request body's text holds s.
func containsText(body map[string]any, s string) bool {
	return strings.Contains(fmt.Sprint(body), s)
}
