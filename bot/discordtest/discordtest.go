// Package discordtest is a fake Discord for tests: a REST API and a gateway
// websocket on 127.0.0.1 that the real discordgo client connects to. It
// does the gateway handshake (HELLO, IDENTIFY or RESUME, READY or RESUMED,
// heartbeats), dispatches the events a test asks for, and records every
// REST call so that tests can check what the bot sent.
package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Call is one REST request the bot made.
type Call struct {
	Method string
	Path   string         // without the /api/v9 prefix
	Body   map[string]any // the JSON body when it is an object
	Raw    []byte
	At     time.Time
	// Response is the message object the fake answered with, if any.
	Response map[string]any
}

// Server is the fake Discord.
type Server struct {
	*httptest.Server
	AppID, BotID string
	// Fail, when set, may make a REST call fail: it returns a status and a
	// body, or 0 to answer normally.
	Fail func(c Call) (int, string)
	// Hidden channels answer 403, as channels the bot cannot see do.
	Hidden map[string]bool
	// Forums are forum channels (type 15) with their available tags:
	// they take posts (threads), never plain messages.
	Forums map[string][]map[string]any
	// threads the bot started from a message: thread id -> parent channel.
	threads map[string]string
	// Silent makes the gateway accept connections and never say HELLO.
	Silent bool
	// Latency delays every REST answer, as the network to Discord does.
	Latency time.Duration
	// Shards is the shard count GET /gateway/bot recommends (default 1).
	// With more than one, connections are kept side by side (one per
	// shard) instead of a new one replacing the last.
	Shards int

	mu         sync.Mutex
	inFlight   map[string]int // REST requests being answered, by method
	maxFlight  map[string]int // the most at once, by method
	violations []string       // requests Discord's contract refuses
	calls      []Call
	conn       *websocket.Conn
	wmu        sync.Mutex // serialises writes to conn
	seq        int
	identifies int
	resumes    int
	connects   int                     // gateway connections
	live       int                     // gateway connections still open
	identified [][2]int                // the [shard id, shard count] of each IDENTIFY that had one
	shardConns map[int]*websocket.Conn // by shard id, when sharded
	shardCount int
	nextID     int
	commands   map[string][]map[string]any // by "app" or "app/guild"
	changed    chan struct{}
	sent       []sentEvent // dispatches, replayed after a RESUME as Discord does
}

type sentEvent struct {
	seq int
	t   string
	d   any
}

// New starts a fake Discord; at the end of the test it fails tb for every
// request Discord's contract refuses (see Check).
func New(tb testing.TB) *Server {
	s := &Server{AppID: "100000000000000001", BotID: "100000000000000002", commands: map[string][]map[string]any{},
		changed: make(chan struct{}, 1), nextID: 900000000000000000}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	tb.Cleanup(func() { s.Check(tb) })
	return s
}

// SetHidden hides channels from the bot.
func (s *Server) SetHidden(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Hidden == nil {
		s.Hidden = map[string]bool{}
	}
	for _, id := range ids {
		s.Hidden[id] = true
	}
}

// SetForum makes a channel a forum with tags of these names.
func (s *Server) SetForum(id string, tags ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Forums == nil {
		s.Forums = map[string][]map[string]any{}
	}
	var list []map[string]any
	for i, t := range tags {
		list = append(list, map[string]any{"id": fmt.Sprintf("77000000000000%04d", i+1), "name": t, "moderated": false})
	}
	s.Forums[id] = list
}

// SetLatency delays every REST answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Latency = d
}

// MaxInFlight returns the most REST requests of a method that were being
// answered at once.
func (s *Server) MaxInFlight(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxFlight[method]
}

// Violations returns the requests that broke Discord's contract, each with
// what was wrong.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// TakeViolations returns the violations so far and forgets them, for a
// test that breaks the contract on purpose.
func (s *Server) TakeViolations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.violations
	s.violations = nil
	return v
}

// Check fails t for every request that broke Discord's contract, and says
// when the OpenAPI document was absent (the documented limits are checked
// in every run; the schema only where the document is). In CI the
// document must be there.
func (s *Server) Check(t interface {
	Helper()
	Errorf(string, ...any)
	Logf(string, ...any)
}) {
	t.Helper()
	if ok, err := SpecAvailable(); !ok {
		if os.Getenv("CI") != "" {
			t.Errorf("Discord's OpenAPI document is missing (%v); CI checks every request against it", err)
		} else {
			t.Logf("Discord's OpenAPI document is not at %s (%v): requests were checked against the documented limits only", SpecPath, err)
		}
	}
	for _, v := range s.Violations() {
		t.Errorf("Discord would refuse: %s", v)
	}
}

