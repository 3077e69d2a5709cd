package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Interaction webhooks (the edits and follow-ups of an answer) are rate
// limited by Discord per interaction token. discordgo puts every one of them
// in a single client-side bucket whose lock is held for the whole round
// trip, so one answer's edit waits for every other answer's. These helpers
// send them with a bucket per token, and wait out a 429 themselves: for as
// long as Discord asks, but never past the answer's context or the bot's
// shutdown.

// maxRateLimitWaits bounds how often one request waits out a 429.
const maxRateLimitWaits = 5

// errStopping ends a wait on Discord's rate limits when the bot shuts down.
var errStopping = errors.New("the bot is shutting down")

// request sends one REST request in the given bucket.
func (b *Bot) request(ctx context.Context, method, uri string, body any, bucket string) ([]byte, error) {
	for waits := 0; ; waits++ {
		resp, err := b.session.RequestWithBucketID(method, uri, body, bucket,
			discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) || waits == maxRateLimitWaits {
			return resp, redact(err, b.cfg.Token)
		}
		wait := rl.RetryAfter
		if wait <= 0 {
			wait = time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-b.stopping:
			t.Stop()
			return nil, errStopping
		}
	}
}

func tokenBucket(i *discordgo.Interaction) string { return "webhooks/" + i.AppID + "/" + i.Token }

// editOriginal edits an interaction's first response.
func (b *Bot) editOriginal(ctx context.Context, i *discordgo.Interaction, edit *discordgo.WebhookEdit) (*discordgo.Message, error) {
	resp, err := b.request(ctx, http.MethodPatch, discordgo.EndpointWebhookMessage(i.AppID, i.Token, "@original"), edit, tokenBucket(i))
	if err != nil {
		return nil, err
	}
	var m discordgo.Message
	if err := json.Unmarshal(resp, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// deleteOriginal deletes an interaction's first response.
func (b *Bot) deleteOriginal(ctx context.Context, i *discordgo.Interaction) error {
	_, err := b.request(ctx, http.MethodDelete, discordgo.EndpointWebhookMessage(i.AppID, i.Token, "@original"), nil, tokenBucket(i))
	return err
}

// followUp sends a further message for an interaction.
func (b *Bot) followUp(ctx context.Context, i *discordgo.Interaction, params *discordgo.WebhookParams) error {
	_, err := b.request(ctx, http.MethodPost, discordgo.EndpointWebhookToken(i.AppID, i.Token)+"?wait=true", params, tokenBucket(i))
	return err
}
