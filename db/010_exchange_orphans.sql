-- 010_exchange_orphans: a change that refers to a record deleted on the other side.
--
-- The laptop enters figures for a union (or an estimate in a campaign) the office deleted
-- meanwhile.  Such a change is no longer refused with the whole package: it is listed as a
-- conflict of the new situation 'orphaned', keeping the laptop's whole record, and
-- ``parents`` keeps the deleted records it needs as the package knew them (JSON list of
-- [table, row], the deepest first), so "take the laptop's" can re-create them.
-- SQLite cannot widen a CHECK in place: the table is rebuilt (nothing refers to it).
CREATE TABLE exchange_conflicts_new (
    id            INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    source_label  TEXT,
    table_name    TEXT NOT NULL,
    pk            TEXT NOT NULL,
    record_key    TEXT NOT NULL,
    situation     TEXT NOT NULL CHECK (situation IN ('both_changed', 'both_added', 'deleted_office', 'deleted_laptop', 'orphaned')),
    field         TEXT NOT NULL,
    base_value    TEXT,
    office_value  TEXT,
    laptop_value  TEXT,
    office_at     TEXT,
    office_actor  TEXT,
    laptop_at     TEXT,
    laptop_actor  TEXT,
    laptop_row    TEXT,
    settled_at    TEXT,
    settled_by    TEXT,
    settlement    TEXT CHECK (settlement IS NULL OR settlement IN ('office', 'laptop')),
    parents       TEXT
);
INSERT INTO exchange_conflicts_new (id, created_at, source_id, source_label, table_name, pk,
    record_key, situation, field, base_value, office_value, laptop_value, office_at, office_actor,
    laptop_at, laptop_actor, laptop_row, settled_at, settled_by, settlement)
SELECT id, created_at, source_id, source_label, table_name, pk, record_key, situation, field,
    base_value, office_value, laptop_value, office_at, office_actor, laptop_at, laptop_actor,
    laptop_row, settled_at, settled_by, settlement FROM exchange_conflicts;
DROP TABLE exchange_conflicts;
ALTER TABLE exchange_conflicts_new RENAME TO exchange_conflicts;
CREATE UNIQUE INDEX exchange_conflicts_once ON exchange_conflicts
    (source_id, table_name, pk, field, ifnull(laptop_value, ''));
CREATE INDEX exchange_conflicts_open ON exchange_conflicts (settled_at, id);
