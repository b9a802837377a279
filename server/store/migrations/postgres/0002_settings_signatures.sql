-- Signature files stored with each settings version (JSON list of
-- {name, yaml, status, severity}).
ALTER TABLE settings ADD COLUMN signatures TEXT NOT NULL DEFAULT '';
