-- 007_hq: headquarters mode (the roll-up of the branches' report packages) and the
-- national figures a branch receives back from headquarters.
--
-- A headquarters database (settings role = 'hq') keeps each branch's unions, per-union
-- targets and model-union designations in the ordinary tables (unions are unique by
-- 県コード + 単組コード); what only HQ needs is here (and in 009).

-- The package each branch sent last (one per branch: a newer one replaces it).
CREATE TABLE hq_packages (
    pref_code      TEXT PRIMARY KEY REFERENCES prefectures(code),
    fiscal_year    INTEGER NOT NULL,
    first_month    TEXT NOT NULL,      -- months the package covers (the year before + the year)
    last_month     TEXT NOT NULL,
    created_at     TEXT NOT NULL,      -- when the branch made it (ISO, local time)
    imported_at    TEXT NOT NULL,
    file_name      TEXT,
    sha256         TEXT NOT NULL,      -- of the whole package file
    app_version    TEXT,
    schema_version INTEGER,
    counts         TEXT                -- JSON {file: rows}
);

-- A branch's own targets (the branch database's targets with no union), both versions.
CREATE TABLE hq_branch_targets (
    pref_code   TEXT NOT NULL REFERENCES prefectures(code),
    fiscal_year INTEGER NOT NULL,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    version     TEXT NOT NULL CHECK (version IN ('第1次', '第2次')),
    target      INTEGER NOT NULL CHECK (target >= 0),
    PRIMARY KEY (pref_code, fiscal_year, product_id, version)
) WITHOUT ROWID;

-- Σ of a branch's unions per product × effective month, kept at import for the national report.
CREATE TABLE hq_branch_results (
    pref_code  TEXT NOT NULL REFERENCES prefectures(code),
    product_id INTEGER NOT NULL REFERENCES products(id),
    month      TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    count      INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (pref_code, product_id, month)
) WITHOUT ROWID;

-- At a branch: headquarters' national figures per product ('00' = 全国, else one branch).
CREATE TABLE national_figures (
    fiscal_year      INTEGER NOT NULL,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    pref_code        TEXT NOT NULL CHECK (length(pref_code) = 2),
    as_of            TEXT NOT NULL CHECK (as_of GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    target           INTEGER CHECK (target >= 0),
    actual           INTEGER NOT NULL CHECK (actual >= 0),
    branches_reached INTEGER,
    PRIMARY KEY (fiscal_year, product_id, pref_code)
) WITHOUT ROWID;

CREATE TABLE national_imports (
    fiscal_year INTEGER PRIMARY KEY,
    source      TEXT,
    imported_at TEXT NOT NULL
);
