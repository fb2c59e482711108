-- Council groups (issue 8): a council's Telegram group receives its announcements only.
--
-- bot_group: every group or supergroup the bot was added to, from my_chat_member updates, with
--   who added it (a Telegram id: the person may not be registered) and when it left.
-- council_group: the one group a council announces in, and the one council a group belongs
--   to; linking again replaces the row (history is in the audit log).
-- outbox.language: the language a row without a person (a group) is rendered in; a person's
--   row keeps following the person's language of the moment.

CREATE TABLE bot_group (
    chat_id      INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('group', 'supergroup')),
    title        TEXT NOT NULL DEFAULT '',
    added_by     INTEGER,                        -- Telegram user id of whoever added the bot
    added_at     TEXT NOT NULL,
    left_at      TEXT                            -- NULL: the bot is in the group
);

CREATE TABLE council_group (
    council_id   INTEGER PRIMARY KEY REFERENCES council(id),
    chat_id      INTEGER NOT NULL UNIQUE REFERENCES bot_group(chat_id),
    linked_by    INTEGER REFERENCES person(id),
    linked_at    TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN language TEXT;