// SetSilent makes the gateway hold connections without a HELLO.
func (s *Server) SetSilent(silent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Silent = silent
}

// SetFail sets Fail while the bot runs.
func (s *Server) SetFail(f func(c Call) (int, string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Fail = f
}

// Calls returns the REST calls so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Identified returns the [shard id, shard count] of each IDENTIFY that
// carried one.
func (s *Server) Identified() [][2]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][2]int(nil), s.identified...)
}

// Connects returns how many gateway connections were opened.
func (s *Server) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

// Live returns how many gateway connections are open now.
func (s *Server) Live() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live
}

// Sessions returns how many IDENTIFY and RESUME the gateway received.
func (s *Server) Sessions() (identifies, resumes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identifies, s.resumes
}

// WaitFor polls cond until it holds or the timeout passes, and reports which.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-s.changed:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) notify() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func (s *Server) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return fmt.Sprint(s.nextID)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if strings.TrimSuffix(r.URL.Path, "/") == "/ws" {
		s.gateway(w, r)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	c := Call{Method: r.Method, Path: path, At: time.Now()}
	if b, _ := io.ReadAll(r.Body); len(b) > 0 {
		c.Raw = b
		json.Unmarshal(b, &c.Body)
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	index := len(s.calls) - 1
	fail := s.Fail
	latency := s.Latency
	if s.inFlight == nil {
		s.inFlight, s.maxFlight = map[string]int{}, map[string]int{}
	}
	s.inFlight[r.Method]++
	s.maxFlight[r.Method] = max(s.maxFlight[r.Method], s.inFlight[r.Method])
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight[r.Method]--
		s.mu.Unlock()
	}()
	if latency > 0 {
		time.Sleep(latency)
	}
	respond := func(m map[string]any) {
		s.mu.Lock()
		s.calls[index].Response = m
		s.mu.Unlock()
		writeJSON(w, 200, m)
	}
	s.notify()
	if r.Header.Get("Authorization") != "Bot test-token" && path != "/gateway" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
		return
	}
	if problems := checkRequest(r.Method, path, c.Raw); len(problems) > 0 {
		s.mu.Lock()
		s.violations = append(s.violations, fmt.Sprintf("%s %s: %s", r.Method, path, strings.Join(problems, "; ")))
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": problems})
		return
	}
	if fail != nil {
		if code, body := fail(c); code != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			io.WriteString(w, body)
			return
		}
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case path == "/users/@me" && r.Method == http.MethodGet:
		writeJSON(w, 200, map[string]any{"id": s.BotID, "username": "Attache", "bot": true, "discriminator": "0"})
	case path == "/gateway" || path == "/gateway/bot":
		s.mu.Lock()
		shards := max(1, s.Shards)
		s.mu.Unlock()
		writeJSON(w, 200, map[string]any{"url": "ws://" + r.Host + "/ws", "shards": shards,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 16}})
	case len(parts) >= 3 && parts[0] == "applications" && parts[len(parts)-1] == "commands":
		key := strings.Join(parts[1:len(parts)-1], "/")
		if r.Method == http.MethodPut {
			var cmds []map[string]any
			json.Unmarshal(c.Raw, &cmds)
			s.mu.Lock()
			s.commands[key] = cmds
			s.mu.Unlock()
		}
		s.mu.Lock()
		out := s.commands[key]
		s.mu.Unlock()
		if out == nil {
			out = []map[string]any{}
		}
		writeJSON(w, 200, out)
	case len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback":
		w.WriteHeader(http.StatusNoContent)
	case len(parts) >= 3 && parts[0] == "webhooks":
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		respond(s.message(c, "", parts[2]))
	case len(parts) == 2 && parts[0] == "channels" && r.Method == http.MethodGet:
		s.mu.Lock()
		hidden := s.Hidden[parts[1]]
		s.mu.Unlock()
		if hidden {
			writeJSON(w, http.StatusForbidden, map[string]any{"message": "Missing Access", "code": 50001})
			return
		}
		s.mu.Lock()
		tags, forum := s.Forums[parts[1]]
		parent, thread := s.threads[parts[1]]
		s.mu.Unlock()
		if thread {
			writeJSON(w, 200, map[string]any{"id": parts[1], "type": 11, "parent_id": parent, "owner_id": s.BotID,
				"guild_id": "300000000000000001", "name": "answer"})
			return
		}
		if forum {
			writeJSON(w, 200, map[string]any{"id": parts[1], "type": 15, "guild_id": "300000000000000001", "name": "news-forum",
				"available_tags": tags})
			return
		}
		writeJSON(w, 200, map[string]any{"id": parts[1], "type": 0, "guild_id": "300000000000000001", "name": "news"})
	case len(parts) == 5 && parts[0] == "channels" && parts[2] == "messages" && parts[4] == "threads" && r.Method == http.MethodPost:
		name, _ := c.Body["name"].(string)
		id := s.newID()
		s.mu.Lock()
		if s.threads == nil {
			s.threads = map[string]string{}
		}
		s.threads[id] = parts[1]
		s.mu.Unlock()
		writeJSON(w, http.StatusCreated, map[string]any{"id": id, "type": 11, "parent_id": parts[1], "owner_id": s.BotID,
			"guild_id": "300000000000000001", "name": name})
	case len(parts) == 3 && parts[0] == "channels" && parts[2] == "threads" && r.Method == http.MethodPost:
		s.mu.Lock()
		_, forum := s.Forums[parts[1]]
		s.mu.Unlock()
		if !forum {
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035})
			return
		}
		name, _ := c.Body["name"].(string)
		writeJSON(w, http.StatusCreated, map[string]any{"id": s.newID(), "type": 11, "parent_id": parts[1], "guild_id": "300000000000000001", "name": name})
	case len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages" && r.Method == http.MethodGet:
		writeJSON(w, 200, s.channelMessages(parts[1]))
	case len(parts) == 3 && parts[0] == "channels" && parts[2] == "typing":
		w.WriteHeader(http.StatusNoContent)
	case len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages" && r.Method == http.MethodPost:
		s.mu.Lock()
		_, forum := s.Forums[parts[1]]
		s.mu.Unlock()
		if forum {
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Cannot send messages in a non-text channel", "code": 50008})
			return
		}
		respond(s.message(c, parts[1], ""))
	default:
		writeJSON(w, 404, map[string]any{"message": "Unknown route " + r.Method + " " + path, "code": 0})
	}
}

