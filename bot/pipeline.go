package bot

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge"
)

// Every way a question arrives — a slash command, a mention, a reply that
// follows an answer up — goes through one pipeline, run: the shutdown
// check, the user's rate limit, the acknowledgement, the model slot (telling
// the user their place when they wait for one), the command, the reply,
// what is remembered for follow-ups, metrics and logs. A transport only
// says how to talk back, as a responder.

// responder is how one transport answers one request.
type responder interface {
	// refuse answers at once, privately where the transport can, without
	// running anything.
	refuse(msg string)
	// ack acknowledges the request before the work starts (a deferral, a
	// typing indicator).
	ack() error
	// queued tells the user that pos requests wait before theirs.
	queued(ctx context.Context, pos int)
	// progress receives the answer as it grows; stopProgress ends it
	// before the reply is sent.
	progress(delta string)
	stopProgress()
	// send delivers the reply's messages and returns the id of the first.
	send(ctx context.Context, r commands.Reply, parts []string) (string, error)
	// fail replaces the acknowledgement with a short error for the asker.
	fail(ctx context.Context, msg string)
}

// job is one request on its way through the pipeline.
type job struct {
	cmd    commands.Command
	req    commands.Request
	metric string // the command's name, or "mention"
	log    *slog.Logger
	start  time.Time
}

// run takes a request through the pipeline; the work after the
// acknowledgement runs in its own goroutine, which Close waits for.
func (b *Bot) run(r responder, j job) {
	switch {
	case b.closing.Load():
		b.refused(r, j, "closing", commands.T(j.req.Locale, "Attache is restarting. Please ask again in a minute."))
		return
	case j.req.UserID == "":
		b.refused(r, j, "no-user", "I could not tell who asked.")
		return
	}
	if ok, wait := b.limiter.Allow(b.root, j.req.UserID); !ok {
		b.refused(r, j, "rate-limited", commands.T(j.req.Locale, "You're asking quickly. Try again in %d s.", int(wait.Seconds())))
		return
	}
	b.inflight.Add(1)
	if err := r.ack(); err != nil {
		b.inflight.Done()
		j.log.Error("acknowledge", "err", redact(err, b.cfg.Token))
		b.metrics.interaction(j.metric, "ack-failed")
		return
	}
	b.metrics.ack(time.Since(j.start))
	go func() {
		defer b.inflight.Done()
		b.work(r, j)
	}()
}

func (b *Bot) refused(r responder, j job, code, msg string) {
	b.metrics.interaction(j.metric, code)
	j.log.Info("refused", "code", code)
	r.refuse(msg)
}

// work runs the command and delivers its reply.
func (b *Bot) work(r responder, j job) {
	ctx, cancel := context.WithTimeout(b.root, b.cfg.AnswerTimeout)
	defer cancel()
	if j.cmd.UsesLLM {
		release, err := b.modelSlot(ctx, r)
		if err != nil {
			b.failed(ctx, r, j, err)
			return
		}
		defer release()
	}
	j.req.Progress = r.progress
	reply, err := j.cmd.Handle(ctx, j.req)
	r.stopProgress()
	b.metrics.command(j.metric, time.Since(j.start))
	if err != nil {
		b.failed(ctx, r, j, err)
		return
	}
	reply.Locale = j.req.Locale
	id, err := r.send(ctx, reply, Render(reply))
	if id != "" && reply.Remember != nil {
		// Remembered as soon as the first message exists, saved once the
		// whole reply is sent: a reply to it may come fast.
		b.exchanges.remember(id, reply.Remember)
		if err == nil {
			b.exchanges.save(id, reply.Remember)
		}
	}
	if err != nil {
		j.log.Error("send reply", "err", redact(err, b.cfg.Token))
		b.metrics.interaction(j.metric, "send-failed")
		return
	}
	b.metrics.interaction(j.metric, "ok")
	j.log.Info("answered", "ms", time.Since(j.start).Milliseconds(), "sources", len(reply.Answer.Sources), "method", reply.Answer.Method)
}

// failed tells the asker what went wrong, in a word, and logs the cause.
func (b *Bot) failed(ctx context.Context, r responder, j job, err error) {
	msg, code := userMessage(err, j.req.Locale)
	if code == "internal" || code == "timeout" || code == "archive-unavailable" {
		j.log.Error("command failed", "code", code, "err", redact(err, b.cfg.Token))
	} else {
		j.log.Info("command refused", "code", code, "err", err)
	}
	b.metrics.interaction(j.metric, code)
	// The answer's own context may be what ended; the error still goes out.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	r.fail(fctx, msg)
}

// modelSlot waits for one of the LLMConcurrency slots; while it waits, the
// user is told how many requests are ahead of theirs.
func (b *Bot) modelSlot(ctx context.Context, r responder) (func(), error) {
	release := func() { <-b.llmSlots }
	select {
	case b.llmSlots <- struct{}{}:
		return release, nil
	default:
	}
	ahead := int(b.waiting.Add(1)) - 1
	defer b.waiting.Add(-1)
	r.queued(ctx, ahead+1)
	select {
	case b.llmSlots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.stopping:
		return nil, errStopping
	}
}

// userMessage is what the asker sees for err, in their locale, with a
// short code.
func userMessage(err error, locale string) (string, string) {
	if ue, ok := commands.AsUserError(err); ok {
		return ue.In(locale), ue.Code
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return commands.T(locale, "That took too long. Please try again, perhaps with a narrower question."), "timeout"
	case errors.Is(err, errStopping), errors.Is(err, context.Canceled):
		return commands.T(locale, "Attache is restarting. Please ask again in a minute."), "closing"
	case knowledge.StoreDown(err):
		return commands.T(locale, "The news archive is unavailable for a moment (its database is restarting). Please ask again shortly."), "archive-unavailable"
	}
	return commands.T(locale, "Something went wrong on my side (code: internal). It has been logged; please try again."), "internal"
}
