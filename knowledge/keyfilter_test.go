package knowledge

import "testing"

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
