/**
 * What a pushed-down filter says about the partition column, for shard pruning.
 */
package io.spar.planner.prune;
