package knowledge

import (
	"strings"
	"testing"
)

func TestKeyFilterNoFalseNegativesFewFalsePositives(t *testing.T) {
	f := newKeyFilter(10000)
	for i := 0; i < 10000; i++ {
		f.add(key("https://a.example/" + string(rune('a'+i%26)) + itoa(i)))
	}
	for i := 0; i < 10000; i++ {
		if !f.mayHave(key("https://a.example/" + string(rune('a'+i%26)) + itoa(i))) {
			t.Fatalf("key %d added but not found", i)
		}
	}
	fp := 0
	for i := 0; i < 100000; i++ {
		if f.mayHave(key("https://b.example/" + itoa(i))) {
			fp++
		}
	}
	// 16 bits a key and 4 probes give about 0.25%; 2% would mean the
	// probes are correlated.
	if fp > 2000 {
		t.Errorf("%d false positives in 100000", fp)
	}
	if f.full() {
		t.Errorf("a filter sized for 10000 keys is full at 10000")
	}
	for i := 0; i < 100000; i++ {
		f.add(int64(i))
	}
	if !f.full() {
		t.Errorf("a filter sized for 10000 keys is not full at 110000")
	}
}

func itoa(i int) string {
	b := []byte{}
	for ; i > 0 || len(b) == 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// in looks words up through a 32-byte buffer: every word of the sets must fit.
func TestWordSetsFitTheLookupBuffer(t *testing.T) {
	for name, set := range map[string]map[string]bool{"roleWords": roleWords, "roleModifiers": roleModifiers,
		"notNameWords": notNameWords, "sentenceOpeners": sentenceOpeners} {
		for w := range set {
			if len(w) > 32 {
				t.Errorf("%s holds %q, longer than 32 bytes", name, w)
			}
			// The same answer as a lookup of the lower-cased, trimmed word.
			for _, form := range []string{w, strings.ToUpper(w[:1]) + w[1:] + ",", "“" + strings.ToUpper(w) + "”", w + "x"} {
				if got, want := in(set, form), set[bare(form)]; got != want {
					t.Errorf("%s: in(%q) = %v, lookup of %q = %v", name, form, got, bare(form), want)
				}
			}
		}
	}
}
