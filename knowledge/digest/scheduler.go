package digest

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// Subscriptions is the schedule state the scheduler keeps in the database.
type Subscriptions interface {
	Subscriptions(ctx context.Context, guildID string) ([]knowledge.Subscription, error)
	ClaimDigest(ctx context.Context, id int64, date string, at time.Time) (bool, error)
	TakeOverDigest(ctx context.Context, id int64, date string, claimedAt, at time.Time) (bool, error)
	DigestDone(ctx context.Context, id int64, date string, sent bool, at time.Time) error
	DigestPosts(ctx context.Context, subscriptionID int64, since time.Time) (map[int64]string, error)
	RecordDigestPosts(ctx context.Context, subscriptionID int64, arts []knowledge.Article, at time.Time) error
}

// Forums is what a Poster that can post to forum channels offers: a forum
// (Discord's channel type 15) holds only threads, so its digest is one post
// per story, tagged with the forum's tags that the story names.
type Forums interface {
	IsForum(ctx context.Context, channelID string) (bool, error)
	PostThreads(ctx context.Context, channelID string, posts []ThreadPost) error
}

// Timelines is what a Poster that can put a timeline button under a
// digest offers: one button per story, whose click shows the story so far.
type Timelines interface {
	PostWithTimelines(ctx context.Context, channelID string, parts []string, stories []string) error
}

// ThreadPost is one story's post in a forum.
type ThreadPost struct {
	Title string   // the story's headline, at most 100 characters
	Parts []string // its messages
	Words string   // what the forum's tags are matched against
}

// seenWindow is how far back a subscription's posted articles count.
const seenWindow = 14 * 24 * time.Hour

// Poster posts to chat channels.
type Poster interface {
	// Post sends the messages, in order, to a channel.
	Post(ctx context.Context, channelID string, parts []string) error
	// Posted reports whether a recent message of the bot in the channel
	// holds ref: a digest posted before a crash kept it from being recorded.
	Posted(ctx context.Context, channelID, ref string) (bool, error)
}

// Scheduler posts each subscription's digest once per local day.
type Scheduler struct {
	Subs     Subscriptions
	Articles Store
	Poster   Poster
	Render   func(a answer.Answer, footer string) []string // the messages of a digest, footer ending the last
	Log      *slog.Logger
	Now      func() time.Time
	Options  Options
	// CatchUp is how late a digest may still be posted after downtime
	// (default 6 hours); later ones are skipped with a log line.
	CatchUp time.Duration
	// QuietSilent posts nothing on a day without news; otherwise a short
	// quiet-day message goes out.
	QuietSilent bool
	// Window is the news a first digest covers (default 24 hours); later
	// ones cover the news since the previous digest.
	Window time.Duration
	// Lease is how long a claim is left to the process that made it before
	// another takes it over (default 5 minutes).
	Lease time.Duration
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Run ticks every interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("digest tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Ref is the mark a digest's last message carries, to know it was posted.
func Ref(subID int64, date string) string { return fmt.Sprintf("digest-%d-%s", subID, date) }

// scheduled returns a subscription's posting time on a local date. A time
// that a daylight-saving change skips (02:30 when clocks jump from 02:00
// to 03:00) comes as long after midnight as it would have (03:30); a time
// that the change repeats comes at its first occurrence.
func scheduled(date time.Time, minute int, loc *time.Location) time.Time {
	t := time.Date(date.Year(), date.Month(), date.Day(), minute/60, minute%60, 0, 0, loc)
	if t.Hour()*60+t.Minute() != minute {
		midnight := time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, loc)
		t = midnight.Add(time.Duration(minute) * time.Minute)
	}
	return t
}

// Tick posts every digest that is due now.
func (s *Scheduler) Tick(ctx context.Context) error {
	subs, err := s.Subs.Subscriptions(ctx, "")
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := s.tickOne(ctx, sub); err != nil {
			s.Log.Error("digest", "channel", sub.ChannelID, "err", err)
		}
	}
	return nil
}

func (s *Scheduler) catchUp() time.Duration {
	if s.CatchUp > 0 {
		return s.CatchUp
	}
	return 6 * time.Hour
}

func (s *Scheduler) tickOne(ctx context.Context, sub knowledge.Subscription) error {
	loc, err := time.LoadLocation(sub.Timezone)
	if err != nil {
		return fmt.Errorf("time zone %q: %w", sub.Timezone, err)
	}
	now := s.now()
	if sub.SendingDate != "" {
		return s.recover(ctx, sub, loc, now)
	}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	// The latest local day whose time has come and that is not done.
	for _, day := range []time.Time{today, today.AddDate(0, 0, -1)} {
		date := day.Format("2006-01-02")
		at := scheduled(day, sub.Minute, loc)
		if date <= sub.LastDate || now.Before(at) {
			continue
		}
		if late := now.Sub(at); late > s.catchUp() {
			s.Log.Warn("digest skipped: too late after downtime", "channel", sub.ChannelID, "date", date, "late", late.Round(time.Minute))
			return s.Subs.DigestDone(ctx, sub.ID, date, false, now)
		}
		won, err := s.Subs.ClaimDigest(ctx, sub.ID, date, now)
		if err != nil || !won {
			return err
		}
		return s.post(ctx, sub, date, at, now)
	}
	return nil
}

