-- 006_search: one full-text index for the global search (単組 by name or code, 見積り by person,
-- car or note, campaigns by name or note).  FTS5 with the trigram tokenizer finds any Japanese
-- substring of three characters or more; shorter queries use LIKE on the same table.
-- Triggers keep it in step with every write, whatever wrote it (screen, import, CLI, restore of
-- an older file through this migration).  Anonymising a campaign clears the personal columns,
-- which the update trigger mirrors; the campaign's anonymised_at trigger then merges the index
-- ('optimize') so no deleted term survives in its segments (secure_delete zeroes the freed pages).

CREATE VIRTUAL TABLE search_index USING fts5(
    kind UNINDEXED,      -- 'union' | 'estimate' | 'campaign'
    ref UNINDEXED,       -- the record's id
    text,                -- what is searched
    tokenize = 'trigram'
);
-- rowid = id * 4 + 1 (union) / 2 (campaign) / 3 (estimate), so a trigger finds its row by key.

INSERT INTO search_index (rowid, kind, ref, text)
    SELECT id * 4 + 1, 'union', id, pref_code || '-' || union_code || ' ' || name || ' ' || coalesce(note, '') FROM unions;
INSERT INTO search_index (rowid, kind, ref, text)
    SELECT id * 4 + 2, 'campaign', id, name || ' ' || kind || ' ' || coalesce(note, '') FROM estimate_campaigns;
INSERT INTO search_index (rowid, kind, ref, text)
    SELECT id * 4 + 3, 'estimate', id, coalesce(name, '') || ' ' || coalesce(car, '') || ' ' || coalesce(contact, '') || ' ' || coalesce(notes, '') FROM estimates;

CREATE TRIGGER search_unions_ai AFTER INSERT ON unions BEGIN
    INSERT INTO search_index (rowid, kind, ref, text)
    VALUES (NEW.id * 4 + 1, 'union', NEW.id, NEW.pref_code || '-' || NEW.union_code || ' ' || NEW.name || ' ' || coalesce(NEW.note, ''));
END;
CREATE TRIGGER search_unions_au AFTER UPDATE OF pref_code, union_code, name, note ON unions BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4 + 1;
    INSERT INTO search_index (rowid, kind, ref, text)
    VALUES (NEW.id * 4 + 1, 'union', NEW.id, NEW.pref_code || '-' || NEW.union_code || ' ' || NEW.name || ' ' || coalesce(NEW.note, ''));
END;
CREATE TRIGGER search_unions_ad AFTER DELETE ON unions BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4 + 1;
END;

CREATE TRIGGER search_campaigns_ai AFTER INSERT ON estimate_campaigns BEGIN
    INSERT INTO search_index (rowid, kind, ref, text)
    VALUES (NEW.id * 4 + 2, 'campaign', NEW.id, NEW.name || ' ' || NEW.kind || ' ' || coalesce(NEW.note, ''));
END;
CREATE TRIGGER search_campaigns_au AFTER UPDATE OF name, kind, note ON estimate_campaigns BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4 + 2;
    INSERT INTO search_index (rowid, kind, ref, text)
    VALUES (NEW.id * 4 + 2, 'campaign', NEW.id, NEW.name || ' ' || NEW.kind || ' ' || coalesce(NEW.note, ''));
END;
CREATE TRIGGER search_campaigns_ad AFTER DELETE ON estimate_campaigns BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4 + 2;
END;
CREATE TRIGGER search_campaigns_anonymised AFTER UPDATE OF anonymised_at ON estimate_campaigns
    WHEN NEW.anonymised_at IS NOT NULL BEGIN
    INSERT INTO search_index (search_index) VALUES ('optimize');
END;

CREATE TRIGGER search_estimates_ai AFTER INSERT ON estimates BEGIN
    INSERT INTO search_index (rowid, kind, ref, text)
    VALUES (NEW.id * 4 + 3, 'estimate', NEW.id, coalesce(NEW.name, '') || ' ' || coalesce(NEW.car, '') || ' ' || coalesce(NEW.contact, '') || ' ' || coalesce(NEW.notes, ''));
END;
CREATE TRIGGER search_estimates_au AFTER UPDATE OF name, car, contact, notes ON estimates BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4 + 3;
    INSERT INTO search_index (rowid, kind, ref, text)
    VALUES (NEW.id * 4 + 3, 'estimate', NEW.id, coalesce(NEW.name, '') || ' ' || coalesce(NEW.car, '') || ' ' || coalesce(NEW.contact, '') || ' ' || coalesce(NEW.notes, ''));
END;
CREATE TRIGGER search_estimates_ad AFTER DELETE ON estimates BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4 + 3;
END;
