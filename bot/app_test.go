package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/bot/discordtest"
	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge"
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
	reading := map[string]bool{"ask": true, "search": true, "summarize": true, "whois": true, "help": true, "timeline": true,
		commands.CheckMessageName: true}
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

// subAutocomplete is an autocomplete interaction inside a subcommand.
func subAutocomplete(id, appID, command, sub, option, typed, userID string) map[string]any {
	i := discordtest.Autocomplete(id, appID, command, option, typed, userID)
	opts := i["data"].(map[string]any)["options"]
	i["data"].(map[string]any)["options"] = []any{map[string]any{"name": sub, "type": 1, "options": opts}}
	return i
}

// choices returns the choices the bot answered an autocomplete with.
func (h *harness) choices(t *testing.T, iid string) []string {
	t.Helper()
	var cb []discordtest.Call
	h.discord.WaitFor(5*time.Second, func() bool {
		cb = h.calls("POST", "/interactions/"+iid+"/")
		return len(cb) > 0
	})
	if len(cb) != 1 || cb[0].Body["type"] != float64(8) {
		t.Fatalf("autocomplete answer %+v, want one of type 8", cb)
	}
	var out []string
	data, _ := cb[0].Body["data"].(map[string]any)
	list, _ := data["choices"].([]any)
	for _, c := range list {
		m := c.(map[string]any)
		out = append(out, fmt.Sprint(m["name"], "=", m["value"]))
	}
	return out
}

