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
)

func (b *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	start := time.Now()
	switch ic.Type {
	case discordgo.InteractionApplicationCommand:
		b.command(ic.Interaction, start, nil)
	case discordgo.InteractionApplicationCommandAutocomplete:
		if err := b.session.InteractionRespond(ic.Interaction, b.autocomplete(ic.Interaction)); err != nil {
			b.log.Warn("autocomplete respond", "err", redact(err, b.cfg.Token))
		}
	case discordgo.InteractionMessageComponent:
		b.component(ic.Interaction, start, nil)
	case discordgo.InteractionModalSubmit:
		b.modal(ic.Interaction, start, nil)
	}
}

// userInstalledInServer reports a command used in a server that has not
// installed the app, through the user's own install.
func userInstalledInServer(i *discordgo.Interaction) bool {
	if i.GuildID == "" || len(i.AuthorizingIntegrationOwners) == 0 {
		return false
	}
	_, guildInstall := i.AuthorizingIntegrationOwners[discordgo.ApplicationIntegrationGuildInstall]
	return !guildInstall
}

func userOf(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	return i.User
}

// command runs a slash command through the pipeline (see run). respond,
// when set, sends the first response (a deferral or a refusal) as the
// answer to Discord's HTTP request; otherwise it goes over REST.
func (b *Bot) command(i *discordgo.Interaction, start time.Time, respond func(*discordgo.InteractionResponse) error) {
	data := i.ApplicationCommandData()
	log := b.log.With("interaction", i.ID, "command", data.Name)
	r := b.responder(i, log, respond)
	cmd, ok := b.commands[data.Name]
	if !ok {
		b.metrics.interaction(data.Name, "unknown")
		r.refuse("I don't know that command. Try `/help`.")
		return
	}
	req := b.interactionRequest(i, data.Name)
	req.Options = optionMap(data.Options)
	if data.CommandType == discordgo.MessageApplicationCommand && data.Resolved != nil {
		// A message command: the message it was used on is its input.
		if m, ok := data.Resolved.Messages[data.TargetID]; ok && m != nil {
			req.Options["message"] = m.Content
		}
	}
	// Used in a server through a user's own install (the server has not
	// installed Attache, and may restrict external apps): the answer is
	// the asker's alone, as Discord requires there.
	r.ephemeral = (cmd.Private != nil && cmd.Private(req)) || userInstalledInServer(i)
	b.run(r, job{cmd: cmd, req: req, metric: data.Name, log: log, start: start})
}

// interactionResponder answers a slash command: a deferral at once, the
// answer growing in it, then the reply in its place and follow-ups.
type interactionResponder struct {
	b         *Bot
	i         *discordgo.Interaction
	log       *slog.Logger
	ephemeral bool
	prog      *progress
	// respond sends the interaction's first response.
	respond func(*discordgo.InteractionResponse) error
}

func (r *interactionResponder) refuse(msg string) {
	err := r.respond(&discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: msg, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
	})
	if err != nil {
		r.log.Error("refuse interaction", "err", redact(err, r.b.cfg.Token))
	}
}

func (r *interactionResponder) ack() error {
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions()}}
	if r.ephemeral {
		resp.Data.Flags = discordgo.MessageFlagsEphemeral
	}
	return r.respond(resp)
}

func (r *interactionResponder) queued(ctx context.Context, pos int) {
	msg := fmt.Sprintf("-# Many questions at once: yours is number %d in line. The answer will appear here.", pos)
	if _, err := r.b.editOriginal(ctx, r.i, &discordgo.WebhookEdit{Content: &msg, AllowedMentions: noMentions()}); err != nil {
		r.log.Warn("queue notice", "err", err)
	}
}

func (r *interactionResponder) progress(delta string) {
	if r.prog == nil {
		r.prog = r.b.progress(r.i, r.log)
	}
	r.prog.update(delta)
}

func (r *interactionResponder) stopProgress() {
	if r.prog != nil {
		r.prog.stop()
	}
}

// send edits the deferred response into the first part of the reply and
// sends the rest as follow-ups.
func (r *interactionResponder) send(ctx context.Context, reply commands.Reply, parts []string) (string, error) {
	edit := &discordgo.WebhookEdit{Content: &parts[0], AllowedMentions: noMentions(), Embeds: &[]*discordgo.MessageEmbed{}}
	if comps := commands.AnswerButtons(reply, r.b.sources != nil); comps != nil {
		edit.Components = &comps
	}
	msg, err := r.b.editOriginal(ctx, r.i, edit)
	if err != nil {
		return "", err
	}
	for _, p := range parts[1:] {
		params := &discordgo.WebhookParams{Content: p, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsSuppressEmbeds}
		if reply.Ephemeral || r.ephemeral {
			params.Flags |= discordgo.MessageFlagsEphemeral
		}
		if err := r.b.followUp(ctx, r.i, params); err != nil {
			return msg.ID, err
		}
	}
	return msg.ID, nil
}

// fail removes the deferral, which may be public, and tells the asker
// privately.
func (r *interactionResponder) fail(ctx context.Context, msg string) {
	if err := r.b.deleteOriginal(ctx, r.i); err != nil {
		r.log.Warn("delete deferred response", "err", err)
	}
	if err := r.b.followUp(ctx, r.i, &discordgo.WebhookParams{
		Content: msg, AllowedMentions: noMentions(), Flags: discordgo.MessageFlagsEphemeral,
	}); err != nil {
		r.log.Error("send error message", "err", err)
	}
}

// autocomplete is the answer to an autocomplete interaction, which cannot
// be deferred and must come within Discord's 3 seconds.
func (b *Bot) autocomplete(i *discordgo.Interaction) *discordgo.InteractionResponse {
	data := i.ApplicationCommandData()
	cmd, ok := b.commands[data.Name]
	var choices []*discordgo.ApplicationCommandOptionChoice
	if ok && cmd.Autocomplete != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		// Choices are per server and per member: the server's own feeds
		// and digest channels, for those who may manage them.
		req := b.interactionRequest(i, data.Name)
		req.Options, req.Focused = optionMap(data.Options), focusedOption(data.Options)
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
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices, AllowedMentions: noMentions()},
	}
}

// focusedOption is the name of the option being typed, in a subcommand too.
func focusedOption(opts []*discordgo.ApplicationCommandInteractionDataOption) string {
	for _, o := range opts {
		if o.Focused {
			return o.Name
		}
		if f := focusedOption(o.Options); f != "" {
			return f
		}
	}
	return ""
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
		if _, err := p.b.editOriginal(p.b.root, p.i, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions()}); err != nil {
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
			var install, contexts []int
			if c.IntegrationTypes != nil {
				for _, t := range *c.IntegrationTypes {
					install = append(install, int(t))
				}
			}
			if c.Contexts != nil {
				for _, t := range *c.Contexts {
					contexts = append(contexts, int(t))
				}
			}
			typ := int(c.Type)
			if typ == 0 {
				typ = int(discordgo.ChatApplicationCommand) // Discord's default, which it fills in
			}
			var names, descs map[discordgo.Locale]string
			if c.NameLocalizations != nil && len(*c.NameLocalizations) > 0 {
				names = *c.NameLocalizations
			}
			if c.DescriptionLocalizations != nil && len(*c.DescriptionLocalizations) > 0 {
				descs = *c.DescriptionLocalizations
			}
			j, _ := json.Marshal([]any{c.Name, c.Description, perms, canonOptions(c.Options), install, contexts, names, descs, typ})
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
