package ingest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestDecodeJSONArticle(t *testing.T) {
	tests := []struct {
		line    string
		want    jsonArticle
		wantErr string
	}{
		{`{"url":"https://a.example/1","title":"T","body":"One.\n\nTwo \"quoted\" \u00e9 \ud83d\ude00 \/"}`,
			jsonArticle{URL: "https://a.example/1", Title: "T", Body: "One.\n\nTwo \"quoted\" é 😀 /"}, ""},
		{`  {"TITLE":"case","extra":{"a":[1,2.5e-3,true,null,{"b":"c"}]},"title":"last wins"}  `, jsonArticle{Title: "last wins"}, ""},
		{`{"title":null,"lang":"fr"}`, jsonArticle{Lang: "fr"}, ""},
		{`{}`, jsonArticle{}, ""},
		{`{"published":20250416}`, jsonArticle{}, `field "published" must be a string, not a JSON number`},
		{`{"Body":["a"]}`, jsonArticle{}, `field "body" must be a string, not a JSON array`},
		{`{"title":true}`, jsonArticle{}, `field "title" must be a string, not a JSON bool`},
		{`{"title":"x"`, jsonArticle{}, "not a JSON object"},
		{`{"title":"x"} trailing`, jsonArticle{}, "not a JSON object"},
		{`["title"]`, jsonArticle{}, "not a JSON object: the line is a JSON array"},
		{`null`, jsonArticle{}, "not a JSON object: the line is a JSON null"},
		{`{"title":"tab	inside"}`, jsonArticle{}, "not a JSON object"},
		{`{"title":"\x"}`, jsonArticle{}, "not a JSON object"},
		{`{"n":01}`, jsonArticle{}, "not a JSON object"},
		{`{"title":"bad \ud800 surrogate"}`, jsonArticle{Title: "bad \ufffd surrogate"}, ""},
		{"{\"title\":\"bad \xff byte\"}", jsonArticle{Title: "bad \ufffd byte"}, ""},
	}
	for _, tt := range tests {
		got, err := decodeJSONArticle([]byte(tt.line))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.line, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want %q", tt.line, err, tt.wantErr)
		case got != tt.want:
			t.Errorf("%s: got %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

// FuzzDecodeJSONArticle holds the JSONL decoder to encoding/json: the same
// lines accepted, with the same fields.
func FuzzDecodeJSONArticle(f *testing.F) {
	for _, s := range []string{
		`{"url":"https://a.example/1","title":"T","source":"S","author":"A","published":"2025-04-16","body":"B\n\nC","lang":"en"}`,
		`{"title":"\ud83d\ude00\u00e9\\\"","x":[{},[],-0.5E+2,"s"]}`, `{"title":null}`, `{"published":1}`, `{"a":}`,
		"{\"title\":\"\xed\xa0\x80\"}", `{"TiTlE":"x","title":"y"}`, `{"title":"\ud800\u0041"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var want jsonArticle
		wantErr := json.Unmarshal(line, &want)
		got, err := decodeJSONArticle(line)
		isObject := bytes.HasPrefix(bytes.TrimLeft(line, " \t\r\n"), []byte("{"))
		switch {
		case wantErr != nil && err == nil:
			t.Fatalf("accepted %q, which encoding/json refuses: %v", line, wantErr)
		case wantErr == nil && isObject && err != nil:
			t.Fatalf("refused %q, which encoding/json accepts: %v", line, err)
		case wantErr == nil && isObject && got != want:
			t.Fatalf("%q: got %+v, encoding/json %+v", line, got, want)
		}
	})
}

// BenchmarkDecodeJSONArticle decodes a line of the size of a news article,
// beside encoding/json doing the same.
func BenchmarkDecodeJSONArticle(b *testing.B) {
	body := strings.Repeat("Negotiators met in Geneva on Monday, and the envoy said talks would resume.\n\n", 32)
	line, _ := json.Marshal(jsonArticle{URL: "https://a.example/2025/04/16/talks", Title: "Talks resume in Geneva",
		Source: "Wire", Author: "A. Writer", Published: "2025-04-16T10:00:00Z", Body: body})
	b.Run("ours", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		var d jsonDecoder
		for i := 0; i < b.N; i++ {
			if _, err := d.decode(line); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for i := 0; i < b.N; i++ {
			var a jsonArticle
			if err := json.Unmarshal(line, &a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
