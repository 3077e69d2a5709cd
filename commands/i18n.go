package commands

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// The message catalogue: one file per Discord locale in i18n/, each
// mapping the English names of commands and options ("names") and the
// English descriptions and fixed phrases ("texts") to the locale's, as
// gettext keys its messages by their English text. A missing entry falls
// back to English; TestCatalogueIsComplete fails on one.
//
//go:embed i18n/*.json
var catalogueFS embed.FS

type catalogue struct {
	Locale string            `json:"locale"`
	Names  map[string]string `json:"names"`
	Texts  map[string]string `json:"texts"`
}

// catalogues by locale, read once at start; a malformed file is a build
// mistake and stops the program.
var catalogues = func() map[discordgo.Locale]catalogue {
	out := map[discordgo.Locale]catalogue{}
	files, _ := fs.Glob(catalogueFS, "i18n/*.json")
	for _, f := range files {
		b, _ := catalogueFS.ReadFile(f)
		var c catalogue
		if err := json.Unmarshal(b, &c); err != nil || c.Locale == "" {
			panic(fmt.Sprintf("message catalogue %s: %v", f, err))
		}
		out[discordgo.Locale(c.Locale)] = c
	}
	return out
}()

// Locales are the locales the catalogue has, sorted.
func Locales() []discordgo.Locale {
	var out []discordgo.Locale
	for l := range catalogues {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// T is a fixed phrase in the interaction's locale ("fr", "es-ES"; a
// regional locale falls back to its language), formatted with args;
// English when the catalogue lacks it.
func T(locale, english string, args ...any) string {
	s := english
	if c, ok := catalogueFor(locale); ok {
		if t, ok := c.Texts[english]; ok && t != "" {
			s = t
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func catalogueFor(locale string) (catalogue, bool) {
	if c, ok := catalogues[discordgo.Locale(locale)]; ok {
		return c, true
	}
	lang, _, _ := strings.Cut(locale, "-")
	for l, c := range catalogues {
		if strings.SplitN(string(l), "-", 2)[0] == lang {
			return c, true
		}
	}
	return catalogue{}, false
}

// Localize gives every command, option and choice its names and
// descriptions in each locale of the catalogue.
func Localize(cmds []Command) []Command {
	for _, c := range cmds {
		d := c.Definition
		names, descs := localized(d.Name, d.Description)
		d.NameLocalizations = names
		if d.Description != "" {
			d.DescriptionLocalizations = descs
		}
		localizeOptions(d.Options)
	}
	return cmds
}

func localizeOptions(opts []*discordgo.ApplicationCommandOption) {
	for _, o := range opts {
		names, descs := localized(o.Name, o.Description)
		o.NameLocalizations = *names
		o.DescriptionLocalizations = *descs
		for _, ch := range o.Choices {
			n, _ := localized(ch.Name, "")
			ch.NameLocalizations = *n
		}
		localizeOptions(o.Options)
	}
}

func localized(name, desc string) (*map[discordgo.Locale]string, *map[discordgo.Locale]string) {
	names, descs := map[discordgo.Locale]string{}, map[discordgo.Locale]string{}
	for l, c := range catalogues {
		if n, ok := c.Names[name]; ok && n != "" {
			names[l] = n
		}
		if d, ok := c.Texts[desc]; ok && d != "" && desc != "" {
			descs[l] = d
		}
	}
	return &names, &descs
}

// Phrases are the fixed phrases the transport shows, which every locale
// of the catalogue must have.
var Phrases = []string{
	"Sources", "Sources (%d)", "Follow up", "Your question", "And what happened next?", "Closest stored articles",
	"As of %s", "extractive answer", "The articles this answer cites:",
	"That took too long. Please try again, perhaps with a narrower question.",
	"Attache is restarting. Please ask again in a minute.",
	"The news archive is unavailable for a moment (its database is restarting). Please ask again shortly.",
	"Something went wrong on my side (code: internal). It has been logged; please try again.",
	"You're asking quickly. Try again in %d s.", "Timeline", "Daily digest",
	// The messages of user errors (Userf), shown in the asker's locale.
	"%q is not a time like 08:30 (24-hour clock).",
	"%q is not a time zone; use a name like Europe/Paris or America/New_York.",
	"<#%s> does not get the digest.",
	"Ask a question, for example: What is Witkoff's role?",
	"Choose a channel.",
	"Feeds belong to a server: use /feeds in a server.",
	"Give a name, for example Witkoff.",
	"Give some words to search for.",
	"Name a story, for example: Iran nuclear talks.",
	"No channel of this server by that name gets the digest. Pick one from the list, or see `/digest list`.",
	"That message has no text to check (I read text, not images or embeds).",
	"That question is too long; keep it under %d characters.",
	"This server does not read that feed. See `/feeds list`.",
	"This works in a server, not in direct messages.",
	"Those articles are no longer stored.",
	"Use /digest subscribe, unsubscribe, list or now.",
	"Use /feeds add, remove or list.",
	"You need the Manage Server permission for this.",
	"days must be between 1 and 365.",
	"days must be between 1 and 3650.",
	"I can't post in <#%s>: give me View Channel and Send Messages there.",
	"I can't see <#%s>: give me View Channel and Send Messages there.",
}
