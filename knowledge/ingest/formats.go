package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"github.com/itlightning/dateparse"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

// jsonArticle is one line of a JSONL file.
type jsonArticle struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	Author    string `json:"author"`
	Published string `json:"published"`
	Body      string `json:"body"`
	Lang      string `json:"lang"`
}

// maxLineBytes bounds one JSONL line.
const maxLineBytes = 16 << 20

// ReadJSONL reads one article per line and calls fn with each line's number
// and article, or with the line's error. Blank lines are skipped. It returns
// only errors of reading the stream itself, or fn's error.
func ReadJSONL(r io.Reader, fn func(line int, a knowledge.Article, err error) error) error {
	return readJSONL(r, func(line int, a knowledge.Article, _ []string, err error) error { return fn(line, a, err) })
}

// readJSONL is ReadJSONL that also gives each line's URL aliases.
func readJSONL(r io.Reader, fn func(line int, a knowledge.Article, aliases []string, err error) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var dec jsonDecoder
	var line0 []byte // the line buffer, reused: articles copy what they keep
	for line := 1; ; line++ {
		b, tooLong, err := readLine(br, line0[:0])
		if cap(b) <= 1<<20 { // an unusually long line's buffer is not kept
			line0 = b
		}
		if tooLong {
			if ferr := fn(line, knowledge.Article{}, nil, errLineTooLong); ferr != nil {
				return ferr
			}
		} else if (err == nil || err == io.EOF) && len(bytes.TrimSpace(b)) > 0 {
			// A line cut short by a read error is not parsed: the error
			// below is the problem, not the half line.
			a, aliases, perr := parseJSONLine(&dec, b)
			if ferr := fn(line, a, aliases, perr); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}

// readLine reads one line into buf; an over-long line is consumed and flagged.
func readLine(br *bufio.Reader, buf []byte) ([]byte, bool, error) {
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong && len(buf)+len(chunk) > maxLineBytes {
			tooLong, buf = true, nil
		}
		if !tooLong {
			buf = append(buf, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return buf, tooLong, err
	}
}

var errLineTooLong = fmt.Errorf("line longer than %d MiB", maxLineBytes>>20)

// ExportLine is one article as `attache export` writes it: the fields
// every JSONL line may hold, and what makes an ingest of the export
// rebuild the same archive (when it was fetched, whether its date is its
// fetching, and the other URLs it is known by).
type ExportLine struct {
	URL       string   `json:"url"`
	Title     string   `json:"title"`
	Source    string   `json:"source,omitempty"`
	Author    string   `json:"author,omitempty"`
	Published string   `json:"published"`
	Fetched   string   `json:"fetched,omitempty"`
	Undated   bool     `json:"undated,omitempty"`
	Lang      string   `json:"lang,omitempty"`
	Aliases   []string `json:"aliases,omitempty"`
	Body      string   `json:"body"`
}

// exportKeys are the keys only an export line holds; a line with none is
// read by the fast decoder alone.
var exportKeys = [][]byte{[]byte(`"fetched"`), []byte(`"undated"`), []byte(`"aliases"`)}

func parseJSONLine(dec *jsonDecoder, b []byte) (knowledge.Article, []string, error) {
	b = toUTF8(b, "jsonl", "")
	j, err := dec.decode(b)
	if err != nil {
		return knowledge.Article{}, nil, err
	}
	a := knowledge.Article{URL: j.URL, Title: j.Title, Source: j.Source, Author: j.Author, Body: j.Body, Lang: j.Lang}
	if j.Published != "" {
		t, err := ParseTime(j.Published)
		if err != nil {
			return a, nil, fmt.Errorf("field \"published\": %w", err)
		}
		a.Published = t
	}
	var aliases []string
	for _, k := range exportKeys {
		if !bytes.Contains(b, k) {
			continue
		}
		var x ExportLine
		if err := json.Unmarshal(b, &x); err != nil {
			return a, nil, fmt.Errorf("fields of an export line: %w", err)
		}
		if x.Fetched != "" {
			t, err := ParseTime(x.Fetched)
			if err != nil {
				return a, nil, fmt.Errorf("field \"fetched\": %w", err)
			}
			a.Fetched = t
		}
		a.Undated, aliases = x.Undated, x.Aliases
		break
	}
	if a.Lang == "" {
		a.Lang = text.DetectArticleLang(a.Title, a.Body)
	}
	return a, aliases, nil
}

// ParseTime reads a publication time in any common format (RFC 3339, RFC
// 1123, "2025-04-16", "16 April 2025"); times without a zone are UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02", "2006-01-02 15:04:05", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	t, err := dateparse.ParseIn(s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot read %q as a date", s)
	}
	return t.UTC(), nil
}

// ParseHTML extracts the article from an HTML page with the readability
// algorithm; metadata comes from OpenGraph, JSON-LD and the canonical link.
// pageURL, when known, resolves relative links and is the fallback URL.
func ParseHTML(page []byte, pageURL string) (knowledge.Article, error) {
	var a knowledge.Article
	if countElements(page, maxElements) > maxElements {
		page = flattenHTML(page, maxElements)
	}
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return a, fmt.Errorf("parse HTML: %w", err)
	}
	meta := pageMeta(doc)
	var base *url.URL
	if pageURL != "" {
		base, _ = url.Parse(pageURL)
	}
	parser := readability.NewParser()
	art, err := parser.ParseDocument(doc, base)
	if err != nil || art.Node == nil {
		return a, errNoArticle
	}
	var body strings.Builder
	if err := art.RenderText(&body); err != nil {
		return a, errNoArticle
	}
	a.Title = headline(firstNonEmpty(meta["og:title"], art.Title(), meta["title"]), meta["h1"],
		firstNonEmpty(art.SiteName(), meta["og:site_name"], meta["application-name"]))
	a.Body = strings.TrimSpace(body.String())
	if text.TooShort(a.Body) {
		return a, errNoArticle
	}
	a.Author = firstNonEmpty(art.Byline(), meta["author"])
	a.Source = firstNonEmpty(art.SiteName(), meta["og:site_name"])
	a.Lang = firstNonEmpty(shortLang(art.Language()), text.DetectArticleLang(a.Title, a.Body))
	a.URL = firstNonEmpty(meta["canonical"], meta["og:url"], pageURL)
	if base != nil && a.URL != "" {
		if u, err := base.Parse(a.URL); err == nil {
			a.URL = u.String()
		}
	}
	a.Published = publishedOf(meta, art, a.URL)
	if !knowledge.IsWebURL(a.URL) {
		// A saved page with no absolute address: name it by date and title,
		// as scraped text is, so re-ingesting it is idempotent.
		day := "undated"
		if !a.Published.IsZero() {
			day = a.Published.Format("2006-01-02")
		}
		a.URL = "urn:attache:" + day + ":" + slug(a.Title)
	}
	if a.Source == "" && knowledge.IsWebURL(a.URL) {
		if u, err := url.Parse(a.URL); err == nil {
			a.Source = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	return a, nil
}

// maxElements bounds the elements of a page's tree. A parsed element
// costs hundreds of bytes, and readability copies and scores them, so a page
// of a million tiny elements would take 50 times its size in memory. News
// pages have a few thousand.
const maxElements = 50000

// countElements counts a page's start tags, up to limit+1, without building
// a tree.
func countElements(page []byte, limit int) int {
	z := html.NewTokenizer(bytes.NewReader(page))
	n := 0
	for n <= limit {
		switch z.Next() {
		case html.ErrorToken:
			return n
		case html.StartTagToken, html.SelfClosingTagToken:
			n++
		}
	}
	return n
}

// flattenHTML rewrites an over-large page so that its tree holds at most
// limit elements: the head is kept, and in the body the elements that carry
// an article's structure (paragraphs, headings, lists, quotes, article and
// time elements) are kept up to the limit, while generic containers and
// inline tags are dropped with their text kept. A dropped block element
// leaves a line break, so its text does not run into the next.
func flattenHTML(page []byte, limit int) []byte {
	z := html.NewTokenizer(bytes.NewReader(page))
	out := bytes.NewBuffer(make([]byte, 0, len(page)/2))
	kept, inBody := 0, false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out.Bytes()
		case html.TextToken, html.DoctypeToken:
			out.Write(z.Raw())
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "body" {
				inBody = true
			}
			keep := !inBody || structural[tag]
			if tt != html.EndTagToken {
				keep = keep && kept < limit
				if keep {
					kept++
				}
			}
			switch {
			case keep:
				out.Write(z.Raw())
			case blockLevel[tag]:
				out.WriteByte('\n')
			}
		}
	}
}

