-- The CHECK holds on the coordinator's empty table and fails on the shards' rows.
ALTER TABLE fw_accounts ADD COLUMN nickname text;
CREATE INDEX fw_accounts_nickname ON fw_accounts (nickname);
ALTER TABLE fw_orders ADD CONSTRAINT fw_orders_small CHECK (total < 8);
