/**
 * PostgreSQL's COPY through Spar: rows of {@code COPY t FROM STDIN} are split by shard and
 * streamed to every placement in the session's distributed transaction; {@code COPY t TO
 * STDOUT} concatenates the shards' own COPY output.
 */
package io.spar.copy;
