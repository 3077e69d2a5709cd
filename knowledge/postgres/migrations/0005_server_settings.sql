-- What a server chose: to have mentions answered in a thread.
CREATE TABLE server_settings (
    guild_id          TEXT    PRIMARY KEY,
    answer_in_threads BOOLEAN NOT NULL DEFAULT false,
    updated_by        TEXT    NOT NULL DEFAULT '',
    updated_at        BIGINT  NOT NULL
);
