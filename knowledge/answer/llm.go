package answer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAI answers through any OpenAI-compatible chat completions server
// (OpenAI, Ollama, llama.cpp, vLLM, DeepSeek, OpenRouter, Groq), streaming.
//
// Servers differ in what a request may hold, so each model starts from
// what its family accepts — OpenAI's reasoning models (o1, o3, o4, gpt-5)
// take max_completion_tokens and no temperature, every other server
// max_tokens — and when a server refuses a parameter by name (HTTP 400
// with error.param, "unsupported_parameter", "unsupported_value"), the
// call is sent again without it or with its replacement, and the process
// remembers that for the model.
type OpenAI struct {
	Client      *openai.Client
	Model       string
	Temperature float32 // for models that take one (default 0.1)
	// MaxRetries is how often a 429 or 5xx before the first token is
	// retried (default 2); Backoff is the first wait when the server names
	// none (default 500 ms), doubled each time. A wait the server names
	// (Retry-After, x-ratelimit-reset-*) is honoured up to MaxWait
	// (default 20 s) and never past the call's deadline.
	MaxRetries int
	Backoff    time.Duration
	MaxWait    time.Duration
	// MaxTokens bounds the answer (default 600). A model seen to think
	// gets ThinkingTokens more (default 4000), so that its reasoning
	// leaves room for the answer.
	MaxTokens      int
	ThinkingTokens int
	// ReasoningEffort, when set, is sent as reasoning_effort ("none",
	// "minimal", "low", "medium", "high"): OpenAI's reasoning models and
	// Ollama's thinking models ("none" turns thinking off) read it.
	ReasoningEffort string
	// Log, when set, says once per model what the server refused and
	// what is sent instead, and at debug level how much a call reasoned.
	Log *slog.Logger

	apiKey string
	mu     sync.Mutex
	// learned is what the process found out about the model; nil until a
	// call does.
	learned *modelParams
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
	c.Transport = wireTransport{next: next, max: maxResponseBytes}
	cfg.HTTPClient = c
	return &OpenAI{Client: openai.NewClientWithConfig(cfg), Model: model, Temperature: 0.1, apiKey: apiKey}
}

// Errors of a model call, for logs and `attache doctor`; each says what
// the operator can do. A user sees none of them: the answer falls back.
var (
	ErrLLMUnauthorized  = errors.New("the LLM server refused the API key (check OPENAI_API_KEY)")
	ErrLLMModelNotFound = errors.New("the LLM server does not serve this model (check OPENAI_MODEL)")
	ErrLLMNotFound      = errors.New("the LLM server has no chat completions at this address (check OPENAI_BASE_URL; it usually ends in /v1)")
	ErrLLMUnreachable   = errors.New("the LLM server cannot be reached (check OPENAI_BASE_URL and that the server runs)")
	ErrLLMRateLimited   = errors.New("the LLM server is rate limiting")
	ErrLLMContextLength = errors.New("the prompt is longer than the model's context (lower ATTACHE_PROMPT_TOKENS)")
	ErrLLMTimeout       = errors.New("the LLM did not answer in time")
	ErrLLMEmpty         = errors.New("the LLM returned an empty answer")
	ErrLLMCutOff        = errors.New("the LLM spent its token budget before answering (raise ATTACHE_LLM_THINKING_TOKENS or set ATTACHE_LLM_REASONING_EFFORT)")
)

// ErrorKind names the kind of a model call's failure, for metrics.
func ErrorKind(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{
		{ErrLLMUnauthorized, "unauthorized"}, {ErrLLMModelNotFound, "model_not_found"}, {ErrLLMNotFound, "not_found"},
		{ErrLLMUnreachable, "unreachable"}, {ErrLLMRateLimited, "rate_limited"}, {ErrLLMContextLength, "context_length"},
		{ErrLLMTimeout, "timeout"}, {ErrLLMCutOff, "cut_off"}, {ErrLLMEmpty, "empty"},
	} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other"
}

