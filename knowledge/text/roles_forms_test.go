package text

import "testing"

// More ways articles name offices: a title set off before the name, and
// "X, who leads the Y".
func TestMoreRoleForms(t *testing.T) {
	tests := []struct{ s, name, role string }{
		{"The EU's trade commissioner, Maros Sefcovic, had led months of negotiations.", "Maros Sefcovic", "EU's trade commissioner"},
		{"Mark Rutte, who leads the Western military alliance, said guarantees would follow.", "Mark Rutte", "head of the Western military alliance"},
		{"Talks were opened by its foreign minister, Hakan Fidan, in Istanbul.", "Hakan Fidan", "foreign minister"},
		{"Kremlin aide Yuri Ushakov said the talks were useful.", "Yuri Ushakov", "Kremlin aide"},
	}
	for _, tt := range tests {
		found := false
		for _, m := range ExtractRoles(tt.s) {
			found = found || (m.Name == tt.name && m.Role == tt.role)
		}
		if !found {
			t.Errorf("%q: want %s as %q, got %+v", tt.s, tt.name, tt.role, ExtractRoles(tt.s))
		}
	}
	// Lists of places and dates are not names with titles.
	for _, s := range []string{"On Monday, Rome, Paris and Berlin said nothing.", "The talks, held in Geneva, Switzerland, ended."} {
		if got := ExtractRoles(s); len(got) != 0 {
			t.Errorf("%q: %+v", s, got)
		}
	}
}
