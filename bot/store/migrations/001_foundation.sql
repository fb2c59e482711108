-- Foundation: provinces, councils, institutions, people, roles, invites, audit log,
-- and the tables behind PTB's persistence. Instants are ISO-8601 UTC text.

CREATE TABLE province (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,          -- Turkish-aware fold of name, for lookups
    timezone    TEXT NOT NULL DEFAULT 'Europe/Istanbul',
    created_at  TEXT NOT NULL
);

CREATE TABLE council (
    id                  INTEGER PRIMARY KEY,
    province_id         INTEGER NOT NULL REFERENCES province(id),
    kind                TEXT NOT NULL CHECK (kind IN ('provincial', 'district', 'subcommission')),
    parent_id           INTEGER REFERENCES council(id),
    district            TEXT,                   -- the district's name, for district councils
    district_key        TEXT,
    foreign_population  INTEGER NOT NULL DEFAULT 0 CHECK (foreign_population >= 0),
    border              INTEGER NOT NULL DEFAULT 0 CHECK (border IN (0, 1)),
    created_at          TEXT NOT NULL,
    removed_at          TEXT
);
CREATE INDEX council_province ON council(province_id);
-- One provincial council and one sub-commission per province; districts unique by name.
CREATE UNIQUE INDEX council_one_provincial ON council(province_id, kind)
    WHERE kind IN ('provincial', 'subcommission') AND removed_at IS NULL;
CREATE UNIQUE INDEX council_district_name ON council(province_id, district_key)
    WHERE kind = 'district' AND removed_at IS NULL;

CREATE TABLE institution (
    id          INTEGER PRIMARY KEY,
    council_id  INTEGER NOT NULL REFERENCES council(id),
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    removed_at  TEXT
);
CREATE UNIQUE INDEX institution_name ON institution(council_id, name_key) WHERE removed_at IS NULL;

CREATE TABLE person (
    id                INTEGER PRIMARY KEY,
    telegram_user_id  INTEGER NOT NULL UNIQUE,
    full_name         TEXT NOT NULL,
    title             TEXT NOT NULL,
    phone             TEXT NOT NULL,
    language          TEXT NOT NULL DEFAULT 'tr',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

-- A role is a term: ended roles keep valid_to and stay as history.
CREATE TABLE role (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES person(id),
    council_id      INTEGER NOT NULL REFERENCES council(id),
    institution_id  INTEGER REFERENCES institution(id),
    kind            TEXT NOT NULL CHECK (kind IN
                        ('secretariat', 'chair', 'member', 'deputy', 'liaison', 'invitee')),
    rank            TEXT CHECK (rank IN ('principal', 'substitute')),
    valid_from      TEXT NOT NULL,
    valid_to        TEXT,
    ended_reason    TEXT,
    CHECK ((kind = 'liaison') = (rank IS NOT NULL))
);
CREATE INDEX role_person ON role(person_id) WHERE valid_to IS NULL;
CREATE INDEX role_council ON role(council_id) WHERE valid_to IS NULL;
-- At most one active principal and one active substitute liaison officer per institution.
CREATE UNIQUE INDEX role_one_liaison ON role(institution_id, rank)
    WHERE kind = 'liaison' AND valid_to IS NULL;

CREATE TABLE invite (
    id              INTEGER PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,       -- sha256 of the token; the token is never stored
    province_id     INTEGER NOT NULL REFERENCES province(id),
    council_id      INTEGER NOT NULL REFERENCES council(id),
    institution_id  INTEGER REFERENCES institution(id),
    role_kind       TEXT NOT NULL,
    rank            TEXT,
    created_by      INTEGER REFERENCES person(id),   -- NULL: created by `python -m bot init`
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    used_by         INTEGER REFERENCES person(id),
    revoked_at      TEXT
);
CREATE INDEX invite_open ON invite(province_id) WHERE used_at IS NULL AND revoked_at IS NULL;

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor_id        INTEGER REFERENCES person(id),
    actor_telegram  INTEGER,
    action          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    details         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_subject ON audit_log(subject);

-- PTB persistence: JSON documents keyed as PTB keys them.
CREATE TABLE ptb_user_data (user_id INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE ptb_chat_data (chat_id INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE ptb_bot_data (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
CREATE TABLE ptb_callback_data (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
CREATE TABLE ptb_conversation (
    name   TEXT NOT NULL,
    key    TEXT NOT NULL,    -- JSON array of the conversation key
    state  TEXT NOT NULL,    -- JSON of the state
    PRIMARY KEY (name, key)
);
