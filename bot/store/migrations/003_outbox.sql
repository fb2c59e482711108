-- Notifications (issue #4): every scheduled or bulk message is a row here before it is sent.
--
-- notice: one announcement or reminder (a broadcast, the calendar reminder of one window, a
--   delivery report...), with a unique key naming its kind, subject and due time, so that a
--   re-run or a restart cannot create it twice. Its payload is what the renderer needs; the
--   text itself is rendered at send time in each recipient's language.
-- outbox: one row per recipient of a notice, unique per (notice, chat). States:
--   queued -> sending (committed before the HTTP call) -> sent | failed | unreachable
--   queued -> skipped (no longer relevant at send time: the window moved, the council is gone)
--   A row still 'sending' at start-up was in flight when the process died: it is queued again,
--   which is the one duplicate per recipient the README allows.
-- recipient_status: people Telegram refuses messages to (blocked the bot, never started it,
--   deleted their account), so that the secretariat is told about each of them once.

CREATE TABLE notice (
    id                 INTEGER PRIMARY KEY,
    key                TEXT NOT NULL UNIQUE,      -- kind:subject:due, e.g. remind:window:3:...
    kind               TEXT NOT NULL,
    subject            TEXT NOT NULL,             -- what it is about: council:3, person:9...
    province_id        INTEGER REFERENCES province(id),
    council_id         INTEGER REFERENCES council(id),  -- whose secretariat sees its report
    payload            TEXT NOT NULL DEFAULT '{}',      -- JSON for the renderer
    created_by         INTEGER REFERENCES person(id),   -- NULL: derived by the scheduler
    created_at         TEXT NOT NULL,
    report_chat_id     INTEGER,                   -- live progress shown there (broadcasts)
    report_message_id  INTEGER,
    finished_at        TEXT                       -- every row settled, the report queued
);
CREATE INDEX notice_council ON notice(council_id, id);
CREATE INDEX notice_province ON notice(province_id, id);
CREATE INDEX notice_live ON notice(id) WHERE report_chat_id IS NOT NULL AND finished_at IS NULL;

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    notice_id    INTEGER NOT NULL REFERENCES notice(id),
    person_id    INTEGER REFERENCES person(id),
    chat_id      INTEGER NOT NULL,
    payload      TEXT,                            -- JSON, per recipient (usually NULL)
    urgent       INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    due_at       TEXT NOT NULL,
    not_before   TEXT NOT NULL,                   -- due_at moved out of quiet hours
    late         INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    state        TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
                     ('queued', 'sending', 'sent', 'failed', 'unreachable', 'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    message_id   INTEGER,                         -- Telegram's, once sent
    sent_at      TEXT,
    error        TEXT,                            -- last error, or why unreachable / skipped
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (notice_id, chat_id)
);
-- The sender reads only the live rows: partial indexes keep that independent of the history.
CREATE INDEX outbox_queued ON outbox(not_before, id) WHERE state = 'queued';
CREATE INDEX outbox_sending ON outbox(id) WHERE state = 'sending';
CREATE INDEX outbox_notice_state ON outbox(notice_id, state);

CREATE TABLE recipient_status (
    person_id          INTEGER PRIMARY KEY REFERENCES person(id),
    unreachable_since  TEXT,                      -- NULL: reachable again
    reason             TEXT,
    reported_at        TEXT                       -- the secretariat was told (once)
);
CREATE INDEX recipient_unreachable ON recipient_status(person_id)
    WHERE unreachable_since IS NOT NULL;
