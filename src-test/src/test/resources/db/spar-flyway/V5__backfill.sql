ALTER TABLE fw_accounts ADD COLUMN order_count int NOT NULL DEFAULT 0;
UPDATE fw_accounts SET email = name || '@example.com';
UPDATE fw_orders SET status = 'paid' WHERE total > 6;
UPDATE fw_orders o SET status = 'vip' FROM fw_accounts a
  WHERE o.account_id = a.id AND a.name = 'ada';
