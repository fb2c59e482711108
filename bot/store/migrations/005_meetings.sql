-- Meetings (issue 5): scheduling, the chair's approval, attendance answers and actual presence.
-- Instants are UTC; the council's time zone is the province's.

-- Art. 11(3): the chair decides day, place and time; a council may skip the approval step.
ALTER TABLE council ADD COLUMN chair_approval INTEGER NOT NULL DEFAULT 1
    CHECK (chair_approval IN (0, 1));

CREATE TABLE meeting (
    id               INTEGER PRIMARY KEY,
    council_id       INTEGER NOT NULL REFERENCES council(id),
    kind             TEXT NOT NULL CHECK (kind IN ('ordinary', 'extraordinary')),
    called_by        TEXT CHECK (called_by IN ('chair_on_proposal', 'chair', 'presidency')),
    period           TEXT,                       -- the ordinary window's period code
    status           TEXT NOT NULL CHECK (status IN
                         ('awaiting_chair', 'scheduled', 'cancelled', 'held')),
    starts_at        TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL DEFAULT 120 CHECK (duration_minutes > 0),
    place            TEXT NOT NULL,
    override_reason  TEXT,                       -- why outside the window / the notice period
    sequence         INTEGER NOT NULL DEFAULT 0, -- the invitation's SEQUENCE: +1 on every move
    created_by       INTEGER REFERENCES person(id),
    created_at       TEXT NOT NULL,
    approved_by      INTEGER REFERENCES person(id),
    approved_at      TEXT,
    proposed_by_chair TEXT,                      -- the chair's counter-proposal, in words
    cancelled_at     TEXT,
    cancel_reason    TEXT,
    updated_at       TEXT NOT NULL
);
CREATE INDEX meeting_council ON meeting(council_id, starts_at);

-- Invitees of one meeting (Art. 4(4)): registered invitees, or people named on the spot.
CREATE TABLE meeting_invitee (
    id            INTEGER PRIMARY KEY,
    meeting_id    INTEGER NOT NULL REFERENCES meeting(id),
    person_id     INTEGER REFERENCES person(id),
    name          TEXT NOT NULL,
    organization  TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    added_at      TEXT NOT NULL,
    UNIQUE (meeting_id, person_id)
);

-- An institution's answer to a notice; the last answer stands (history is in the audit log).
CREATE TABLE attendance_answer (
    meeting_id        INTEGER NOT NULL REFERENCES meeting(id),
    institution_id    INTEGER NOT NULL REFERENCES institution(id),
    answer            TEXT NOT NULL CHECK (answer IN
                          ('attending', 'excused', 'deputy', 'deputy_confirmed')),
    excuse            TEXT,
    deputy_person_id  INTEGER REFERENCES person(id),
    answered_by       INTEGER NOT NULL REFERENCES person(id),
    answered_at       TEXT NOT NULL,
    PRIMARY KEY (meeting_id, institution_id)
);

-- Who actually attended, marked on the day. Names are kept as they stood (the signed Ek-2).
CREATE TABLE attendance (
    id              INTEGER PRIMARY KEY,
    meeting_id      INTEGER NOT NULL REFERENCES meeting(id),
    institution_id  INTEGER REFERENCES institution(id),
    person_id       INTEGER REFERENCES person(id),
    institution     TEXT NOT NULL,
    title           TEXT NOT NULL,
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL,
    present         INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),
    marked_by       INTEGER REFERENCES person(id),
    marked_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX attendance_person ON attendance(meeting_id, person_id)
    WHERE person_id IS NOT NULL;
