-- Each user's token bucket for the per-user rate limit, shared by every
-- process (knowledge.Bucket). A bucket idle for a window is full again and
-- is forgotten.
CREATE TABLE rate_buckets (
    key    TEXT             PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    at     BIGINT           NOT NULL -- Unix nanoseconds
);
CREATE INDEX rate_buckets_at ON rate_buckets(at);