// modelParams is what a model's requests hold, learned per process.
type modelParams struct {
	tokenField    string // "max_tokens", "max_completion_tokens", or "" for none
	temperature   bool
	effort        bool // send reasoning_effort
	noStreamOpts  bool // the server refused stream_options
	thinks        bool // the model reasons: its budget includes ThinkingTokens
	inline        inlineMode
	triedTokenAlt bool // the other token field was tried already
}

// inlineMode is what a model's content holds besides its answer.
type inlineMode int8

const (
	inlineUnknown inlineMode = iota // no answer seen yet: shown when complete
	inlinePlain                     // the answer, or tagged blocks: streamed as it comes
	inlineLone                      // reasoning closed by a lone </think>: shown after it
)

// Profile is what the client sends a model and has learned of it.
type Profile struct {
	TokenField  string // "max_tokens", "max_completion_tokens" or "" (none)
	Temperature bool   // a temperature is sent
	Thinks      bool   // the model reasons before it answers
	LoneClose   bool   // its reasoning is inline, closed by a lone </think>
}

// Profile returns what the client sends the model now.
func (o *OpenAI) Profile() Profile {
	p := o.params()
	return Profile{TokenField: p.tokenField, Temperature: p.temperature, Thinks: p.thinks, LoneClose: p.inline == inlineLone}
}

// ListModels returns the models the server lists, or the error as one of
// the ErrLLM kinds.
func (o *OpenAI) ListModels(ctx context.Context) ([]string, error) {
	list, err := o.Client.ListModels(ctx)
	if err != nil {
		return nil, o.clean(err)
	}
	out := make([]string, len(list.Models))
	for i, m := range list.Models {
		out[i] = m.ID
	}
	return out, nil
}

