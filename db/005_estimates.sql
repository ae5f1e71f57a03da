-- 005_estimates: マイカー共済 estimate campaigns (見積りキャンペーン) and their estimates
-- (DOMAIN §6).  Estimates are the only place personal data is kept (DOMAIN §8): a finished
-- campaign can be anonymised, which clears the personal columns and sets anonymised_at.

CREATE TABLE estimate_campaigns (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the audit trail keys on it
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL DEFAULT 'その他' CHECK (kind IN (
                      '単組執行部見積り強化月間', '見積りキャンペーン', '成約キャンペーン',
                      '新規車両付帯キャンペーン', 'その他')),
    period_from   TEXT CHECK (period_from IS NULL OR period_from GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    period_to     TEXT CHECK (period_to IS NULL OR period_to GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    product_id    INTEGER REFERENCES products(id),          -- default マイカー共済
    note          TEXT,
    anonymised_at TEXT,                                      -- ISO timestamp, NULL = personal data kept
    CHECK (period_from IS NULL OR period_to IS NULL OR period_from <= period_to)
);

-- Participating unions (a union may take part before any estimate arrives).
CREATE TABLE estimate_campaign_unions (
    campaign_id INTEGER NOT NULL REFERENCES estimate_campaigns(id) ON DELETE CASCADE,
    union_id    INTEGER NOT NULL REFERENCES unions(id),
    PRIMARY KEY (campaign_id, union_id)
) WITHOUT ROWID;

CREATE TABLE estimates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the audit trail keys on it
    campaign_id     INTEGER NOT NULL REFERENCES estimate_campaigns(id),
    union_id        INTEGER NOT NULL REFERENCES unions(id),
    seq             INTEGER NOT NULL CHECK (seq >= 1),         -- No. on 別紙2 (per campaign × union)
    role            TEXT NOT NULL DEFAULT '組合員' CHECK (role IN ('執行部', '組合員')),
    name            TEXT,                                       -- 氏名 (personal)
    age             INTEGER CHECK (age IS NULL OR age BETWEEN 0 AND 120),   -- 年齢 (personal)
    contact         TEXT,                                       -- 連絡先 (personal)
    car             TEXT,                                       -- 車名 (personal)
    grade_now       TEXT,                                       -- 現在等級, text as entered
    grade_new       TEXT,                                       -- 適応等級, text as entered
    vehicle_cover   INTEGER NOT NULL DEFAULT 0 CHECK (vehicle_cover IN (0, 1)),   -- 車両 ○
    other_premium   INTEGER CHECK (other_premium IS NULL OR other_premium >= 0),     -- 他社掛金
    jichiro_premium INTEGER CHECK (jichiro_premium IS NULL OR jichiro_premium >= 0), -- じちろう掛金
    payment         TEXT CHECK (payment IS NULL OR payment IN ('年', '月')),          -- 支払
    policy_maturity TEXT,                                       -- 保険(共済)満期日 (personal)
    inspection_due  TEXT,                                       -- 車検満了日 (personal)
    status          TEXT NOT NULL DEFAULT '依頼受付' CHECK (status IN ('依頼受付', '見積作成', '返却済', '成約', '不成約')),
    requested_on    TEXT,                                       -- 依頼受付日
    estimated_on    TEXT,                                       -- 見積作成日
    returned_on     TEXT,                                       -- 返却日
    closed_on       TEXT,                                       -- 成約: 申込日 / 不成約: 確定日
    notes           TEXT,                                       -- 備考 (personal)
    UNIQUE (campaign_id, union_id, seq)
);
CREATE INDEX estimates_by_union ON estimates (union_id, status);
CREATE INDEX estimates_by_maturity ON estimates (status, policy_maturity);
