package answer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The wire under go-openai. Attache decides the body of each chat request
// itself: go-openai refuses some fields for some model names before
// sending (max_tokens for o1/o3/o4/gpt-5), so the library is handed a
// request with none of the fields it judges, and this transport writes
// them in. It also keeps the status and headers of every response (a
// failed streaming call in go-openai loses them), and rewrites the stream
// dialects of other servers into the one go-openai reads.

// callKey carries a call's wire state in its request's context.
type callKey struct{}

// wireCall is one request as Attache wants it sent, and what came back.
type wireCall struct {
	set    map[string]any // body fields to set; a nil value removes the field
	status int
	header http.Header
}

func withCall(ctx context.Context, c *wireCall) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// wireTransport shapes chat requests and normalises their responses.
type wireTransport struct {
	next http.RoundTripper
	max  int64 // bytes of one response, framing included
}

func (t wireTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	call, _ := r.Context().Value(callKey{}).(*wireCall)
	if call != nil && r.Body != nil && len(call.set) > 0 {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			return nil, fmt.Errorf("llm request body: %w", err)
		}
		for k, v := range call.set {
			if v == nil {
				delete(fields, k)
				continue
			}
			raw, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			fields[k] = raw
		}
		if body, err = json.Marshal(fields); err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if call != nil {
		call.status, call.header = resp.StatusCode, resp.Header.Clone()
	}
	var body io.ReadCloser = &cappedBody{ReadCloser: resp.Body, left: t.max}
	if resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body = newSSENormaliser(body)
	}
	resp.Body = body
	return resp, nil
}

// sseNormaliser rewrites a stream of server-sent events, line by line,
// into what go-openai reads: comment lines (": OPENROUTER PROCESSING") are
// dropped, a "reasoning" delta (Ollama, vLLM, OpenRouter, Groq) is renamed
// "reasoning_content" (DeepSeek, llama.cpp), and an old llama.cpp's
// "error: {…}" line becomes the "data: {"error": …}" line go-openai turns
// into an error instead of a silent end.
type sseNormaliser struct {
	src  io.ReadCloser
	r    *bufio.Reader
	out  []byte
	err  error
	done bool
}

func newSSENormaliser(src io.ReadCloser) *sseNormaliser {
	return &sseNormaliser{src: src, r: bufio.NewReaderSize(src, 64<<10)}
}

func (s *sseNormaliser) Read(p []byte) (int, error) {
	for len(s.out) == 0 {
		if s.done {
			return 0, s.err
		}
		line, err := s.r.ReadBytes('\n')
		if err != nil {
			s.done, s.err = true, err
		}
		s.out = normaliseEvent(line)
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	return n, nil
}

func (s *sseNormaliser) Close() error { return s.src.Close() }

var (
	reasoningKey = []byte(`"reasoning"`)
	dataPrefix   = []byte("data:")
	errorPrefix  = []byte("error:")
)

// normaliseEvent rewrites one line of the stream (see sseNormaliser).
func normaliseEvent(line []byte) []byte {
	trim := bytes.TrimSpace(line)
	switch {
	case len(trim) > 0 && trim[0] == ':':
		return nil
	case bytes.HasPrefix(trim, errorPrefix):
		payload := bytes.TrimSpace(trim[len(errorPrefix):])
		if json.Valid(payload) {
			return append(append([]byte(`data: {"error":`), payload...), "}\n"...)
		}
		return line
	case bytes.HasPrefix(trim, dataPrefix) && bytes.Contains(trim, reasoningKey):
		payload := bytes.TrimSpace(trim[len(dataPrefix):])
		var chunk map[string]any
		if json.Unmarshal(payload, &chunk) != nil {
			return line
		}
		choices, _ := chunk["choices"].([]any)
		for _, c := range choices {
			choice, _ := c.(map[string]any)
			delta, _ := choice["delta"].(map[string]any)
			if r, ok := delta["reasoning"].(string); ok {
				if _, has := delta["reasoning_content"]; !has {
					delta["reasoning_content"] = r
				}
				delete(delta, "reasoning")
			}
		}
		out, err := json.Marshal(chunk)
		if err != nil {
			return line
		}
		return append(append([]byte("data: "), out...), '\n')
	}
	return line
}

// maxResponseBytes caps the bytes of one response, JSON framing included
// (a server may stream empty chunks without end).
const maxResponseBytes = 4 << 20

// errResponseTooLarge ends a response that passed maxResponseBytes.
var errResponseTooLarge = fmt.Errorf("the LLM's response passed %d MiB", maxResponseBytes>>20)

type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errResponseTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}
