package answer_test

import (
	"testing"

	"github.com/attache-bot/attache/knowledge/answer"
)

// Each class of the field lexicon rewrites its descriptions into the names
// articles use, and leaves everything else alone.
func TestParaphrase(t *testing.T) {
	for class, cases := range map[string][][2]string{
		"offices": {
			{"Who is America's top diplomat?", "Who is the US Secretary of State?"},
			{"What did Washington's chief diplomat say in Paris?", "What did the US Secretary of State say in Paris?"},
			{"Where did Iran's top diplomat travel after the strikes?", "Where did Iran's foreign minister travel after the strikes?"},
			{"What did the bloc's top diplomat propose for Ukraine?", "What did the EU high representative for foreign affairs propose for Ukraine?"},
			{"Who is the US defense chief?", "Who is the US Defense Secretary?"},
			{"Who was Trump's security chief before May?", "Who was Trump's national security adviser before May?"},
			{"What did the NATO chief say?", "What did the NATO Secretary General say?"},
		},
		"organisations": {
			{"Who heads the Western military alliance?", "Who heads NATO?"},
			{"What did the UN nuclear watchdog find at Fordow?", "What did the International Atomic Energy Agency find at Fordow?"},
			{"How much will the 27-nation bloc spend?", "How much will the EU spend?"},
			{"What did the world body vote?", "What did the United Nations vote?"},
		},
		"seats of government": {
			{"What did Downing Street say about the deal?", "What did the British prime minister say about the deal?"},
			{"What did Foggy Bottom announce?", "What did the State Department announce?"},
		},
		"countries": {
			{"Which Gulf sultanate carried messages between Washington and Tehran?", "Which Oman carried messages between Washington and Tehran?"},
			{"What did the Islamic Republic say?", "What did Iran say?"},
			{"Which Dutchman leads the alliance?", "Which person leads the alliance?"},
		},
		"left alone": {
			{"What is Witkoff's role?", "What is Witkoff's role?"},
			{"Which Gulf emirate hosts Al Udeid?", "Which Gulf emirate hosts Al Udeid?"},
			{"What did the diplomats say in Geneva?", "What did the diplomats say in Geneva?"},
		},
	} {
		for _, c := range cases {
			if got := answer.Paraphrase(c[0]); got != c[1] {
				t.Errorf("%s: Paraphrase(%q) = %q, want %q", class, c[0], got, c[1])
			}
		}
	}
}
