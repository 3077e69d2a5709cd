package ingest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/text"
)

const pageText = `The foreign ministers met for six hours on Tuesday and agreed to reopen the consulates that were closed last spring.
They also set up a working group on visas, which will report to both governments before the end of the year.`

// page is an HTML news page with head and before the article's text.
func page(head, before, txt string) []byte {
	return []byte(`<!doctype html><html><head><title>Ministers agree to reopen consulates</title>` + head +
		`</head><body><header>Site navigation</header><article>` + before + `<h1>Ministers agree to reopen consulates</h1>
<p>` + txt + `</p><p>` + txt + `</p></article><footer>Footer</footer></body></html>`)
}

// Every place pages keep a publication date dates the article; a
// modification date never does; a page with none is undated.
func TestParseHTMLPublicationDates(t *testing.T) {
	tests := []struct {
		name, head, before, url, want string
	}{
		{"json-ld", `<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Ministers agree to reopen consulates","datePublished":"2024-03-05T10:00:00Z","dateModified":"2024-04-01T10:00:00Z"}</script>`, "", "", "2024-03-05"},
		{"article:published_time", `<meta property="article:published_time" content="2024-03-06T10:00:00+00:00">`, "", "", "2024-03-06"},
		{"itemprop datePublished meta", `<meta itemprop="datePublished" content="2024-03-07">`, "", "", "2024-03-07"},
		{"meta name date", `<meta name="date" content="2024-03-08">`, "", "", "2024-03-08"},
		{"DC.date.issued", `<meta name="DC.date.issued" content="2024-03-09">`, "", "", "2024-03-09"},
		{"article:publicationdate", `<meta name="article:publicationdate" content="2024-03-10">`, "", "", "2024-03-10"},
		{"publishdate", `<meta name="publishdate" content="2024-03-11">`, "", "", "2024-03-11"},
		{"pdate", `<meta name="pdate" content="20240312">`, "", "", "2024-03-12"},
		{"time itemprop", "", `<time itemprop="dateModified" datetime="2024-05-01">1 May</time><time itemprop="datePublished" content="2024-03-13">13 March</time>`, "", "2024-03-13"},
		{"time pubdate", "", `<time pubdate datetime="2024-03-14T08:00:00Z">14 March</time>`, "", "2024-03-14"},
		{"url path", "", "", "https://news.example/world/2024/03/15/ministers-consulates", "2024-03-15"},
		{"modified only", "", `<time itemprop="dateModified" datetime="2024-05-01">1 May</time>`, "https://news.example/world/ministers", "undated"},
		{"none", "", "", "https://news.example/world/ministers", "undated"},
	}
	for _, tt := range tests {
		a, err := ingest.ParseHTML(page(tt.head, tt.before, pageText), tt.url)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if err := a.Normalize(); err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		got := a.Published.Format("2006-01-02")
		if a.Undated {
			got = "undated"
		}
		if got != tt.want {
			t.Errorf("%s: published %s, want %s", tt.name, got, tt.want)
		}
	}
}

// A page titled only with the site's name takes its headline from <h1>.
func TestParseHTMLHeadlineOverSiteName(t *testing.T) {
	p := strings.Replace(string(page(`<meta property="og:site_name" content="Daily Wire Service">`, "", pageText)),
		"<title>Ministers agree to reopen consulates</title>", "<title>Daily Wire Service - Latest News &amp; Headlines</title>", 1)
	a, err := ingest.ParseHTML([]byte(p), "https://news.example/a")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Ministers agree to reopen consulates" {
		t.Errorf("title %q", a.Title)
	}
}

// Articles in Chinese and Japanese are measured in characters, not in
// spaced words: a short-spaced article is still an article.
func TestParseHTMLUnspacedScripts(t *testing.T) {
	zh := strings.Repeat("两国外交部长星期二会谈六个小时，同意重新开放去年春天关闭的领事馆。", 4)
	ja := strings.Repeat("両国の外相は火曜日に六時間会談し、昨年春に閉鎖された領事館の再開で合意した。", 4)
	for _, txt := range []string{zh, ja} {
		a, err := ingest.ParseHTML(page(`<meta property="article:published_time" content="2024-03-06">`, "", txt), "https://news.example/cjk")
		if err != nil {
			t.Errorf("%.30s…: %v", txt, err)
			continue
		}
		if !strings.Contains(a.Body, txt[:30]) {
			t.Errorf("body %q", a.Body)
		}
	}
	if !text.TooShort("領事館") {
		t.Error("three characters are an article")
	}

}

