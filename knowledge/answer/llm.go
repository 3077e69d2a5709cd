package answer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAI answers through any OpenAI-compatible chat completions server
// (OpenAI, Ollama, llama.cpp, vLLM), streaming.
type OpenAI struct {
	Client      *openai.Client
	Model       string
	Temperature float32
	// MaxRetries is how often a 429 or 5xx before the first token is
	// retried (default 2); Backoff is the first wait (default 500 ms),
	// doubled each time.
	MaxRetries int
	Backoff    time.Duration
	// MaxTokens bounds the answer (default 600).
	MaxTokens int

	apiKey string
}

// NewOpenAI returns a client for the server at baseURL (empty for OpenAI's
// own). An empty key sends no Authorization header, as local servers want.
// httpClient may be nil; every call is bounded by its context instead.
func NewOpenAI(apiKey, baseURL, model string, httpClient *http.Client) *OpenAI {
	cfg := openai.DefaultConfig(apiKey)
	if baseURL != "" {
		cfg.BaseURL = strings.TrimRight(baseURL, "/")
	}
	c := &http.Client{}
	if httpClient != nil {
		c = new(http.Client)
		*c = *httpClient
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = cappedTransport{next: next, max: maxResponseBytes}
	cfg.HTTPClient = c
	return &OpenAI{Client: openai.NewClientWithConfig(cfg), Model: model, Temperature: 0.1, apiKey: apiKey}
}

// Generate streams an answer to the prompt, calling onDelta with each piece.
func (o *OpenAI) Generate(ctx context.Context, p Prompt, onDelta func(string)) (string, Usage, error) {
	req := openai.ChatCompletionRequest{
		Model:       o.Model,
		Temperature: o.Temperature,
		// max_tokens, not max_completion_tokens: local servers (Ollama,
		// llama.cpp, vLLM) know only the former.
		MaxTokens: orDefault(o.MaxTokens, 600), //lint:ignore SA1019 see above
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: p.System},
			{Role: openai.ChatMessageRoleUser, Content: p.User},
		},
		Stream:        true,
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
	}
	retries := o.MaxRetries
	if retries == 0 {
		retries = 2
	}
	wait := o.Backoff
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	for attempt := 0; ; attempt++ {
		text, usage, started, err := o.stream(ctx, req, onDelta)
		if err == nil {
			if strings.TrimSpace(text) == "" {
				return "", usage, errors.New("the LLM returned an empty answer")
			}
			return text, usage, nil
		}
		if started || attempt >= retries || !retryable(err) || ctx.Err() != nil {
			return "", usage, o.clean(err)
		}
		select {
		case <-ctx.Done():
			return "", usage, o.clean(ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// stream runs one streaming request; started reports whether any text
// arrived (after which a failure is not retried: the user has seen it).
func (o *OpenAI) stream(ctx context.Context, req openai.ChatCompletionRequest, onDelta func(string)) (string, Usage, bool, error) {
	var usage Usage
	st, err := o.Client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", usage, false, err
	}
	defer st.Close()
	var b strings.Builder
	limit := req.MaxTokens * bytesPerToken //lint:ignore SA1019 see Generate
	for {
		resp, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return b.String(), usage, b.Len() > 0, nil
		}
		if err != nil {
			return b.String(), usage, b.Len() > 0, err
		}
		if resp.Usage != nil {
			usage = Usage{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}
		}
		for _, c := range resp.Choices {
			if c.Delta.Content != "" {
				b.WriteString(c.Delta.Content)
				if onDelta != nil {
					onDelta(c.Delta.Content)
				}
			}
		}
		if b.Len() >= limit {
			// A server that streams past what was asked for is cut off:
			// the answer is what fits.
			return b.String(), usage, true, nil
		}
	}
}

// bytesPerToken bounds the text of one token: a token is a few letters, or
// one CJK character of 3 bytes; 16 leaves room for any tokenizer.
const bytesPerToken = 16

// maxResponseBytes caps the bytes of one response, JSON framing included
// (a server may stream empty chunks without end).
const maxResponseBytes = 4 << 20

// errResponseTooLarge ends a response that passed maxResponseBytes.
var errResponseTooLarge = fmt.Errorf("the LLM's response passed %d MiB", maxResponseBytes>>20)

// cappedTransport ends every response body after max bytes.
type cappedTransport struct {
	next http.RoundTripper
	max  int64
}

func (t cappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: t.max}
	return resp, nil
}

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

// retryable reports a rate limit or a server error.
func retryable(err error) bool {
	code := statusOf(err)
	return code == http.StatusTooManyRequests || code >= 500
}

func statusOf(err error) int {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatusCode
	}
	var re *openai.RequestError
	if errors.As(err, &re) {
		return re.HTTPStatusCode
	}
	return 0
}

// clean turns a client error into one fit for logs: the HTTP status and
// error type, never the server's body (which may echo the request or a
// masked key), and never the key itself.
func (o *OpenAI) clean(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("the LLM did not answer in time")
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("the LLM server answered HTTP %d (%s)", ae.HTTPStatusCode, ae.Type)
	}
	if code := statusOf(err); code != 0 {
		return fmt.Errorf("the LLM server answered HTTP %d", code)
	}
	msg := err.Error()
	if o.apiKey != "" {
		msg = strings.ReplaceAll(msg, o.apiKey, "[redacted]")
	}
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return fmt.Errorf("LLM request failed: %s", msg)
}
