package knowledge

import (
	"slices"
	"testing"
)

func TestNameKeys(t *testing.T) {
	for name, want := range map[string][]string{
		"Witkoff":          {"witkoff"},
		"Mr Witkoff":       {"mr witkoff", "witkoff"},
		"Steve Witkoff's":  {"steve witkoff s", "steve witkoff", "witkoff"},
		"Jean-Noël Barrot": {"jean noel barrot", "barrot"},
		"  !! ":            nil,
	} {
		if got := NameKeys(name); !slices.Equal(got, want) {
			t.Errorf("NameKeys(%q) = %q, want %q", name, got, want)
		}
	}
}