// Autocomplete offers this server's feeds and digest channels (never
// another server's, never to a member who cannot manage them), and the
// outlets the archive holds.
func TestAutocompleteIsPerServer(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	ctx := context.Background()
	const here, other = "300000000000000001", "300000000000000002"
	if _, err := h.db.FollowFeed(ctx, here, "https://ours.example/rss.xml", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.FollowFeed(ctx, other, "https://theirs.example/rss.xml", "2"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []knowledge.Subscription{{GuildID: here, ChannelID: "400000000000000007", Minute: 540, Timezone: "UTC", CreatedBy: "1"},
		{GuildID: other, ChannelID: "400000000000000009", Minute: 600, Timezone: "UTC", CreatedBy: "2"}} {
		if _, err := h.db.Subscribe(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	iid := id()
	h.discord.Dispatch("INTERACTION_CREATE", subAutocomplete(iid, h.discord.AppID, "feeds", "remove", "url", "", "5"))
	if got := strings.Join(h.choices(t, iid), " | "); !strings.Contains(got, "ours.example") || strings.Contains(got, "theirs.example") {
		t.Errorf("feeds remove choices: %s", got)
	}
	iid = id()
	h.discord.Dispatch("INTERACTION_CREATE", subAutocomplete(iid, h.discord.AppID, "digest", "unsubscribe", "channel", "", "5"))
	if got := strings.Join(h.choices(t, iid), " | "); !strings.Contains(got, "=400000000000000007") || strings.Contains(got, "400000000000000009") || !strings.Contains(got, "09:00 UTC") {
		t.Errorf("digest unsubscribe choices: %s", got)
	}
	// A member without Manage Server is offered nothing to manage.
	iid = id()
	i := subAutocomplete(iid, h.discord.AppID, "feeds", "remove", "url", "", "6")
	i["member"].(map[string]any)["permissions"] = "0"
	h.discord.Dispatch("INTERACTION_CREATE", i)
	if got := h.choices(t, iid); len(got) != 0 {
		t.Errorf("a member was offered feeds to remove: %v", got)
	}
	iid = id()
	h.discord.Dispatch("INTERACTION_CREATE", discordtest.Autocomplete(iid, h.discord.AppID, "search", "source", "gulf", "5"))
	if got := strings.Join(h.choices(t, iid), " | "); got != "Gulf Monitor=Gulf Monitor" {
		t.Errorf("search source choices: %s", got)
	}
	h.discord.Check(t)
}

// messageCommand is "Check against the news" used on a message.
func messageCommand(id, appID, content, userID string) map[string]any {
	i := discordtest.Interaction(id, appID, commands.CheckMessageName, nil, userID)
	target := "610000000000000001"
	i["data"] = map[string]any{"id": "500000000000000002", "name": commands.CheckMessageName, "type": 3, "target_id": target,
		"resolved": map[string]any{"messages": map[string]any{target: map[string]any{
			"id": target, "channel_id": "400000000000000001", "content": content, "type": 0,
			"author": map[string]any{"id": "900", "username": "someone"}, "timestamp": "2025-04-20T10:00:00Z",
		}}}}
	return i
}

// "Check against the news" on a pasted claim answers privately, claim by
// claim: supported, contradicted or not in the stored articles, cited.
func TestCheckAgainstTheNews(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	msg := "Rubio and Witkoff met Barrot in Paris on 17 April. The US and China cut tariffs for 120 days after Geneva talks. " +
		"Modi and Lula signed a trade pact in Brasilia on 3 March. @everyone"
	iid := id()
	h.discord.Dispatch("INTERACTION_CREATE", messageCommand(iid, h.discord.AppID, msg, "55"))
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter(commands.CheckMessageName, "ok") == 1 }) {
		t.Fatalf("not answered; calls: %+v", h.discord.Calls())
	}
	cb := h.calls("POST", "/interactions/"+iid+"/")
	if data, _ := cb[0].Body["data"].(map[string]any); len(cb) != 1 || data["flags"] != float64(64) {
		t.Errorf("deferral %+v, want an ephemeral one", cb)
	}
	edits := h.calls("PATCH", "itoken-"+iid)
	text := fmt.Sprint(edits[len(edits)-1].Body["content"])
	for _, want := range []string{"**Supported**", "**Contradicted**", "90 days", "**Not in the stored articles**", "[1]", "**Sources**"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	checkNoPings(t, h.discord.Calls())
	h.discord.Check(t)
}

// componentInteraction is a click on a button of message msgID.
func componentInteraction(id, appID, customID, msgID, userID string) map[string]any {
	i := discordtest.Interaction(id, appID, "x", nil, userID)
	i["type"] = 3
	i["data"] = map[string]any{"custom_id": customID, "component_type": 2}
	i["message"] = map[string]any{"id": msgID, "channel_id": "400000000000000001", "content": "an answer", "type": 0,
		"author": map[string]any{"id": "200000000000000001", "username": "attache", "bot": true}, "timestamp": "2025-04-20T10:00:00Z"}
	return i
}

// The buttons under an answer work after a restart: "Sources" lists the
// answer's articles privately, "Follow up" opens a form whose question
// continues the conversation.
func TestAnswerButtonsAfterARestart(t *testing.T) {
	store := &memExchanges{}
	first := newHarness(t, bot.Config{Exchanges: store}, citeFirst)
	iid := first.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, "42")
	if !first.discord.WaitFor(10*time.Second, func() bool { return first.counter("ask", "ok") == 1 }) {
		t.Fatal("no answer")
	}
	edits := first.calls("PATCH", "itoken-"+iid)
	var ids []string
	for _, e := range edits {
		rows, _ := e.Body["components"].([]any)
		for _, r := range rows {
			for _, c := range r.(map[string]any)["components"].([]any) {
				ids = append(ids, c.(map[string]any)["custom_id"].(string))
			}
		}
	}
	if len(ids) != 2 || !strings.HasPrefix(ids[0], commands.SourcesPrefix) || ids[1] != commands.FollowUpID {
		t.Fatalf("answer buttons %v, want Sources and Follow up", ids)
	}
	answerID, _ := edits[len(edits)-1].Response["id"].(string)
	first.bot.Close()

	rec := &promptLog{}
	second := newHarness(t, bot.Config{Exchanges: store}, rec.citeFirst)
	click := id()
	second.discord.Dispatch("INTERACTION_CREATE", componentInteraction(click, second.discord.AppID, ids[0], answerID, "42"))
	if !second.discord.WaitFor(10*time.Second, func() bool { return second.counter("sources", "ok") == 1 }) {
		t.Fatalf("the Sources click after a restart was not answered: %+v", second.discord.Calls())
	}
	cb := second.calls("POST", "/interactions/"+click+"/")
	if data, _ := cb[0].Body["data"].(map[string]any); data["flags"] != float64(64) {
		t.Errorf("Sources answered in public: %+v", cb)
	}
	srcEdits := second.calls("PATCH", "itoken-"+click)
	if text := fmt.Sprint(srcEdits[len(srcEdits)-1].Body["content"]); !strings.Contains(text, "The articles this answer cites") || !strings.Contains(text, "[1]") {
		t.Errorf("sources list: %s", text)
	}
	form := id()
	second.discord.Dispatch("INTERACTION_CREATE", componentInteraction(form, second.discord.AppID, commands.FollowUpID, answerID, "42"))
	var opened []discordtest.Call
	second.discord.WaitFor(5*time.Second, func() bool { opened = second.calls("POST", "/interactions/"+form+"/"); return len(opened) > 0 })
	data, _ := opened[0].Body["data"].(map[string]any)
	if len(opened) != 1 || opened[0].Body["type"] != float64(9) || data["custom_id"] != commands.FollowUpModal+answerID {
		t.Fatalf("the follow-up form: %+v", opened)
	}
	submit := id()
	s := discordtest.Interaction(submit, second.discord.AppID, "x", nil, "42")
	s["type"] = 5
	s["data"] = map[string]any{"custom_id": commands.FollowUpModal + answerID, "components": []any{map[string]any{"type": 1,
		"components": []any{map[string]any{"type": 4, "custom_id": commands.FollowUpInput, "value": "and what did he do in April?"}}}}}
	second.discord.Dispatch("INTERACTION_CREATE", s)
	if !second.discord.WaitFor(10*time.Second, func() bool { return second.counter("follow-up", "ok") == 1 }) {
		t.Fatalf("the follow-up was not answered: %+v", second.discord.Calls())
	}
	if prompts := rec.all(); len(prompts) == 0 || !strings.Contains(prompts[len(prompts)-1], "Earlier question: What is Witkoff's role?") {
		t.Errorf("the follow-up prompt lacks the earlier question:\n%v", prompts)
	}
	checkNoPings(t, second.discord.Calls())
	first.discord.Check(t)
	second.discord.Check(t)
}

// The answer's fixed phrases and buttons follow the asker's locale.
func TestAnswerFollowsTheLocale(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	iid := id()
	i := discordtest.Interaction(iid, h.discord.AppID, "ask", map[string]any{"question": "What is Witkoff's role?"}, "42")
	i["locale"] = "de"
	h.discord.Dispatch("INTERACTION_CREATE", i)
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 1 }) {
		t.Fatal("no answer")
	}
	edits := h.calls("PATCH", "itoken-"+iid)
	body := edits[len(edits)-1].Body
	text := fmt.Sprint(body["content"])
	if !strings.Contains(text, "**Quellen**") || !strings.Contains(text, "-# Stand ") {
		t.Errorf("German answer:\n%s", text)
	}
	if !strings.Contains(fmt.Sprint(body["components"]), "Quellen (1)") || !strings.Contains(fmt.Sprint(body["components"]), "Nachfragen") {
		t.Errorf("German buttons: %v", body["components"])
	}
	// A user error is in the asker's language too.
	dm := id()
	j := dmInteraction(dm, h.discord.AppID, "digest", map[string]any{"subcommand": "list"}, "78")
	j["locale"] = "de"
	h.discord.Dispatch("INTERACTION_CREATE", j)
	if !h.discord.WaitFor(10*time.Second, func() bool {
		for _, c := range h.calls("POST", "itoken-"+dm) {
			if containsText(c.Body, "Das geht auf einem Server") {
				return true
			}
		}
		for _, c := range h.calls("POST", "/interactions/"+dm+"/") {
			if containsText(c.Body, "Das geht auf einem Server") {
				return true
			}
		}
		return false
	}) {
		t.Errorf("a German user's error was not in German: %+v", h.calls("POST", dm))
	}
	// Registered commands carry their localisations.
	for _, c := range h.discord.CommandsRegistered(h.discord.AppID) {
		if c["name"] == "ask" {
			names, _ := c["name_localizations"].(map[string]any)
			if names["de"] != "fragen" || names["ja"] == nil || names["ar"] == nil {
				t.Errorf("/ask localisations: %v", names)
			}
		}
	}
	h.discord.Check(t)
}

