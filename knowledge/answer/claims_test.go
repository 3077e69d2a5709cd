package answer_test

import (
	"context"
	"testing"

	"github.com/attache-bot/attache/knowledge/answer"
)

// A pasted claim is checked against the stored articles: supported,
// contradicted (a figure the articles give otherwise) or not in them.
func TestCheckClaims(t *testing.T) {
	svc := service(nil)
	for _, tc := range []struct {
		msg, want string
	}{
		{"Rubio and Witkoff met Barrot in Paris on 17 April.", answer.ClaimSupported},
		{"The US and China cut their tariffs for 90 days after talks in Geneva.", answer.ClaimSupported},
		{"The US and China cut their tariffs for 120 days after talks in Geneva.", answer.ClaimContradicted},
		{"Rubio and Witkoff met Barrot in Paris on 18 April.", answer.ClaimContradicted},
		{"Modi and Lula signed a trade pact in Brasilia on 3 March.", answer.ClaimAbsent},
	} {
		a, vs, err := svc.CheckClaims(context.Background(), tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 || vs[0].Verdict != tc.want {
			t.Errorf("%q: %+v, want %s\n%s", tc.msg, vs, tc.want, a.Text)
		}
		if tc.want != answer.ClaimAbsent && len(a.Sources) == 0 {
			t.Errorf("%q: no citation:\n%s", tc.msg, a.Text)
		}
	}
	a, vs, _ := svc.CheckClaims(context.Background(), "lol ok. what do you think?")
	if len(vs) != 0 || !a.NoAnswer {
		t.Errorf("nothing to check: %+v %q", vs, a.Text)
	}
}
