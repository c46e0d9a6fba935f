SELECT master_create_distributed_table('fw_accounts', 'id', 'hash');
SELECT master_create_worker_shards('fw_accounts', 4, 2);
SELECT master_create_distributed_table('fw_orders', 'account_id', 'hash');
SELECT master_create_worker_shards('fw_orders', 4, 2);
