-- 012_exchange_laptop_id_floor: a laptop copy never gives out again the id of a record it deleted.
--
-- A laptop allocates max(id in its block) + 1 (store/ids.new_id), so deleting its newest
-- record and adding another gave the new record the deleted one's id, and the base → laptop
-- diff then showed it as a change of the old record: the office silently turned its record
-- (with the office's own later changes) into the new one.  These triggers keep, on a laptop
-- copy only (exchange_state 'id_block' set), the highest id of its own block deleted per table
-- in exchange_state ('laptop_deleted_max:<table>'); new_id allocates above it, and a laptop
-- refresh carries it over like id_block (services/exchange.open_copy).

CREATE TRIGGER exchange_laptop_deleted_max_unions AFTER DELETE ON unions
WHEN OLD.id < 0
    AND OLD.id >= -((SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') + 1) * 4294967296
    AND OLD.id < -(SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') * 4294967296
BEGIN
    INSERT INTO exchange_state (key, value) VALUES ('laptop_deleted_max:unions', OLD.id)
    ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value);
END;
CREATE TRIGGER exchange_laptop_deleted_max_products AFTER DELETE ON products
WHEN OLD.id < 0
    AND OLD.id >= -((SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') + 1) * 4294967296
    AND OLD.id < -(SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') * 4294967296
BEGIN
    INSERT INTO exchange_state (key, value) VALUES ('laptop_deleted_max:products', OLD.id)
    ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value);
END;
CREATE TRIGGER exchange_laptop_deleted_max_targets AFTER DELETE ON targets
WHEN OLD.id < 0
    AND OLD.id >= -((SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') + 1) * 4294967296
    AND OLD.id < -(SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') * 4294967296
BEGIN
    INSERT INTO exchange_state (key, value) VALUES ('laptop_deleted_max:targets', OLD.id)
    ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value);
END;
CREATE TRIGGER exchange_laptop_deleted_max_estimate_campaigns AFTER DELETE ON estimate_campaigns
WHEN OLD.id < 0
    AND OLD.id >= -((SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') + 1) * 4294967296
    AND OLD.id < -(SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') * 4294967296
BEGIN
    INSERT INTO exchange_state (key, value) VALUES ('laptop_deleted_max:estimate_campaigns', OLD.id)
    ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value);
END;
CREATE TRIGGER exchange_laptop_deleted_max_estimates AFTER DELETE ON estimates
WHEN OLD.id < 0
    AND OLD.id >= -((SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') + 1) * 4294967296
    AND OLD.id < -(SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') * 4294967296
BEGIN
    INSERT INTO exchange_state (key, value) VALUES ('laptop_deleted_max:estimates', OLD.id)
    ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value);
END;
-- A laptop copy made by an older version: the records of its block it deleted since its
-- base are still noted in exchange_dirty (the deleted record's key); start the floor there.
INSERT INTO exchange_state (key, value)
SELECT 'laptop_deleted_max:' || tbl, max(CAST(json_extract(pk, '$[0]') AS INTEGER))
FROM exchange_dirty
WHERE tbl IN ('unions', 'products', 'targets', 'estimate_campaigns', 'estimates')
    AND CAST(json_extract(pk, '$[0]') AS INTEGER) < 0
    AND CAST(json_extract(pk, '$[0]') AS INTEGER) >= -((SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') + 1) * 4294967296
    AND CAST(json_extract(pk, '$[0]') AS INTEGER) < -(SELECT CAST(value AS INTEGER) FROM exchange_state WHERE key = 'id_block') * 4294967296
GROUP BY tbl
ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value);
