package bot

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Discord can deliver interactions as signed HTTP POSTs to the
// application's Interactions Endpoint URL instead of over the gateway. Any
// number of stateless processes behind a load balancer can then answer
// slash commands, while gateway shards handle mentions. The first response
// (a deferral, a refusal, autocomplete choices, PONG) is the HTTP answer;
// edits and follow-ups go over REST with the interaction token, as for the
// gateway: the same pipeline (see run) with another way to respond.

// maxInteractionBytes bounds one interaction's body.
const maxInteractionBytes = 1 << 20

// ParsePublicKey reads the application's public key (DISCORD_PUBLIC_KEY,
// hex, from the developer portal).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	k, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, errors.New("DISCORD_PUBLIC_KEY must be the application's public key: 64 hex digits")
	}
	return ed25519.PublicKey(k), nil
}

// InteractionsHandler answers Discord's HTTP interactions. A request
// without a valid signature by key gets 401 and nothing else happens.
func (b *Bot) InteractionsHandler(key ed25519.PublicKey) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxInteractionBytes)
		if !discordgo.VerifyInteraction(r, key) {
			b.metrics.interaction("http", "bad-signature")
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		var i discordgo.Interaction
		if err := json.NewDecoder(r.Body).Decode(&i); err != nil {
			http.Error(w, "not an interaction", http.StatusBadRequest)
			return
		}
		switch i.Type {
		case discordgo.InteractionPing:
			writeInteractionResponse(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		case discordgo.InteractionApplicationCommand:
			answered := false
			b.command(&i, start, func(resp *discordgo.InteractionResponse) error {
				answered = true
				return writeInteractionResponse(w, resp)
			})
			if !answered {
				http.Error(w, "not answered", http.StatusInternalServerError)
			}
		case discordgo.InteractionApplicationCommandAutocomplete:
			writeInteractionResponse(w, b.autocomplete(&i))
		case discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit:
			answered := false
			respond := func(resp *discordgo.InteractionResponse) error {
				answered = true
				return writeInteractionResponse(w, resp)
			}
			if i.Type == discordgo.InteractionMessageComponent {
				b.component(&i, start, respond)
			} else {
				b.modal(&i, start, respond)
			}
			if !answered {
				http.Error(w, "not answered", http.StatusInternalServerError)
			}
		default:
			http.Error(w, fmt.Sprintf("interaction type %d is not handled", i.Type), http.StatusBadRequest)
		}
	})
}

func writeInteractionResponse(w http.ResponseWriter, resp *discordgo.InteractionResponse) error {
	body, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(body)
	return err
}

// ListenInteractions serves the interactions endpoint at addr (POST /)
// until ctx ends; it returns the address it listens on.
func (b *Bot) ListenInteractions(ctx context.Context, addr string, key ed25519.PublicKey) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("interactions endpoint: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", b.InteractionsHandler(key))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			b.log.Error("interactions endpoint", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	return ln.Addr().String(), nil
}

// RegisterCommands registers the commands over REST, for a process that
// does not open the gateway (whose READY would do it): the application is
// the bot's own user.
func (b *Bot) RegisterCommands(ctx context.Context) error {
	u, err := b.session.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("who am I: %w", redact(err, b.cfg.Token))
	}
	if app, _ := b.appID.Load().(string); app == "" {
		b.appID.Store(u.ID)
	}
	b.botID.Store(u.ID)
	return b.registerCommands()
}

// CheckToken reports whether a bot token has the form Discord issues: three
// base64url parts joined by dots, the first the bot's numeric ID. It says
// what is wrong without repeating the token.
func CheckToken(token string) error {
	token = strings.TrimSpace(token)
	if strings.HasPrefix(token, "Bot ") || strings.HasPrefix(token, "Bearer ") {
		return errors.New("DISCORD_TOKEN starts with a scheme word: give the token alone, without \"Bot \"")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return errors.New("DISCORD_TOKEN is not a bot token (three parts joined by dots); copy it from the Bot page of the application")
	}
	id, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	if err != nil {
		id, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	}
	if err != nil || len(id) == 0 || strings.Trim(string(id), "0123456789") != "" {
		return errors.New("DISCORD_TOKEN's first part is not a bot ID; copy the token again from the Bot page of the application")
	}
	return nil
}

// TokenBotID is the bot's ID a well-formed token names (not a secret).
func TokenBotID(token string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(token), ".")
	id, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(first, "="))
	if err != nil {
		return ""
	}
	return string(id)
}
