/**
 * PostgreSQL's COPY through Spar: rows of {@code COPY t FROM STDIN} are split by shard and
 * streamed to every placement in the session's distributed transaction; {@code COPY t TO
 * STDOUT} concatenates the shards' own COPY output, and {@code COPY (query) TO STDOUT} copies
 * the query's rows, gathered through Spar, from a temporary table of the coordinator.
 */
package io.spar.copy;
