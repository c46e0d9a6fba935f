INSERT INTO fw_accounts (id, name) VALUES (1, 'ada'), (2, 'bob'), (3, 'cy');
INSERT INTO fw_orders (account_id, id, total) VALUES (1, 1, 10), (1, 2, 5.5), (3, 1, 7);
