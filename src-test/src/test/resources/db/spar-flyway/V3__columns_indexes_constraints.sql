ALTER TABLE fw_accounts ADD COLUMN email text;
ALTER TABLE fw_accounts ADD PRIMARY KEY (id);
ALTER TABLE fw_orders ADD COLUMN status text NOT NULL DEFAULT 'new',
  ADD CONSTRAINT fw_orders_pkey PRIMARY KEY (account_id, id);
CREATE INDEX fw_orders_status ON fw_orders (status);
ALTER TABLE fw_orders ADD CONSTRAINT fw_orders_account_fkey
  FOREIGN KEY (account_id) REFERENCES fw_accounts (id);
ALTER TABLE fw_orders ADD CONSTRAINT fw_orders_total_check CHECK (total >= 0);
