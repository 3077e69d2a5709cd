package discordtest

import (
	"os"
	"strings"
	"testing"
)

// The limits Discord documents are enforced in every run, with or without
// its OpenAPI document.
func TestDocumentedLimits(t *testing.T) {
	tests := []struct {
		method, path, body string
		want               string // in a problem; "" for none
	}{
		{"POST", "/channels/1/messages", `{"content":"` + strings.Repeat("é", 2000) + `"}`, ""},
		{"POST", "/channels/1/messages", `{"content":"` + strings.Repeat("é", 2001) + `"}`, "2001 characters, over 2000"},
		{"PATCH", "/webhooks/1/tok/messages/@original", `{"content":"` + strings.Repeat("x", 2001) + `"}`, "over 2000"},
		{"POST", "/interactions/1/tok/callback", `{"type":4,"data":{"content":"` + strings.Repeat("x", 2001) + `"}}`, "body.data.content"},
		{"POST", "/channels/1/messages", `{"embeds":[{"title":"t","description":"` + strings.Repeat("x", 6000) + `"}]}`, "embeds: 6001 characters"},
		{"PUT", "/applications/1/commands", `[{"name":"ask","description":"` + strings.Repeat("d", 101) + `"}]`, "description: 101 characters"},
		{"PUT", "/applications/1/commands", `[{"name":"Ask","description":"d"}]`, "lower case"},
		{"POST", "/interactions/1/tok/callback", `{"type":8,"data":{"choices":[` + strings.TrimSuffix(strings.Repeat(`{"name":"a","value":"a"},`, 26), ",") + `]}}`, "choices: 26, over 25"},
	}
	for _, tt := range tests {
		got := strings.Join(checkLimits(tt.method, tt.path, decode(t, tt.body)), "; ")
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s %s %.60s…: problems %q, want %q", tt.method, tt.path, tt.body, got, tt.want)
		}
	}
}

// Requests are checked against Discord's OpenAPI document: its fields,
// types, enumerations and lengths.
func TestRequestsAreCheckedAgainstDiscordsSchema(t *testing.T) {
	if ok, err := SpecAvailable(); !ok {
		if os.Getenv("CI") != "" {
			t.Fatalf("Discord's OpenAPI document is missing in CI: %v", err)
		}
		t.Skipf("Discord's OpenAPI document is not beside the repository (%v)", err)
	}
	tests := []struct {
		method, path, body string
		want               string
	}{
		{"POST", "/channels/1/messages", `{"content":"hi","allowed_mentions":{"parse":[]},"flags":4}`, ""},
		{"POST", "/channels/1/messages", `{"content":"hi","allowed_mentions":{"parse":["everyone","bogus"]}}`, "allowed_mentions"},
		{"POST", "/channels/1/messages", `{"content":"hi","flags":"loud"}`, "body.flags"},
		{"POST", "/channels/1/messages", `{"content":"hi","message_reference":{"message_id":"12x"}}`, "message_reference"},
		{"POST", "/channels/1/messages", `{"embeds":[{"title":"` + strings.Repeat("t", 257) + `"}]}`, "title"},
		{"PATCH", "/webhooks/1/tok/messages/@original", `{"content":"done","allowed_mentions":{"parse":[]},"embeds":[]}`, ""},
		{"POST", "/interactions/1/tok/callback", `{"type":5,"data":{"allowed_mentions":{"parse":[]},"flags":64}}`, ""},
		{"POST", "/interactions/1/tok/callback", `{"type":99}`, "body"},
		{"GET", "/users/@me/frobnicate", ``, "not a route"},
	}
	for _, tt := range tests {
		got := strings.Join(checkRequest(tt.method, tt.path, []byte(tt.body)), "; ")
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s %s %.80s: problems %q, want %q", tt.method, tt.path, tt.body, got, tt.want)
		}
	}
}

func decode(t *testing.T, body string) any {
	t.Helper()
	var v any
	if err := jsonUnmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
