package ingest

import (
	"regexp"
	"strings"

	"github.com/attache-bot/attache/knowledge/text"
)

// dropFurniture removes from an article's body the page furniture that is
// not its text, by rules that hold across sites, for every format:
//
//   - anywhere: caption lines ("Media caption …", "Image source, …", "Photo:
//     …", credits), reading times ("3 min read"), and short furniture phrases
//     ("Advertisement", "Share this article");
//   - among the first paragraphs: the repeated title, bylines, datelines
//     ("13 March 2025, 10:20 GMT", "Published 2 hours ago") and lines made
//     only of those joined by "·" or "|" ("By Jane Doe · 13 March 2025 · 3
//     minute read").
//
// A paragraph of the text proper never matches: each rule wants a short
// paragraph that is wholly furniture.
func dropFurniture(body, title string) string {
	paras, stored := text.Paragraphs(body)
	// When the title is repeated near the top, the short lines before it
	// are the page's header (breadcrumbs, section names), not text.
	start := 0
	for i := 0; i < len(paras) && i < 6; i++ {
		if t := strings.TrimSpace(paras[i]); t == title && title != "" {
			start = i + 1
			break
		}
		if text.CountWords(paras[i]) >= 10 {
			break
		}
	}
	out := make([]string, 0, len(paras)-start)
	lead := true // still among the first paragraphs
	dropped := start > 0
	for i, p := range paras[start:] {
		t := strings.TrimSpace(p)
		// Every rule wants a short paragraph: a long one is text, and
		// costs no pattern matching.
		short := len(t) < maxFurnitureBytes
		switch {
		case t == "":
			dropped = true
			continue
		case short && ((strings.Count(t, " ") < 20 && isJunkLine(t)) || isCaption(t)):
			dropped = true
			continue
		case short && lead && i < 6 && (t == title || isHeaderLine(t)):
			dropped = true
			continue
		}
		lead = false
		out = append(out, p)
	}
	if !dropped && stored {
		return body
	}
	return strings.Join(out, "\n\n")
}

// maxFurnitureBytes bounds the paragraphs that can be furniture: a caption
// of 60 words, a title.
const maxFurnitureBytes = 600

// isHeaderLine reports a byline, a dateline, a reading time, or a short line
// of those joined by separators.
func isHeaderLine(l string) bool {
	if text.CountWords(l) > 25 {
		return false
	}
	for _, part := range headerSepRE.Split(l, -1) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !bylineRE.MatchString(part) && !isDateline(part) && !readTimeRE.MatchString(part) && !namedAndDated(part) {
			return false
		}
	}
	return true
}

var headerSepRE = regexp.MustCompile(`\s+[·|•]\s+|\s*[·|•]\s*$`)

// namedAndDated reports a line of a few words holding a date written out,
// as a byline without "By" is: "Sarah Gooding March 9, 2017".
func namedAndDated(l string) bool {
	return text.CountWords(l) <= 8 && writtenDateRE.MatchString(l)
}

var writtenDateRE = regexp.MustCompile(`(?i)\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4})\b`)

// isDateline reports a line that only dates or times the article:
// "13 March 2025, 10:20 GMT", "16/04/2025", "Published 2 hours ago",
// "Updated: April 16, 2025 9:00 a.m. ET".
func isDateline(l string) bool {
	l = strings.TrimSpace(datelinePrefixRE.ReplaceAllString(l, ""))
	return numDateRE.MatchString(l) || (len(l) < 60 && textDateRE.MatchString(l)) || agoRE.MatchString(l)
}

var (
	datelinePrefixRE = regexp.MustCompile(`(?i)^(?:published|updated|posted|last updated|first published)\s*(?:on|at)?\s*:?\s*`)
	agoRE            = regexp.MustCompile(`(?i)^\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago$`)
)

// isCaption reports a photo caption or credit line inside the text.
func isCaption(l string) bool {
	if l == "" || text.CountWords(l) >= 60 {
		return false
	}
	// Cheap tests first: a credit has a colon, a labelled caption starts
	// with one of its few words.
	if strings.IndexByte(l, ':') >= 0 && captionRE.MatchString(l) {
		return true
	}
	return strings.IndexByte("mMiIvVpP", l[0]) >= 0 && mediaCaptionRE.MatchString(l)
}

// mediaCaptionRE: the labels screen-reader text puts before a caption or a
// picture's source, which readability keeps as text.
var mediaCaptionRE = regexp.MustCompile(`(?i)^(?:media|image|video|photo|picture)\s+(?:caption|source|copyright|credit)\b`)

// isJunkLine reports lines that are page furniture wherever they appear.
func isJunkLine(l string) bool {
	return junkPhraseRE.MatchString(l) || readTimeRE.MatchString(l)
}
