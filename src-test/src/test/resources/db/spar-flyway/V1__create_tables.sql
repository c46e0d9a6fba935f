-- Plain tables first; V2 distributes them.
CREATE TABLE fw_accounts (id bigint NOT NULL, name text NOT NULL);
CREATE TABLE fw_orders (account_id bigint NOT NULL, id bigint NOT NULL, total numeric(12, 2));
