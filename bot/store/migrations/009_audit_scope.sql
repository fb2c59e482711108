-- Audit scope: the council and province each audit entry is about, so that a district
-- secretariat sees its own council's trail and a provincial secretariat its whole province.
-- Entries already written are scoped from their subject ("meeting:12" -> the meeting's council);
-- the same mapping is bot/store/audit.py's SCOPE_OF, used for every new entry.
ALTER TABLE audit_log ADD COLUMN council_id INTEGER REFERENCES council(id);
ALTER TABLE audit_log ADD COLUMN province_id INTEGER REFERENCES province(id);

UPDATE audit_log SET council_id = (
    WITH s(kind, ident) AS (
        SELECT substr(audit_log.subject, 1, instr(audit_log.subject, ':') - 1),
               CAST(substr(audit_log.subject, instr(audit_log.subject, ':') + 1) AS INTEGER)
    )
    SELECT CASE s.kind
        WHEN 'council' THEN s.ident
        WHEN 'institution' THEN (SELECT council_id FROM institution WHERE id = s.ident)
        WHEN 'invite' THEN (SELECT council_id FROM invite WHERE id = s.ident)
        WHEN 'role' THEN (SELECT council_id FROM role WHERE id = s.ident)
        WHEN 'person' THEN (SELECT council_id FROM role WHERE person_id = s.ident
                            ORDER BY valid_to IS NULL DESC, id DESC LIMIT 1)
        WHEN 'meeting' THEN (SELECT council_id FROM meeting WHERE id = s.ident)
        WHEN 'proposal' THEN (SELECT council_id FROM proposal WHERE id = s.ident)
        WHEN 'notice' THEN (SELECT council_id FROM notice WHERE id = s.ident)
        WHEN 'decision' THEN (SELECT council_id FROM decision WHERE id = s.ident)
    END FROM s
);

UPDATE audit_log SET province_id = CASE
    WHEN subject LIKE 'province:%'
        THEN CAST(substr(subject, instr(subject, ':') + 1) AS INTEGER)
    WHEN subject LIKE 'notice:%' AND council_id IS NULL
        THEN (SELECT province_id FROM notice
              WHERE id = CAST(substr(audit_log.subject, instr(audit_log.subject, ':') + 1)
                              AS INTEGER))
    ELSE (SELECT province_id FROM council WHERE id = audit_log.council_id)
END;

CREATE INDEX audit_province ON audit_log(province_id, id);
CREATE INDEX audit_council ON audit_log(council_id, id);