// ReasoningFamily reports a model name of OpenAI's reasoning families
// (o1, o3, o4, gpt-5), also behind a provider prefix ("openai/gpt-5-mini").
func ReasoningFamily(model string) bool {
	name := strings.ToLower(model[strings.LastIndexByte(model, '/')+1:])
	for _, p := range []string{"o1", "o3", "o4", "gpt-5"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// params returns a copy of what the model's requests hold now.
func (o *OpenAI) params() modelParams {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.learned != nil {
		return *o.learned
	}
	if ReasoningFamily(o.Model) {
		return modelParams{tokenField: "max_completion_tokens", effort: o.ReasoningEffort != "", thinks: true}
	}
	return modelParams{tokenField: "max_tokens", temperature: true, effort: o.ReasoningEffort != ""}
}

// learn keeps what a call found out about the model for the process.
func (o *OpenAI) learn(p modelParams, what string) {
	o.mu.Lock()
	o.learned = &p
	o.mu.Unlock()
	if what != "" && o.Log != nil {
		o.Log.Info("llm: adapted to the server", "model", o.Model, "change", what)
	}
}

// fields are the body fields Attache sets on a request with params p.
func (o *OpenAI) fields(p modelParams) map[string]any {
	set := map[string]any{}
	if p.tokenField != "" {
		set[p.tokenField] = o.budget(p)
	}
	if p.temperature {
		t := o.Temperature
		set["temperature"] = t
	}
	if p.effort && o.ReasoningEffort != "" {
		set["reasoning_effort"] = o.ReasoningEffort
	}
	if p.noStreamOpts {
		set["stream_options"] = nil
	}
	return set
}

// budget is the tokens a call may produce: the answer's, and room to
// think for a model that does.
func (o *OpenAI) budget(p modelParams) int {
	n := orDefault(o.MaxTokens, 600)
	if p.thinks {
		n += orDefault(o.ThinkingTokens, 4000)
	}
	return n
}

// Generate streams an answer to the prompt, calling onDelta with each
// piece of the answer (reasoning, inline or not, is never passed on).
func (o *OpenAI) Generate(ctx context.Context, p Prompt, onDelta func(string)) (string, Usage, error) {
	params := o.params()
	retries := o.MaxRetries
	if retries == 0 {
		retries = 2
	}
	wait := o.Backoff
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	var usage Usage
	adapted := 0
	for attempt := 0; ; {
		res, call, err := o.stream(ctx, params, p, onDelta)
		usage.add(res.usage)
		if err == nil {
			hadRoom := params.thinks
			o.learnFrom(&params, res)
			text := strings.TrimSpace(res.text)
			switch {
			case text != "":
				return text, usage, nil
			case res.finish == "length" && !hadRoom && !res.started:
				// Thinking took the whole budget: a thinking model gets room
				// for its answer from now on, and this call again.
				if !params.thinks {
					params.thinks = true
					o.learn(params, "the model thinks: its budget now leaves room for the answer")
				}
				continue
			case res.finish == "length":
				return "", usage, fmt.Errorf("%w (finish_reason length, %d characters of reasoning)", ErrLLMCutOff, res.reasoning)
			}
			return "", usage, ErrLLMEmpty
		}
		if res.started || ctx.Err() != nil {
			return "", usage, o.clean(err)
		}
		if what, ok := adapt(err, &params); ok && adapted < 4 {
			adapted++
			o.learn(params, what)
			continue
		}
		if attempt >= retries || !retryable(err) {
			return "", usage, o.clean(err)
		}
		attempt++
		d := wait
		if named, ok := retryAfter(call.header, time.Now()); ok {
			d = named
		}
		if d > orDefault(o.MaxWait, 20*time.Second) || !fitsDeadline(ctx, d) {
			return "", usage, o.clean(err)
		}
		select {
		case <-ctx.Done():
			return "", usage, o.clean(ctx.Err())
		case <-time.After(d):
		}
		wait *= 2
	}
}

// learnFrom keeps what a complete answer showed of the model: whether it
// thinks, and where its reasoning appears.
func (o *OpenAI) learnFrom(p *modelParams, res streamResult) {
	before := *p
	if res.reasoning > 0 && !p.thinks {
		p.thinks = true
	}
	switch {
	case res.lone:
		p.inline = inlineLone
	case p.inline == inlineUnknown:
		p.inline = inlinePlain
	}
	if *p != before {
		what := ""
		if p.thinks && !before.thinks {
			what = "the model thinks: its budget now leaves room for the answer"
		}
		o.learn(*p, what)
	}
	if (res.reasoning > 0 || res.usage.ReasoningTokens > 0) && o.Log != nil {
		o.Log.Debug("llm reasoning dropped", "model", o.Model, "chars", res.reasoning, "tokens", res.usage.ReasoningTokens)
	}
}

// streamResult is one streamed call.
type streamResult struct {
	text      string // the answer, without reasoning
	usage     Usage
	started   bool   // answer text reached onDelta: a failure is not retried
	finish    string // the last finish_reason
	reasoning int    // characters of reasoning received and dropped
	lone      bool   // the content held reasoning closed by a lone tag
}

// stream runs one streaming request.
func (o *OpenAI) stream(ctx context.Context, params modelParams, p Prompt, onDelta func(string)) (streamResult, *wireCall, error) {
	var res streamResult
	call := &wireCall{set: o.fields(params)}
	req := openai.ChatCompletionRequest{
		Model: o.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: p.System},
			{Role: openai.ChatMessageRoleUser, Content: p.User},
		},
		Stream:        true,
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
	}
	st, err := o.Client.CreateChatCompletionStream(withCall(ctx, call), req)
	if err != nil {
		return res, call, err
	}
	defer st.Close()
	var f thinkFilter
	sent := 0       // bytes of the answer passed to onDelta
	broken := false // text already shown turned out to be reasoning
	raw := 0
	limit := o.budget(params) * bytesPerToken
	pass := func() {
		if onDelta == nil || broken {
			return
		}
		switch params.inline {
		case inlineUnknown:
			return
		case inlineLone:
			if !f.lone || f.in {
				return
			}
		}
		if t := f.text(); len(t) > sent {
			onDelta(t[sent:])
			sent = len(t)
			res.started = true
		}
	}
	finish := func() {
		f.finish()
		pass()
		res.text = f.text()
		res.reasoning += f.dropped
		res.lone = f.lone
		if res.usage.ReasoningTokens == 0 {
			// A server that does not count reasoning tokens: estimated.
			res.usage.ReasoningTokens = (res.reasoning + 3) / 4
		}
	}
	for {
		resp, err := st.Recv()
		if errors.Is(err, io.EOF) {
			finish()
			return res, call, nil
		}
		if err != nil {
			finish()
			return res, call, err
		}
		if resp.Usage != nil {
			res.usage = Usage{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}
			if d := resp.Usage.CompletionTokensDetails; d != nil {
				res.usage.ReasoningTokens = d.ReasoningTokens
			}
		}
		for _, c := range resp.Choices {
			res.reasoning += len(c.Delta.ReasoningContent)
			raw += len(c.Delta.ReasoningContent) + len(c.Delta.Content)
			if c.Delta.Content != "" {
				if _, reset := f.write(c.Delta.Content); reset && sent > 0 {
					broken = true
				}
			}
			if c.FinishReason != "" {
				res.finish = string(c.FinishReason)
			}
		}
		pass()
		if raw >= limit {
			// A server that streams past what was asked for is cut off:
			// the answer is what fits.
			finish()
			return res, call, nil
		}
	}
}