var structural = map[string]bool{
	"body": true, "main": true, "article": true, "header": true, "footer": true, "nav": true, "aside": true,
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "ul": true, "ol": true,
	"li": true, "blockquote": true, "time": true, "meta": true, "script": true, "style": true, "br": true,
	"figure": true, "figcaption": true, "pre": true,
}

var blockLevel = map[string]bool{
	"div": true, "section": true, "table": true, "tr": true, "td": true, "th": true, "dl": true, "dt": true,
	"dd": true, "form": true, "center": true,
}

// headline is the page's title, unless that is only the site's name (or
// the site's name with a slogan): then the page's <h1>.
func headline(title, h1, site string) string {
	if h1 == "" || strings.Contains(title, h1) {
		return title
	}
	t := strings.ToLower(title)
	if site != "" && (t == strings.ToLower(site) || strings.HasPrefix(t, strings.ToLower(site)+" ") && !strings.Contains(strings.ToLower(h1), strings.ToLower(site))) {
		return h1
	}
	return title
}

// publishedMeta are the meta names (property, name or itemprop) that
// pages keep a publication date in, most trusted first.
var publishedMeta = []string{
	"article:published_time", "og:published_time", "og:article:published_time", "datepublished",
	"article:publicationdate", "publishdate", "publish-date", "publish_date", "pubdate", "pdate",
	"dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "date", "sailthru.date",
	"parsely-pub-date", "cxenseparse:recs:publishtime",
}

