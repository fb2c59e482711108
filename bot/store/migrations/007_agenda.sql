-- Agenda proposals (issue 6, Art. 10). A proposal belongs to an institution: the person who
-- wrote or sent it is kept, but the institution's liaison officers (principal and substitute)
-- and member all see and edit it. It targets a meeting, or, while none is scheduled, a council
-- and an ordinary period: a meeting later scheduled for that period takes its proposals
-- (derived by query, never copied).

CREATE TABLE proposal (
    id                 INTEGER PRIMARY KEY,
    council_id         INTEGER NOT NULL REFERENCES council(id),
    period             TEXT,                          -- the ordinary window's period code
    meeting_id         INTEGER REFERENCES meeting(id),
    institution_id     INTEGER REFERENCES institution(id),  -- NULL: the secretariat's own
    area               TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN
                           ('regular', 'special', 'risk', 'activity', 'finding')),
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL CHECK (status IN
                           ('draft', 'submitted', 'accepted', 'rejected', 'merged',
                            'withdrawn')),
    late               INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    position           INTEGER NOT NULL DEFAULT 0,    -- the secretariat's order
    reason             TEXT,                          -- why rejected
    merged_into        INTEGER REFERENCES proposal(id),
    origin_proposal_id INTEGER REFERENCES proposal(id),  -- forwarded upwards (Art. 10(3), (7))
    origin_council_id  INTEGER REFERENCES council(id),
    created_by         INTEGER REFERENCES person(id),
    submitted_by       INTEGER REFERENCES person(id),
    submitted_at       TEXT,
    decided_by         INTEGER REFERENCES person(id),
    decided_at         TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK (meeting_id IS NOT NULL OR period IS NOT NULL)
);
CREATE INDEX proposal_target ON proposal(council_id, period, meeting_id);
CREATE INDEX proposal_institution ON proposal(institution_id, status);

-- Files kept with a proposal, downloaded from Telegram when they arrive. The bytes live in
-- the database: one file to back up (bot/store/backup.py), written in the same transaction as
-- the proposal, no orphaned files beside it; Telegram's 20 MB download limit bounds each.
CREATE TABLE proposal_attachment (
    id              INTEGER PRIMARY KEY,
    proposal_id     INTEGER NOT NULL REFERENCES proposal(id),
    file_unique_id  TEXT NOT NULL,
    filename        TEXT NOT NULL,
    mime_type       TEXT NOT NULL,
    size            INTEGER NOT NULL,
    content         BLOB NOT NULL,
    added_by        INTEGER REFERENCES person(id),
    added_at        TEXT NOT NULL,
    UNIQUE (proposal_id, file_unique_id)
);

-- The secretariat's questions to the proposer; the answer is kept with the proposal.
CREATE TABLE proposal_question (
    id           INTEGER PRIMARY KEY,
    proposal_id  INTEGER NOT NULL REFERENCES proposal(id),
    question     TEXT NOT NULL,
    asked_by     INTEGER REFERENCES person(id),
    asked_at     TEXT NOT NULL,
    answer       TEXT,
    answered_by  INTEGER REFERENCES person(id),
    answered_at  TEXT
);

-- Each publication of a meeting's agenda (the first, then updates).
CREATE TABLE agenda_publication (
    meeting_id    INTEGER NOT NULL REFERENCES meeting(id),
    version       INTEGER NOT NULL,
    published_by  INTEGER REFERENCES person(id),
    published_at  TEXT NOT NULL,
    PRIMARY KEY (meeting_id, version)
);