// bytesPerToken bounds the text of one token: a token is a few letters, or
// one CJK character of 3 bytes; 16 leaves room for any tokenizer.
const bytesPerToken = 16

// adapt changes params after a server refused one of them by name, and
// says what changed; ok is false when there is nothing to change.
func adapt(err error, p *modelParams) (string, bool) {
	var ae *openai.APIError
	if !errors.As(err, &ae) || (ae.HTTPStatusCode != http.StatusBadRequest && ae.HTTPStatusCode != http.StatusUnprocessableEntity) {
		return "", false
	}
	param := ""
	if ae.Param != nil {
		param = *ae.Param
	}
	msg := strings.ToLower(ae.Message)
	if param == "" {
		for _, name := range []string{"max_completion_tokens", "max_tokens", "temperature", "reasoning_effort", "stream_options"} {
			if strings.Contains(msg, "'"+name+"'") || strings.Contains(msg, "\""+name+"\"") || strings.Contains(msg, "`"+name+"`") {
				param = name
				break
			}
		}
	}
	code := strings.ToLower(fmt.Sprint(ae.Code))
	refused := code == "unsupported_parameter" || code == "unsupported_value" ||
		strings.Contains(msg, "unsupported") || strings.Contains(msg, "not supported") ||
		strings.Contains(msg, "unrecognized") || strings.Contains(msg, "unknown") || strings.Contains(msg, "not allowed") ||
		strings.Contains(msg, "extra inputs") || strings.Contains(msg, "only the default")
	if param == "" || !refused {
		return "", false
	}
	switch param {
	case "max_tokens", "max_completion_tokens":
		if p.tokenField != param {
			return "", false
		}
		if p.triedTokenAlt {
			p.tokenField = ""
			return "the server refused both token limits: none is sent", true
		}
		p.triedTokenAlt = true
		alt := "max_completion_tokens"
		if param == alt {
			alt = "max_tokens"
		}
		p.tokenField = alt
		return fmt.Sprintf("the server refused %s: %s is sent instead", param, alt), true
	case "temperature", "top_p":
		if !p.temperature {
			return "", false
		}
		p.temperature = false
		return "the server refused the temperature: none is sent", true
	case "reasoning_effort":
		if !p.effort {
			return "", false
		}
		p.effort = false
		return "the server refused reasoning_effort: none is sent", true
	case "stream_options":
		if p.noStreamOpts {
			return "", false
		}
		p.noStreamOpts = true
		return "the server refused stream_options: none is sent", true
	}
	return "", false
}