// urlDateRE finds a date in a URL's path: /2017/05/30/ or /2017-05-30-.
var urlDateRE = regexp.MustCompile(`/((?:19|20)\d\d)[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:[/-]|$)`)

// publishedOf finds a page's publication date, in this order of trust:
// JSON-LD datePublished (through readability), the publication meta
// tags, a <time> element marked as the publication (itemprop
// datePublished, pubdate), then a date in the URL's path. A modification
// date is never taken for it. Zero when the page states none.
func publishedOf(meta map[string]string, art readability.Article, pageURL string) time.Time {
	if t, err := art.PublishedTime(); err == nil && !t.IsZero() {
		return t.UTC()
	}
	for _, k := range append(publishedMeta, "time:published") {
		if v := meta[k]; v != "" {
			if t, err := ParseTime(v); err == nil {
				return t
			}
		}
	}
	if m := urlDateRE.FindStringSubmatch(pageURL); m != nil {
		if t, err := time.Parse("2006-01-02", m[1]+"-"+m[2]+"-"+m[3]); err == nil {
			return t
		}
	}
	return time.Time{}
}

var errNoArticle = errors.New("no article text found in the page")

func shortLang(l string) string {
	l, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(l)), "-")
	return l
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// pageMeta collects the <title>, canonical link, first <time datetime> and
// the meta tags of a page, keyed by property or name.
func pageMeta(doc *html.Node) map[string]string {
	m := map[string]string{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := func(k string) string {
				for _, a := range n.Attr {
					if strings.EqualFold(a.Key, k) {
						return a.Val
					}
				}
				return ""
			}
			switch n.DataAtom {
			case atom.Title:
				if m["title"] == "" && n.FirstChild != nil {
					m["title"] = n.FirstChild.Data
				}
			case atom.Link:
				if strings.EqualFold(attr("rel"), "canonical") && m["canonical"] == "" {
					m["canonical"] = attr("href")
				}
			case atom.Meta:
				k := strings.ToLower(firstNonEmpty(attr("property"), attr("name"), attr("itemprop")))
				if k != "" && m[k] == "" {
					m[k] = attr("content")
				}
			case atom.Time:
				// Only a <time> marked as the publication dates a page:
				// the first one may be a modification or an event.
				prop := strings.ToLower(attr("itemprop") + " " + attr("class"))
				_, pubdate := attrOf(n, "pubdate")
				if m["time:published"] == "" && (strings.Contains(prop, "datepublished") || strings.Contains(prop, "publish") || pubdate) {
					m["time:published"] = firstNonEmpty(attr("datetime"), attr("content"))
				}
			case atom.H1:
				if m["h1"] == "" {
					m["h1"] = textOf(n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return m
}

func attrOf(n *html.Node, k string) (string, bool) {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, k) {
			return a.Val, true
		}
	}
	return "", false
}

// textOf is the text inside a node, spaces collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// htmlText turns an HTML fragment (a feed item's content) into plain text
// with paragraphs separated by blank lines.
func htmlText(fragment string) string {
	if !strings.Contains(fragment, "<") {
		return strings.TrimSpace(html.UnescapeString(fragment))
	}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return ""
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return strings.TrimSpace(render.InnerText(root))
}

// FeedItem is an article read from a feed, with whether its text looks like
// a teaser rather than the full article.
type FeedItem struct {
	Article knowledge.Article
	Teaser  bool
	Err     error
}

// teaserWords is the length under which a feed item's text counts as a
// teaser of the linked page.
const teaserWords = 120

// ParseFeed reads an RSS, Atom or JSON feed. The full text comes from
// content:encoded (or Atom content) when present, else the description.
func ParseFeed(data []byte) (title string, items []FeedItem, err error) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return "", nil, fmt.Errorf("not a readable RSS, Atom or JSON feed: %w", err)
	}
	for _, it := range f.Items {
		a := knowledge.Article{URL: strings.TrimSpace(it.Link), Title: htmlText(it.Title), Source: strings.TrimSpace(f.Title)}
		if it.Author != nil {
			a.Author = it.Author.Name
		} else if len(it.Authors) > 0 && it.Authors[0] != nil {
			a.Author = it.Authors[0].Name
		}
		switch {
		case it.PublishedParsed != nil:
			a.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			a.Published = it.UpdatedParsed.UTC()
		}
		a.Body = htmlText(it.Content)
		if text.CountWords(a.Body) < text.CountWords(htmlText(it.Description)) {
			a.Body = htmlText(it.Description)
		}
		if a.URL == "" && it.GUID != "" && knowledge.IsWebURL(it.GUID) {
			a.URL = it.GUID
		}
		a.Lang = firstNonEmpty(shortLang(f.Language), text.DetectArticleLang(a.Title, a.Body))
		item := FeedItem{Article: a, Teaser: text.CountWords(a.Body) < teaserWords}
		if a.URL == "" {
			item.Err = errors.New("item has no link")
		}
		items = append(items, item)
	}
	return f.Title, items, nil
}