// Furniture is removed from bodies by the same rules in every format, and
// line breaks that separate list items or captions survive.
func TestBodiesAreCleanAndKeepTheirBreaks(t *testing.T) {
	prose := "Envoys met in Muscat on Saturday for a second round of talks on the programme, officials from both delegations said afterwards."
	body := "By Jane Doe · 13 March 2025, 10:20 GMT · 3 minute read\n\n" +
		"Updated 2 hours ago\n\n" + prose + "\n\n" +
		"Media caption The foreign minister spoke to reporters after the talks\n\n" +
		"The delegations agreed on three points:\n" +
		"A date for the next round\nAn exchange of prisoners\nA working group on sanctions\n\n" +
		"Image source, Getty Images\n\n" +
		"The next round is due within a week, the mediator's office said in a statement on Sunday evening."
	line, _ := json.Marshal(map[string]string{"url": "https://wire.example/muscat", "title": "Talks in Muscat", "published": "2025-03-13", "body": body})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.jsonl"), append(line, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	htmlBody := strings.ReplaceAll(body, "\n\n", "</p><p>")
	htmlBody = strings.ReplaceAll(htmlBody, "\n", "<br>")
	html := `<html><head><title>Talks in Muscat again</title><meta property="article:published_time" content="2025-03-14"></head>` +
		`<body><article><h1>Talks in Muscat again</h1><p>` + htmlBody + `</p></article></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "b.html"), []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	db := mustOpenDB(t)
	sum, err := (&ingest.Ingester{Store: db}).Ingest(context.Background(), dir)
	if err != nil || sum.Added != 2 {
		t.Fatalf("got %s, %v: %v", sum, err, sum.Problems)
	}
	hits, err := db.Search(context.Background(), "Muscat", knowledge.SearchOptions{})
	if err != nil || len(hits) != 2 {
		t.Fatalf("%d hits, %v", len(hits), err)
	}
	for _, h := range hits {
		a, err := db.Article(context.Background(), h.Article.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, junk := range []string{"Jane Doe", "minute read", "2 hours ago", "Media caption", "Image source"} {
			if strings.Contains(a.Body, junk) {
				t.Errorf("%s keeps %q:\n%s", a.Title, junk, a.Body)
			}
		}
		if !strings.HasPrefix(a.Body, "Envoys met") || !strings.Contains(a.Body, "A date for the next round\n\nAn exchange of prisoners\n\nA working group") {
			t.Errorf("%s: the text or its list items' breaks are lost:\n%s", a.Title, a.Body)
		}
	}
}

// Prose wrapped at a fixed width is joined back into its paragraph.
func TestWrappedProseIsJoined(t *testing.T) {
	body := "Envoys met in Muscat on Saturday for a second round of talks on\nthe programme, officials from both delegations said afterwards, and\nthey agreed to meet again.\n\nA second paragraph follows here."
	a := knowledge.Article{URL: "https://wire.example/w", Title: "Wrapped", Body: body}
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	if want := "Envoys met in Muscat on Saturday for a second round of talks on the programme, officials from both delegations said afterwards, and they agreed to meet again.\n\nA second paragraph follows here."; a.Body != want {
		t.Errorf("got %q", a.Body)
	}
}

// A page with no address of its own is named by its date and its title's
// words, in every script.
func TestNamesOfUnaddressedPagesKeepTheirWords(t *testing.T) {
	page := []byte(`<html><head><title>人工智能迈上新台阶 Review</title></head><body><article><h1>人工智能迈上新台阶 Review</h1><p>` +
		strings.Repeat("谷歌在2014年收购的人工智能公司开发出一款能够用自己的记忆学习新知识的计算机。", 6) + `</p></article></body></html>`)
	a, err := ingest.ParseHTML(page, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "urn:attache:undated:人工智能迈上新台阶-review"; a.URL != want {
		t.Errorf("named %q, want %q", a.URL, want)
	}
}
