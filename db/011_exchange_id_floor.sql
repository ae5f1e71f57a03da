-- 011_exchange_id_floor: the office never gives out again the id of a record it deleted.
--
-- The office database lets SQLite choose ids (max + 1), so deleting the newest union (or
-- product, target) and adding another gave the new record the deleted one's id — and a laptop's
-- figures or estimates for the deleted record, brought back later, would silently land on the
-- new one instead of being listed as changes to a deleted record.  These triggers keep the
-- highest id deleted per table in exchange_state ('deleted_max:<table>'); store/ids.new_id
-- allocates above it (laptop copies allocate in their own negative block as before).
-- Campaigns and estimates are AUTOINCREMENT (db/005) and never reuse an id already.
CREATE TRIGGER exchange_deleted_max_unions AFTER DELETE ON unions WHEN OLD.id > 0
BEGIN
    INSERT INTO exchange_state (key, value) VALUES ('deleted_max:unions', OLD.id)
    ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value);
END;
CREATE TRIGGER exchange_deleted_max_products AFTER DELETE ON products WHEN OLD.id > 0
BEGIN
    INSERT INTO exchange_state (key, value) VALUES ('deleted_max:products', OLD.id)
    ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value);
END;
CREATE TRIGGER exchange_deleted_max_targets AFTER DELETE ON targets WHEN OLD.id > 0
BEGIN
    INSERT INTO exchange_state (key, value) VALUES ('deleted_max:targets', OLD.id)
    ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value);
END;
