package bot

import (
	"log/slog"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/commands"
)

// SetSources sets the command the "Sources" button runs (commands.Sources).
func (b *Bot) SetSources(c commands.Command) { b.sources = &c }

// component answers a button click: "Sources" through the one pipeline
// (rate limit, acknowledgement, logs, metrics), privately; "Follow up"
// with the form at once (a form cannot wait).
func (b *Bot) component(i *discordgo.Interaction, start time.Time, respond func(*discordgo.InteractionResponse) error) {
	data := i.MessageComponentData()
	r := b.responder(i, b.log.With("interaction", i.ID, "button", data.CustomID), respond)
	r.ephemeral = true
	log := r.log
	switch {
	case strings.HasPrefix(data.CustomID, commands.SourcesPrefix) && b.sources != nil:
		req := b.interactionRequest(i, "sources")
		req.Options["ids"] = strings.TrimPrefix(data.CustomID, commands.SourcesPrefix)
		b.run(r, job{cmd: *b.sources, req: req, metric: "sources", log: log, start: start})
	case strings.HasPrefix(data.CustomID, commands.TimelinePrefix) && b.commands["timeline"].Handle != nil:
		req := b.interactionRequest(i, "timeline")
		req.Options["topic"] = strings.TrimPrefix(data.CustomID, commands.TimelinePrefix)
		b.run(r, job{cmd: b.commands["timeline"], req: req, metric: "timeline-button", log: log, start: start})
	case data.CustomID == commands.FollowUpID && i.Message != nil:
		if err := r.respond(commands.FollowUpForm(i.Message.ID, string(i.Locale))); err != nil {
			log.Warn("open the follow-up form", "err", redact(err, b.cfg.Token))
			b.metrics.interaction("follow-up-form", "failed")
			return
		}
		b.metrics.interaction("follow-up-form", "ok")
	default:
		b.metrics.interaction("button", "unknown")
		r.refuse("That button no longer does anything. Ask again with `/ask`.")
	}
}

// modal answers a submitted follow-up form: the question it holds, asked
// as a follow-up of the answer the form was opened from, through the
// pipeline like /ask.
func (b *Bot) modal(i *discordgo.Interaction, start time.Time, respond func(*discordgo.InteractionResponse) error) {
	data := i.ModalSubmitData()
	r := b.responder(i, b.log.With("interaction", i.ID, "form", data.CustomID), respond)
	log := r.log
	cmd, ok := b.commands["ask"]
	if !ok || !strings.HasPrefix(data.CustomID, commands.FollowUpModal) {
		b.metrics.interaction("form", "unknown")
		r.refuse("That form no longer does anything. Ask again with `/ask`.")
		return
	}
	req := b.interactionRequest(i, "ask")
	req.Options["question"] = formValue(data.Components, commands.FollowUpInput)
	req.Prior = b.exchanges.get(strings.TrimPrefix(data.CustomID, commands.FollowUpModal))
	r.ephemeral = userInstalledInServer(i)
	b.run(r, job{cmd: cmd, req: req, metric: "follow-up", log: log, start: start})
}

// responder answers an interaction: respond, when set, sends the first
// response as the answer to Discord's HTTP request; otherwise it goes
// over REST.
func (b *Bot) responder(i *discordgo.Interaction, log *slog.Logger, respond func(*discordgo.InteractionResponse) error) *interactionResponder {
	if respond == nil {
		respond = func(resp *discordgo.InteractionResponse) error { return b.session.InteractionRespond(i, resp) }
	}
	return &interactionResponder{b: b, i: i, log: log, respond: respond}
}

// interactionRequest is the pipeline's request for an interaction: who, where, with
// what permissions.
func (b *Bot) interactionRequest(i *discordgo.Interaction, command string) commands.Request {
	req := commands.Request{Command: command, Options: map[string]any{}, GuildID: i.GuildID, ChannelID: i.ChannelID, Locale: string(i.Locale)}
	if user := userOf(i); user != nil {
		req.UserID = user.ID
	}
	if i.Member != nil {
		req.Permissions = i.Member.Permissions
	}
	return req
}

// formValue is the value of a form's text input.
func formValue(rows []discordgo.MessageComponent, id string) string {
	for _, row := range rows {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range ar.Components {
			if ti, ok := c.(*discordgo.TextInput); ok && ti.CustomID == id {
				return ti.Value
			}
		}
	}
	return ""
}
