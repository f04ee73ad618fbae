-- Permanent deletes get a kind of their own in the change log, so that
-- only they make other nodes drop cached schema-by-id answers.
ALTER TABLE changes DROP CONSTRAINT changes_kind_check;
ALTER TABLE changes ADD CONSTRAINT changes_kind_check CHECK (kind IN ('version', 'delete', 'config', 'mode'));
