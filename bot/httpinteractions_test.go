package bot_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/bot/discordtest"
)

// signed posts an interaction to the endpoint as Discord does, signed by
// priv (nil: unsigned).
func signed(t *testing.T, url string, priv ed25519.PrivateKey, body []byte, mangle bool) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if priv != nil {
		ts := fmt.Sprint(time.Now().Unix())
		sig := ed25519.Sign(priv, append([]byte(ts), body...))
		if mangle {
			sig[0] ^= 1
		}
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Slash commands arrive as signed POSTs: PING gets PONG, a command its
// deferral as the HTTP answer and then its reply over REST, and a request
// without a valid signature gets 401 and does nothing.
func TestHTTPInteractions(t *testing.T) {
	h := newHarness(t, bot.Config{}, citeFirst)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.bot.InteractionsHandler(pub))
	defer srv.Close()

	if code, body := signed(t, srv.URL, priv, []byte(`{"type":1,"id":"1","application_id":"`+h.discord.AppID+`","token":"t"}`), false); code != 200 || strings.TrimSpace(body) != `{"type":1}` {
		t.Errorf("PING: %d %s", code, body)
	}
	iid := id()
	ask, _ := json.Marshal(discordtest.Interaction(iid, h.discord.AppID, "ask", map[string]any{"question": "What is Witkoff's role?"}, "61"))
	before := len(h.discord.Calls())
	for _, tc := range []struct {
		name   string
		priv   ed25519.PrivateKey
		mangle bool
	}{{"unsigned", nil, false}, {"wrong signature", priv, true}} {
		if code, _ := signed(t, srv.URL, tc.priv, ask, tc.mangle); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", tc.name, code)
		}
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	if code, _ := signed(t, srv.URL, other, ask, false); code != http.StatusUnauthorized {
		t.Errorf("signed by another key: %d, want 401", code)
	}
	time.Sleep(200 * time.Millisecond) // what a refused request might have started
	if n := len(h.discord.Calls()); n != before {
		t.Errorf("refused requests made %d calls to Discord", n-before)
	}

	code, body := signed(t, srv.URL, priv, ask, false)
	var resp struct{ Type int }
	if code != 200 || json.Unmarshal([]byte(body), &resp) != nil || resp.Type != 5 {
		t.Fatalf("command: %d %s, want the deferral (type 5)", code, body)
	}
	if !h.discord.WaitFor(10*time.Second, func() bool { return h.counter("ask", "ok") == 1 }) {
		t.Fatal("the command was not answered")
	}
	edits := h.calls("PATCH", "itoken-"+iid+"/messages/@original")
	if len(edits) == 0 || !strings.Contains(edits[len(edits)-1].Body["content"].(string), "[1]") {
		t.Errorf("reply edits %v", edits)
	}
	if len(h.calls("POST", "/interactions/"+iid+"/")) != 0 {
		t.Error("the first response went over REST as well as in the HTTP answer")
	}
	auto, _ := json.Marshal(discordtest.Autocomplete(id(), h.discord.AppID, "whois", "name", "wit", "61"))
	if code, body := signed(t, srv.URL, priv, auto, false); code != 200 || !strings.Contains(body, `"type":8`) || !strings.Contains(body, "Witkoff") {
		t.Errorf("autocomplete: %d %s", code, body)
	}
}
