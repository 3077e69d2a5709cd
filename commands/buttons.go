package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// The buttons under an answer carry their state in their custom_id (at
// most 100 characters) and the store, so that a click works after a
// restart and on any process: "src:12.45.78" lists the answer's articles
// by id; "fu" opens the follow-up form, whose answer reads the exchange
// the store keeps for the message.
const (
	TimelinePrefix = "tl:" // + the story's words
	SourcesPrefix  = "src:"
	FollowUpID     = "fu"
	FollowUpModal  = "fuq:" // + the answer's message id
	FollowUpInput  = "question"
	maxCustomIDLen = 100
)

// ArticleReader reads stored articles by id.
type ArticleReader interface {
	Article(ctx context.Context, id int64) (knowledge.Article, error)
}

// AnswerButtons are the buttons under an answer: its sources (when the
// transport answers that button), and a follow-up when the answer can be
// followed up.
func AnswerButtons(r Reply, sources bool) []discordgo.MessageComponent {
	var buttons []discordgo.MessageComponent
	if ids := SourceIDs(r.Answer); ids != "" && sources {
		buttons = append(buttons, discordgo.Button{Label: T(r.Locale, "Sources (%d)", len(r.Answer.Sources)), Style: discordgo.SecondaryButton,
			CustomID: SourcesPrefix + ids})
	}
	if r.Remember != nil {
		buttons = append(buttons, discordgo.Button{Label: T(r.Locale, "Follow up"), Style: discordgo.PrimaryButton, CustomID: FollowUpID})
	}
	if len(buttons) == 0 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
}

// SourceIDs writes an answer's article ids for a button, as many as fit.
func SourceIDs(a answer.Answer) string {
	var b strings.Builder
	for _, s := range a.Sources {
		id := strconv.FormatInt(s.Article.ID, 10)
		if s.Article.ID <= 0 || len(SourcesPrefix)+b.Len()+1+len(id) > maxCustomIDLen {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(id)
	}
	return b.String()
}

// Sources answers the "Sources" button: the answer's articles, numbered as
// in the answer, each with its outlet, date and link, to the clicker only.
func Sources(d Deps) Command {
	return Command{
		Definition: &discordgo.ApplicationCommand{Name: "sources"},
		Private:    always,
		Handle: func(ctx context.Context, req Request) (Reply, error) {
			var a answer.Answer
			a.Question = "Sources"
			for i, f := range strings.Split(req.String("ids"), ".") {
				id, err := strconv.ParseInt(f, 10, 64)
				if err != nil || id <= 0 {
					continue
				}
				art, err := d.Articles.Article(ctx, id)
				if err != nil {
					// An article replaced since keeps its number, unshown.
					continue
				}
				art.Body = ""
				a.Sources = append(a.Sources, answer.Source{N: i + 1, Article: art})
			}
			if len(a.Sources) == 0 {
				return Reply{}, Userf("gone", "Those articles are no longer stored.")
			}
			var lines []string
			for _, s := range a.Sources {
				author := ""
				if s.Article.Author != "" {
					author = " · " + s.Article.Author
				}
				lines = append(lines, fmt.Sprintf("[%d] %s — %s%s, %s", s.N, s.Article.Title, orText(s.Article.Source, "unknown outlet"), author, s.Article.Day()))
			}
			a.Text = T(req.Locale, "The articles this answer cites:") + "\n" + strings.Join(lines, "\n")
			a.Grounded = true
			return Reply{Answer: a, Ephemeral: true}, nil
		},
	}
}

// FollowUpForm is the form the "Follow up" button opens; its answer
// continues the conversation of the message it was opened from.
func FollowUpForm(messageID, locale string) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID: FollowUpModal + messageID,
			Title:    T(locale, "Follow up"),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: FollowUpInput, Label: T(locale, "Your question"), Style: discordgo.TextInputParagraph,
					Placeholder: T(locale, "And what happened next?"), Required: true, MinLength: 1, MaxLength: 4000},
			}}},
		},
	}
}

// TimelineButtons are the buttons under a digest: one per story (at most
// five), whose click shows that story so far.
func TimelineButtons(headlines []string, locale string) []discordgo.MessageComponent {
	var buttons []discordgo.MessageComponent
	for _, h := range headlines {
		words := strings.Join(storyWords(h), " ")
		if words == "" || len(buttons) == 5 {
			continue
		}
		id := TimelinePrefix + words
		for len(id) > maxCustomIDLen {
			id = id[:strings.LastIndexByte(id, ' ')]
		}
		label := T(locale, "Timeline") + ": " + h
		if r := []rune(label); len(r) > 80 {
			label = string(r[:79]) + "…"
		}
		buttons = append(buttons, discordgo.Button{Label: label, Style: discordgo.SecondaryButton, CustomID: id})
	}
	if len(buttons) == 0 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
}

// storyWords are a headline's words a timeline searches by: the names and
// longer words, at most eight.
func storyWords(headline string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(headline, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' }) {
		if utf8.RuneCountInString(w) < 4 && !unicode.IsUpper([]rune(w)[0]) {
			continue
		}
		out = append(out, w)
		if len(out) == 8 {
			break
		}
	}
	return out
}
