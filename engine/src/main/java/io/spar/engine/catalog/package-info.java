/**
 * Where distributed tables, their shards and their placements live: pg_shard's metadata layout in
 * the coordinator database, and an in-memory snapshot of it that is invalidated whenever any
 * process changes it.
 */
package io.spar.engine.catalog;
