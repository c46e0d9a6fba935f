DROP TABLE t, p, "Shard";
