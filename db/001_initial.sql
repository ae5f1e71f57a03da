-- 001: branch settings, master data (prefectures, unions, products, fiscal years,
-- targets), monthly new-contract results and the audit trail.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE prefectures (
    code           TEXT PRIMARY KEY CHECK (length(code) = 2),
    name           TEXT NOT NULL,
    support_branch INTEGER NOT NULL DEFAULT 0,   -- 支援県支部
    in_national    INTEGER NOT NULL DEFAULT 1    -- 0 for 60 社保労連 (excluded from national total)
);

CREATE TABLE products (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    display_order INTEGER NOT NULL,
    rider_of      INTEGER REFERENCES products(id),
    active_from   TEXT,            -- YYYY-MM-DD or NULL
    active_to     TEXT,
    has_target    INTEGER NOT NULL DEFAULT 1,
    note          TEXT
);

CREATE TABLE product_aliases (
    alias      TEXT PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE
);

CREATE TABLE fiscal_years (
    year              INTEGER PRIMARY KEY,   -- 2024 = 2024年度
    label             TEXT NOT NULL,
    start_month       INTEGER NOT NULL CHECK (start_month BETWEEN 1 AND 12),  -- product results
    model_start_month INTEGER NOT NULL CHECK (model_start_month BETWEEN 1 AND 12)
);

CREATE TABLE unions (
    id              INTEGER PRIMARY KEY,
    pref_code       TEXT NOT NULL REFERENCES prefectures(code),
    union_code      TEXT NOT NULL CHECK (length(union_code) = 3),
    name            TEXT NOT NULL,
    members         INTEGER CHECK (members >= 0),       -- 組合員数
    holdings        INTEGER CHECK (holdings >= 0),      -- 団生保有
    figures_as_of   TEXT,                               -- as-of date of members/holdings
    effective_month INTEGER CHECK (effective_month BETWEEN 1 AND 12),  -- 発効月
    org_joined      INTEGER NOT NULL DEFAULT 0,         -- 組織加入
    active          INTEGER NOT NULL DEFAULT 1,
    note            TEXT,
    UNIQUE (pref_code, union_code)
);

-- union_id NULL = the branch's own target.
CREATE TABLE targets (
    id          INTEGER PRIMARY KEY,
    fiscal_year INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    version     TEXT NOT NULL DEFAULT '第1次' CHECK (version IN ('第1次', '第2次')),
    union_id    INTEGER REFERENCES unions(id) ON DELETE CASCADE,
    target      INTEGER NOT NULL CHECK (target >= 0)
);
CREATE UNIQUE INDEX targets_key ON targets (fiscal_year, product_id, version, ifnull(union_id, 0));

CREATE TABLE results (
    union_id   INTEGER NOT NULL REFERENCES unions(id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products(id),
    month      TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),  -- 発効年月
    count      INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (union_id, product_id, month)
) WITHOUT ROWID;
CREATE INDEX results_by_month ON results (month, product_id, union_id, count);

CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,     -- ISO timestamp, local time
    actor      TEXT NOT NULL,
    source     TEXT NOT NULL,     -- entry / undo / import / master / ...
    table_name TEXT NOT NULL,
    record_key TEXT NOT NULL,     -- e.g. "results:12:3:2025-02"
    field      TEXT NOT NULL,
    old_value  TEXT,
    new_value  TEXT
);
CREATE INDEX audit_by_record ON audit (table_name, record_key, id);
