package answer

import "strings"

// Reasoning that models write inline, in the answer's own text: Qwen3 and
// DeepSeek-R1 behind a server without a reasoning parser, Groq's "raw"
// format, and the tags other front ends strip too. A server whose chat
// template opens the block itself sends only the closing tag.
var (
	thinkOpen  = []string{"<think>", "<thinking>", "<reason>", "<reasoning>", "<thought>", "<|begin_of_thought|>", "◁think▷"}
	thinkClose = []string{"</think>", "</thinking>", "</reason>", "</reasoning>", "</thought>", "<|end_of_thought|>", "◁/think▷"}
)

// thinkFilter takes a model's streamed text and passes on only the answer:
// a reasoning block is dropped, a lone closing tag drops everything before
// it, and a block still open when the text ends is dropped too. It holds
// back a piece that may be the start of a tag until the next piece says.
type thinkFilter struct {
	visible strings.Builder
	pending string // a tail that may be the start of a tag
	in      bool   // inside a reasoning block
	lone    bool   // a closing tag came with no opening one
	dropped int    // bytes of reasoning dropped
}

// write adds a piece of the stream and returns the answer text it adds.
// reset reports that text passed on earlier was reasoning after all (a
// lone closing tag): the answer starts again after it.
func (f *thinkFilter) write(piece string) (out string, reset bool) {
	s := f.pending + piece
	f.pending = ""
	var b strings.Builder
	for s != "" {
		if f.in {
			i, tag := findTag(s, thinkClose)
			if i < 0 {
				keep := partialTag(s)
				f.dropped += len(s) - len(keep)
				f.pending = keep
				break
			}
			f.dropped += i + len(tag)
			s = s[i+len(tag):]
			f.in = false
			continue
		}
		io, otag := findTag(s, thinkOpen)
		ic, ctag := findTag(s, thinkClose)
		switch {
		case ic >= 0 && (io < 0 || ic < io):
			// A closing tag before any opening: all so far was reasoning.
			f.lone, reset = true, true
			f.dropped += f.visible.Len() + b.Len() + ic + len(ctag)
			f.visible.Reset()
			b.Reset()
			s = s[ic+len(ctag):]
		case io >= 0:
			b.WriteString(s[:io])
			f.in = true
			f.dropped += len(otag)
			s = s[io+len(otag):]
		default:
			keep := partialTag(s)
			b.WriteString(s[:len(s)-len(keep)])
			f.pending = keep
			s = ""
		}
	}
	f.visible.WriteString(b.String())
	return b.String(), reset
}

// finish ends the stream: a tail that was not a tag is answer text; an
// unclosed block (a stream cut inside its reasoning) is dropped.
func (f *thinkFilter) finish() string {
	tail := f.pending
	f.pending = ""
	if f.in {
		f.dropped += len(tail)
		return ""
	}
	f.visible.WriteString(tail)
	return tail
}

// text is the answer so far.
func (f *thinkFilter) text() string { return f.visible.String() }

// stripThinking removes inline reasoning from a complete text.
func stripThinking(s string) string {
	var f thinkFilter
	f.write(s)
	f.finish()
	return f.text()
}

// findTag returns the first position of any of tags in s, matched without
// regard to ASCII case, and the tag found there.
func findTag(s string, tags []string) (int, string) {
	low := asciiLower(s)
	best, which := -1, ""
	for _, t := range tags {
		if i := strings.Index(low, t); i >= 0 && (best < 0 || i < best) {
			best, which = i, t
		}
	}
	return best, which
}

// partialTag returns the longest tail of s that is the start of a tag.
func partialTag(s string) string {
	low := asciiLower(s)
	for start := max(0, len(s)-maxTagLen); start < len(s); start++ {
		tail := low[start:]
		for _, set := range [][]string{thinkOpen, thinkClose} {
			for _, t := range set {
				if len(tail) < len(t) && strings.HasPrefix(t, tail) {
					return s[start:]
				}
			}
		}
	}
	return ""
}

var maxTagLen = func() int {
	n := 0
	for _, t := range append(append([]string(nil), thinkOpen...), thinkClose...) {
		n = max(n, len(t))
	}
	return n
}()

// asciiLower lowers ASCII letters only, so byte offsets stay those of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
