-- Minutes and decisions (issue 7, Art. 12, Ek-1). A meeting has at most one minutes, edited
-- section by section by the secretariat until finalised; afterwards only addenda are added.
-- Decisions are numbered per council and year; each names its responsible institutions, and
-- each of those reports its own progress (the decision's state is derived, never stored).

CREATE TABLE minutes (
    meeting_id     INTEGER PRIMARY KEY REFERENCES meeting(id),
    council_id     INTEGER NOT NULL REFERENCES council(id),
    topics         TEXT NOT NULL DEFAULT '',
    problems       TEXT NOT NULL DEFAULT '',
    solutions      TEXT NOT NULL DEFAULT '',
    evaluation     TEXT NOT NULL DEFAULT '',
    participants   INTEGER,
    finalised_at   TEXT,
    finalised_by   INTEGER REFERENCES person(id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE minutes_addendum (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES minutes(meeting_id),
    text        TEXT NOT NULL,
    added_by    INTEGER REFERENCES person(id),
    added_at    TEXT NOT NULL
);

CREATE TABLE decision (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES minutes(meeting_id),
    council_id  INTEGER NOT NULL REFERENCES council(id),
    year        INTEGER NOT NULL,
    sequence    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    rationale   TEXT NOT NULL DEFAULT '',
    purpose     TEXT NOT NULL DEFAULT '',
    deadline    TEXT NOT NULL,                 -- ISO date, the province's calendar
    created_at  TEXT NOT NULL,
    UNIQUE (council_id, year, sequence)
);

CREATE TABLE decision_institution (
    decision_id     INTEGER NOT NULL REFERENCES decision(id),
    institution_id  INTEGER NOT NULL REFERENCES institution(id),
    PRIMARY KEY (decision_id, institution_id)
);

-- Each report an institution makes; the latest one is its state. Evidence bytes live in the
-- database like proposal attachments (one file to back up; Telegram's 20 MB bound).
CREATE TABLE decision_progress (
    id              INTEGER PRIMARY KEY,
    decision_id     INTEGER NOT NULL REFERENCES decision(id),
    institution_id  INTEGER NOT NULL REFERENCES institution(id),
    status          TEXT NOT NULL CHECK (status IN
                        ('not_started', 'in_progress', 'done', 'blocked')),
    reason          TEXT,
    done_text       TEXT NOT NULL DEFAULT '',
    filename        TEXT,
    mime_type       TEXT,
    size            INTEGER,
    content         BLOB,
    reported_by     INTEGER REFERENCES person(id),
    reported_at     TEXT NOT NULL
);
CREATE INDEX decision_progress_of ON decision_progress(decision_id, institution_id, id);
