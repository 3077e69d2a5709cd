package answer

import (
	"strings"
	"testing"
)

// Reasoning is removed however the stream cuts its tags, and what is
// passed on while streaming is never taken back but for a lone closing tag.
func TestThinkFilter(t *testing.T) {
	tests := []struct {
		name, in, want string
		lone           bool
	}{
		{"plain", "Witkoff is an envoy [1].", "Witkoff is an envoy [1].", false},
		{"a block first", "<think>\nthe user asks…\n</think>\n\nWitkoff is an envoy [1].", "\n\nWitkoff is an envoy [1].", false},
		{"other tags, any case", "<Thinking>a</Thinking>A. <reasoning>b</reasoning>B. <|begin_of_thought|>c<|end_of_thought|>C. ◁think▷d◁/think▷D.", "A. B. C. D.", false},
		{"a lone closing tag", "the template opened it…\n</think>\nWitkoff is an envoy [1].", "\nWitkoff is an envoy [1].", true},
		{"an unclosed block at the end of a cut stream", "Witkoff is an envoy [1]. <think>but wait, maybe", "Witkoff is an envoy [1]. ", false},
		{"a less-than that is no tag", "Turnout was <5% [1]. a<b", "Turnout was <5% [1]. a<b", false},
	}
	for _, tt := range tests {
		for _, size := range []int{1, 2, 3, 7, 1000} {
			var f thinkFilter
			var streamed strings.Builder
			for i := 0; i < len(tt.in); i += size {
				out, reset := f.write(tt.in[i:min(i+size, len(tt.in))])
				if reset {
					streamed.Reset()
				}
				streamed.WriteString(out)
			}
			streamed.WriteString(f.finish())
			if f.text() != tt.want || streamed.String() != tt.want || f.lone != tt.lone {
				t.Errorf("%s, pieces of %d: text %q streamed %q lone %v; want %q lone %v", tt.name, size, f.text(), streamed.String(), f.lone, tt.want, tt.lone)
			}
			if strings.Contains(tt.in, "think") && f.dropped == 0 {
				t.Errorf("%s: reasoning not counted", tt.name)
			}
		}
	}
	if got := stripThinking("<think>x</think>Answer."); got != "Answer." {
		t.Errorf("stripThinking: %q", got)
	}
}

// The stream dialects of other servers reach go-openai as it reads them.
func TestNormaliseEvent(t *testing.T) {
	tests := []struct{ in, want string }{
		{": OPENROUTER PROCESSING\n", ""},
		{`data: {"choices":[{"index":0,"delta":{"content":"","reasoning":"hmm"}}]}` + "\n", `data: {"choices":[{"delta":{"content":"","reasoning_content":"hmm"},"index":0}]}` + "\n"},
		{`error: {"message":"context full","type":"exceed_context_size_error","code":400}` + "\n", `data: {"error":{"message":"context full","type":"exceed_context_size_error","code":400}}` + "\n"},
		{`data: {"choices":[{"delta":{"content":"the reasoning was sound"}}]}` + "\n", `data: {"choices":[{"delta":{"content":"the reasoning was sound"}}]}` + "\n"},
		{"data: [DONE]\n", "data: [DONE]\n"},
	}
	for _, tt := range tests {
		if got := string(normaliseEvent([]byte(tt.in))); got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
