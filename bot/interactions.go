package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge/answer"
)

func (b *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	start := time.Now()
	switch ic.Type {
	case discordgo.InteractionApplicationCommand:
		b.command(ic.Interaction, start)
	case discordgo.InteractionApplicationCommandAutocomplete:
		b.autocomplete(ic.Interaction)
	}
}

func userOf(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	return i.User
}

// command acknowledges a slash command at once (a deferral, or a refusal),
// then answers it in its own goroutine by editing the deferred response.
func (b *Bot) command(i *discordgo.Interaction, start time.Time) {
	data := i.ApplicationCommandData()
	log := b.log.With("interaction", i.ID, "command", data.Name)
	cmd, ok := b.commands[data.Name]
	user := userOf(i)
	switch {
	case !ok:
		b.refuse(i, log, data.Name, "unknown", "I don't know that command. Try `/help`.")
		return
	case user == nil:
		b.refuse(i, log, data.Name, "no-user", "I could not tell who asked.")
		return
	case b.closing.Load():
		b.refuse(i, log, data.Name, "closing", "Attache is restarting. Please try again in a minute.")
		return
	}
	if ok, wait := b.limiter.Allow(user.ID); !ok {
		b.refuse(i, log, data.Name, "rate-limited", fmt.Sprintf("You're asking quickly. Try again in %d s.", int(wait.Seconds())))
		return
	}
	req := commands.Request{Command: data.Name, Options: optionMap(data.Options), UserID: user.ID, GuildID: i.GuildID, ChannelID: i.ChannelID}
	if i.Member != nil {
		req.Permissions = i.Member.Permissions
	}
	ephemeral := cmd.Private != nil && cmd.Private(req)
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions()}}
	if ephemeral {
		resp.Data.Flags = discordgo.MessageFlagsEphemeral
	}
	b.inflight.Add(1)
	if err := b.session.InteractionRespond(i, resp); err != nil {
		b.inflight.Done()
		log.Error("acknowledge interaction", "err", redact(err, b.cfg.Token))
		b.metrics.interaction(data.Name, "ack-failed")
		return
	}
	b.metrics.ack(time.Since(start))
	go func() {
		defer b.inflight.Done()
		b.answer(i, cmd, req, log)
	}()
}

// answer runs a command and puts its reply in place of the deferral.
func (b *Bot) answer(i *discordgo.Interaction, cmd commands.Command, req commands.Request, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.AnswerTimeout)
	defer cancel()
	start := time.Now()
	if cmd.UsesLLM {
		select {
		case b.llmSlots <- struct{}{}:
			defer func() { <-b.llmSlots }()
		case <-ctx.Done():
			b.fail(i, log, req.Command, ctx.Err())
			return
		}
	}
	prog := b.progress(i, log)
	req.Progress = prog.update
	reply, err := cmd.Handle(ctx, req)
	prog.stop()
	b.metrics.command(req.Command, time.Since(start))
	if err != nil {
		b.fail(i, log, req.Command, err)
		return
	}
	if err := b.send(i, reply); err != nil {
		log.Error("send answer", "err", redact(err, b.cfg.Token))
		b.metrics.interaction(req.Command, "send-failed")
		return
	}
	b.metrics.interaction(req.Command, "ok")
	log.Info("answered", "ms", time.Since(start).Milliseconds(), "sources", len(reply.Answer.Sources), "method", reply.Answer.Method)
}

// send edits the deferred response into the first part of the reply and
// sends the rest as follow-ups.
func (b *Bot) send(i *discordgo.Interaction, r commands.Reply) error {
	parts := Render(r)
	first := parts[0]
	msg, err := b.session.InteractionResponseEdit(i, &discordgo.WebhookEdit{
		Content: &first, AllowedMentions: noMentions(), Embeds: &[]*discordgo.MessageEmbed{},
	})
	if err != nil {
		return err
	}
	if msg != nil && msg.ID != "" && r.Answer.Question != "" && r.Answer.Grounded {
		// A reply to this answer follows it up: remembered at once, saved
		// once the rest is sent.
		fu := &answer.FollowUp{Question: r.Answer.Question, Answer: r.Answer.Text}
		b.exchanges.remember(msg.ID, fu)
		defer b.exchanges.save(msg.ID, fu)
	}
	for _, p := range parts[1:] {
		params := &discordgo.WebhookParams{Content: p, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds}
		if r.Ephemeral {
			params.Flags |= discordgo.MessageFlagsEphemeral
		}
		if _, err := b.session.FollowupMessageCreate(i, true, params); err != nil {
			return err
		}
	}
	return nil
}

// fail shows a short error only to the asker and logs the cause.
func (b *Bot) fail(i *discordgo.Interaction, log *slog.Logger, command string, err error) {
	msg, code := userMessage(err)
	if code == "internal" || code == "timeout" {
		log.Error("command failed", "code", code, "err", redact(err, b.cfg.Token))
	} else {
		log.Info("command refused", "code", code, "err", err)
	}
	b.metrics.interaction(command, code)
	// The deferral is public: remove it and answer privately instead.
	if err := b.session.InteractionResponseDelete(i); err != nil {
		log.Warn("delete deferred response", "err", redact(err, b.cfg.Token))
	}
	if _, err := b.session.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
		Content: msg, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsEphemeral,
	}); err != nil {
		log.Error("send error message", "err", redact(err, b.cfg.Token))
	}
}

// userMessage is what the asker sees for err, with a short code.
func userMessage(err error) (string, string) {
	if ue, ok := commands.AsUserError(err); ok {
		return ue.Message, ue.Code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "That took too long. Please try again, perhaps with a narrower question.", "timeout"
	}
	return "Something went wrong on my side (code: internal). It has been logged; please try again.", "internal"
}