// message makes the message object Discord returns for a sent message.
func (s *Server) message(c Call, channel, webhook string) map[string]any {
	content, _ := c.Body["content"].(string)
	return map[string]any{"id": s.newID(), "channel_id": channel, "content": content, "webhook_id": webhook,
		"author": map[string]any{"id": s.BotID, "username": "Attache", "bot": true}, "timestamp": time.Now().Format(time.RFC3339)}
}

// channelMessages lists the messages sent to a channel, newest first.
func (s *Server) channelMessages(channel string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for i := len(s.calls) - 1; i >= 0; i-- {
		c := s.calls[i]
		if c.Method == http.MethodPost && c.Path == "/channels/"+channel+"/messages" && c.Response != nil {
			m := map[string]any{}
			for k, v := range c.Response {
				m[k] = v
			}
			m["channel_id"] = channel
			out = append(out, m)
		}
	}
	return out
}

// CommandsRegistered returns the commands the bot put for app (or app/guild).
func (s *Server) CommandsRegistered(key string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands[key]
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d,omitempty"`
	S  *int            `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

// gateway speaks the gateway protocol on one connection.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.conn != nil && s.Shards <= 1 {
		s.conn.Close()
	}
	if s.conn == nil || s.Shards <= 1 {
		s.conn = conn // dispatches go to it (shard 0's, when sharded)
	}
	s.connects++
	s.live++
	silent := s.Silent
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.live--
		s.mu.Unlock()
		s.notify()
	}()
	if silent {
		s.notify()
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}
	s.write(conn, map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 1000}})
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var f frame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch f.Op {
		case 1: // heartbeat
			s.write(conn, map[string]any{"op": 11})
		case 2: // identify
			var id struct {
				Shard *[2]int `json:"shard"`
			}
			json.Unmarshal(f.D, &id)
			s.mu.Lock()
			s.identifies++
			if id.Shard != nil {
				s.identified = append(s.identified, *id.Shard)
				if id.Shard[0] == 0 {
					s.conn = conn
				}
				if s.shardConns == nil {
					s.shardConns = map[int]*websocket.Conn{}
				}
				s.shardConns[id.Shard[0]], s.shardCount = conn, id.Shard[1]
			}
			s.mu.Unlock()
			s.dispatchOn(conn, "READY", map[string]any{
				"v": 10, "session_id": "fake-session", "resume_gateway_url": "ws://" + r.Host + "/ws",
				"user":        map[string]any{"id": s.BotID, "username": "Attache", "bot": true},
				"application": map[string]any{"id": s.AppID, "flags": 0},
				"guilds":      []any{},
			})
		case 6: // resume: acknowledge, then replay what the client missed
			var resume struct {
				Seq int `json:"seq"`
			}
			json.Unmarshal(f.D, &resume)
			s.mu.Lock()
			s.resumes++
			var missed []sentEvent
			for _, e := range s.sent {
				if e.seq > resume.Seq {
					missed = append(missed, e)
				}
			}
			s.mu.Unlock()
			s.dispatchOn(conn, "RESUMED", map[string]any{})
			for _, e := range missed {
				s.write(conn, map[string]any{"op": 0, "t": e.t, "s": e.seq, "d": e.d})
			}
		}
		s.notify()
	}
}

func (s *Server) write(conn *websocket.Conn, v any) error {
	b, _ := json.Marshal(v)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return conn.WriteMessage(websocket.TextMessage, b)
}

func (s *Server) dispatchOn(conn *websocket.Conn, t string, d any) error {
	s.mu.Lock()
	s.seq++
	seq := s.seq
	if t != "READY" && t != "RESUMED" {
		s.sent = append(s.sent, sentEvent{seq, t, d})
	}
	s.mu.Unlock()
	return s.write(conn, map[string]any{"op": 0, "t": t, "s": seq, "d": d})
}

// Dispatch sends an event to the connected bot.
func (s *Server) Dispatch(t string, d any) error {
	s.mu.Lock()
	conn := s.conn
	if s.shardCount > 1 {
		// As Discord routes: a server's events to shard
		// (guild_id >> 22) % count, DMs to shard 0.
		shard := 0
		if m, ok := d.(map[string]any); ok {
			if g, ok := m["guild_id"].(string); ok {
				if id, err := strconv.ParseUint(g, 10, 64); err == nil {
					shard = int((id >> 22) % uint64(s.shardCount))
				}
			}
		}
		conn = s.shardConns[shard]
	}
	s.mu.Unlock()
	if conn == nil {
		return fmt.Errorf("no gateway connection")
	}
	return s.dispatchOn(conn, t, d)
}

// DropGateway closes the gateway connection abruptly, as a network fault would.
func (s *Server) DropGateway() {
	s.mu.Lock()
	conn := s.conn
	s.conn = nil
	s.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
}

// Interaction builds an APPLICATION_COMMAND interaction in a guild, by a
// member with every permission. An option named "subcommand" makes the
// others that subcommand's options.
func Interaction(id, appID, command string, options map[string]any, userID string) map[string]any {
	var opts []any
	for k, v := range options {
		if k == "subcommand" {
			continue
		}
		t := 3
		if _, ok := v.(int); ok {
			t = 4
		}
		opts = append(opts, map[string]any{"name": k, "type": t, "value": v})
	}
	if sub, ok := options["subcommand"].(string); ok {
		opts = []any{map[string]any{"name": sub, "type": 1, "options": opts}}
	}
	return map[string]any{
		"id": id, "application_id": appID, "type": 2, "token": "itoken-" + id, "version": 1,
		"guild_id": "300000000000000001", "channel_id": "400000000000000001",
		"member": map[string]any{"user": map[string]any{"id": userID, "username": "user" + userID}, "permissions": "2147483647"},
		"data":   map[string]any{"id": "500000000000000001", "name": command, "type": 1, "options": opts},
	}
}

// Autocomplete builds an APPLICATION_COMMAND_AUTOCOMPLETE interaction.
func Autocomplete(id, appID, command, option, typed, userID string) map[string]any {
	i := Interaction(id, appID, command, nil, userID)
	i["type"] = 4
	i["data"].(map[string]any)["options"] = []any{map[string]any{"name": option, "type": 3, "value": typed, "focused": true}}
	return i
}

// Message builds a MESSAGE_CREATE payload; mentions are user ids, and
// replyTo, when not nil, is the message it replies to.
func Message(id, channelID, authorID, content string, mentions []string, replyTo map[string]any) map[string]any {
	var ms []any
	for _, m := range mentions {
		ms = append(ms, map[string]any{"id": m, "username": "u" + m})
	}
	msg := map[string]any{"id": id, "channel_id": channelID, "guild_id": "300000000000000001", "content": content,
		"author": map[string]any{"id": authorID, "username": "user" + authorID}, "mentions": ms,
		"timestamp": time.Now().Format(time.RFC3339), "type": 0}
	if replyTo != nil {
		msg["type"] = 19
		msg["message_reference"] = map[string]any{"message_id": replyTo["id"], "channel_id": channelID}
		msg["referenced_message"] = replyTo
	}
	return msg
}