// A server that answers in threads: a mention is answered in a thread
// started from it, and a message there needs no mention to be followed up.
func TestAnswersInThreads(t *testing.T) {
	rec := &promptLog{}
	h := newHarness(t, bot.Config{}, rec.citeFirst)
	// An admin turns it on with /settings.
	iid := h.slash(t, "settings", map[string]any{"answer_in_threads": true}, "61")
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("settings", "ok") == 1 }) {
		t.Fatal("/settings not answered")
	}
	_ = iid
	const channel = "400000000000000095"
	q := id()
	h.discord.Dispatch("MESSAGE_CREATE", discordtest.Message(q, channel, "43", "<@"+h.discord.BotID+"> what is Witkoff's role?", []string{h.discord.BotID}, nil))
	var thread string
	if !h.discord.WaitFor(10*time.Second, func() bool {
		if len(h.calls("POST", "/channels/"+channel+"/messages/"+q+"/threads")) == 0 {
			return false
		}
		for _, c := range h.calls("POST", "/messages") {
			if p := strings.Split(c.Path, "/"); len(p) == 4 && p[2] != channel {
				thread = p[2]
			}
		}
		return thread != ""
	}) {
		t.Fatalf("no answer in a thread: %+v", h.discord.Calls())
	}
	for _, c := range h.calls("POST", "/channels/"+channel+"/messages") {
		if c.Path == "/channels/"+channel+"/messages" {
			t.Errorf("a message in the channel itself, want the answer in the thread only: %v", c.Body["content"])
		}
	}
	// The answer is remembered once it is sent, before the mention counts
	// as answered; a follow-up sent earlier would race that.
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("mention", "ok") == 1 }) {
		t.Fatal("the mention was not counted as answered")
	}
	// A message in the thread, without a mention, follows the answer up.
	h.discord.Dispatch("MESSAGE_CREATE", discordtest.Message(id(), thread, "43", "and what did he do in April?", nil, nil))
	if !h.discord.WaitFor(10*time.Second, func() bool { return len(h.calls("POST", "/channels/"+thread+"/messages")) == 2 }) {
		t.Fatalf("the follow-up in the thread was not answered: %+v", h.discord.Calls())
	}
	if prompts := rec.all(); !strings.Contains(prompts[len(prompts)-1], "Earlier question: what is Witkoff's role?") {
		t.Errorf("the follow-up prompt lacks the earlier question:\n%v", prompts[len(prompts)-1])
	}
	// A message in another channel, without a mention, is left alone.
	h.discord.Dispatch("MESSAGE_CREATE", discordtest.Message(id(), "400000000000000096", "43", "chatting about lunch", nil, nil))
	time.Sleep(300 * time.Millisecond)
	if n := len(h.calls("POST", "/channels/400000000000000096/messages")); n != 0 {
		t.Errorf("answered a message that did not ask: %d", n)
	}
	checkNoPings(t, h.discord.Calls())
	h.discord.Check(t)
}

