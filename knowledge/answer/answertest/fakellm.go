// Package answertest provides a fake OpenAI-compatible server for tests: it
// speaks the chat completions API, JSON and server-sent events, so that the
// real go-openai client can be exercised against it on 127.0.0.1.
package answertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Reply is what the fake answers to one request.
type Reply struct {
	Status  int           // HTTP status; 0 means 200
	Text    string        // the answer, streamed in pieces when the request streams
	Garbage bool          // answer with bytes that are not the API's JSON
	Delay   time.Duration // wait before answering (the request's context ends it early)
	// Filler is a number of empty chunks streamed before the text, as a
	// broken or hostile server may send without end.
	Filler int
	// Usage reported with the answer.
	PromptTokens, CompletionTokens int
	// Reasoning is thinking streamed before the answer, where the
	// server's Family puts it (a field of its own, or inline tags).
	Reasoning string
	// FinishReason of the last chunk (default "stop").
	FinishReason string
	// Header is set on the response (Retry-After, x-ratelimit-reset-*).
	Header map[string]string
	// Body, with a Status, is the exact error body (default a generic one).
	Body string
}

// Server is a fake OpenAI-compatible server.
type Server struct {
	*httptest.Server
	// Respond decides the reply to the n-th request (from 0).
	Respond func(n int, req openai.ChatCompletionRequest) Reply

	// Models, when set, are listed at /v1/models (else it is a 404, as on
	// servers without the list).
	Models []string
	// Family, when set, makes the server behave as one kind of server
	// does: what it refuses, where thinking goes, what bounds the output.
	Family *Family

	mu       sync.Mutex
	raw      []map[string]any
	requests []openai.ChatCompletionRequest
	auth     []string
	aborted  int
}

// WaitAborted reports whether n streams were closed by the client before
// their end, waiting a little for the server to notice.
func (s *Server) WaitAborted(n int) bool {
	for range 200 {
		s.mu.Lock()
		got := s.aborted
		s.mu.Unlock()
		if got >= n {
			return true
		}
		time.Sleep(25 * time.Millisecond)
	}
	return false
}

// New starts a fake server; close it with Close.
func New(respond func(n int, req openai.ChatCompletionRequest) Reply) *Server {
	s := &Server{Respond: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// BaseURL is the value for OPENAI_BASE_URL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Requests returns the requests received so far.
func (s *Server) Requests() []openai.ChatCompletionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]openai.ChatCompletionRequest(nil), s.requests...)
}

// RawRequests returns the bodies received so far, field by field, to see
// which fields a request held.
func (s *Server) RawRequests() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.raw...)
}

// Authorizations returns the Authorization headers received so far.
func (s *Server) Authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/models" && r.Method == http.MethodGet && s.Models != nil {
		var data []any
		for _, m := range s.Models {
			data = append(data, map[string]any{"id": m, "object": "model", "created": 0, "owned_by": "fake"})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
		return
	}
	if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(r.Body)
	var req openai.ChatCompletionRequest
	var raw map[string]any
	if err != nil || json.Unmarshal(body, &req) != nil || json.Unmarshal(body, &raw) != nil {
		http.Error(w, `{"error":{"message":"bad json","type":"invalid_request_error"}}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	n := len(s.requests)
	s.requests = append(s.requests, req)
	s.raw = append(s.raw, raw)
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.mu.Unlock()
	var rep Reply
	if s.Family != nil {
		if refusal := s.Family.refuse(raw); refusal != nil {
			rep = *refusal
		} else {
			rep = s.Family.shape(raw, s.Respond(n, req))
		}
	} else {
		rep = s.Respond(n, req)
	}
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	if rep.Delay > 0 {
		select {
		case <-time.After(rep.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if rep.Status != 0 && rep.Status != http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.Status)
		if rep.Body != "" {
			fmt.Fprint(w, rep.Body)
			return
		}
		fmt.Fprintf(w, `{"error":{"message":"fake failure %d with secret-looking detail sk-should-not-leak","type":"fake_error"}}`, rep.Status)
		return
	}
	if rep.Garbage {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {not json at all\n\n")
		return
	}
	finish := rep.FinishReason
	if finish == "" {
		finish = "stop"
	}
	field := ""
	if s.Family != nil {
		field = s.Family.ReasoningField
	}
	usage := map[string]any{"prompt_tokens": rep.PromptTokens, "completion_tokens": rep.CompletionTokens,
		"total_tokens": rep.PromptTokens + rep.CompletionTokens}
	if s.Family != nil && s.Family.ThinkTokens > 0 {
		usage["completion_tokens_details"] = map[string]any{"reasoning_tokens": approxTokens(rep.Reasoning)}
	}
	if !req.Stream {
		msg := map[string]any{"role": "assistant", "content": rep.Text}
		if field != "" && rep.Reasoning != "" {
			msg[field] = rep.Reasoning
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "fake", "object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": finish, "message": msg}},
			"usage":   usage,
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl, _ := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if fl != nil {
			fl.Flush()
		}
	}
	gone := func() bool {
		if r.Context().Err() == nil {
			return false
		}
		s.mu.Lock()
		s.aborted++
		s.mu.Unlock()
		return true
	}
	for range rep.Filler {
		send(map[string]any{"id": "fake", "object": "chat.completion.chunk", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}}}})
		if gone() {
			return
		}
	}
	if field != "" {
		for _, piece := range pieces(rep.Reasoning) {
			// Reasoning chunks carry an empty content, as Ollama's do.
			send(map[string]any{"id": "fake", "object": "chat.completion.chunk", "model": req.Model,
				"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": "", field: piece}}}})
			if gone() {
				return
			}
		}
	}
	for _, piece := range pieces(rep.Text) {
		send(map[string]any{"id": "fake", "object": "chat.completion.chunk", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": piece}}}})
		if gone() {
			return
		}
	}
	send(map[string]any{"id": "fake", "object": "chat.completion.chunk", "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": finish}}})
	send(map[string]any{"id": "fake", "object": "chat.completion.chunk", "model": req.Model, "choices": []any{},
		"usage": usage})
	fmt.Fprint(w, "data: [DONE]\n\n")
	if fl != nil {
		fl.Flush()
	}
}

// pieces cuts text into chunks of a few words, as a model streams.
func pieces(text string) []string {
	var out []string
	words := strings.SplitAfter(text, " ")
	for i := 0; i < len(words); i += 3 {
		out = append(out, strings.Join(words[i:min(i+3, len(words))], ""))
	}
	return out
}

// Prompt returns the user message of a request.
func Prompt(req openai.ChatCompletionRequest) string {
	for _, m := range req.Messages {
		if m.Role == openai.ChatMessageRoleUser {
			return m.Content
		}
	}
	return ""
}

// Title returns the title of source block n of a prompt, or "".
func Title(prompt string, n int) string {
	head := fmt.Sprintf("\n[%d] ", n)
	i := strings.Index("\n"+prompt, head)
	if i < 0 {
		return ""
	}
	line, _, _ := strings.Cut(("\n" + prompt)[i+len(head):], "\n")
	title, _, _ := strings.Cut(line, " — ")
	return title
}

// Block returns the number of the first source block of a prompt whose
// text holds every needle, or 0. A fake uses it to cite as a model would.
func Block(prompt string, needles ...string) int {
	blocks := strings.Split("\n"+prompt, "\n[")
	for _, b := range blocks[1:] {
		var n int
		if _, err := fmt.Sscanf(b, "%d]", &n); err != nil {
			continue
		}
		ok := true
		for _, nd := range needles {
			ok = ok && strings.Contains(b, nd)
		}
		if ok {
			return n
		}
	}
	return 0
}
