-- 009_hq_union_results: headquarters keeps each branch's per-union monthly figures as
-- received in its report package, apart from ``results`` (a branch's own, audited cell by
-- cell): replaced in bulk per package and audited once per package, primary key only.
CREATE TABLE hq_union_results (
    union_id   INTEGER NOT NULL REFERENCES unions(id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products(id),
    month      TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    count      INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (union_id, product_id, month)
) WITHOUT ROWID;