// refuse answers an interaction at once, privately, without running it.
func (b *Bot) refuse(i *discordgo.Interaction, log *slog.Logger, command, code, msg string) {
	b.metrics.interaction(command, code)
	log.Info("interaction refused", "code", code)
	err := b.session.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: msg, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
	})
	if err != nil {
		log.Error("refuse interaction", "err", redact(err, b.cfg.Token))
	}
}

// autocomplete answers at once: it cannot be deferred and must come
// within Discord's 3 seconds.
func (b *Bot) autocomplete(i *discordgo.Interaction) {
	data := i.ApplicationCommandData()
	cmd, ok := b.commands[data.Name]
	var choices []*discordgo.ApplicationCommandOptionChoice
	if ok && cmd.Autocomplete != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		req := commands.Request{Command: data.Name, Options: optionMap(data.Options)}
		for _, o := range data.Options {
			if o.Focused {
				req.Focused = o.Name
			}
		}
		got, err := cmd.Autocomplete(ctx, req)
		if err != nil {
			b.log.Warn("autocomplete", "command", data.Name, "err", err)
		}
		for _, c := range got {
			if len(choices) == 25 {
				break
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(c.Name, 100), Value: truncate(c.Value, 100)})
		}
	}
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	if err := b.session.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices, AllowedMentions: noMentions()},
	}); err != nil {
		b.log.Warn("autocomplete respond", "err", redact(err, b.cfg.Token))
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// optionMap flattens command options by name; a subcommand's name is the
// option "subcommand" and its options join the map.
func optionMap(opts []*discordgo.ApplicationCommandInteractionDataOption) map[string]any {
	m := map[string]any{}
	for _, o := range opts {
		if o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
			m["subcommand"] = o.Name
			for k, v := range optionMap(o.Options) {
				m[k] = v
			}
			continue
		}
		switch v := o.Value.(type) {
		case float64:
			m[o.Name] = int64(v)
		default:
			m[o.Name] = v
		}
	}
	return m
}

// progress shows an answer growing, with edits throttled per answer and
// across all answers.
type progress struct {
	b    *Bot
	i    *discordgo.Interaction
	log  *slog.Logger
	mu   sync.Mutex
	text strings.Builder
	last time.Time
	done bool
	wg   sync.WaitGroup
	busy bool
}

func (b *Bot) progress(i *discordgo.Interaction, log *slog.Logger) *progress {
	return &progress{b: b, i: i, log: log, last: time.Now()}
}

func (p *progress) update(delta string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.text.WriteString(delta)
	now := time.Now()
	if p.done || p.busy || now.Sub(p.last) < p.b.cfg.EditInterval || !p.b.edits.take(now) {
		return
	}
	p.last, p.busy = now, true
	content := p.text.String()
	if n := len([]rune(content)); n > MaxContent-2 {
		content = string([]rune(content)[:MaxContent-2])
	}
	content += " …"
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if _, err := p.b.session.InteractionResponseEdit(p.i, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions()}); err != nil {
			p.log.Warn("progress edit", "err", redact(err, p.b.cfg.Token))
		}
		p.b.metrics.edit()
		p.mu.Lock()
		p.busy = false
		p.mu.Unlock()
	}()
}

// stop ends progress edits and waits for one in flight, so the final edit
// lands last.
func (p *progress) stop() {
	p.mu.Lock()
	p.done = true
	p.mu.Unlock()
	p.wg.Wait()
}

// registerCommands overwrites the application's commands in one request,
// only when they differ from what Discord has.
func (b *Bot) registerCommands() error {
	app, _ := b.appID.Load().(string)
	if app == "" {
		return errors.New("no application id from READY")
	}
	have, err := b.session.ApplicationCommands(app, b.cfg.GuildID)
	if err != nil {
		return fmt.Errorf("list commands: %w", err)
	}
	if sameCommands(have, b.defs) {
		b.log.Info("commands up to date", "count", len(have), "guild", b.cfg.GuildID)
		return nil
	}
	if _, err := b.session.ApplicationCommandBulkOverwrite(app, b.cfg.GuildID, b.defs); err != nil {
		return fmt.Errorf("overwrite commands: %w", err)
	}
	b.log.Info("commands registered", "count", len(b.defs), "guild", b.cfg.GuildID)
	return nil
}

// sameCommands compares what we define of two command sets: names,
// descriptions, options and default permissions. Fields Discord fills in
// (ids, versions, defaults it adds) do not count, so a restart with the
// same definitions does not re-register them.
func sameCommands(a, b []*discordgo.ApplicationCommand) bool {
	canon := func(cs []*discordgo.ApplicationCommand) map[string]string {
		m := map[string]string{}
		for _, c := range cs {
			perms := ""
			if c.DefaultMemberPermissions != nil {
				perms = fmt.Sprint(*c.DefaultMemberPermissions)
			}
			j, _ := json.Marshal([]any{c.Name, c.Description, perms, canonOptions(c.Options)})
			m[c.Name] = string(j)
		}
		return m
	}
	return reflect.DeepEqual(canon(a), canon(b))
}

func canonOptions(opts []*discordgo.ApplicationCommandOption) []any {
	var out []any
	for _, o := range opts {
		var choices []any
		for _, c := range o.Choices {
			choices = append(choices, []any{c.Name, fmt.Sprint(c.Value)})
		}
		minV := ""
		if o.MinValue != nil {
			minV = fmt.Sprint(*o.MinValue)
		}
		out = append(out, []any{int(o.Type), o.Name, o.Description, o.Required, o.Autocomplete, choices,
			minV, o.MaxValue, o.MinLength, o.MaxLength, o.ChannelTypes, canonOptions(o.Options)})
	}
	return out
}
