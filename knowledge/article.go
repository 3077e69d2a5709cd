package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/attache-bot/attache/knowledge/text"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Article is one news article as Attache keeps it.
type Article struct {
	ID        int64
	URL       string // canonical URL; the link a citation points at
	Source    string // publication, e.g. "Reuters"
	Title     string
	Author    string
	Published time.Time
	Fetched   time.Time
	// Undated: the source stated no publication date (or only one that
	// cannot be true); Published is then when the article was fetched.
	Undated bool
	Lang    string // BCP 47 tag when known, e.g. "en"
	Body    string // paragraphs separated by blank lines
	Hash    string // ContentHash of Title and Body

	// Set by Normalize: the passages of Body, the people it names with
	// their titles, and the Title and Body they were computed from, so that
	// a changed article is normalised again.
	passages            []string
	mentions            []text.RoleMention
	normTitle, normBody string
}

// Passage is a paragraph-sized piece of an article body: the unit that
// retrieval returns and citations point at.
type Passage struct {
	ID        int64
	ArticleID int64
	Ord       int // position in the article, from 0
	Text      string
}

// JoinPassages rebuilds an article's body from its stored passages, in
// order, the way the stores return it.
func JoinPassages(ps []Passage) string {
	texts := make([]string, len(ps))
	for i, p := range ps {
		texts[i] = p.Text
	}
	return strings.Join(texts, "\n\n")
}

// ContentHash identifies an article's text independently of its URL and of
// spacing or letter case, so the same story fetched twice hashes the same.
func ContentHash(title, body string) string {
	bp := hashBuffers.Get().(*[]byte)
	b := text.AppendFolded((*bp)[:0], title)
	b = append(b, 0)
	b = text.AppendFolded(b, body)
	sum := sha256.Sum256(b)
	*bp = b
	hashBuffers.Put(bp)
	return hex.EncodeToString(sum[:16])
}

// hashBuffers holds the buffers ContentHash folds text into.
var hashBuffers = sync.Pool{New: func() any { return new([]byte) }}

// Validation errors returned by Article.Normalize.
var (
	ErrNoTitle   = errors.New("article has no title")
	ErrNoBody    = errors.New("article has no body text")
	ErrNotText   = errors.New("article text is not valid UTF-8")
	ErrBadURL    = errors.New("article URL is not a valid absolute URL")
	ErrNoURL     = errors.New("article has no URL")
	ErrNoPubDate = errors.New("article has no publication date")
)

// Normalized reports whether Normalize ran since Title or Body last changed.
func (a *Article) Normalized() bool {
	return a.passages != nil && a.normTitle == a.Title && a.normBody == a.Body
}

// Normalize trims and checks an article before it is stored, fills Hash and
// canonicalises URL. It reports the first problem found.
func (a *Article) Normalize() error {
	for _, s := range []string{a.URL, a.Source, a.Title, a.Author, a.Body, a.Lang} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return ErrNotText
		}
	}
	a.Title = strings.Join(strings.Fields(dropControls(a.Title)), " ")
	a.Source = strings.Join(strings.Fields(dropControls(a.Source)), " ")
	a.Author = strings.Join(strings.Fields(dropControls(a.Author)), " ")
	a.Lang = strings.TrimSpace(dropControls(a.Lang))
	a.Body = dropControls(a.Body)
	var paras []string
	var counts []int
	a.Body, paras, counts = text.NormalizeBody(a.Body)
	if a.Title == "" {
		return ErrNoTitle
	}
	if a.Body == "" {
		return ErrNoBody
	}
	if strings.TrimSpace(a.URL) == "" {
		return ErrNoURL
	}
	u, err := CanonicalURL(a.URL)
	if err != nil {
		return err
	}
	a.URL = u
	if a.Fetched.IsZero() {
		a.Fetched = time.Now().UTC()
	}
	// A missing date, or one after the day after fetching (no page is
	// published in the future; a clock may be a day ahead), is not
	// trusted: the article is dated by its fetching and marked undated.
	if a.Published.IsZero() || a.Published.After(a.Fetched.Add(48*time.Hour)) || a.Published.Year() < 1900 {
		a.Published, a.Undated = a.Fetched, true
	}
	a.Published = a.Published.UTC()
	a.Hash = ContentHash(a.Title, a.Body)
	a.passages = text.PassagesOf(a.Body, paras, counts)
	a.mentions = text.ExtractRolesFrom(a.passages)
	a.normTitle, a.normBody = a.Title, a.Body
	return nil
}

// dropControls removes control characters (C0 but tab and line breaks,
// DEL, C1) from text: no news text needs them, and in a terminal or a log
// they are escape sequences that recolour, retitle or forge lines.
func dropControls(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f || (c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0x1b {
			i += escapeLen(s[i:])
			continue
		}
		if !unicode.IsControl(r) || r == '\t' || r == '\n' || r == '\r' {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// escapeLen is the length of the terminal escape sequence at the start of
// s (which starts with ESC): CSI "ESC [ … final", OSC "ESC ] … BEL or ST",
// or ESC and one character.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']', 'P', '_', '^':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	return 2
}

// IndexPassages is the body cut into passages by Normalize, for a store to
// index; nil before Normalize.
func (a *Article) IndexPassages() []string { return a.passages }

// RoleMentions is the people Normalize read in the passages, with their
// titles, for a store's who-is records.
func (a *Article) RoleMentions() []text.RoleMention { return a.mentions }

// CanonicalURL normalises an article URL so that trivially different links
// to one page compare equal: lower-case scheme and host, no fragment, no
// tracking parameters (utm_*, fbclid, gclid), no trailing slash on a path.
func CanonicalURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("%w: %q", ErrBadURL, raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return "", fmt.Errorf("%w: %q", ErrBadURL, raw)
		}
	case "urn", "file":
	default:
		return "", fmt.Errorf("%w: %q (scheme %s)", ErrBadURL, raw, u.Scheme)
	}
	u.Host = strings.ToLower(u.Host)
	u.Fragment = ""
	u.RawFragment = ""
	if q := u.Query(); len(q) > 0 {
		for k := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || lk == "fbclid" || lk == "gclid" || lk == "mc_cid" || lk == "mc_eid" {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	if len(u.Path) > 1 {
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = ""
	}
	return u.String(), nil
}

// IsWebURL reports whether a URL can be linked to from a chat message.
func IsWebURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// Day is the publication day as citations show it ("2 Jan 2006"), or
// "undated" for an article whose source stated no date.
func (a Article) Day() string {
	if a.Undated {
		return "undated"
	}
	return a.Published.Format("2 Jan 2006")
}
