/**
 * How a parsed statement reaches its shards without Calcite planning: finding the tables it
 * references, the partition-column predicates that prune them, and the statement text with
 * shard names spliced in.
 */
package io.spar.router;
