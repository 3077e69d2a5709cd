package ingest

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// toUTF8 returns a document's text as UTF-8, by one rule for every format:
//
//   - bytes that are valid UTF-8 are kept as they are;
//   - otherwise the charset the document declares is used: the HTTP
//     Content-Type, a byte-order mark, or an HTML page's <meta charset>;
//     a feed's XML declaration is left to the feed parser;
//   - without a declaration, text that is mostly UTF-8 has its few broken
//     sequences replaced by U+FFFD, and text that is not UTF-8 at all is
//     read as Windows-1252, the superset of Latin-1 that undeclared
//     Western pages use.
func toUTF8(data []byte, format, contentType string) []byte {
	if utf8.Valid(data) {
		return data
	}
	if format == "feed" && xmlEncodingRE.Match(data[:min(len(data), 200)]) {
		return data
	}
	if enc := declared(data, format, contentType); enc != nil {
		if out, err := enc.NewDecoder().Bytes(data); err == nil {
			return out
		}
	}
	if mostlyUTF8(data) {
		return bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(data)
	return out
}

var xmlEncodingRE = regexp.MustCompile(`^\s*(\xef\xbb\xbf)?<\?xml[^>]*encoding=`)

// declared returns the encoding a document states, or nil.
func declared(data []byte, format, contentType string) encoding.Encoding {
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		if enc, err := htmlindex.Get(strings.TrimSpace(params["charset"])); err == nil {
			return enc
		}
	}
	if format != "html" {
		return nil
	}
	// The HTML standard's prescan: BOM, then <meta charset> or
	// http-equiv in the first 1024 bytes.
	enc, name, certain := charset.DetermineEncoding(data, "")
	if !certain && !hasMetaCharset(data) || name == "utf-8" {
		return nil
	}
	return enc
}

var metaCharsetRE = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=`)

func hasMetaCharset(data []byte) bool {
	return metaCharsetRE.Match(data[:min(len(data), 1024)])
}

// mostlyUTF8 reports whether invalid sequences are under one in fifty of
// the non-ASCII characters: UTF-8 text with a few broken bytes, not text in
// another encoding.
func mostlyUTF8(data []byte) bool {
	valid, invalid := 0, 0
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else {
			valid++
		}
		i += size
	}
	return invalid*50 < valid
}
