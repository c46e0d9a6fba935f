/**
 * Answers "which int32 hash value would PostgreSQL 15 compute for this partition column value, and which hash shard
 * interval does it fall into?" bit-for-bit as pg_shard and Citus do.
 */
package io.spar.engine.hashing;