// The tour of the app a 2026 reader expects, in one place: the reading
// commands usable anywhere, every command localised, options that
// complete, a message command, answers with buttons, digests to forums on
// a topic, and nothing Discord's contract refuses.
func TestTourOfTheApp(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	cmds := h.discord.CommandsRegistered(h.discord.AppID)
	var report []string
	autocomplete, message := 0, false
	var walk func(cmd string, opts []any)
	walk = func(cmd string, opts []any) {
		for _, o := range opts {
			m := o.(map[string]any)
			if m["autocomplete"] == true {
				autocomplete++
				report = append(report, fmt.Sprintf("autocomplete: /%s %s", cmd, m["name"]))
			}
			if cmd == "digest" && m["name"] == "subscribe" {
				sub := fmt.Sprint(m["options"])
				if !strings.Contains(sub, "channel_types:[0 5 15]") || !strings.Contains(sub, "name:topic") {
					t.Errorf("/digest subscribe takes no forum or no topic: %s", sub)
				}
			}
			sub, _ := m["options"].([]any)
			walk(cmd, sub)
		}
	}
	for _, c := range cmds {
		name := c["name"].(string)
		locs, _ := c["name_localizations"].(map[string]any)
		if len(locs) < 5 {
			t.Errorf("/%s is localised in %d locales, want at least 5", name, len(locs))
		}
		if c["type"] == float64(3) {
			message = true
		}
		types, _ := c["integration_types"].([]any)
		contexts, _ := c["contexts"].([]any)
		report = append(report, fmt.Sprintf("/%s: %d locales, installs %v, contexts %v", name, len(locs), types, contexts))
		switch name {
		case "ask", "search", "summarize", "whois":
			if len(types) != 2 || len(contexts) != 3 {
				t.Errorf("/%s is not usable everywhere: %v %v", name, types, contexts)
			}
		}
		opts, _ := c["options"].([]any)
		walk(name, opts)
	}
	if autocomplete < 3 || !message {
		t.Errorf("%d options with autocomplete (want 3), a message command: %v", autocomplete, message)
	}
	iid := h.slash(t, "ask", map[string]any{"question": "What is Witkoff's role?"}, "42")
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 1 }) {
		t.Fatal("no answer")
	}
	edits := h.calls("PATCH", "itoken-"+iid)
	if comps := fmt.Sprint(edits[len(edits)-1].Body["components"]); !strings.Contains(comps, "Sources (") || !strings.Contains(comps, "Follow up") {
		t.Errorf("an answer without its buttons: %s", comps)
	}
	h.discord.Check(t)
	t.Log("tour:\n" + strings.Join(report, "\n"))
}
