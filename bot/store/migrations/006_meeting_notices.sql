-- Meetings, continued (issue 5): when notices went out, the on-the-day check-in, and members
-- marked away, whose deputy receives the notices instead (Art. 9(2)).

-- When the last notice of the meeting's current day, time and place was queued: reminders
-- due before it are pointless (the notice itself just told everyone).
ALTER TABLE meeting ADD COLUMN noticed_at TEXT;
-- The attendees' own "I am here" button works until this instant (UTC); NULL: closed.
ALTER TABLE meeting ADD COLUMN checkin_until TEXT;

-- A member who left their post for a while (Art. 9(2): "geçici ... ayrılmaları durumunda"):
-- until the last day given (inclusive; NULL: until they say they are back) meeting notices go
-- to the institution's deputy, who answers for it.
CREATE TABLE member_away (
    role_id  INTEGER PRIMARY KEY REFERENCES role(id),
    until    TEXT,
    set_by   INTEGER REFERENCES person(id),
    set_at   TEXT NOT NULL
);
