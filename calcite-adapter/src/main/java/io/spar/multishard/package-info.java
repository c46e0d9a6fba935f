/**
 * How does a query over several shards split into shard queries and a coordinator query?
 *
 * <p>{@link io.spar.multishard.MultiShardPlanner} looks at a parsed SELECT once per statement
 * text and picks a {@link io.spar.multishard.Strategy}: the whole query on every shard
 * (pushdown), the query on every shard with the coordinator merging sorted, limited or distinct
 * rows, partial aggregates combined at the coordinator ({@link
 * io.spar.multishard.AggregateCombinations}), or the shards' rows handed to the coordinator
 * database, which runs the query itself. Whatever the coordinator computes runs in the
 * coordinator's PostgreSQL over the shards' rows ({@link io.spar.multishard.IntermediateRows}),
 * so results, text forms and errors are PostgreSQL's own.
 */
package io.spar.multishard;
