CREATE TABLE t (id bigint, "partition" int);
SELECT master_create_distributed_table('t', 'id', 'hash');
SELECT master_create_worker_shards('t', 2, 1);
CREATE TABLE p (id bigint);
SELECT master_create_distributed_table('p', 'id', 'hash');
SELECT master_create_worker_shards('p', 2, 2);
CREATE TABLE "Shard" ("Key" bigint);
SELECT master_create_distributed_table('"Shard"', 'Key', 'hash');
SELECT master_create_worker_shards('"Shard"', 3, 1);