// retryAfter reads the wait a rate-limited server names: Retry-After (in
// seconds or as a date), retry-after-ms, or OpenAI's x-ratelimit-reset-*
// ("1s", "6m0s", "20ms"); the longest of those given.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	var best time.Duration
	found := false
	take := func(d time.Duration) {
		if d >= 0 && (!found || d > best) {
			best, found = d, true
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil {
			take(time.Duration(s * float64(time.Second)))
		} else if t, err := http.ParseTime(v); err == nil {
			take(t.Sub(now))
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil {
			take(time.Duration(ms * float64(time.Millisecond)))
		}
	}
	for _, k := range []string{"X-Ratelimit-Reset-Requests", "X-Ratelimit-Reset-Tokens"} {
		if v := strings.TrimSpace(h.Get(k)); v != "" {
			if d, err := time.ParseDuration(v); err == nil {
				take(d)
			} else if s, err := strconv.ParseFloat(v, 64); err == nil {
				take(time.Duration(s * float64(time.Second)))
			}
		}
	}
	return best, found
}

// fitsDeadline reports whether waiting d still leaves the call time.
func fitsDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d
}

// retryable reports a rate limit or a server error.
func retryable(err error) bool {
	code := statusOf(err)
	return code == http.StatusTooManyRequests || code >= 500
}

func statusOf(err error) int {
	// A RequestError may wrap an empty APIError (vLLM's 401 body), so it
	// is asked first.
	var re *openai.RequestError
	if errors.As(err, &re) {
		return re.HTTPStatusCode
	}
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatusCode
	}
	return 0
}

// clean turns a client error into one fit for logs and for the operator:
// one of the ErrLLM kinds where it is one, with the HTTP status and error
// type, never the server's body (which may echo the request or a masked
// key), and never the key itself.
func (o *OpenAI) clean(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrLLMTimeout
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	code := statusOf(err)
	var typ, msg, ecode string
	var ae *openai.APIError
	if errors.As(err, &ae) {
		typ, msg, ecode = ae.Type, strings.ToLower(ae.Message), strings.ToLower(fmt.Sprint(ae.Code))
	}
	detail := fmt.Sprintf("HTTP %d", code)
	if typ != "" {
		detail += " (" + typ + ")"
	}
	switch {
	case ecode == "context_length_exceeded" || typ == "exceed_context_size_error" ||
		strings.Contains(msg, "context length") || strings.Contains(msg, "context window") || strings.Contains(msg, "maximum context"):
		return fmt.Errorf("%w: %s", ErrLLMContextLength, detail)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Errorf("%w: %s", ErrLLMUnauthorized, detail)
	case code == http.StatusNotFound && (ecode == "model_not_found" || strings.Contains(msg, "model")):
		return fmt.Errorf("%w: %q, %s", ErrLLMModelNotFound, o.Model, detail)
	case code == http.StatusNotFound:
		return fmt.Errorf("%w: %s", ErrLLMNotFound, detail)
	case code == http.StatusTooManyRequests:
		return fmt.Errorf("%w: %s", ErrLLMRateLimited, detail)
	case code != 0:
		return fmt.Errorf("the LLM server answered %s", detail)
	}
	if unreachable(err) {
		return fmt.Errorf("%w: %s", ErrLLMUnreachable, o.redact(err.Error(), 160))
	}
	return fmt.Errorf("LLM request failed: %s", o.redact(err.Error(), 200))
}

// unreachable reports a connection that could not be made.
func unreachable(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial")
}

// redact removes the key from a message and bounds its length.
func (o *OpenAI) redact(msg string, n int) string {
	if o.apiKey != "" {
		msg = strings.ReplaceAll(msg, o.apiKey, "[redacted]")
	}
	if len(msg) > n {
		cut := n
		for cut > 0 && msg[cut]&0xC0 == 0x80 {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
