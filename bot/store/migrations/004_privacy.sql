-- KVKK (Law 6698): a person may erase their personal fields. The row stays (roles, audit and
-- signed records point to it) but holds nothing personal; forgotten_at says when.
ALTER TABLE person ADD COLUMN forgotten_at TEXT;
