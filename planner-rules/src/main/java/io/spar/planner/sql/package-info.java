/**
 * How a pushed-down subtree becomes PostgreSQL text for one shard.
 */
package io.spar.planner.sql;
