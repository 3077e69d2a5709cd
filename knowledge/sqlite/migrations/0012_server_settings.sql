-- What a server chose: to have mentions answered in a thread.
CREATE TABLE server_settings (
    guild_id          TEXT    PRIMARY KEY,
    answer_in_threads INTEGER NOT NULL DEFAULT 0,
    updated_by        TEXT    NOT NULL DEFAULT '',
    updated_at        INTEGER NOT NULL
);
