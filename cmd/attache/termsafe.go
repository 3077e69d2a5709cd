package main

import (
	"fmt"
	"strings"
)

// safe makes text from articles, models or file names harmless on a
// terminal: control characters (ESC and the rest of C0 and C1, DEL) are
// shown escaped as \xNN instead of being sent, so that a title cannot
// move the cursor, retitle the window or forge a line. Newlines and tabs
// are kept.
func safe(s string) string { return escapeControls(s, false) }

// safeLine is safe for text that must stay on one line: newlines and
// carriage returns are escaped too.
func safeLine(s string) string { return escapeControls(s, true) }

func escapeControls(s string, oneLine bool) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return isControl(r, oneLine) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r, oneLine) {
			fmt.Fprintf(&b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune, oneLine bool) bool {
	switch {
	case r == '\n':
		return oneLine
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	}
	return false
}
