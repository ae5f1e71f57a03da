-- 004_model_unions: 加入拡大モデル単組 — the designation of a union per fiscal year.
--
-- The monthly counts of a model union are the monthly results of product 団体生命共済
-- (table results, by calendar month), so they are not stored here.  The year's start
-- month (6月開始 / 5月開始) is fiscal_years.model_start_month.

-- One row per fiscal year that has a model-union list: where it came from.
CREATE TABLE model_union_years (
    fiscal_year       INTEGER PRIMARY KEY,
    as_of             TEXT CHECK (as_of IS NULL OR as_of GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    sheet_start_month INTEGER CHECK (sheet_start_month BETWEEN 1 AND 12),  -- layout of the sheet
    source            TEXT,     -- file name of the imported sheet
    imported_at       TEXT      -- ISO timestamp
);

-- The designation: union, yearly target (新規 団体生命共済 件数) and the union's figures
-- as printed for that year (組合員数, 団生保有, 発効月).
CREATE TABLE model_unions (
    fiscal_year     INTEGER NOT NULL,
    union_id        INTEGER NOT NULL REFERENCES unions(id) ON DELETE CASCADE,
    target          INTEGER CHECK (target >= 0),
    members         INTEGER CHECK (members >= 0),
    holdings        INTEGER CHECK (holdings >= 0),
    effective_month INTEGER CHECK (effective_month BETWEEN 1 AND 12),
    PRIMARY KEY (fiscal_year, union_id)
) WITHOUT ROWID;
CREATE INDEX model_unions_by_union ON model_unions (union_id, fiscal_year);
