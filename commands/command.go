package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// Request is one invocation of a command as the transport hands it over.
type Request struct {
	Command   string
	Options   map[string]any // by option name: string, int64, float64 or bool
	UserID    string
	GuildID   string // empty in a DM
	ChannelID string
	// Permissions are the member's permissions in the channel (Discord's
	// bit set); zero in a DM.
	Permissions int64
	// Focused is the option being typed, for autocompletion.
	Focused string
	// Progress, when set, shows partial text while an answer streams.
	Progress func(text string)
	// Prior is the exchange a follow-up continues, if any.
	Prior *answer.FollowUp
	// Locale is the asker's Discord locale ("fr", "es-ES"); "" for English.
	Locale string
}

// String returns a string option, trimmed; "" when absent.
func (r Request) String(name string) string {
	s, _ := r.Options[name].(string)
	return strings.TrimSpace(s)
}

// Int returns an integer option and whether it was given.
func (r Request) Int(name string) (int64, bool) {
	switch v := r.Options[name].(type) {
	case int64:
		return v, true
	case float64:
		return int64(v), true
	case int:
		return int64(v), true
	}
	return 0, false
}

// Reply is what a command answers; the transport renders it.
type Reply struct {
	// Answer holds the text, with [n] markers pointing at its Sources.
	Answer answer.Answer
	// Ephemeral replies are shown to the asker only.
	Ephemeral bool
	// Footer, when set, ends the last message as a small line (a digest's
	// mark); it counts within the message's length.
	Footer string
	// Locale, set by the transport, is the language of its fixed phrases.
	Locale string
	// Remember, when set, is what a reply to this answer follows up: the
	// command decides, the transport keeps it.
	Remember *answer.FollowUp
}

func textAnswer(s string) answer.Answer { return answer.Answer{Text: s} }

// Choice is one autocompletion suggestion.
type Choice struct{ Name, Value string }

// Command is a slash command: what Discord shows, and how it is answered.
type Command struct {
	Definition *discordgo.ApplicationCommand
	// UsesLLM marks commands that may call the LLM, so that the transport
	// bounds how many run at once.
	UsesLLM bool
	// Private, when set, says whether a request is answered only to the
	// person who asked (decided before the answer, when it is deferred).
	Private      func(req Request) bool
	Handle       func(ctx context.Context, req Request) (Reply, error)
	Autocomplete func(ctx context.Context, req Request) ([]Choice, error)
}

// UserError is an error for the person who asked: short, coded and
// actionable. Anything else a handler returns is logged, and the user sees
// a generic message.
type UserError struct {
	Code    string
	Message string // in English
	format  string
	args    []any
}

func (e *UserError) Error() string { return e.Code + ": " + e.Message }

// In is the message in a locale (English when the catalogue lacks it).
func (e *UserError) In(locale string) string {
	if e.format == "" {
		return e.Message
	}
	return T(locale, e.format, e.args...)
}

// Userf makes a UserError.
func Userf(code, format string, a ...any) error {
	return &UserError{Code: code, Message: fmt.Sprintf(format, a...), format: format, args: a}
}

// AsUserError returns the UserError inside err, if any.
func AsUserError(err error) (*UserError, bool) {
	var ue *UserError
	ok := errors.As(err, &ue)
	return ue, ok
}

// The knowledge base as the commands use it.
type (
	// Asker answers questions.
	Asker interface {
		Ask(ctx context.Context, question string, prior *answer.FollowUp, onDelta func(string)) (answer.Answer, error)
	}
	// Searcher searches articles.
	Searcher interface {
		Search(ctx context.Context, text string, opt knowledge.SearchOptions) ([]knowledge.Hit, error)
		// Outlets are the outlets whose name holds typed, largest first.
		Outlets(ctx context.Context, typed string, limit int) ([]string, error)
	}
	// Summarizer summarises news.
	Summarizer interface {
		Summarize(ctx context.Context, req answer.SummaryRequest) (answer.Answer, error)
	}
	// People knows who is who.
	People interface {
		WhoIs(ctx context.Context, name string) ([]knowledge.PersonRoles, error)
		People(ctx context.Context, prefix string, limit int) ([]knowledge.Person, error)
	}
	// Stats describes the store.
	Stats interface {
		Stats(ctx context.Context) (knowledge.Stats, error)
	}
)

// Deps are what the commands need.
type Deps struct {
	Asker      Asker
	Searcher   Searcher
	Summarizer Summarizer
	People     People
	Stats      Stats
	Digests    Digests
	Channels   Channels
	Feeds      Feeds
	Timelines  Timeliner
	Checker    Checker
	Articles   ArticleReader // for the Sources button
	Settings   Settings
	Now        func() time.Time
}

func (d Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now().UTC()
}

// All returns every command whose dependencies are given.
func All(d Deps) []Command {
	cmds := []Command{Anywhere(Ask(d)), Anywhere(Search(d)), Anywhere(Summarize(d)), Anywhere(WhoIs(d)), Anywhere(Help(d))}
	if d.Timelines != nil {
		cmds = append(cmds, Anywhere(Timeline(d)))
	}
	if d.Checker != nil {
		cmds = append(cmds, Anywhere(CheckMessage(d)))
	}
	if d.Digests != nil && d.Channels != nil {
		cmds = append(cmds, ServerOnly(Digest(d)))
	}
	if d.Feeds != nil {
		cmds = append(cmds, ServerOnly(FeedsCommand(d)))
	}
	if d.Settings != nil {
		cmds = append(cmds, ServerOnly(SettingsCommand(d)))
	}
	return Localize(cmds)
}

// Where commands can be installed and used (Discord's integration_types
// and contexts). The reading commands go anywhere: installed in a server
// or by a user for themselves, in servers, in DMs with the bot and in
// group DMs and private channels; answers there come from the operator's
// archive. Commands that change a server's settings stay in servers,
// installed by them, behind Manage Server.
var (
	anywhereInstall  = []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall, discordgo.ApplicationIntegrationUserInstall}
	anywhereContexts = []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM, discordgo.InteractionContextPrivateChannel}
	serverInstall    = []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	serverContexts   = []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
)

// Anywhere makes a command user-installable and usable in every context.
func Anywhere(c Command) Command {
	c.Definition.IntegrationTypes = &anywhereInstall
	c.Definition.Contexts = &anywhereContexts
	return c
}

// ServerOnly keeps a command to the servers that installed it.
func ServerOnly(c Command) Command {
	c.Definition.IntegrationTypes = &serverInstall
	c.Definition.Contexts = &serverContexts
	return c
}

// ManageServer is Discord's Manage Server permission; Administrator
// implies every permission.
const (
	ManageServer  int64 = 1 << 5
	Administrator int64 = 1 << 3
)

// requireManageServer checks the member's permissions on every call:
// server admins can override a command's default permissions.
func requireManageServer(req Request) error {
	if req.GuildID == "" {
		return Userf("dm", "This works in a server, not in direct messages.")
	}
	if req.Permissions&(ManageServer|Administrator) == 0 {
		return Userf("forbidden", "You need the Manage Server permission for this.")
	}
	return nil
}

// questionError turns the answerer's refusals into user errors.
func questionError(err error) error {
	switch {
	case errors.Is(err, answer.ErrEmptyQuestion):
		return Userf("empty", "Ask a question, for example: What is Witkoff's role?")
	case errors.Is(err, answer.ErrTooLong):
		return Userf("too-long", "That question is too long; keep it under %d characters.", answer.MaxQuestionChars)
	}
	return err
}

func ptr[T any](v T) *T { return &v }

// always is a Private for commands whose answers are always private.
func always(Request) bool { return true }
