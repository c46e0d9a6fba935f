/**
 * Which statements Spar carries out itself rather than route: pg_shard's SQL API functions and
 * DDL that must reach the shards too.
 */
package io.spar.commands;
