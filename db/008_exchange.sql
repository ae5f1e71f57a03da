-- 008_exchange: laptop copies (持ち出し) and bringing their changes back (持ち帰り).
--
-- Nothing existing is rewritten: every record keeps its id and its audit history.  Ids stay
-- stable across machines because a laptop copy allocates the ids of records it creates
-- (unions, products, targets, campaigns, estimates) in its own negative block
-- (store/ids.py), while the office keeps SQLite's positive max+1 — so an office id and a
-- laptop id can never be the same number.  Audit rows never travel by id: the office writes
-- its own row for every change it takes from a package.

-- This database's identity and, on a laptop copy, where it came from (key/value; never
-- travels in a package).  database_id is random, made here once per database.
CREATE TABLE exchange_state (
    key   TEXT PRIMARY KEY,
    value TEXT
);
INSERT INTO exchange_state (key, value) VALUES ('database_id', lower(hex(randomblob(16))));

-- Packages taken in (on the office: each laptop's change packages, with its sequence
-- number, so a package imported twice or an older one is refused).
CREATE TABLE exchange_imports (
    package_id   TEXT PRIMARY KEY,
    source_id    TEXT NOT NULL,       -- the laptop copy's database_id
    source_label TEXT,
    seq          INTEGER NOT NULL,
    created_at   TEXT,
    imported_at  TEXT NOT NULL,
    applied      INTEGER NOT NULL,
    unchanged    INTEGER NOT NULL,
    conflicts    INTEGER NOT NULL,
    base_id      TEXT,                -- the office copy the laptop's package is counted from
    changeset    BLOB                 -- what the package brought (the next one is taken relative to it)
);
CREATE INDEX exchange_imports_by_source ON exchange_imports (source_id, seq);

-- Conflicts: a field (or a whole record) changed differently on both sides.  Nothing is
-- overwritten; the clerk settles each one (keep the office's / take the laptop's).  Values
-- are JSON; laptop_row is the laptop's whole record (to re-create one deleted here).
CREATE TABLE exchange_conflicts (
    id            INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    source_label  TEXT,
    table_name    TEXT NOT NULL,
    pk            TEXT NOT NULL,      -- JSON array of the primary-key values
    record_key    TEXT NOT NULL,      -- the audit trail's key of the record
    situation     TEXT NOT NULL CHECK (situation IN ('both_changed', 'both_added', 'deleted_office', 'deleted_laptop')),
    field         TEXT NOT NULL,      -- column, or '*' for the whole record
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
    settlement    TEXT CHECK (settlement IS NULL OR settlement IN ('office', 'laptop'))
);
CREATE UNIQUE INDEX exchange_conflicts_once ON exchange_conflicts
    (source_id, table_name, pk, field, ifnull(laptop_value, ''));
CREATE INDEX exchange_conflicts_open ON exchange_conflicts (settled_at, id);

-- On a laptop copy: the records changed since its base (filled by triggers the exchange
-- creates on the copy), so bringing changes back compares those rows, not whole tables.
CREATE TABLE exchange_dirty (
    tbl TEXT NOT NULL,
    pk  TEXT NOT NULL,                -- JSON array of the primary-key values
    PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;