// recover finishes a digest that a crash left claimed: posted already if
// the channel shows it, else posted now if still in time, else skipped.
func (s *Scheduler) recover(ctx context.Context, sub knowledge.Subscription, loc *time.Location, now time.Time) error {
	date := sub.SendingDate
	lease := s.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	if now.Sub(sub.SendingAt) < lease {
		return nil // another process may be posting it right now
	}
	won, err := s.Subs.TakeOverDigest(ctx, sub.ID, date, sub.SendingAt, now)
	if err != nil || !won {
		return err
	}
	posted, err := s.Poster.Posted(ctx, sub.ChannelID, Ref(sub.ID, date))
	if err != nil {
		return fmt.Errorf("check for a posted digest: %w", err)
	}
	if posted {
		s.Log.Info("digest found posted after a restart; recorded", "channel", sub.ChannelID, "date", date)
		return s.Subs.DigestDone(ctx, sub.ID, date, true, now)
	}
	day, err := time.ParseInLocation("2006-01-02", date, loc)
	if err != nil {
		return s.Subs.DigestDone(ctx, sub.ID, date, false, now)
	}
	at := scheduled(day, sub.Minute, loc)
	if now.Sub(at) > s.catchUp() {
		s.Log.Warn("digest skipped: too late after downtime", "channel", sub.ChannelID, "date", date)
		return s.Subs.DigestDone(ctx, sub.ID, date, false, now)
	}
	return s.post(ctx, sub, date, at, now)
}

// post builds and sends a claimed digest, then records it.
func (s *Scheduler) post(ctx context.Context, sub knowledge.Subscription, date string, at, now time.Time) error {
	since := sub.LastSentAt
	window := s.Window
	if window <= 0 {
		window = 24 * time.Hour
	}
	if since.IsZero() || at.Sub(since) > 7*24*time.Hour {
		since = at.Add(-window)
	}
	opt := s.Options
	opt.Topic = sub.Topic
	seen, err := s.Subs.DigestPosts(ctx, sub.ID, now.Add(-seenWindow))
	if err != nil {
		return err
	}
	opt.Seen = seen
	stories, err := Stories(ctx, s.Articles, since, now, opt)
	if err != nil {
		return err
	}
	if len(stories) == 0 && s.QuietSilent {
		return s.Subs.DigestDone(ctx, sub.ID, date, true, now)
	}
	var posted []knowledge.Article
	if forums, ok := s.Poster.(Forums); ok && len(stories) > 0 {
		if forum, err := forums.IsForum(ctx, sub.ChannelID); err != nil {
			return fmt.Errorf("post digest: %w", err)
		} else if forum {
			var posts []ThreadPost
			for _, st := range stories {
				d := Compose(ctx, []*Story{st}, since, now, opt, false)
				title := cleanLine(st.Headline)
				if st.Update {
					title = "Update: " + title
				}
				posts = append(posts, ThreadPost{Title: title, Parts: s.Render(d, Ref(sub.ID, date)), Words: st.Headline + " " + st.Lede})
				posted = append(posted, st.Articles...)
			}
			if err := forums.PostThreads(ctx, sub.ChannelID, posts); err != nil {
				return fmt.Errorf("post digest: %w", err)
			}
			s.Log.Info("digest posted to a forum", "channel", sub.ChannelID, "date", date, "stories", len(posts))
			return s.done(ctx, sub, date, posted, now)
		}
	}
	d := Compose(ctx, stories, since, now, opt, true)
	// The mark goes in through Render, so that the part holding it is
	// still within Discord's length.
	parts := s.Render(d, Ref(sub.ID, date))
	post := s.Poster.Post
	if tl, ok := s.Poster.(Timelines); ok && len(stories) > 0 {
		var headlines []string
		for _, st := range stories {
			headlines = append(headlines, st.Headline)
		}
		post = func(ctx context.Context, channelID string, parts []string) error {
			return tl.PostWithTimelines(ctx, channelID, parts, headlines)
		}
	}
	if err := post(ctx, sub.ChannelID, parts); err != nil {
		// Not recorded: the claim stays, and the next tick checks the
		// channel before trying again.
		return fmt.Errorf("post digest: %w", err)
	}
	for _, src := range d.Sources {
		posted = append(posted, src.Article)
	}
	s.Log.Info("digest posted", "channel", sub.ChannelID, "date", date, "stories", len(d.Sources))
	return s.done(ctx, sub, date, posted, now)
}

// done records a posted digest: its articles, so that their stories come
// back only with new ones, and the day.
func (s *Scheduler) done(ctx context.Context, sub knowledge.Subscription, date string, posted []knowledge.Article, now time.Time) error {
	if err := s.Subs.RecordDigestPosts(ctx, sub.ID, posted, now); err != nil {
		// The digest went out; at worst a story comes back unmarked.
		s.Log.Warn("record the digest's articles", "channel", sub.ChannelID, "err", err)
	}
	return s.Subs.DigestDone(ctx, sub.ID, date, true, now)
}
