-- Administrative leave days (idari izin) a secretariat enters for its province. They count as
-- non-working days for every council of the province (Art. 6(9), domain/workdays.py).
-- A day is stored once per province; removing one deletes the row, and the audit log keeps
-- who added and removed what.

CREATE TABLE leave_day (
    id           INTEGER PRIMARY KEY,
    province_id  INTEGER NOT NULL REFERENCES province(id),
    day          TEXT NOT NULL,                    -- ISO date, YYYY-MM-DD (a local date)
    note         TEXT NOT NULL,
    created_by   INTEGER REFERENCES person(id),    -- NULL: entered outside the bot
    created_at   TEXT NOT NULL,
    UNIQUE (province_id, day)
);
