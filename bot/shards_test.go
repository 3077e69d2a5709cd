package bot

import (
	"reflect"
	"testing"
	"time"
)

func TestParseShards(t *testing.T) {
	tests := []struct {
		spec    string
		want    Shards
		wantErr bool
	}{
		{"", Shards{}, false},
		{"auto", Shards{Auto: true}, false},
		{"0-3/16", Shards{IDs: []int{0, 1, 2, 3}, Count: 16}, false},
		{"0,5,7-8/16", Shards{IDs: []int{0, 5, 7, 8}, Count: 16}, false},
		{"3/4", Shards{IDs: []int{3}, Count: 4}, false},
		{"4/4", Shards{}, true},
		{"3-1/4", Shards{}, true},
		{"0-3", Shards{}, true},
		{"x/4", Shards{}, true},
		{"0/0", Shards{}, true},
	}
	for _, tt := range tests {
		got, err := ParseShards(tt.spec)
		if (err != nil) != tt.wantErr || (!tt.wantErr && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("ParseShards(%q) = %+v, %v", tt.spec, got, err)
		}
	}
}

// Shards identify in buckets of id % max_concurrency, one identify per
// bucket every 5 s.
func TestIdentifyPlan(t *testing.T) {
	got := identifyPlan([]int{0, 1, 2, 3, 4, 5}, 2)
	want := []time.Duration{0, 0, 5 * time.Second, 5 * time.Second, 10 * time.Second, 10 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("plan %v, want %v", got, want)
	}
	if got := identifyPlan([]int{4, 9}, 16); !reflect.DeepEqual(got, []time.Duration{0, 0}) {
		t.Errorf("different buckets wait: %v", got)
	}
}
