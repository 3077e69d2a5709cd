package commands_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge/answer"
)

// Discord's rule for slash command and option names, localised ones too.
var nameRule = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// Every name, description and choice of every command, and every fixed
// phrase, is in every locale of the catalogue, and every localised name
// keeps Discord's rules.
func TestCatalogueIsComplete(t *testing.T) {
	want := []discordgo.Locale{"ar", "de", "es-ES", "fr", "ja", "ru", "uk", "zh-CN"}
	if got := commands.Locales(); len(got) < len(want) {
		t.Fatalf("locales %v, want at least %v", got, want)
	}
	d := deps()
	d.Digests, d.Channels, d.Checker = &fakeDigests{}, fakeChannels{}, fakeChecker{}
	d.Feeds = &fakeFeeds{}
	cmds := commands.All(d)
	if len(cmds) < 9 {
		t.Fatalf("%d commands: the test must see them all", len(cmds))
	}
	for _, loc := range want {
		for _, c := range cmds {
			def := c.Definition
			menu := def.Type == discordgo.MessageApplicationCommand || def.Type == discordgo.UserApplicationCommand
			checkLocalized(t, loc, "/"+def.Name, def.Name, def.Description, def.NameLocalizations, def.DescriptionLocalizations, menu)
			var walk func(path string, opts []*discordgo.ApplicationCommandOption)
			walk = func(path string, opts []*discordgo.ApplicationCommandOption) {
				for _, o := range opts {
					p := path + " " + o.Name
					checkLocalized(t, loc, p, o.Name, o.Description, &o.NameLocalizations, &o.DescriptionLocalizations, false)
					for _, ch := range o.Choices {
						if n := ch.NameLocalizations[loc]; n == "" {
							t.Errorf("%s: choice %q has no %s name", p, ch.Name, loc)
						}
					}
					walk(p, o.Options)
				}
			}
			walk("/"+def.Name, def.Options)
		}
		// The phrases, read from the file itself: T would fall back to
		// English and hide a missing one.
		b, err := os.ReadFile(filepath.Join("i18n", string(loc)+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var cat struct{ Texts map[string]string }
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatal(err)
		}
		for _, p := range commands.Phrases {
			if strings.TrimSpace(cat.Texts[p]) == "" {
				t.Errorf("%s: phrase %q is not in the catalogue", loc, p)
			}
		}
	}
}

func checkLocalized(t *testing.T, loc discordgo.Locale, where, name, desc string, names, descs *map[discordgo.Locale]string, menu bool) {
	t.Helper()
	n := ""
	if names != nil {
		n = (*names)[loc]
	}
	switch {
	case n == "":
		t.Errorf("%s: no %s name for %q", where, loc, name)
	case menu && utf8.RuneCountInString(n) > 32:
		t.Errorf("%s: %s name %q is over 32 characters", where, loc, n)
	case !menu && (!nameRule.MatchString(n) || n != strings.ToLower(n)):
		t.Errorf("%s: %s name %q breaks Discord's name rule", where, loc, n)
	}
	if desc == "" {
		return
	}
	dd := ""
	if descs != nil {
		dd = (*descs)[loc]
	}
	if dd == "" || utf8.RuneCountInString(dd) > 100 {
		t.Errorf("%s: %s description %q missing or over 100 characters", where, loc, dd)
	}
}

type fakeChecker struct{}

func (fakeChecker) CheckClaims(ctx context.Context, msg string) (answer.Answer, []answer.ClaimVerdict, error) {
	return answer.Answer{Text: "checked"}, nil, nil
}

// A phrase follows the locale, a regional one its language, and falls back
// to English.
func TestT(t *testing.T) {
	for _, tc := range []struct{ locale, want string }{
		{"de", "Quellen (3)"}, {"fr", "Sources (3)"}, {"es-ES", "Fuentes (3)"}, {"es-419", "Fuentes (3)"},
		{"zh-CN", "来源（3）"}, {"en-US", "Sources (3)"}, {"", "Sources (3)"}, {"ko", "Sources (3)"},
	} {
		if got := commands.T(tc.locale, "Sources (%d)", 3); got != tc.want {
			t.Errorf("T(%q) = %q, want %q", tc.locale, got, tc.want)
		}
	}
}
